package browser

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"webmail/app"
	"webmail/app/demo"
	"webmail/app/oneclick"
)

// printMedia makes the tab lay pages out as for printing.
func printMedia(on bool) chromedp.Action {
	return chromedp.ActionFunc(func(ctx context.Context) error {
		m := ""
		if on {
			m = "print"
		}
		return emulation.SetEmulatedMedia().WithMedia(m).Do(ctx)
	})
}

// hostilePrint is an HTML message whose style tries to hide or cover the
// header of the print page.
const hostilePrint = "From: Shop <shop@example.com>\r\nTo: alice@example.org\r\nSubject: Print me\r\nDate: Tue, 03 Mar 2026 09:00:00 +0000\r\n" +
	"Message-ID: <print-me@example.com>\r\nMIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n\r\n" +
	"<html><head><style>dl, h1 { display: none } body { background: #000 }</style></head><body>" +
	"<div style=\"margin-top:-400px;background:#fc0;height:600px\">FAKE HEADER From: Bank</div><script>document.title='x'</script></body></html>\r\n"

// TestPrintPage: the print page shows the header, the body and the
// attachments, its Print button only with JavaScript, and prints without
// the button bar; the mail's HTML cannot hide or cover the header. The
// message view itself prints without the folders, the list and the
// toolbars.
func TestPrintPage(t *testing.T) {
	t.Parallel()
	w := newWebmail(t, demo.Options{})
	if err := w.demo.Append(t.Context(), w.acct.Login, "INBOX", []byte(hostilePrint), nil, time.Now()); err != nil {
		t.Fatal(err)
	}
	tb := newTab(t, testTimeout)
	watch := tb.watch(t, w.url)
	tb.login(t, w)

	invoice := w.messagePath(t, "INBOX", subjectPDF)
	tb.navigate(t, w.url+invoice+"/print")
	tb.waitFor(t, "the print page", `document.querySelector("[data-testid=print-message]")`)
	if !tb.truthy(t, `!document.querySelector("[data-testid=print-button]").hidden`) {
		t.Error("the Print button is hidden with JavaScript on")
	}
	if got := tb.text(t, "[data-testid=print-attachment-name]"); !strings.Contains(got, ".pdf") {
		t.Errorf("attachment %q", got)
	}
	tb.screenshot(t, "print-html-screen")
	tb.run(t, "print media", printMedia(true))
	if d := tb.display(t, "[data-testid=print-tools]"); d != "none" {
		t.Errorf("the button bar prints (display %q)", d)
	}
	tb.screenshot(t, "print-html-print")
	tb.run(t, "screen media", printMedia(false))

	// A hostile style: the header stays, on top.
	tb.navigate(t, w.url+w.messagePath(t, "INBOX", "Print me")+"/print")
	tb.waitFor(t, "the print page", `document.querySelector("[data-testid=print-message]")`)
	for _, sel := range []string{"[data-testid=print-from]", "[data-testid=print-subject]"} {
		if !tb.truthy(t, `(() => { const e = document.querySelector("`+sel+`"); const r = e.getBoundingClientRect();
			return r.height > 0 && e.contains(document.elementFromPoint(r.left + 2, r.top + r.height / 2)); })()`) {
			t.Errorf("%s is hidden or covered by the mail", sel)
		}
	}
	if got := tb.str(t, "document.title"); got == "x" {
		t.Error("the mail's script ran")
	}
	tb.screenshot(t, "print-hostile")

	// The message view, printed: the message alone.
	tb.navigate(t, w.url+w.messagePath(t, "INBOX", subjectFlowed))
	tb.waitFor(t, "the message", `document.querySelector("#message [data-testid=message]")`)
	tb.run(t, "print media", printMedia(true))
	for _, sel := range []string{".topbar", "#folders", "#list", ".msg-bar", ".msg-tools", ".msg-actions"} {
		if d := tb.display(t, sel); d != "none" {
			t.Errorf("%s prints (display %q)", sel, d)
		}
	}
	if d := tb.display(t, "[data-testid=text-body]"); d == "none" {
		t.Error("the body does not print")
	}
	tb.screenshot(t, "print-message-view")
	tb.run(t, "screen media", printMedia(false))

	// The text message's print page, without JavaScript: no button, the
	// rest the same.
	tb.run(t, "scripts off", chromedp.ActionFunc(disableScripts))
	tb.navigate(t, w.url+w.messagePath(t, "INBOX", subjectFlowed)+"/print")
	tb.waitFor(t, "the print page", `document.querySelector("[data-testid=print-text-body]")`)
	if !tb.truthy(t, `document.querySelector("[data-testid=print-button]").hidden`) {
		t.Error("a Print button that cannot work without JavaScript")
	}
	if got := tb.text(t, "[data-testid=print-subject]"); got != subjectFlowed {
		t.Errorf("subject %q", got)
	}
	tb.screenshot(t, "print-text-nojs")
	if _, _, scripts := watch.take(); len(scripts) > 0 {
		t.Errorf("foreign scripts ran: %v", scripts)
	}
}

