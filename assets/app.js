// Our few lines of JavaScript. Everything works without them; they only
// make things smoother. Loaded with the page's CSP nonce, no inline code.
(function () {
  "use strict";
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
})();
