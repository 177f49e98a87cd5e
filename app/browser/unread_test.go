package browser

import (
	"strconv"
	"strings"
	"testing"

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
