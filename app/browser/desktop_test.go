package browser

import (
	"fmt"
	"net/url"
	"testing"

	"github.com/chromedp/chromedp"

	"webmail/app/demo"
)

// rowSel selects the link of the i-th (0-based) row of the message list.
func rowSel(i int) string {
	return fmt.Sprintf("#list [data-testid=row]:nth-child(%d) a", i+1)
}

// TestDesktopJavaScript is the everyday desktop use with htmx: logging in,
// reading a message, paging, going back and changing folders, all without
// a full page load.
func TestDesktopJavaScript(t *testing.T) {
	w := newWebmail(t, demo.Options{})
	_, inbox := w.mailbox(t, "INBOX")
	pages := (len(inbox) + 49) / 50
	tb := newTab(t, testTimeout)
	tb.run(t, "setting the viewport", chromedp.EmulateViewport(1280, 800))
	tb.login(t, w)

	if n := tb.count(t, "#list [data-testid=row]"); n != 50 {
		t.Errorf("inbox shows %d rows, want 50", n)
	}
	if got, want := tb.text(t, "#list [data-testid=page-of]"), fmt.Sprintf("Page 1 of %d", pages); got != want {
		t.Errorf("pager says %q, want %q", got, want)
	}
	if !tb.truthy(t, `typeof htmx === "object"`) {
		t.Fatal("htmx did not load")
	}
	// The panes scroll, not the page: otherwise scrolling down the list
	// takes the folders and the open message out of sight.
	if h := tb.num(t, `document.documentElement.scrollHeight`); h > 800+1 {
		t.Errorf("the page is %.0f px tall in an 800 px window: the page scrolls instead of the panes (#main is %.0f px tall)",
			h, tb.rect(t, "#main").Height)
	}
	if d := tb.display(t, "[data-testid=to-folders]"); d != "none" {
		t.Errorf("the phone's ‹ Folders link is shown on the desktop (display: %s)", d)
	}

	// Open the third message: htmx swaps it into #message.
	const i = 2
	href := tb.str(t, fmt.Sprintf(`document.querySelector(%q).href`, rowSel(i)))
	subject := tb.text(t, rowSel(i)+" .subject")
	tb.eval(t, `window.__marker = 1`, nil)
	tb.click(t, rowSel(i))
	tb.waitFor(t, "the message in #message", `document.querySelector("#message [data-testid=msg-subject]")?.textContent.trim().replace(/\s+/g, " ") === `+jsonString(subject))
	if !tb.truthy(t, `window.__marker === 1`) {
		t.Error("opening a message reloaded the whole page (window.__marker is gone)")
	}
	tb.waitFor(t, "the URL to become the message's (history.pushState)", `location.href === `+jsonString(href))
	if n := tb.count(t, "[data-testid=message]"); n != 1 {
		t.Errorf("%d message articles on the page, want 1", n)
	}
	tb.waitFor(t, "the opened row to be marked current", fmt.Sprintf(`document.querySelector(%q).closest(".row").classList.contains("current")`, rowSel(i)))
	if n := tb.count(t, "#list [data-testid=row]"); n != 50 {
		t.Errorf("after opening a message the list shows %d rows, want 50", n)
	}

	// Three panes side by side.
	folders, list, msg := tb.rect(t, "#folders"), tb.rect(t, "#list"), tb.rect(t, "#message")
	for name, r := range map[string]rect{"folders": folders, "list": list, "message": msg} {
		if r.Width < 100 || r.Height < 300 {
			t.Errorf("%s pane is %.0f×%.0f px, want a visible pane", name, r.Width, r.Height)
		}
		if r.Top > 80 {
			t.Errorf("%s pane starts %.0f px from the top, want the panes side by side under the top bar", name, r.Top)
		}
	}
	if folders.Right > list.Left+1 || list.Right > msg.Left+1 || msg.Right > 1280+1 {
		t.Errorf("panes not side by side: folders %+v, list %+v, message %+v", folders, list, msg)
	}

	// Older ›: page 2 in #list.
	page1First := tb.str(t, `document.querySelector("#list [data-testid=row]").dataset.uid`)
	tb.click(t, "#list [data-testid=next]")
	tb.waitFor(t, "page 2 in #list", `/^Page 2 of /.test(document.querySelector("#list [data-testid=page-of]")?.textContent.trim())`)
	tb.waitFor(t, "the URL to become /m/INBOX?page=2", `location.pathname === "/m/INBOX" && new URLSearchParams(location.search).get("page") === "2"`)
	if !tb.truthy(t, `window.__marker === 1`) {
		t.Error("paging reloaded the whole page")
	}
	if n := tb.count(t, "#list [data-testid=row]"); n != 50 && pages > 2 {
		t.Errorf("page 2 shows %d rows, want 50", n)
	}
	if first := tb.str(t, `document.querySelector("#list [data-testid=row]").dataset.uid`); first == page1First {
		t.Errorf("page 2 starts with the same message (UID %s) as page 1", first)
	}

	// Back: the message URL, page 1 and the message again.
	tb.eval(t, `history.back()`, nil)
	tb.waitFor(t, "the URL to go back", `location.href === `+jsonString(href))
	tb.waitFor(t, "page 1 and the message after going back",
		`/^Page 1 of /.test(document.querySelector("#list [data-testid=page-of]")?.textContent.trim()) && `+
			`document.querySelector("#message [data-testid=msg-subject]")?.textContent.trim().replace(/\s+/g, " ") === `+jsonString(subject))
	if n := tb.count(t, "[data-testid=message]"); n != 1 {
		t.Errorf("after going back: %d message articles, want 1", n)
	}
	if n := tb.count(t, "#list [data-testid=row]"); n != 50 {
		t.Errorf("after going back the list shows %d rows, want 50", n)
	}

	// Another folder: the whole #main changes, the page does not reload.
	_, sent := w.mailbox(t, "Sent")
	tb.eval(t, `window.__marker = 2`, nil)
	tb.click(t, `#folders [data-testid=folder][data-role=sent] a`)
	tb.waitFor(t, "the Sent folder", `document.querySelector("#list [data-testid=folder-title]")?.textContent.trim() === "Sent"`)
	if !tb.truthy(t, `window.__marker === 2`) {
		t.Error("changing folders reloaded the whole page")
	}
	tb.waitFor(t, "the URL to become /m/Sent", `location.pathname === "/m/Sent"`)
	if got, want := tb.count(t, "#list [data-testid=row]"), min(len(sent), 50); got != want {
		t.Errorf("Sent shows %d rows, want %d", got, want)
	}
	if !tb.truthy(t, `document.querySelector("#folders [data-role=sent]").classList.contains("current")`) {
		t.Error("Sent is not marked as the current folder")
	}
	if n := tb.count(t, "[data-testid=message]"); n != 0 {
		t.Errorf("after changing folders %d messages are still open, want none", n)
	}
}

