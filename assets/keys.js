// Keyboard shortcuts, loaded by app.js once the page has loaded (the
// first load is lighter without them): j/k move, o or Enter open, u back
// to the list, r/a/f reply, reply all, forward, c compose, e archive,
// # delete, s flag, / search, ? the list of them (views/layout.templ).
// They never fire while typing, and every one of them is a button or
// link on the page too.
(function () {
  "use strict";
  document.documentElement.setAttribute("data-keys", ""); // here (tests wait on it)
  function typing(e) {
    var t = e.target;
    return t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName);
  }
  // Hidden controls count too: the desktop hides the back link, yet "u"
  // still goes back to the list.
  function click(sel) {
    var el = document.querySelector(sel);
    if (el) { el.click(); return true; }
    return false;
  }
  function rows() { return Array.prototype.slice.call(document.querySelectorAll("#list [data-testid=rows] [data-testid=row], #list [data-testid=conversation]")); }
  function selected() { return document.querySelector("#list .row.kbd"); }
  function move(step) {
    var all = rows();
    if (!all.length) return;
    var cur = selected() || document.querySelector("#list .row.current");
    var i = cur ? all.indexOf(cur) + step : 0;
    i = Math.max(0, Math.min(all.length - 1, i));
    all.forEach(function (r) { r.classList.remove("kbd"); });
    all[i].classList.add("kbd");
    all[i].scrollIntoView({ block: "nearest" });
    var link = all[i].querySelector("a");
    if (link) link.focus({ preventScroll: true });
  }
  // An action on the message shown, or else on the row picked with j/k.
  function act(name) {
    if (click("#message [data-testid=" + name + "]")) return;
    var row = selected();
    if (!row) return;
    var box = row.querySelector("input[name=uid]");
    if (box) box.checked = true;
    click("[data-testid=bulk-" + name + "]");
  }
  function help() {
    var box = document.getElementById("shortcuts");
    if (box) box.hidden = !box.hidden;
  }
  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey || typing(e)) return;
    var done = true;
    switch (e.key) {
      case "j": move(1); break;
      case "k": move(-1); break;
      case "o": case "Enter":
        var row = selected();
        if (row) row.querySelector("a").click(); else done = false;
        break;
      case "u": done = click("#message [data-testid=back]") || click("[data-testid=compose-cancel]"); break;
      case "r": done = click("#message [data-testid=reply]"); break;
      case "a": done = click("#message [data-testid=reply-all]"); break;
      case "f": done = click("#message [data-testid=forward]"); break;
      case "c": done = click("[data-testid=compose]"); break;
      case "e": act("archive"); break;
      case "#": act("delete"); break;
      case "s": act("flag"); break;
      case "/":
        var box = document.querySelector("[data-testid=search-input]");
        if (box) box.focus(); else done = false;
        break;
      case "?": help(); break;
      default: done = false;
    }
    if (done) e.preventDefault();
  });
})();