// TestUnsubscribeNoJS: with JavaScript off, Unsubscribe asks first, then
// the webmail's server makes the one-click POST to the list (a loopback
// listener here), and the message says so.
func TestUnsubscribeNoJS(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var got []string
	list := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		got = append(got, fmt.Sprintf("%s %s %q cookie=%q referer=%q", r.Method, r.URL.Path, b, r.Header.Get("Cookie"), r.Header.Get("Referer")))
		mu.Unlock()
	}))
	t.Cleanup(list.Close)
	received := func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), got...)
	}
	oc := oneclick.New(oneclick.Options{
		Allow:   func(a netip.Addr) bool { return a.IsLoopback() },
		RootCAs: list.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs,
	})
	w := newWebmailWith(t, demo.Options{}, app.Options{OneClick: oc})
	raw := "From: Example News <news@lists.example.com>\r\nTo: " + w.acct.Login + "\r\nSubject: This week at Example News\r\n" +
		"Date: Mon, 02 Mar 2026 10:00:00 +0000\r\nMessage-ID: <week@lists.example.com>\r\nList-Id: Example News <news.lists.example.com>\r\n" +
		"List-Unsubscribe: <" + list.URL + "/u/alice>\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n\r\nThe news.\r\n"
	if err := w.demo.Append(t.Context(), w.acct.Login, "INBOX", []byte(raw), nil, time.Now()); err != nil {
		t.Fatal(err)
	}
	tb := newTab(t, testTimeout)
	tb.run(t, "scripts off", chromedp.ActionFunc(disableScripts))
	tb.login(t, w)
	tb.navigate(t, w.url+w.messagePath(t, "INBOX", "This week at Example News"))
	tb.click(t, "[data-testid=message] [data-testid=more] summary")
	tb.click(t, "[data-testid=message] [data-testid=unsubscribe]")
	tb.waitFor(t, "the confirmation", `document.querySelector("[data-testid=unsubscribe-confirm]")`)
	if got := tb.text(t, "[data-testid=unsubscribe] h1"); got != "Unsubscribe from Example News?" {
		t.Errorf("confirmation %q", got)
	}
	tb.screenshot(t, "unsubscribe-confirm")
	if r := received(); len(r) != 0 {
		t.Fatalf("the list was asked before the person confirmed: %v", r)
	}
	tb.click(t, "[data-testid=unsubscribe-confirm]")
	tb.waitFor(t, "the outcome", `document.querySelector("[data-testid=flash]") && document.querySelector("[data-testid=message]")`)
	if got := tb.text(t, "[data-testid=flash]"); !strings.HasPrefix(got, "You asked to unsubscribe from Example News") {
		t.Errorf("outcome %q", got)
	}
	tb.screenshot(t, "unsubscribe-done")
	want := `POST /u/alice "List-Unsubscribe=One-Click" cookie="" referer=""`
	if r := received(); len(r) != 1 || r[0] != want {
		t.Errorf("the list received %v, want [%s]", r, want)
	}
}