// TestNoJavaScript does the same with scripts disabled: every link and
// form is a full page load and must still work.
func TestNoJavaScript(t *testing.T) {
	w := newWebmail(t, demo.Options{})
	tb := newTab(t, testTimeout)
	tb.run(t, "disabling JavaScript", chromedp.EmulateViewport(1280, 800), chromedp.ActionFunc(disableScripts))
	tb.login(t, w)
	if tb.truthy(t, `typeof htmx !== "undefined"`) {
		t.Fatal("htmx ran although scripts are disabled")
	}
	if n := tb.count(t, "#list [data-testid=row]"); n != 50 {
		t.Errorf("inbox shows %d rows, want 50", n)
	}

	// Open a message: a full page with the list and the message.
	const i = 4
	href := tb.str(t, fmt.Sprintf(`document.querySelector(%q).href`, rowSel(i)))
	subject := tb.text(t, rowSel(i)+" .subject")
	tb.click(t, rowSel(i))
	tb.waitFor(t, "the message page", `location.href === `+jsonString(href)+` && document.querySelector("[data-testid=msg-subject]")`)
	if got := tb.text(t, "[data-testid=msg-subject]"); got != subject {
		t.Errorf("message page shows %q, want %q", got, subject)
	}
	if tb.display(t, "#list") == "none" || tb.display(t, "#message") == "none" {
		t.Error("the message page does not show the list and the message side by side")
	}

	// Paginate.
	tb.click(t, "#list [data-testid=next]")
	tb.waitFor(t, "page 2", `location.search === "?page=2" && /^Page 2 of /.test(document.querySelector("[data-testid=page-of]")?.textContent.trim())`)
	if n := tb.count(t, "#list [data-testid=row]"); n != 50 {
		t.Errorf("page 2 shows %d rows, want 50", n)
	}
	tb.click(t, "#list [data-testid=prev]")
	tb.waitFor(t, "page 1 again", `location.pathname === "/m/INBOX" && /^Page 1 of /.test(document.querySelector("[data-testid=page-of]")?.textContent.trim())`)

	// Another folder.
	tb.click(t, `#folders [data-testid=folder][data-role=sent] a`)
	tb.waitFor(t, "the Sent folder", `location.pathname === "/m/Sent" && document.querySelector("[data-testid=folder-title]")?.textContent.trim() === "Sent"`)
	if tb.count(t, "#list [data-testid=row]") == 0 {
		t.Error("Sent shows no messages")
	}

	// Log out.
	tb.click(t, "[data-testid=logout]")
	tb.waitFor(t, "the login page after logging out", `location.pathname === "/login" && document.querySelector("[data-testid=login-form]")`)
	if got := tb.text(t, "[data-testid=flash]"); got != "You have logged out." {
		t.Errorf("after logging out the page says %q, want %q", got, "You have logged out.")
	}
	// The session is gone: the inbox asks for a login again.
	tb.navigate(t, w.url+"/m/INBOX")
	if u, _ := url.Parse(tb.location(t)); u.Path != "/login" {
		t.Errorf("after logging out /m/INBOX shows %s, want the login page", u)
	}
}
