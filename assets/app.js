// Our few lines of JavaScript. Everything works without them; they only
// make things smoother. Loaded with the page's CSP nonce, no inline code.
(function () {
  "use strict";

  // The reader's time zone (app/timezone.go): the server shows dates in
  // it from the next page on, unless a zone was chosen in the settings.
  try {
    var tz = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (tz && tz.length <= 64 && /^[A-Za-z0-9_+\/-]+$/.test(tz) && document.cookie.split("; ").indexOf("tz=" + tz) < 0) {
      document.cookie = "tz=" + tz + "; path=/; max-age=31536000; SameSite=Lax" + (location.protocol === "https:" ? "; Secure" : "");
    }
  } catch (e) { /* no Intl: the settings or the server's zone */ }

  // Mark the current row in the list after htmx opened a message, so the
  // list shows where the person is without a reload.
  document.addEventListener("htmx:after:swap", function () {
    var msg = document.querySelector("#message [data-uid]");
    if (!msg) return;
    var uid = msg.getAttribute("data-uid");
    document.querySelectorAll("#list .row").forEach(function (row) {
      var current = row.getAttribute("data-uid") === uid;
      row.classList.toggle("current", current);
      if (current) row.classList.remove("unread");
    });
  });

  // Distinct SMTP credentials (DESIGN.md S4): the server seals them under
  // a key derived from the login password and hands the blob to the
  // browser; it lives here, in localStorage, one entry per account, and
  // goes back with every send. The server keeps nothing.
  function storageKey() {
    var account = document.body.getAttribute("data-account");
    return account ? "webmail.smtp." + account : null;
  }
  function load() {
    var key = storageKey();
    try { return key ? localStorage.getItem(key) : null; } catch (e) { return null; }
  }
  function syncSMTP(root) {
    var key = storageKey();
    if (!key) return;
    try {
      var fresh = root.querySelector("[data-smtp-blob]");
      if (fresh) localStorage.setItem(key, fresh.getAttribute("data-smtp-blob"));
      if (root.querySelector("[data-smtp-clear]")) localStorage.removeItem(key);
    } catch (e) { /* storage refused: the no-JS path still works */ }
    var blob = load();
    var status = document.querySelector("[data-smtp-status]");
    // The words come from the page, in the person's language.
    if (status && blob) status.textContent = status.getAttribute("data-smtp-held");
    document.querySelectorAll("[data-smtp-blob-field]").forEach(function (field) {
      field.value = blob || "";
    });
    document.querySelectorAll("[data-smtp-forget]").forEach(function (b) {
      if (blob) b.hidden = false;
    });
    if (blob) {
      document.querySelectorAll("[data-smtp-fields]").forEach(function (fs) {
        // The saved credentials replace the per-message fields, unless
        // the server asks for them again (an error inside).
        if (!fs.querySelector(".field-error") && !document.querySelector("[data-testid=compose-error]")) fs.hidden = true;
      });
    }
  }
  document.addEventListener("DOMContentLoaded", function () { syncSMTP(document); });
  document.addEventListener("htmx:after:swap", function () { syncSMTP(document); });
  // Fill the field at the last moment too, in case another tab saved or
  // forgot the credentials meanwhile.
  document.addEventListener("submit", function (e) {
    var field = e.target.querySelector && e.target.querySelector("[data-smtp-blob-field]");
    if (field) field.value = load() || "";
  }, true);
})();

