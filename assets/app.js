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
    if (status && blob) status.textContent = "This browser holds your SMTP credentials (sealed; only your login password opens them).";
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
