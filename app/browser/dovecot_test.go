package browser

import (
	"fmt"
	"testing"

	"github.com/chromedp/chromedp"

	"webmail/app/demo"
	"webmail/app/internal/dovecot"
	"webmail/config"
)

func dovecotMessage(i int) []byte {
	return fmt.Appendf(nil, "From: Ann Example <ann@example.net>\r\nTo: alice@example.org\r\nSubject: Dovecot message %d\r\n"+
		"Date: Mon, 02 Mar 2026 10:%02d:00 +0000\r\nMessage-ID: <dc%d@example.net>\r\n\r\nHello number %d.\r\n", i, i%60, i, i)
}

// TestDovecotInBrowser uses the webmail against a real Dovecot at its
// default connection limits, as a person would: on a phone with
// JavaScript (reading, and new mail arriving through IDLE while the list
// is open) and on a desktop without JavaScript, at once; the server never
// counts more connections than the account's budget.
func TestDovecotInBrowser(t *testing.T) {
	dc := dovecot.Start(t, dovecot.Options{})
	var msgs [][]byte
	for i := range 60 {
		msgs = append(msgs, dovecotMessage(i))
	}
	dc.Deliver(t, dovecot.DefaultLogin, "INBOX", msgs...)
	w := newWebmail(t, demo.Options{Empty: true}, func(c *config.Config) {
		host, port := splitHostPort(t, dc.Addr())
		c.IMAP = config.Server{Host: host, Port: port, Security: config.SecurityPlain}
	})
	w.acct = demo.Account{Login: dovecot.DefaultLogin, Password: dovecot.DefaultPassword}

	phone := newTab(t, testTimeout)
	phone.run(t, "emulating a phone", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile))
	phone.login(t, w)
	phone.phoneScreen(t, "inbox", "list")
	phone.click(t, rowSel(0))
	phone.waitFor(t, "the message", `document.querySelector("#message [data-testid=msg-subject]")?.textContent.includes("Dovecot message 59")`)
	phone.click(t, "#message [data-testid=back]")
	phone.waitFor(t, "the list", `getComputedStyle(document.querySelector("#list")).display !== "none"`)
	phone.waitFor(t, "the live update stream", `document.querySelector("[data-testid=live]")`)

	desk := newTab(t, testTimeout)
	desk.run(t, "turning JavaScript off", chromedp.ActionFunc(disableScripts))
	desk.login(t, w)
	desk.click(t, rowSel(1))
	desk.waitFor(t, "the message without JavaScript", `document.querySelector("[data-testid=msg-subject]")?.textContent.includes("Dovecot message 58")`)

	// Mail arrives while the phone shows the list.
	dc.Deliver(t, dovecot.DefaultLogin, "INBOX", dovecotMessage(60))
	phone.waitFor(t, "the new message in the open list", `document.querySelector("#list [data-testid=row] .subject")?.textContent.trim() === "Dovecot message 60"`)
	phone.screenshot(t, "dovecot-phone-live")
	if n := dc.Connections(t, dovecot.DefaultLogin); n > 4 {
		t.Errorf("Dovecot counts %d connections of the account, the budget is 4", n)
	}
}
