package browser

import (
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"webmail/app/demo"
)

// sseWatch keeps, before any page script, the live update stream's
// connection, whose lastEventId is set by the stream's first id.
const sseWatch = `document.addEventListener("htmx:sse:after:connection", e => { window.__sse = e.detail.connection; });
//# sourceURL=` + watchScriptURL

// TestLiveUpdate leaves the inbox open while new mail arrives through
// another IMAP connection: the row appears at the top and the unread count
// grows, without a reload.
func TestLiveUpdate(t *testing.T) {
	w := newWebmail(t, demo.Options{})
	tb := newTab(t, testTimeout)
	tb.run(t, "setting up the tab", chromedp.EmulateViewport(1280, 800), chromedp.ActionFunc(func(ctx context.Context) error {
		_, err := page.AddScriptToEvaluateOnNewDocument(sseWatch).Do(ctx)
		return err
	}))
	tb.login(t, w)
	countSel := "#folders [data-role=inbox] [data-testid=unseen]"
	before, _ := strconv.Atoi(tb.text(t, countSel))
	tb.eval(t, `window.__marker = 1`, nil)
	// The mail arrives while the stream is open: the server sends the
	// stream's first id once its watcher has examined the folder.
	tb.waitFor(t, "the live update stream to be watching", `window.__sse?.lastEventId`)

	subject := "Arrived while you were reading"
	raw := fmt.Sprintf("From: Ann <ann@example.net>\r\nTo: %s\r\nSubject: %s\r\nDate: %s\r\nMessage-ID: <live-1@example.net>\r\n\r\nHello.\r\n",
		w.acct.Login, subject, time.Now().Format(time.RFC1123Z))
	if err := w.demo.Append(context.Background(), w.acct.Login, "INBOX", []byte(raw), nil, time.Now()); err != nil {
		t.Fatal(err)
	}
	tb.waitFor(t, "the new row", `[...document.querySelectorAll("#list [data-testid=row] .subject")].some(s => s.textContent.trim() === "`+subject+`")`)
	if !tb.truthy(t, `window.__marker === 1`) {
		t.Error("the page reloaded")
	}
	if first := tb.text(t, "#list [data-testid=row] .subject"); first != subject {
		t.Errorf("first row is %q, want the new message on top", first)
	}
	tb.waitFor(t, "the unread count", `document.querySelector("`+countSel+`")?.textContent.trim() === "`+strconv.Itoa(before+1)+`"`)
}
