package browser

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"webmail/app/demo"
)

// TestReadingUpdatesCountsAndTitle opens an unread message through htmx:
// the Inbox's unread count drops by one, the row loses its unread mark and
// the window title names the message, all without a reload.
func TestReadingUpdatesCountsAndTitle(t *testing.T) {
	w := newWebmail(t, demo.Options{})
	tb := newTab(t, testTimeout)
	tb.run(t, "setting the viewport", chromedp.EmulateViewport(1280, 800))
	tb.login(t, w)

	countSel := "#folders [data-role=inbox] [data-testid=unseen]"
	before, err := strconv.Atoi(tb.text(t, countSel))
	if err != nil {
		t.Fatalf("Inbox unread count: %v", err)
	}
	tb.eval(t, `window.__marker = 1`, nil)
	rowSel := "#list [data-testid=row].unread a"
	subject := tb.text(t, "#list [data-testid=row].unread .subject")
	uid := tb.str(t, `document.querySelector("#list [data-testid=row].unread").dataset.uid`)
	tb.click(t, rowSel)
	tb.waitFor(t, "the message", `document.querySelector("#message [data-uid='`+uid+`']") !== null`)
	tb.waitFor(t, "the new unread count", `(document.querySelector("`+countSel+`")?.textContent.trim() ?? "0") !== "`+strconv.Itoa(before)+`"`)

	after, _ := strconv.Atoi(tb.text(t, countSel))
	if after != before-1 {
		t.Errorf("Inbox unread count went from %d to %d, want %d", before, after, before-1)
	}
	if !tb.truthy(t, `window.__marker === 1`) {
		t.Error("the page reloaded")
	}
	if tb.truthy(t, `document.querySelector("#list [data-uid='`+uid+`']").classList.contains("unread")`) {
		t.Error("the row still looks unread")
	}
	if title := tb.str(t, `document.title`); !strings.Contains(title, subject) {
		t.Errorf("title = %q, want it to name %q", title, subject)
	}
}

// TestMarkReadAfterDelay: with "mark read after 3 seconds" chosen in the
// settings, a message opened from the list stays unread at first and is
// marked read once it has been open that long (message.js, loaded when
// the message shows), in the list and on the server.
func TestMarkReadAfterDelay(t *testing.T) {
	w := newWebmail(t, demo.Options{})
	tb := newTab(t, testTimeout)
	tb.run(t, "setting the viewport", chromedp.EmulateViewport(1280, 800))
	tb.login(t, w)
	tb.navigate(t, w.url+"/settings")
	tb.waitFor(t, "the settings", `document.querySelector("[data-testid=mark-read-delay]")`)
	tb.click(t, "[data-testid=mark-read-delay]")
	tb.run(t, "three seconds", chromedp.SetValue("[data-testid=mark-read-seconds]", "3", chromedp.ByQuery))
	tb.click(t, "[data-testid=reading-save]")
	tb.waitFor(t, "the settings saved", `location.hash === "#reading" && document.readyState === "complete" && document.querySelector("[data-testid=mark-read-delay]")?.checked`)

	tb.navigate(t, w.url+"/m/INBOX")
	tb.waitFor(t, "the inbox", `document.querySelector("#list .row.unread") && document.documentElement.hasAttribute("data-js")`)
	uid := tb.str(t, `document.querySelector("#list .row.unread").dataset.uid`)
	row := `#list .row[data-uid="` + uid + `"]`
	tb.click(t, row+" a")
	tb.waitFor(t, "the message and its script", `document.querySelector("#message [data-testid=mark-read-later]") && document.documentElement.hasAttribute("data-message-js")`)
	if !tb.truthy(t, `document.querySelector('`+row+`').classList.contains("unread")`) {
		t.Fatal("the message was marked read at once")
	}
	tb.advanceClock(t, 4*time.Second)
	tb.waitFor(t, "the row marked read", `document.querySelector("#message [data-testid=mark-read-later]")?.hasAttribute("data-marked") && !document.querySelector('`+row+`').classList.contains("unread")`)
	// The server's list says so too (the tab's clock stays stopped: a
	// fetch rather than a navigation).
	tb.run(t, "asking the server", chromedp.Evaluate(`fetch("/m/INBOX").then(r => r.text()).then(html => {
		const row = new DOMParser().parseFromString(html, "text/html").querySelector('`+row+`');
		window.__serverUnread = row ? row.classList.contains("unread") : null; })`, nil))
	tb.waitFor(t, "the server's answer", `window.__serverUnread !== undefined`)
	if got := tb.str(t, `window.__serverUnread`); got != "false" {
		t.Errorf("on the server the message is unread: %s", got)
	}
}
