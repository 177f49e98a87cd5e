package browser

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"webmail/app/demo"
)

// minTap is the smallest comfortable touch target, in CSS pixels.
const minTap = 44

// smallTargets lists the visible links and buttons under scope that are
// less than minTap pixels tall. Links inside running text (a text body's
// autolinked URLs) are exempt, as WCAG 2.5.8 allows.
func (tb *tab) smallTargets(t *testing.T, scope string) []string {
	t.Helper()
	var small []string
	tb.eval(t, fmt.Sprintf(`Array.from(document.querySelectorAll(%q)).filter(e => {
		if (e.closest(".text-body")) return false;
		const r = e.getBoundingClientRect(), s = getComputedStyle(e);
		return r.width > 0 && r.height > 0 && s.visibility !== "hidden" && r.height < %d;
	}).map(e => e.tagName.toLowerCase() + (e.dataset.testid ? "[data-testid=" + e.dataset.testid + "]" : "") +
		" " + JSON.stringify(e.textContent.trim().replace(/\s+/g, " ").slice(0, 40)) + " " + e.getBoundingClientRect().height.toFixed(1) + "px")`,
		scope+" a, "+scope+" button", minTap), &small)
	return small
}

// phoneScreen checks what a phone screen must be: only the wanted pane
// shown, nothing wider than the screen, and touch targets big enough.
func (tb *tab) phoneScreen(t *testing.T, screen, want string) {
	t.Helper()
	for _, pane := range []string{"folders", "list", "message"} {
		shown := tb.display(t, "#"+pane) != "none"
		if shown != (pane == want) {
			t.Errorf("%s: #%s pane shown = %v, want only #%s", screen, pane, shown, want)
		}
	}
	tb.noHorizontalOverflow(t, screen)
	if small := tb.smallTargets(t, "#"+want); len(small) > 0 {
		t.Errorf("%s: touch targets under %d px tall: %s", screen, minTap, strings.Join(small, "; "))
	}
	if small := tb.smallTargets(t, ".topbar"); len(small) > 0 {
		t.Errorf("%s: top bar touch targets under %d px tall: %s", screen, minTap, strings.Join(small, "; "))
	}
}

// TestPhone uses the webmail on a 390×844 phone: one pane at a time, no
// sideways scrolling, big enough touch targets and text.
func TestPhone(t *testing.T) {
	w := newWebmail(t, demo.Options{})
	pages := map[string]string{
		"newsletter":   w.messagePath(t, "INBOX", subjectNewsletter),
		"long subject": w.messagePath(t, "INBOX", subjectLong),
		"attachments":  w.messagePath(t, "INBOX", subjectPNG),
		"plain text":   w.messagePath(t, "INBOX", subjectFlowed),
	}
	tb := newTab(t, testTimeout)
	tb.run(t, "emulating a phone", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile))
	tb.login(t, w)

	if px := tb.num(t, `parseFloat(getComputedStyle(document.body).fontSize)`); px < 16 {
		t.Errorf("body font size is %.1f px, want at least 16 px", px)
	}
	if px := tb.num(t, `parseFloat(getComputedStyle(document.querySelector("#list .subject")).fontSize)`); px < 14 {
		t.Errorf("list subjects are %.1f px, too small to read on a phone", px)
	}
	tb.phoneScreen(t, "inbox", "list")

	// Open a message (htmx): only the message, with a way back.
	subject := tb.text(t, rowSel(0)+" .subject")
	tb.click(t, rowSel(0))
	tb.waitFor(t, "the message", `document.querySelector("#message [data-testid=msg-subject]")?.textContent.trim().replace(/\s+/g, " ") === `+jsonString(subject))
	tb.phoneScreen(t, "message opened from the list", "message")
	if back := tb.rect(t, "#message [data-testid=back]"); back.Width == 0 || back.Height == 0 || back.Bottom < 0 || back.Top > 844 {
		t.Errorf("the back link is not visible on the message screen: %+v", back)
	}
	tb.click(t, "#message [data-testid=back]")
	tb.waitFor(t, "the list after back", `getComputedStyle(document.querySelector("#list")).display !== "none" && !document.querySelector("#message .msg")`)
	tb.phoneScreen(t, "list after back", "list")
	tb.waitFor(t, "the URL to go back to /m/INBOX", `location.pathname === "/m/INBOX"`)

	// Messages that tend to be too wide, loaded as full pages.
	for _, name := range []string{"plain text", "attachments", "long subject", "newsletter"} {
		tb.navigate(t, w.url+pages[name])
		tb.waitFor(t, name, `document.querySelector("#message [data-testid=message]")`)
		tb.phoneScreen(t, name+" message", "message")
		if name == "attachments" && tb.count(t, "[data-testid=attachment-link]") != 2 {
			t.Errorf("the attachments message lists %d attachments, want 2", tb.count(t, "[data-testid=attachment-link]"))
		}
		if name == "newsletter" {
			if f := tb.rect(t, "[data-testid=html-body]"); f.Width > 390 || f.Height < 200 {
				t.Errorf("the newsletter's frame is %.0f×%.0f px on a 390 px screen", f.Width, f.Height)
			}
		}
	}

	// The folder screen, and from there a folder.
	tb.navigate(t, w.url+"/m/INBOX")
	tb.click(t, "[data-testid=to-folders]")
	tb.waitFor(t, "the folder screen", `location.pathname === "/folders" && getComputedStyle(document.querySelector("#folders")).display !== "none"`)
	tb.phoneScreen(t, "folders", "folders")
	tb.click(t, `#folders [data-testid=folder][data-role=sent] a`)
	tb.waitFor(t, "the Sent folder's URL", `location.pathname === "/m/Sent"`)
	tb.waitFor(t, "the Sent list", `document.querySelector("#list [data-testid=folder-title]")?.textContent.trim() === "Sent"`)
	tb.phoneScreen(t, "Sent opened from the folder screen", "list")
}
