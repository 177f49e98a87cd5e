package browser

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"webmail/app/demo"
)

// TestIdentityWithSignature adds an identity with a signature on the
// settings page, writes a message from it and sends it: the compose form
// offers it as From with its signature in the body, and the SMTP server
// receives its From, Reply-To and signature, from the login's envelope.
func TestIdentityWithSignature(t *testing.T) {
	w := newWebmail(t, demo.Options{})
	tb := newTab(t, testTimeout)
	tb.run(t, "setting the viewport", chromedp.EmulateViewport(1280, 900))
	tb.login(t, w)
	tb.saveSMTPCredentials(t, w)
	_, domain, _ := strings.Cut(w.acct.Address, "@")
	sales, team := "sales@"+domain, "team@"+domain

	tb.navigate(t, w.url+"/m/INBOX")
	tb.click(t, "[data-testid=settings]")
	tb.waitFor(t, "the settings page", `document.querySelector("[data-testid=identity-form]")`)
	tb.typeInto(t, "[data-testid=identity-address]", sales)
	tb.typeInto(t, "[data-testid=identity-name]", "Sales Desk")
	tb.typeInto(t, "[data-testid=identity-reply-to]", team)
	tb.typeInto(t, "[data-testid=identity-signature-input]", "Sales Desk\nCall us any time")
	tb.click(t, "[data-testid=identity-save]")
	tb.waitFor(t, "the identity listed", `document.querySelector("[data-testid=identity-label]")`)
	tb.screenshot(t, "settings-identity")
	if got := tb.text(t, "[data-testid=flash]"); !strings.Contains(got, sales) {
		t.Errorf("after saving, the page says %q, want it to name %s", got, sales)
	}

	tb.navigate(t, w.url+"/compose")
	tb.waitFor(t, "the compose form", `document.querySelector("[data-testid=from-select]")`)
	if got := tb.value(t, "[data-testid=from-select]"); got != sales {
		t.Errorf("From is %q, want the first identity %q (the default)", got, sales)
	}
	if got := tb.value(t, "[data-testid=body-input]"); !strings.Contains(got, "-- \nSales Desk\nCall us any time") {
		t.Errorf("the body starts as %q, want the signature", got)
	}
	tb.screenshot(t, "compose-identity")
	const rcpt = "ann@example.net"
	before := len(w.demo.Received())
	tb.typeInto(t, "[data-testid=to-input]", rcpt)
	tb.typeInto(t, "[data-testid=subject-input]", "Our offer")
	tb.run(t, "typing above the signature", chromedp.Focus("[data-testid=body-input]", chromedp.ByQuery),
		chromedp.Evaluate(`document.querySelector("[data-testid=body-input]").setSelectionRange(0, 0)`, nil))
	tb.typeInto(t, "[data-testid=body-input]", "Here it is.")
	tb.send(t)
	tb.waitSent(t, rcpt)
	d := w.delivered(t, before)
	if d.From != w.acct.Address {
		t.Errorf("envelope sender %q, want the login's %q", d.From, w.acct.Address)
	}
	m := parseDelivery(t, d)
	if from, _ := m.Header.AddressList("From"); len(from) != 1 || from[0].Address != sales || from[0].Name != "Sales Desk" {
		t.Errorf("From %v, want Sales Desk <%s>", from, sales)
	}
	if rt, _ := m.Header.AddressList("Reply-To"); len(rt) != 1 || rt[0].Address != team {
		t.Errorf("Reply-To %v, want %s", rt, team)
	}
	if !strings.Contains(m.Text, "Here it is.") || !strings.Contains(m.Text, "-- \nSales Desk\nCall us any time") {
		t.Errorf("the text received lacks what was typed or the signature:\n%s", m.Text)
	}
}