// Attachments of the compose form (views/compose.templ). Without
// JavaScript each file the form already holds is a ticked box: untick it
// to leave the file out. Here a Remove button does the same, and Undo
// takes it back. Before the form uploads anything, the files chosen are
// weighed against the limit the server sets (data-max-bytes): too much is
// refused at once, in the server's own words (data-too-large), rather
// than after the upload.
(function () {
  "use strict";
  function enhance(root) {
    root.querySelectorAll("[data-kept]:not(.js)").forEach(function (list) {
      list.classList.add("js");
      var hint = list.querySelector("[data-kept-hint]");
      if (hint) hint.hidden = true;
      list.querySelectorAll("[data-kept-remove]").forEach(function (b) { b.hidden = false; });
    });
  }
  document.addEventListener("DOMContentLoaded", function () { enhance(document); });
  document.addEventListener("htmx:after:swap", function () { enhance(document); });
  document.addEventListener("click", function (e) {
    var b = e.target.closest && e.target.closest("[data-kept-remove]");
    if (b) b.closest("li").querySelector("input[name=keep]").click();
  });
  function weight(form) {
    var n = 0;
    form.querySelectorAll("input[type=file]").forEach(function (input) {
      Array.prototype.forEach.call(input.files || [], function (f) { n += f.size; });
    });
    form.querySelectorAll("input[name=keep][data-carried-size]").forEach(function (box) {
      if (box.checked) n += Number(box.getAttribute("data-carried-size")) || 0;
    });
    return n;
  }
  // check shows or clears the form's message; true when the files fit.
  function check(form) {
    var fits = weight(form) <= Number(form.getAttribute("data-max-bytes"));
    var input = form.querySelector("input[type=file]");
    var msg = form.querySelector("[data-attach-error]");
    if (!fits && !msg && input) {
      msg = document.createElement("p");
      msg.className = "field-error";
      msg.setAttribute("role", "alert");
      msg.setAttribute("data-attach-error", "");
      msg.setAttribute("data-testid", "error-attachments");
      input.insertAdjacentElement("afterend", msg);
    }
    if (msg) {
      msg.textContent = fits ? "" : form.getAttribute("data-too-large");
      msg.hidden = fits;
    }
    if (input) input.setAttribute("aria-invalid", String(!fits));
    return fits;
  }
  document.addEventListener("change", function (e) {
    var t = e.target;
    if (t.name === "keep") {
      var li = t.closest("li"), b = li && li.querySelector("[data-kept-remove]");
      if (li) li.classList.toggle("removed", !t.checked);
      if (b) b.firstChild.nodeValue = t.checked ? "Remove" : "Undo";
    }
    var form = t.form;
    if (form && form.hasAttribute("data-max-bytes") && (t.type === "file" || t.name === "keep")) check(form);
  });
  // In the capture phase, before htmx's own listener on the form.
  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (form.hasAttribute && form.hasAttribute("data-max-bytes") && !check(form)) {
      e.preventDefault();
      e.stopPropagation();
      var input = form.querySelector("input[type=file]");
      if (input) input.focus(); // brings the message into view
    }
  }, true);
})();

