package views

// FrameSandbox is the sandbox of the frames HTML mail is shown in, on the
// iframe and in the CSP of the frame's document alike. It never allows
// scripts, forms, top navigation or modals. allow-same-origin lets the
// app's own script measure the document, so the frame takes the height of
// its content (assets/app.js); without allow-scripts it gives the mail
// nothing: no script can run there to use that origin, and the document's
// own CSP allows none either.
const FrameSandbox = "allow-same-origin allow-popups allow-popups-to-escape-sandbox"
