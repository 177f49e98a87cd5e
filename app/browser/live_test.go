package browser

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

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

// TestLiveStartsAfterTheList: on a cold first load the rows come first;
// the live-update script and its stream start once the page has loaded,
// so they never hold the list up.
func TestLiveStartsAfterTheList(t *testing.T) {
	w := newWebmail(t, demo.Options{})
	tb := newTab(t, testTimeout)
	tb.run(t, "setting up the tab", chromedp.EmulateViewport(1280, 800), chromedp.ActionFunc(func(ctx context.Context) error {
		_, err := page.AddScriptToEvaluateOnNewDocument(`document.addEventListener("htmx:sse:after:connection", () => { window.__sseAt ??= performance.now(); });
//# sourceURL=` + watchScriptURL).Do(ctx)
		return err
	}))
	tb.login(t, w)
	tb.waitFor(t, "the live update stream", `window.__sseAt > 0`)
	var got struct {
		Load   float64 `json:"load"`
		Script float64 `json:"script"`
		Stream float64 `json:"stream"`
	}
	tb.eval(t, `(() => {
		const nav = performance.getEntriesByType("navigation")[0];
		const script = performance.getEntriesByType("resource").find(r => r.name.includes("/hx-sse-"));
		return {load: nav.loadEventStart, script: script ? script.startTime : -1, stream: window.__sseAt};
	})()`, &got)
	if got.Script < got.Load || got.Stream < got.Load {
		t.Errorf("the live-update script was asked for at %.0f ms and its stream open at %.0f ms, before the page's load at %.0f ms", got.Script, got.Stream, got.Load)
	}
}

// TestLiveSync leaves the inbox open, with one row ticked, while another
// device flags and reads that message and deletes another: the row shows
// its new marks and stays ticked, the deleted row goes, the count drops,
// all without a reload; the changed row still opens its message.
func TestLiveSync(t *testing.T) {
	w := newWebmail(t, demo.Options{})
	tb := newTab(t, testTimeout)
	tb.run(t, "setting up the tab", chromedp.EmulateViewport(1280, 800), chromedp.ActionFunc(func(ctx context.Context) error {
		_, err := page.AddScriptToEvaluateOnNewDocument(sseWatch).Do(ctx)
		return err
	}))
	tb.login(t, w)
	tb.eval(t, `window.__marker = 1`, nil)
	tb.waitFor(t, "the live update stream to be watching", `window.__sse?.lastEventId`)

	// An unread, unflagged row to flag, and the row below it to delete.
	read := int(tb.num(t, `Number([...document.querySelectorAll("#list [data-testid=row]")].find(r => r.classList.contains("unread") && !r.querySelector("[data-testid=mark-flagged]"))?.dataset.uid ?? 0)`))
	if read == 0 {
		t.Fatal("no unread, unflagged row in the inbox")
	}
	del := int(tb.num(t, fmt.Sprintf(`Number(document.querySelector('#list [data-testid=row][data-uid="%d"]').nextElementSibling?.dataset.uid ?? 0)`, read)))
	if del == 0 {
		t.Fatal("no row below the one to flag")
	}
	row := func(uid int) string { return fmt.Sprintf(`#list [data-testid=row][data-uid="%d"]`, uid) }
	tb.click(t, row(read)+" input[type=checkbox]")
	total := tb.text(t, "[data-testid=total]")
	n, _ := strconv.Atoi(strings.Fields(total)[0])

	other, err := imapclient.DialInsecure(w.demo.IMAPAddr(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if err := other.Login(w.acct.Login, w.acct.Password).Wait(); err != nil {
		t.Fatal(err)
	}
	if _, err := other.Select("INBOX", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	store := func(uid int, flags ...imap.Flag) {
		t.Helper()
		if err := other.Store(imap.UIDSetNum(imap.UID(uid)), &imap.StoreFlags{Op: imap.StoreFlagsAdd, Flags: flags, Silent: true}, nil).Close(); err != nil {
			t.Fatal(err)
		}
	}
	store(read, imap.FlagFlagged, imap.FlagSeen)
	store(del, imap.FlagDeleted)
	if err := other.Expunge().Close(); err != nil {
		t.Fatal(err)
	}

	tb.waitFor(t, "the flag and the read mark", `(r => r && r.querySelector("[data-testid=mark-flagged]") && !r.classList.contains("unread"))(document.querySelector('`+row(read)+`'))`)
	tb.waitFor(t, "the deleted row to go", `!document.querySelector('`+row(del)+`')`)
	tb.waitFor(t, "the count", `document.querySelector("[data-testid=total]").textContent.trim() === "`+strconv.Itoa(n-1)+` messages"`)
	if !tb.truthy(t, `window.__marker === 1`) {
		t.Error("the page reloaded")
	}
	if !tb.truthy(t, `document.querySelector('`+row(read)+` input[type=checkbox]').checked`) {
		t.Error("the changed row lost its tick")
	}
	tb.click(t, row(read)+" a")
	tb.waitFor(t, "the message to open", fmt.Sprintf(`document.querySelector('#message [data-uid="%d"]')`, read))
}
