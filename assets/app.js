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
    var later = document.querySelector("#message form[data-mark-read-after]"); // read later, or never
    document.querySelectorAll("#list .row").forEach(function (row) {
      var current = row.getAttribute("data-uid") === uid;
      row.classList.toggle("current", current);
      if (current && !later) row.classList.remove("unread");
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
      if (fresh) {
        localStorage.setItem(key, fresh.getAttribute("data-smtp-blob"));
        document.querySelectorAll("[data-smtp-kept]").forEach(function (s) { s.hidden = false; });
      }
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

// The Markdown toolbar of the compose form (views/compose_show.templ):
// its buttons, and Ctrl/Cmd+B and I, edit the Markdown in the textarea
// (bold, italic, link around the selection; list and quote marks before
// the selected lines), and images pasted or dropped into it are sent
// inline. Only for a Markdown body; without JavaScript Markdown is typed
// as it is, and images are attached.
(function () {
  "use strict";
  function sync(root) {
    root.querySelectorAll("[data-format]").forEach(function (select) {
      var bar = select.form && select.form.querySelector("[data-md-toolbar]");
      if (bar) bar.hidden = select.value !== "markdown";
    });
  }
  // put replaces the text from s to e, undoably where the browser can,
  // and selects from selS to selE.
  function put(ta, s, e, text, selS, selE) {
    ta.focus();
    ta.setSelectionRange(s, e);
    var done = false;
    try { done = document.execCommand("insertText", false, text); } catch (err) { /* not supported */ }
    if (!done || ta.value.slice(s, s + text.length) !== text) ta.setRangeText(text, s, e, "end");
    ta.setSelectionRange(selS, selE);
  }
  function wrap(ta, mark, placeholder) {
    var s = ta.selectionStart, e = ta.selectionEnd, v = ta.value, n = mark.length;
    if (v.slice(s - n, s) === mark && v.slice(e, e + n) === mark) { // toggle off
      put(ta, s - n, e + n, v.slice(s, e), s - n, e - n);
      return;
    }
    var inner = v.slice(s, e) || placeholder;
    put(ta, s, e, mark + inner + mark, s + n, s + n + inner.length);
  }
  function link(ta) {
    var s = ta.selectionStart, e = ta.selectionEnd, sel = ta.value.slice(s, e);
    if (/^https?:\/\/\S+$/.test(sel)) {
      put(ta, s, e, "[link text](" + sel + ")", s + 1, s + 10);
      return;
    }
    var text = sel || "link text";
    var out = "[" + text + "](https://)";
    put(ta, s, e, out, s + text.length + 3, s + out.length - 1);
  }
  function lines(ta, mark) {
    var v = ta.value, s = v.lastIndexOf("\n", ta.selectionStart - 1) + 1, e = ta.selectionEnd;
    if (e > s && v[e - 1] === "\n") e--;
    var end = v.indexOf("\n", e);
    if (end < 0) end = v.length;
    var out = v.slice(s, end).split("\n").map(function (l) { return mark + l; }).join("\n");
    put(ta, s, end, out, s, s + out.length);
  }
  function apply(ta, what) {
    if (what === "bold") wrap(ta, "**", "bold text");
    else if (what === "italic") wrap(ta, "*", "italic text");
    else if (what === "link") link(ta);
    else if (what === "list") lines(ta, "- ");
    else if (what === "quote") lines(ta, "> ");
  }
  document.addEventListener("DOMContentLoaded", function () { sync(document); });
  document.addEventListener("htmx:after:swap", function () { sync(document); });
  document.addEventListener("change", function (e) {
    if (e.target.matches && e.target.matches("[data-format]")) sync(document);
  });
  document.addEventListener("click", function (e) {
    var b = e.target.closest && e.target.closest("[data-md]");
    var ta = b && b.form && b.form.querySelector("textarea[name=body]");
    if (ta) apply(ta, b.getAttribute("data-md"));
  });
  document.addEventListener("keydown", function (e) {
    var ta = e.target;
    if (!(e.ctrlKey || e.metaKey) || e.altKey || e.shiftKey || !ta.matches || !ta.matches("textarea[name=body]")) return;
    var format = ta.form && ta.form.querySelector("[data-format]");
    if (!format || format.value !== "markdown") return;
    var key = e.key.toLowerCase();
    if (key !== "b" && key !== "i") return;
    e.preventDefault();
    apply(ta, key === "b" ? "bold" : "italic");
  });

  // Images pasted or dropped into a Markdown body join the form's files,
  // each with a hidden "inline" marker (app/compose_inline.go), and the
  // body gets "![name](cid:…)" where they were put: the message carries
  // them inline. Returns whether it took the files.
  function inlineImages(ta, files) {
    var form = ta.form;
    var format = form && form.querySelector("[data-format]");
    var input = form && form.querySelector("input[type=file][name=attachments]");
    var markers = form && form.querySelector("[data-inline-markers]");
    if (!format || format.value !== "markdown" || !input || !markers || typeof DataTransfer !== "function") return false;
    var images = Array.prototype.filter.call(files || [], function (f) { return /^image\//.test(f.type); });
    if (!images.length) return false;
    var dt = new DataTransfer();
    Array.prototype.forEach.call(input.files || [], function (f) { dt.items.add(f); });
    var text = "";
    images.forEach(function (f) {
      var r = new Uint32Array(2);
      crypto.getRandomValues(r);
      var id = r[0].toString(36) + r[1].toString(36);
      var name = f.name || "pasted-" + id + "." + (f.type.split("/")[1] || "png").replace(/[^a-z0-9]/g, "");
      dt.items.add(new File([f], name, { type: f.type }));
      var m = document.createElement("input");
      m.type = "hidden";
      m.name = "inline";
      m.value = id + "@inline.webmail " + name;
      markers.appendChild(m);
      text += "![" + name.replace(/[\[\]\\]/g, "") + "](cid:" + id + "@inline.webmail)";
    });
    try { input.files = dt.files; } catch (err) { return false; }
    input.dispatchEvent(new Event("change", { bubbles: true })); // the size check, the list of files
    var s = ta.selectionStart;
    put(ta, s, ta.selectionEnd, text, s + text.length, s + text.length);
    return true;
  }
  // In the capture phase: a drop on the body is this, not an attachment.
  document.addEventListener("paste", function (e) {
    var ta = e.target;
    if (ta.matches && ta.matches("textarea[name=body]") && e.clipboardData && inlineImages(ta, e.clipboardData.files)) e.preventDefault();
  }, true);
  document.addEventListener("dragover", function (e) {
    if (e.target.matches && e.target.matches("textarea[name=body]") && e.dataTransfer && Array.prototype.indexOf.call(e.dataTransfer.types, "Files") >= 0) e.preventDefault();
  });
  document.addEventListener("drop", function (e) {
    var ta = e.target;
    if (ta.matches && ta.matches("textarea[name=body]") && e.dataTransfer && inlineImages(ta, e.dataTransfer.files)) {
      e.preventDefault();
      e.stopPropagation();
    }
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

// Mark as read after a delay (the setting "after it has been open for N
// seconds"): the message view carries a hidden form to the list's "mark
// read" route; it is posted once the message has stayed open that long,
// unless another message or page replaced it first. Without JavaScript the
// server marks the message read when it is opened.
(function () {
  "use strict";
  function arm() {
    document.querySelectorAll("form[data-mark-read-after]:not([data-armed])").forEach(function (form) {
      form.setAttribute("data-armed", "");
      var seconds = parseInt(form.getAttribute("data-mark-read-after"), 10);
      if (!(seconds > 0)) return;
      setTimeout(function () {
        if (!document.contains(form)) return;
        fetch(form.action, { method: "POST", body: new URLSearchParams(new FormData(form)), credentials: "same-origin", redirect: "manual" }).then(function () {
          form.setAttribute("data-marked", "");
          var row = document.querySelector("#list .row.current");
          if (row) row.classList.remove("unread");
        }, function () { /* it stays unread; nothing is lost */ });
      }, seconds * 1000);
    });
  }
  document.addEventListener("DOMContentLoaded", arm);
  document.addEventListener("htmx:after:swap", arm);
})();

// HTML mail at its natural size (views/message_body.templ). Without
// JavaScript the sandboxed frame has a fixed height and scrolls. Here the
// frame takes the height of its document, and a document still wider than
// the frame (a 600 px newsletter on a phone) is scaled down to fit. The
// frame's sandbox allows same-origin but never scripts, so only this
// script, the app's, can read and size it. Frames are fitted when they
// load, when the window or pane changes width, and when their content
// changes size (images arriving late).
(function () {
  "use strict";
  var frames = "iframe.html-body";
  function px(n) { return n + "px"; }
  function fit(f) {
    var doc;
    try { doc = f.contentDocument; } catch (e) { return; }
    if (!doc || !doc.body || doc.readyState === "loading" || doc.location.href === "about:blank") return;
    var de = doc.documentElement, body = doc.body;
    // Measure unscaled.
    body.style.removeProperty("transform");
    body.style.removeProperty("transform-origin");
    de.style.removeProperty("height");
    de.style.removeProperty("overflow");
    var avail = de.clientWidth, wide = de.scrollWidth;
    var left = body.getBoundingClientRect().left;
    var scale = wide > avail + 1 && wide > left ? (avail - left) / (wide - left) : 1;
    var bottom = parseFloat(getComputedStyle(body).marginBottom) || 0;
    var h = Math.max(de.getBoundingClientRect().height, body.getBoundingClientRect().bottom + bottom);
    if (de.scrollHeight > de.clientHeight) h = Math.max(h, de.scrollHeight);
    if (scale < 1) {
      body.style.setProperty("transform-origin", "0 0", "important");
      body.style.setProperty("transform", "scale(" + scale + ")", "important");
      h = h * scale;
      // The scaled body keeps its layout height: the document must not
      // scroll for it.
      de.style.setProperty("height", px(Math.ceil(h)), "important");
      de.style.setProperty("overflow", "hidden", "important");
    }
    f.classList.add("fitted");
    var want = px(Math.ceil(h) + (f.offsetHeight - f.clientHeight));
    if (f.style.height !== want) f.style.height = want;
    watch(f, doc);
  }
  // Content that changes size (late images) fits the frame again.
  var seen = typeof WeakMap === "function" ? new WeakMap() : null;
  function watch(f, doc) {
    if (!seen || seen.get(f) === doc || typeof ResizeObserver !== "function") return;
    seen.set(f, doc);
    var busy = false;
    new ResizeObserver(function () {
      if (busy) return;
      busy = true;
      window.requestAnimationFrame(function () { busy = false; fit(f); });
    }).observe(doc.body);
  }
  function fitAll() { document.querySelectorAll(frames).forEach(fit); }
  // An iframe's load event does not bubble; it is caught on the way down.
  document.addEventListener("load", function (e) {
    if (e.target.matches && e.target.matches(frames)) fit(e.target);
  }, true);
  document.addEventListener("DOMContentLoaded", fitAll);
  document.addEventListener("htmx:after:swap", fitAll);
  var width = window.innerWidth, timer = null;
  window.addEventListener("resize", function () {
    if (window.innerWidth === width) return;
    width = window.innerWidth;
    clearTimeout(timer);
    timer = setTimeout(fitAll, 100);
  });
  if (document.readyState !== "loading") fitAll();
})();

// Files picked for the compose form (views/compose_show.templ). Without
// JavaScript the file input works as it always does. Here each file
// picked shows as a chip with its size and a Remove button; picking again
// adds to the files rather than replacing them; files dropped on the form
// are added too; and an upload through htmx shows its progress (htmx 4
// sends with fetch, which reports none, so that one request goes through
// XMLHttpRequest). The input stays the one field that sends the files.
(function () {
  "use strict";
  var settable = (function () {
    try { return typeof DataTransfer === "function" && !!new DataTransfer().items; } catch (e) { return false; }
  })();
  var picked = typeof WeakMap === "function" ? new WeakMap() : null;
  var syncing = false;
  function list(files) { return Array.prototype.slice.call(files || []); }
  function size(n) {
    if (n < 1000) return n + " B";
    if (n < 1000 * 1000) return Math.round(n / 1000) + " kB";
    return (n / 1000 / 1000).toFixed(1) + " MB";
  }
  function fileInput(el) { return el && el.matches && el.matches("[data-compose] input[type=file]"); }
  // put makes files the input's, and lets the other listeners (the size
  // check above) know.
  function put(input, files) {
    var dt = new DataTransfer();
    files.forEach(function (f) { dt.items.add(f); });
    syncing = true;
    try {
      input.files = dt.files;
      input.dispatchEvent(new Event("change", { bubbles: true }));
    } finally { syncing = false; }
  }
  function render(input) {
    var form = input.form, chips = form && form.querySelector("[data-picked]");
    if (!chips) return;
    var files = list(input.files);
    if (picked) picked.set(input, files);
    chips.textContent = "";
    files.forEach(function (f, i) {
      var li = document.createElement("li");
      li.className = "att-chip";
      li.setAttribute("data-testid", "picked");
      var name = document.createElement("span");
      name.className = "att-chip-name";
      name.setAttribute("data-testid", "picked-name");
      name.textContent = f.name;
      var sz = document.createElement("span");
      sz.className = "att-chip-size";
      sz.textContent = size(f.size);
      li.appendChild(name);
      li.appendChild(sz);
      if (settable) {
        var b = document.createElement("button");
        b.type = "button";
        b.className = "att-chip-remove";
        b.setAttribute("aria-label", "Remove " + f.name);
        b.setAttribute("data-testid", "picked-remove");
        b.textContent = "×";
        b.addEventListener("click", function () {
          var rest = list(input.files);
          rest.splice(i, 1);
          put(input, rest);
          render(input);
          input.focus({ preventScroll: true });
        });
        li.appendChild(b);
      }
      chips.appendChild(li);
    });
    chips.hidden = files.length === 0;
  }
  // In the capture phase: the files are merged before the size check
  // weighs them.
  document.addEventListener("change", function (e) {
    var input = e.target;
    if (!fileInput(input) || syncing) return;
    var now = list(input.files);
    var before = picked && picked.get(input) || [];
    // A new pick adds to the files (a file picked again is there once);
    // files set by a script (an image pasted into the body) already hold
    // the ones before.
    var held = before.every(function (b) { return now.some(function (f) { return same(b, f); }); });
    if (settable && now.length && before.length && !held) {
      var dt = new DataTransfer();
      before.concat(now.filter(function (f) { return !before.some(function (b) { return same(b, f); }); })).forEach(function (f) { dt.items.add(f); });
      input.files = dt.files;
    }
    render(input);
  }, true);
  function same(a, b) { return a === b || (a.name === b.name && a.size === b.size && a.lastModified === b.lastModified); }

  // Dropping files anywhere on the compose form.
  function dragsFiles(e) {
    var types = e.dataTransfer && e.dataTransfer.types;
    return !!types && Array.prototype.indexOf.call(types, "Files") >= 0;
  }
  function composeOf(e) { return e.target.closest ? e.target.closest("[data-compose]") : null; }
  ["dragenter", "dragover"].forEach(function (type) {
    document.addEventListener(type, function (e) {
      var form = composeOf(e);
      if (!form || !dragsFiles(e)) return;
      e.preventDefault();
      e.dataTransfer.dropEffect = "copy";
      form.classList.add("drop-target");
    });
  });
  document.addEventListener("dragleave", function (e) {
    var form = composeOf(e);
    if (form && !form.contains(e.relatedTarget)) form.classList.remove("drop-target");
  });
  // In the capture phase too: a drop the Markdown body takes (an inline
  // image) goes no further.
  document.addEventListener("drop", function (e) {
    var form = composeOf(e);
    if (form) form.classList.remove("drop-target");
  }, true);
  document.addEventListener("drop", function (e) {
    var form = composeOf(e);
    if (!form) return;
    var input = form.querySelector("input[type=file]");
    var dropped = list(e.dataTransfer && e.dataTransfer.files);
    if (!input || !dropped.length) return;
    e.preventDefault();
    if (settable) put(input, list(input.files).concat(dropped));
    else {
      input.files = e.dataTransfer.files;
      input.dispatchEvent(new Event("change", { bubbles: true }));
    }
    render(input);
  });

  // Upload progress for the compose pane's requests that carry files.
  function bar(form) {
    var el = form.querySelector("[data-upload-progress]");
    if (!el) {
      el = document.createElement("div");
      el.className = "upload-progress";
      el.setAttribute("role", "status");
      el.setAttribute("data-upload-progress", "");
      el.setAttribute("data-testid", "upload-progress");
      el.innerHTML = "<progress max=\"100\" value=\"0\"></progress> <span></span>";
      var top = form.querySelector(".compose-bar");
      if (top) top.insertAdjacentElement("afterend", el); else form.insertBefore(el, form.firstChild);
    }
    return el;
  }
  function show(el, loaded, total) {
    var pct = total ? Math.min(100, Math.round(loaded * 100 / total)) : 0;
    el.hidden = false;
    el.querySelector("progress").value = pct;
    el.querySelector("span").textContent = "Uploading " + size(loaded) + " of " + size(total) + " (" + pct + "%)";
  }
  function upload(url, req, el) {
    return new Promise(function (resolve, reject) {
      var x = new XMLHttpRequest();
      x.open(req.method || "POST", url);
      var h = req.headers || {};
      Object.keys(h).forEach(function (k) { if (h[k] != null) x.setRequestHeader(k, String(h[k])); });
      x.upload.addEventListener("progress", function (ev) { if (ev.lengthComputable) show(el, ev.loaded, ev.total); });
      x.addEventListener("load", function () {
        el.hidden = true;
        var headers = new Headers();
        x.getAllResponseHeaders().split(/\r?\n/).forEach(function (line) {
          var i = line.indexOf(":");
          if (i > 0) try { headers.append(line.slice(0, i).trim(), line.slice(i + 1).trim()); } catch (err) { /* a header fetch refuses */ }
        });
        var empty = [101, 204, 205, 304].indexOf(x.status) >= 0;
        resolve(new Response(empty ? null : x.responseText, { status: x.status, statusText: x.statusText, headers: headers }));
      });
      x.addEventListener("error", function () { el.hidden = true; reject(new TypeError("The upload failed")); });
      x.addEventListener("abort", function () {
        el.hidden = true;
        reject(typeof DOMException === "function" ? new DOMException("The upload was stopped", "AbortError") : new Error("aborted"));
      });
      if (req.signal) {
        if (req.signal.aborted) { x.abort(); return; }
        req.signal.addEventListener("abort", function () { x.abort(); });
      }
      x.send(req.body);
    });
  }
  document.addEventListener("htmx:before:request", function (e) {
    var ctx = e.detail && e.detail.ctx, form = composeOf(e);
    if (!ctx || !ctx.request || !form || typeof Response !== "function") return;
    var input = form.querySelector("input[type=file]");
    if (!input || !input.files || !input.files.length) return;
    var el = bar(form);
    show(el, 0, list(input.files).reduce(function (n, f) { return n + f.size; }, 0));
    ctx.fetch = function (url, req) { return upload(url, req, el); };
  });
})();

// Accessibility and feedback (issue 14). After htmx swaps a pane in, the
// focus goes to its heading (or a field it asks to be focused), as a page
// load would start there, and its notice is read out through the layout's
// one live region. While htmx works the page is busy (a thin bar at the
// top, aria-busy on the pane being replaced). A form being sent cannot be
// sent twice; it is sendable again if the request fails. Flashes get a
// close button; the bulk bar says how many rows are ticked.
(function () {
  "use strict";
  var panes = { main: true, list: true, message: true };
  function live(e) {
    return e.target && e.target.hasAttribute && e.target.hasAttribute("hx-sse:connect");
  }
  function targetOf(e) {
    var ctx = e.detail && e.detail.ctx, t = ctx && ctx.target;
    if (typeof t === "string") t = document.querySelector(t);
    return t && t.nodeType === 1 ? t : null;
  }
  function announce(text) {
    var region = document.querySelector("[data-announce]");
    if (!region) return;
    // A change of text is what a screen reader announces: clear first.
    region.textContent = "";
    setTimeout(function () { region.textContent = text; }, 50);
  }

  // Busy while a request is under way (not the live-update stream).
  var busy = 0;
  document.addEventListener("htmx:before:request", function (e) {
    var ctx = e.detail && e.detail.ctx;
    if (!ctx || live(e) || ctx.wmBusy) return;
    ctx.wmBusy = true;
    busy++;
    document.documentElement.classList.add("loading");
    var t = targetOf(e);
    if (t) { t.setAttribute("aria-busy", "true"); ctx.wmBusyTarget = t; }
  });
  document.addEventListener("htmx:finally:request", function (e) {
    var ctx = e.detail && e.detail.ctx;
    if (!ctx || !ctx.wmBusy) return;
    ctx.wmBusy = false;
    busy = Math.max(0, busy - 1);
    if (!busy) document.documentElement.classList.remove("loading");
    if (ctx.wmBusyTarget) ctx.wmBusyTarget.removeAttribute("aria-busy");
    // A send that failed on the way (no answer, a timeout) can be tried
    // again; an answer replaces the form anyway.
    var form = e.target && e.target.closest && e.target.closest("form");
    if (form) ready(form);
  });

  document.addEventListener("htmx:after:swap", function (e) {
    if (live(e)) return;
    var t = targetOf(e);
    if (!t || !panes[t.id]) return;
    var pane = document.getElementById(t.id);
    if (!pane) return;
    if (pane.id === "main") pane = document.getElementById("list") || pane;
    var notice = pane.querySelector(".notice[role=status], [data-testid=compose-notice], [data-testid=sent]");
    var err = pane.querySelector("[role=alert]");
    var to = pane.querySelector("[autofocus]") || err || pane.querySelector("h1, h2") || pane;
    if (!to.matches("a[href], button, input, select, textarea, [tabindex]")) to.setAttribute("tabindex", "-1");
    to.focus();
    if (notice && !err) announce(notice.textContent.replace(/\s+/g, " ").trim());
  });

  // A form sent once is not sent again by a second tap or click.
  function ready(form) {
    delete form.dataset.sending;
    form.querySelectorAll("[aria-disabled=true][data-was-enabled]").forEach(function (b) {
      b.removeAttribute("aria-disabled");
      b.removeAttribute("data-was-enabled");
    });
  }
  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (!form.hasAttribute || !form.hasAttribute("data-compose")) return;
    if (form.dataset.sending) {
      e.preventDefault();
      e.stopPropagation();
      return;
    }
    if (e.defaultPrevented) return;
    form.dataset.sending = "1";
    form.querySelectorAll("[data-testid=send], [data-testid=save-draft]").forEach(function (b) {
      b.setAttribute("aria-disabled", "true");
      b.setAttribute("data-was-enabled", "");
    });
  }, true);
  // Back to a page kept in the browser's cache: its form is sendable.
  window.addEventListener("pageshow", function (e) {
    if (e.persisted) document.querySelectorAll("form[data-sending]").forEach(ready);
  });

  // Flashes: a close button (without JavaScript they go with the next page).
  function words(el) { return el ? el.textContent.replace(/\s+/g, " ").trim() : ""; }
  function name(box) {
    var row = box.closest(".row"), link = row && row.querySelector("a[href]");
    if (!link) return;
    var subject = words(link.querySelector(".subject")), from = words(link.querySelector(".from")), date = words(link.querySelector(".date"));
    var what = subject ? [subject, from && "from " + from, date].filter(Boolean).join(", ") : words(link);
    box.setAttribute("aria-label", (box.getAttribute("aria-label") || "Select").replace(/:.*$/, "") + ": " + what);
  }
  function enhance(root) {
    root.querySelectorAll("[data-dismiss][hidden]").forEach(function (b) { b.hidden = false; });
    root.querySelectorAll("#bulk").forEach(count);
    root.querySelectorAll("#list .row input[name=uid]").forEach(name);
  }
  document.addEventListener("click", function (e) {
    var b = e.target.closest && e.target.closest("[data-dismiss]");
    if (!b) return;
    var flash = b.closest(".flash");
    if (flash) flash.remove();
    // The focus was on the button, gone now: on to the page's content.
    var main = document.querySelector("main");
    if (main) { main.setAttribute("tabindex", "-1"); main.focus(); }
  });

  // "N selected" beside the bulk buttons (only script can count), and
  // row boxes named for their message: "Select" fifty times says
  // nothing. (Made here, not sent with every row: the list fragment has
  // a byte budget.)
  function count(form) {
    var bar = form && form.querySelector(".bulkbar");
    if (!bar) return;
    var out = bar.querySelector("[data-selected-count]");
    if (!out) {
      out = document.createElement("span");
      out.className = "selected-count";
      out.setAttribute("aria-live", "polite");
      out.setAttribute("data-selected-count", "");
      out.setAttribute("data-testid", "selected-count");
      var actions = bar.querySelector(".bulk-actions");
      bar.insertBefore(out, actions);
      // Its Archive, Delete… are told from the message's by their group.
      if (actions) { actions.setAttribute("role", "group"); actions.setAttribute("aria-label", "Selected messages"); }
    }
    var n = form.querySelectorAll("input[name=uid]:checked").length;
    out.textContent = n ? n + " selected" : "";
  }
  document.addEventListener("change", function (e) {
    if (e.target.name === "uid") count(e.target.form);
  });
  document.addEventListener("DOMContentLoaded", function () { enhance(document); });
  document.addEventListener("htmx:after:swap", function () { enhance(document); });
})();

// Layout state without :has() (Firefox ESR 115, Safari 14, Chrome 90):
// #main's data-view says which pane a phone shows, and the bulk form's
// .picked class shows its actions once a row is ticked. The server sets
// both for a full page; here they follow htmx swaps and clicks.
(function () {
  "use strict";
  function sync() {
    var main = document.getElementById("main");
    if (main) {
      var open = document.querySelector("#message .msg");
      var view = main.getAttribute("data-view");
      if (open) main.setAttribute("data-view", "message");
      else if (view === "message") main.setAttribute("data-view", "list");
    }
    var bulk = document.getElementById("bulk");
    if (bulk) {
      bulk.classList.add("js");
      bulk.classList.toggle("picked", !!bulk.querySelector("input[name=uid]:checked"));
    }
  }
  document.addEventListener("DOMContentLoaded", sync);
  document.addEventListener("htmx:after:swap", sync);
  document.addEventListener("change", function (e) {
    if (e.target.name === "uid") sync();
  });
})();
