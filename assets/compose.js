// The compose form's JavaScript (views/compose_show.templ): the Markdown
// toolbar and pasted images, the attachments held and picked, the
// recipients as chips. app.js loads it only once a compose form is on the
// page, so the inbox's first load does not carry it. It may run after
// DOMContentLoaded: ready runs fn now if the document is already loaded.
function ready(fn) {
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", fn);
  else fn();
}

// word is one of the words the form brought in the person's language
// (data-words, views/compose_show.templ), with #1, #2… filled in.
function word(el, name) {
  var form = el && el.closest ? el.closest("[data-words]") : null, words = {};
  try { words = JSON.parse(form.getAttribute("data-words")) || {}; } catch (e) { /* none: the English below */ }
  var w = words[name] || name;
  for (var i = 2; i < arguments.length; i++) w = w.replace("#" + (i - 1), arguments[i]);
  return w;
}

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
    var text = sel || word(ta, "link");
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
    if (what === "bold") wrap(ta, "**", word(ta, "bold"));
    else if (what === "italic") wrap(ta, "*", word(ta, "italic"));
    else if (what === "link") link(ta);
    else if (what === "list") lines(ta, "- ");
    else if (what === "quote") lines(ta, "> ");
  }
  ready(function () { sync(document); });
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
  ready(function () { enhance(document); });
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
      if (b) b.firstChild.nodeValue = word(b, t.checked ? "remove" : "undo");
    }
    var form = t.form;
    if (form && form.hasAttribute("data-max-bytes") && (t.type === "file" || t.name === "keep")) check(form);
  });
  // In the capture phase, before htmx's own listener on the form.
  // On the window, capturing: before any other listener (app.js's guard
  // against a second send, htmx) sees a send this stops.
  window.addEventListener("submit", function (e) {
    var form = e.target;
    if (form.hasAttribute && form.hasAttribute("data-max-bytes") && !check(form)) {
      e.preventDefault();
      e.stopPropagation();
      var input = form.querySelector("input[type=file]");
      if (input) input.focus(); // brings the message into view
    }
  }, true);
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
  ready(function () { enhance(document); });
  document.addEventListener("htmx:after:swap", function () { enhance(document); });
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
    var lang = document.documentElement.lang || undefined;
    if (n < 1000) return n.toLocaleString(lang) + " B";
    if (n < 1000 * 1000) return Math.round(n / 1000).toLocaleString(lang) + " kB";
    return (n / 1000 / 1000).toLocaleString(lang, { minimumFractionDigits: 1, maximumFractionDigits: 1 }) + " MB";
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
    el.querySelector("span").textContent = word(el, "uploading", size(loaded), size(total), pct.toLocaleString(document.documentElement.lang || undefined));
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

// Loaded and run (tests wait for it rather than for a time).
document.documentElement.setAttribute("data-compose-ready", "");
