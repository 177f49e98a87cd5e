package browser

import (
	"fmt"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"webmail/app/demo"
)

// skipTo follows the skip link with the keyboard from the top of the
// page (Tab, Enter) and checks where it leads: the words it says, and
// the next Tab in the element with id target, which shows. The page has
// one h1 a screen reader finds, reading heading.
func (tb *tab) skipTo(t *testing.T, where, label, target, heading string) {
	t.Helper()
	tb.eval(t, `(() => { const b = document.body; b.tabIndex = -1; b.focus(); b.removeAttribute("tabindex"); })()`, nil)
	tb.run(t, "pressing Tab", chromedp.KeyEvent(kb.Tab))
	if got := tb.str(t, `document.activeElement.dataset.testid === "skip-link" ? document.activeElement.textContent.trim() : ""`); got != label {
		t.Errorf("%s: the first Tab reaches %s, want the skip link %q", where, tb.active(t), label)
		return
	}
	tb.run(t, "pressing Enter", chromedp.KeyEvent(kb.Enter))
	tb.waitFor(t, fmt.Sprintf("%s: the skip link to lead to #%s", where, target), fmt.Sprintf(`location.hash === "#%s"`, target))
	tb.run(t, "pressing Tab", chromedp.KeyEvent(kb.Tab))
	if !tb.truthy(t, fmt.Sprintf(`document.getElementById(%q).contains(document.activeElement)`, target)) {
		t.Errorf("%s: the Tab after the skip link reaches %s, outside #%s", where, tb.active(t), target)
	}
	if !tb.truthy(t, fmt.Sprintf(`(() => { const r = document.getElementById(%q).getBoundingClientRect(); return r.width > 0 && r.height > 0 })()`, target)) {
		t.Errorf("%s: the skip link leads to #%s, which does not show", where, target)
	}
	if n := tb.num(t, shownH1s); n != 1 {
		t.Errorf("%s: %v h1 shown, want 1", where, n)
	}
	if got := tb.str(t, `[...document.querySelectorAll("h1")].find(h => h.getClientRects().length > 0)?.textContent.trim() ?? ""`); got != heading {
		t.Errorf("%s: the h1 reads %q, want %q", where, got, heading)
	}
}

// TestSkipLinkAfterSwaps follows the skip link, and counts the h1, after
// each pane htmx swaps in, on a desktop and a phone: to the list after a
// folder change and back from a message, to the message once one is
// open (on a phone the list it used to lead to is hidden then), to the
// form once compose or a reply is open, to the page's content on settings.
func TestSkipLinkAfterSwaps(t *testing.T) {
	t.Parallel()
	w := newWebmail(t, demo.Options{})
	for _, tc := range []struct {
		name  string
		phone bool
	}{{"desktop", false}, {"phone", true}} {
		t.Run(tc.name, func(t *testing.T) {
			tb := newTab(t, testTimeout)
			if tc.phone {
				tb.run(t, "emulating a phone", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile))
			} else {
				tb.run(t, "setting the viewport", chromedp.EmulateViewport(1280, 800))
			}
			tb.login(t, w)
			tb.navigate(t, w.url+"/m/INBOX")
			tb.waitFor(t, "the inbox", `document.querySelector("#list [data-testid=row]")`)
			tb.skipTo(t, "the inbox", "Skip to messages", "list", "Inbox")

			if !tc.phone {
				tb.click(t, `#folders [data-role=archive] a`)
				tb.waitFor(t, "the Archive folder", `location.pathname === "/m/Archive" && document.querySelector("[data-testid=folder-title]").textContent.trim() === "Archive"`)
				tb.skipTo(t, "another folder", "Skip to messages", "list", "Archive")
				tb.click(t, `#folders [data-role=inbox] a`)
				tb.waitFor(t, "the inbox", `location.pathname === "/m/INBOX" && document.querySelector("#list [data-testid=row]")`)
			}

			subject := tb.text(t, rowSel(0)+" .subject")
			tb.click(t, rowSel(0))
			tb.waitFor(t, "the message", `document.querySelector("#message [data-testid=msg-subject]")`)
			tb.skipTo(t, "an open message", "Skip to the message", "message", subject)

			tb.eval(t, `document.querySelector("#message [data-testid=back]").click()`, nil) // on a desktop the way back is a key, the link hidden
			tb.waitFor(t, "the list again", `!document.querySelector("#message [data-testid=message]") && document.querySelector("#list [data-testid=row]")`)
			tb.waitFor(t, "the list shown again", shown("#list [data-testid=row]"))
			tb.skipTo(t, "back to the list", "Skip to messages", "list", "Inbox")

			tb.click(t, "[data-testid=compose]")
			tb.waitFor(t, "the compose form", `document.querySelector("#message [data-testid=compose-form]")`)
			tb.skipTo(t, "compose", "Skip to content", "message", "New message")

			// A reply in place of the open message: the form's title is the
			// h1 the subject was.
			tb.navigate(t, w.url+"/m/INBOX")
			tb.waitFor(t, "the inbox", `document.querySelector("#list [data-testid=row]")`)
			tb.click(t, rowSel(0))
			tb.waitFor(t, "the message", `document.querySelector("#message [data-testid=msg-subject]")`)
			tb.click(t, "#message [data-testid=reply]")
			tb.waitFor(t, "the reply form", `document.querySelector("#message [data-testid=compose-form]")`)
			tb.skipTo(t, "a reply", "Skip to content", "message", tb.text(t, "#message .compose-bar h1"))

			tb.navigate(t, w.url+"/settings")
			tb.waitFor(t, "the settings", `document.querySelector("[data-testid=settings]")`)
			tb.skipTo(t, "settings", "Skip to content", "content", "Settings")
		})
	}
}
