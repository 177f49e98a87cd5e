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

// Scripts loaded when they are needed, with this script's nonce (the
// page's CSP allows it): the compose form's (compose.js) when a compose
// form is first on the page, the message view's (message.js) when a
// message is; htmx's SSE extension, for live updates, the keyboard
// shortcuts and the forms' stylesheet once the page has loaded, so that
// the rows show first.
(function () {
  "use strict";
  var me = document.currentScript, nonce = me && me.nonce, loaded = {};
  document.documentElement.setAttribute("data-js", ""); // app.js runs (tests wait on it)
  function script(attr, needed, then) {
    var src = me && me.getAttribute(attr);
    if (loaded[attr] || !src || !document.querySelector(needed)) return;
    loaded[attr] = true;
    var s = document.createElement("script");
    s.src = src;
    if (nonce) s.nonce = nonce;
    if (then) s.onload = then;
    document.head.appendChild(s);
  }
  var stream = "[hx-sse\\:connect]", pageLoaded = false;
  function compose() {
    script("data-compose-src", "[data-compose]");
    script("data-message-src", "[data-print], form[data-mark-read-after], iframe.html-body");
  }
  // The extension connects the elements htmx processes from now on; those
  // already on the page are processed again. The keyboard shortcuts
  // (keys.js) come then too, for a signed-in page.
  function live() {
    if (!pageLoaded) return;
    script("data-sse-src", stream, function () {
      document.querySelectorAll(stream).forEach(function (el) { htmx.process(el); });
    });
    script("data-keys-src", "body[data-account]");
    forms();
  }
  // The forms' stylesheet, for the compose form, settings and the like
  // that htmx may swap in: added once the page has loaded, or at once if
  // a form comes before that.
  function forms() {
    var href = me && me.getAttribute("data-forms-href");
    if (!href || document.querySelector("link[data-forms]")) return;
    var l = document.createElement("link");
    l.rel = "stylesheet";
    l.href = href;
    l.setAttribute("data-forms", "");
    document.head.appendChild(l);
  }
  document.addEventListener("DOMContentLoaded", compose);
  document.addEventListener("htmx:after:swap", function () { compose(); live(); });
  document.addEventListener("htmx:before:swap", function (e) {
    var ctx = e.detail && e.detail.ctx, text = ctx && ctx.text;
    if (typeof text === "string" && text.indexOf("data-compose") >= 0) forms();
  });
  window.addEventListener("load", function () { pageLoaded = true; live(); });
  if (document.readyState !== "loading") compose();
  if (document.readyState === "complete") { pageLoaded = true; live(); }
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
  function enhance(root) {
    root.querySelectorAll("[data-dismiss][hidden]").forEach(function (b) { b.hidden = false; });
    root.querySelectorAll("#bulk").forEach(count);
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

  // "Selected: N" beside the bulk buttons (only script can count), in the
  // words the page brought (data-selected-count, "#" for the number).
  function count(form) {
    var out = form && form.querySelector("[data-selected-count]");
    if (!out) return;
    var n = form.querySelectorAll("input[name=uid]:checked").length;
    out.textContent = n ? out.getAttribute("data-selected-count").replace("#", n.toLocaleString(document.documentElement.lang || undefined)) : "";
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
