package app

import (
	"net/http"
	"strings"
	"testing"
)

const printText = "From: Ann Example <ann@example.net>\r\nTo: Alice <alice@example.org>, bob@example.org\r\nCc: Carol <carol@example.org>\r\n" +
	"Subject: Minutes of the meeting\r\nDate: Mon, 02 Mar 2026 10:00:00 +0000\r\nMessage-ID: <print-text@example.net>\r\nMIME-Version: 1.0\r\n" +
	"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nWe agreed on the budget.\r\n> quoted line\r\n" +
	"--b\r\nContent-Type: application/pdf; name=minutes.pdf\r\nContent-Disposition: attachment; filename=minutes.pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
	"JVBERi0xLjQKJcfsj6IKMSAwIG9iago8PC9UeXBlL0NhdGFsb2c+PgplbmRvYmoK\r\n--b--\r\n"

const printHTML = "From: Shop <shop@example.com>\r\nTo: alice@example.org\r\nSubject: Your order\r\nDate: Tue, 03 Mar 2026 09:00:00 +0000\r\n" +
	"Message-ID: <print-html@example.com>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n" +
	"--b\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<html><head><style>body { display: none } dl { display: none }</style></head><body>" +
	"<p style=\"margin-top:-300px;color:#c00\">Thank you for <b>your order</b>.</p><script>alert(1)</script>" +
	"<img src=\"https://tracker.example.com/open.gif\" alt=\"pixel\"><a href=\"https://shop.example.com/o/1\" onclick=\"steal()\">Order 1</a></body></html>\r\n" +
	"--b\r\nContent-Type: text/plain; name=receipt.txt\r\nContent-Disposition: attachment; filename=receipt.txt\r\n\r\nTotal: 42\r\n--b--\r\n"

// TestPrintMessage: the print page of a text and of an HTML message shows
// the header, the body and the attachments' names and sizes, and none of
// the app's bars, folders or buttons; the HTML stays sanitised (no script,
// no remote image, no style sheet that could hide the header) and the
// page's CSP runs no other script.
func TestPrintMessage(t *testing.T) {
	t.Parallel()
	eachReadServer(t, func(t *testing.T, s readServer) {
		s.deliver(t, []byte(printText), []byte(printHTML))
		c := s.e.client()
		c.login(t, s.e.acct.Login, s.e.acct.Password)

		href := c.findMessage(t, "INBOX", "Minutes of the meeting")
		print := c.page(t, href, http.StatusOK).Find("[data-testid=message] [data-testid=print]").AttrOr("href", "")
		if print == "" {
			t.Fatal("no Print action in the message view")
		}
		doc := c.page(t, print, http.StatusOK)
		for sel, want := range map[string]string{
			"print-subject": "Minutes of the meeting",
			"print-from":    "Ann Example <ann@example.net>",
			"print-to":      "Alice <alice@example.org>, bob@example.org",
			"print-cc":      "Carol <carol@example.org>",
		} {
			if got := text(doc.Find("[data-testid=" + sel + "]")); got != want {
				t.Errorf("%s = %q, want %q", sel, got, want)
			}
		}
		if text(doc.Find("[data-testid=print-date]")) == "" {
			t.Error("no date")
		}
		if got := text(doc.Find("[data-testid=print-text-body]")); !strings.Contains(got, "We agreed on the budget.") || !strings.Contains(got, "quoted line") {
			t.Errorf("text body %q", got)
		}
		if got := text(doc.Find("[data-testid=print-attachment-name]")); got != "minutes.pdf" {
			t.Errorf("attachment %q", got)
		}
		if got := text(doc.Find("[data-testid=print-attachment-size]")); got == "" {
			t.Error("no attachment size")
		}
		for _, chrome := range []string{".topbar", "#folders", "#list", ".msg-nav", ".msg-tools", ".msg-actions", "[data-testid=logout]", "iframe"} {
			if n := doc.Find(chrome).Length(); n != 0 {
				t.Errorf("the print page has %s", chrome)
			}
		}
		if b := doc.Find("[data-testid=print-button]"); b.Length() != 1 || b.AttrOr("hidden", "none") == "none" {
			t.Error("the Print button is missing or shows without JavaScript")
		}

		href = c.findMessage(t, "INBOX", "Your order")
		resp := c.do(t, "GET", href+"/print", nil)
		csp := resp.Header.Get("Content-Security-Policy")
		doc = parse(t, resp, http.StatusOK)
		body := doc.Find("[data-testid=print-html-body]")
		if got := text(body); !strings.Contains(got, "Thank you for your order.") {
			t.Errorf("HTML body %q", got)
		}
		if body.Find("b").Length() != 1 || body.Find("a[href='https://shop.example.com/o/1']").Length() != 1 {
			t.Error("the HTML's markup is not kept")
		}
		if n := doc.Find("script:not([nonce])").Length() + body.Find("script, [onclick], style").Length(); n != 0 {
			t.Errorf("%d scripts, handlers or style sheets of the mail in the page", n)
		}
		if body.Find("img[src^='https:']").Length() != 0 {
			t.Error("a remote image loads")
		}
		if !strings.Contains(csp, "script-src 'nonce-") || strings.Contains(csp, "unsafe-eval") || !strings.Contains(csp, "img-src 'self' data:;") {
			t.Errorf("CSP %q", csp)
		}
		if got := text(doc.Find("[data-testid=print-from]")); got != "Shop <shop@example.com>" {
			t.Errorf("From %q", got)
		}
		if got := text(doc.Find("[data-testid=print-attachment-name]")); got != "receipt.txt" {
			t.Errorf("attachment %q", got)
		}
	})
}

// TestUnsubscribeOffered: the List-Unsubscribe fields come with the
// message view's envelope on both servers.
func TestUnsubscribeOffered(t *testing.T) {
	t.Parallel()
	eachReadServer(t, func(t *testing.T, s readServer) {
		s.deliver(t, listMessage("Monthly digest", "List-Id: Digest <digest.example.org>\r\n",
			"List-Unsubscribe: <https://digest.example.org/u?a=1>\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"))
		c := s.e.client()
		c.login(t, s.e.acct.Login, s.e.acct.Password)
		href := c.findMessage(t, "INBOX", "Monthly digest")
		link := c.page(t, href, http.StatusOK).Find("[data-testid=unsubscribe]").AttrOr("href", "")
		if link == "" {
			t.Fatal("no Unsubscribe action")
		}
		doc := c.page(t, link, http.StatusOK)
		if got := text(doc.Find("[data-testid=unsubscribe] h1")); got != "Unsubscribe from Digest?" {
			t.Errorf("confirmation %q", got)
		}
		if doc.Find("[data-testid=unsubscribe-form]").Length() != 1 {
			t.Error("no one-click form")
		}
	})
}
