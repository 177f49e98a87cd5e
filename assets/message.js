// The message view's script, loaded by app.js once a message is on the
// page (not with the list: the first load is lighter without it): the
// print page's button, marking read after a delay, HTML mail at its
// natural size. It may run after DOMContentLoaded: ready runs fn now if
// the document is already loaded.
function ready(fn) {
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", fn);
  else fn();
}
document.documentElement.setAttribute("data-message-js", ""); // here (tests wait on it)

// The print page's Print button opens the browser's print dialogue. It is
// hidden until this runs; without JavaScript the browser's own Print
// command prints the same page.
(function () {
  "use strict";
  ready(function () {
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
  ready(arm);
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
  ready(fitAll);
  document.addEventListener("htmx:after:swap", fitAll);
  var width = window.innerWidth, timer = null;
  window.addEventListener("resize", function () {
    if (window.innerWidth === width) return;
    width = window.innerWidth;
    clearTimeout(timer);
    timer = setTimeout(fitAll, 100);
  });
})();