// Keyboard shortcuts (j/k move, o or Enter open, u back to the list,
// r/a/f reply, reply all, forward, c compose, e archive, # delete,
// s flag, / search, ? this list). They never fire while typing, and every
// one of them is a button or link on the page too.
(function () {
  "use strict";
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

// Live updates of the open folder (app/live.go, views/live.templ). The
// htmx SSE extension keeps the stream open and swaps in what it brings;
// the server ends it for good with a "close" event. A reconnection that
// gets no stream back (204: the session has ended) would be retried every
// half second: stop it instead; the next click goes to the login page.
(function () {
  "use strict";
  document.addEventListener("htmx:sse:after:connection", function (e) {
    var c = e.detail && e.detail.connection;
    if (c && c.status !== 200) e.target.remove();
  });
  // An update carries the folder's title with its unread count; while a
  // message (or the compose form) has the title, it keeps it.
  function bare(title) { return title.replace(/ \(\d+\)( · Webmail)$/, "$1"); }
  document.addEventListener("htmx:before:swap", function (e) {
    var ctx = e.detail && e.detail.ctx;
    if (!ctx || !ctx.title || !e.target.hasAttribute("hx-sse:connect")) return;
    if (bare(ctx.title) !== bare(document.title)) ctx.title = null;
  });
  // An update morphs the rows whose marks changed elsewhere, class and
  // all; the row picked with j/k stays picked. (The open message's row is
  // marked again by the listener at the top of this file.)
  var picked = null;
  document.addEventListener("htmx:before:swap", function (e) {
    var live = e.target.hasAttribute && e.target.hasAttribute("hx-sse:connect");
    var row = live && document.querySelector("#list .row.kbd");
    picked = row ? row.getAttribute("data-uid") : null;
  });
  document.addEventListener("htmx:after:swap", function () {
    if (picked === null || document.querySelector("#list .row.kbd")) return;
    var row = document.querySelector('#list .row[data-uid="' + picked + '"]');
    if (row) row.classList.add("kbd");
  });
})();

// Recipients (views/compose_show.templ, app/contacts_suggest.go). Without
// JavaScript each field is a plain input with a datalist of the addresses
// most often met, or a textarea for a long list. Here the addresses become
// chips, one per address, and what is typed fetches suggestions from the
// server (htmx swaps the list in). The named field stays the one the form
// sends: it is kept in step with the chips, and hidden.
(function () {
  "use strict";
  // split cuts an address list at commas, semicolons and line breaks that
  // are not inside quotes or angle brackets.
  function split(s) {
    var out = [], cur = "", quoted = false, angle = false;
    for (var i = 0; i < s.length; i++) {
      var c = s[i];
      if (c === "\\" && quoted && i + 1 < s.length) { cur += c + s[++i]; continue; }
      if (c === '"') quoted = !quoted;
      else if (c === "<" && !quoted) angle = true;
      else if (c === ">" && !quoted) angle = false;
      if ((c === "," || c === ";" || c === "\n" || c === "\r") && !quoted && !angle) {
        if (cur.trim()) out.push(cur.trim());
        cur = "";
        continue;
      }
      cur += c;
    }
    return { done: out, rest: cur };
  }
  function enhance(root) {
    root.querySelectorAll("[data-recipients]:not(.js)").forEach(function (box) {
      var field = box.querySelector("input[name], textarea[name]");
      var list = box.querySelector(".suggestions");
      if (!field || !list || !window.htmx) return;
      box.classList.add("js");
      var name = box.getAttribute("data-recipients");
      // The box itself holds the chips, before the field typed into. That
      // field stays where it is, never moved (a person may already be
      // typing in it); a hidden field takes its name and sends the list.
      // A textarea (a long list) gives way to a one-line box.
      var chips = box;
      chips.classList.add("chips");
      chips.setAttribute("data-testid", "chips-" + name);
      var focused = document.activeElement === field;
      var typing = field;
      if (field.tagName === "TEXTAREA") {
        typing = document.createElement("input");
        typing.type = "text";
        typing.id = field.id;
        field.removeAttribute("id");
        typing.setAttribute("data-testid", field.getAttribute("data-testid"));
        typing.setAttribute("aria-invalid", field.getAttribute("aria-invalid") || "false");
        field.hidden = true;
        box.insertBefore(typing, field);
      }
      var store = document.createElement("input");
      store.type = "hidden";
      store.name = name;
      store.setAttribute("data-testid", name + "-field");
      var initial = field.value;
      field.removeAttribute("name");
      typing.removeAttribute("list");
      typing.removeAttribute("multiple");
      typing.setAttribute("autocomplete", "off");
      typing.setAttribute("role", "combobox");
      typing.setAttribute("aria-autocomplete", "list");
      typing.setAttribute("aria-expanded", "false");
      typing.setAttribute("aria-controls", list.id);
      box.appendChild(store);
      var url = box.getAttribute("data-suggest-url");
      var timer = null, asked = "";

      function values() {
        return Array.prototype.map.call(chips.querySelectorAll(".chip"), function (c) { return c.getAttribute("data-value"); });
      }
      function sync() {
        var all = values(), rest = typing.value.trim();
        if (rest) all.push(rest);
        store.value = all.join(", ");
      }
      function addChip(value) {
        var chip = document.createElement("span");
        chip.className = "chip";
        chip.setAttribute("data-value", value);
        chip.setAttribute("data-testid", "chip");
        var text = document.createElement("span");
        text.textContent = value;
        var remove = document.createElement("button");
        remove.type = "button";
        remove.textContent = "×";
        remove.setAttribute("aria-label", (box.getAttribute("data-remove") || "×") + " " + value);
        remove.addEventListener("click", function () { chip.remove(); sync(); typing.focus(); });
        chip.appendChild(text);
        chip.appendChild(remove);
        chips.insertBefore(chip, typing);
      }
      function close() {
        list.hidden = true;
        list.innerHTML = "";
        typing.setAttribute("aria-expanded", "false");
        asked = "";
      }
      function commit() {
        var parts = split(typing.value + ",");
        parts.done.forEach(addChip);
        typing.value = "";
        close();
        sync();
      }
      function pick(li) {
        addChip(li.getAttribute("data-suggest-value"));
        typing.value = "";
        close();
        sync();
        typing.focus();
      }
      function active() { return list.querySelector("[aria-selected=true]"); }
      function move(step) {
        var items = Array.prototype.slice.call(list.querySelectorAll("[role=option]"));
        if (!items.length) return;
        var i = items.indexOf(active()) + step;
        if (i < 0) i = items.length - 1;
        if (i >= items.length) i = 0;
        items.forEach(function (it, j) { it.setAttribute("aria-selected", String(i === j)); });
      }
      function suggest() {
        var q = typing.value.trim();
        if (!q) { close(); return; }
        if (q === asked) return;
        asked = q;
        var target = "#" + list.id;
        htmx.ajax("GET", url + "?q=" + encodeURIComponent(q), { source: typing, target: target, swap: "innerHTML" }).then(function () {
          var open = typing.value.trim() === q && list.children.length > 0;
          list.hidden = !open;
          typing.setAttribute("aria-expanded", String(open));
        }, function () { /* no suggestions this time */ });
      }

      // What the page brought becomes chips; what is being typed stays.
      var parts = split(initial);
      parts.done.forEach(addChip);
      if (focused) typing.value = parts.rest.replace(/^\s+/, "");
      else { if (parts.rest.trim()) addChip(parts.rest.trim()); typing.value = ""; }
      sync();
      typing.addEventListener("input", function () {
        var parts = split(typing.value);
        if (parts.done.length) {
          parts.done.forEach(addChip);
          typing.value = parts.rest.replace(/^\s+/, "");
        }
        sync();
        clearTimeout(timer);
        timer = setTimeout(suggest, 150);
      });
      typing.addEventListener("keydown", function (e) {
        var open = !list.hidden && list.children.length > 0;
        if (e.key === "ArrowDown" && open) { move(1); e.preventDefault(); }
        else if (e.key === "ArrowUp" && open) { move(-1); e.preventDefault(); }
        else if (e.key === "Enter") {
          var a = active() || (open ? list.querySelector("[role=option]") : null);
          if (a) { pick(a); e.preventDefault(); }
          else if (typing.value.trim()) { commit(); e.preventDefault(); }
        } else if (e.key === "Escape" && open) { close(); e.preventDefault(); e.stopPropagation(); }
        else if (e.key === "Backspace" && !typing.value) {
          var chipsAll = chips.querySelectorAll(".chip");
          if (chipsAll.length) { chipsAll[chipsAll.length - 1].remove(); sync(); }
        }
      });
      typing.addEventListener("blur", function () { if (typing.value.trim()) commit(); else close(); });
      // Picking with the pointer must not blur the field first.
      list.addEventListener("mousedown", function (e) { e.preventDefault(); });
      list.addEventListener("click", function (e) {
        var li = e.target.closest && e.target.closest("[role=option]");
        if (li) pick(li);
      });
      chips.addEventListener("click", function (e) { if (e.target === chips) typing.focus(); });
      if (focused) typing.focus();
    });
  }
  document.addEventListener("DOMContentLoaded", function () { enhance(document); });
  document.addEventListener("htmx:after:swap", function () { enhance(document); });
})();

// The print page's Print button opens the browser's print dialogue. It is
// hidden until this runs; without JavaScript the browser's own Print
// command prints the same page.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-print]").forEach(function (b) { b.hidden = false; });
  });
  document.addEventListener("click", function (e) {
    if (e.target.closest && e.target.closest("[data-print]")) window.print();
  });
})();
