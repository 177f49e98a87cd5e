package app

import (
	"bytes"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/emersion/go-message/mail"
)

// seeOtherTo posts a form and checks the 303 and where it leads.
func (c *client) seeOtherTo(t *testing.T, path string, form url.Values, want string) {
	t.Helper()
	resp := c.do(t, "POST", path, form)
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != want {
		t.Fatalf("POST %s: %d to %q, want 303 to %q", path, resp.StatusCode, resp.Header.Get("Location"), want)
	}
}

func domainOf(login string) string { _, d, _ := strings.Cut(login, "@"); return d }

// TestIdentityInCompose: an identity added on the settings page is the
// compose form's From, with its signature in the body; the message sent
// has its From, Reply-To and signature, and the envelope sender stays the
// login.
func TestIdentityInCompose(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.client()
	c.login(t, e.acct.Login, e.acct.Password)
	domain := domainOf(e.acct.Login)
	sales, team := "sales@"+domain, "team@"+domain

	doc := c.page(t, "/compose", http.StatusOK)
	if doc.Find("[data-testid=from-select]").Length() != 0 || !strings.Contains(text(doc.Find("[data-testid=from-text]")), e.acct.Login) {
		t.Errorf("with one address, From is %q, want it as text", text(doc.Find("[data-testid=compose-form]")))
	}

	// Another domain's address: refused, what was typed kept.
	doc = parse(t, c.do(t, "POST", "/settings/identities", url.Values{"address": {"ceo@bank.example"}, "signature": {"Kept\nhere"}}), http.StatusUnprocessableEntity)
	if doc.Find("[data-testid=error-id_address]").Length() != 1 || doc.Find("[data-testid=identity-signature-input]").Text() != "Kept\nhere" {
		t.Errorf("another domain's address: no field error, or the signature lost: %q", text(doc.Find("[data-testid=identity-form]")))
	}

	c.seeOtherTo(t, "/settings/identities", url.Values{
		"address": {sales}, "name": {"Sales Team"}, "reply_to": {team}, "signature": {"Sales Team\r\nExample Ltd\r\n"}, "default": {"1"},
	}, "/settings#identities")
	doc = c.page(t, "/settings", http.StatusOK)
	if got := text(doc.Find("[data-testid=identity-label]")); got != "Sales Team <"+sales+">" || doc.Find("[data-testid=identity-default]").Length() != 1 {
		t.Errorf("identities listed: %q, want Sales Team as the default", got)
	}

	doc = c.page(t, "/compose", http.StatusOK)
	sel := doc.Find("[data-testid=from-select]")
	if n := sel.Find("option").Length(); n != 2 {
		t.Errorf("From offers %d addresses, want the login's and the identity's", n)
	}
	if got := sel.Find("option[selected]").AttrOr("value", ""); got != sales {
		t.Errorf("From chosen %q, want the default identity %q", got, sales)
	}
	body := doc.Find("[data-testid=body-input]").Text()
	if !strings.Contains(body, "-- \nSales Team\nExample Ltd") {
		t.Errorf("the body starts as %q, want the signature after \"-- \"", body)
	}

	blob := c.saveSMTP(t, e.acct.SMTPLogin, e.acct.SMTPPassword)
	doc = parse(t, c.postMultipart(t, "/compose/send", [][2]string{{"from", "ceo@" + domain}, {"to", "ann@example.net"}, {"subject", "x"}, {"body", "y"}, {"smtp_blob", blob}}, nil), http.StatusUnprocessableEntity)
	if doc.Find("[data-testid=error-from]").Length() != 1 {
		t.Errorf("sending from an address that is no identity: no error by From")
	}

	before := len(e.demo.Received())
	resp := c.postMultipart(t, "/compose/send", [][2]string{
		{"from", sales}, {"to", "ann@example.net"}, {"subject", "Offer"}, {"body", body}, {"smtp_blob", blob},
	}, nil)
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || len(e.demo.Received()) != before+1 {
		t.Fatalf("send: status %d\n%s", resp.StatusCode, b)
	}
	got := lastDelivery(t, e.demo)
	if got.From != e.acct.Login {
		t.Errorf("MAIL FROM %q, want the login %q", got.From, e.acct.Login)
	}
	mr, err := mail.CreateReader(bytes.NewReader(got.Data))
	if err != nil {
		t.Fatal(err)
	}
	if from, _ := mr.Header.AddressList("From"); len(from) != 1 || from[0].Address != sales || from[0].Name != "Sales Team" {
		t.Errorf("From: %v, want Sales Team <%s>", from, sales)
	}
	if rt, _ := mr.Header.AddressList("Reply-To"); len(rt) != 1 || rt[0].Address != team {
		t.Errorf("Reply-To: %v, want %s", rt, team)
	}
	p, err := mr.NextPart()
	if err != nil {
		t.Fatal(err)
	}
	text, _ := io.ReadAll(p.Body)
	if !strings.Contains(strings.ReplaceAll(string(text), "\r\n", "\n"), "-- \nSales Team\nExample Ltd") {
		t.Errorf("body sent %q lacks the signature", text)
	}

	// Removing it leaves the login alone: From is text again.
	c.seeOtherTo(t, "/settings/identities/"+url.PathEscape(sales)+"/delete", nil, "/settings#identities")
	if doc := c.page(t, "/compose", http.StatusOK); doc.Find("[data-testid=from-text]").Length() != 1 {
		t.Error("after removing the identity, From is not the login alone")
	}
}

// TestReplyFromIdentity: a reply to a message addressed to an identity is
// sent from it, its signature above the quote, or below it as set.
func TestReplyFromIdentity(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.client()
	c.login(t, e.acct.Login, e.acct.Password)
	domain := domainOf(e.acct.Login)
	sales := "sales@" + domain
	c.seeOtherTo(t, "/settings/identities", url.Values{"address": {sales}, "name": {"Sales"}, "signature": {"The sales desk"}}, "/settings#identities")
	raw := []byte("From: Ann <ann@example.net>\r\nTo: " + sales + "\r\nSubject: Price?\r\nDate: Mon, 7 Dec 2026 09:00:00 +0000\r\nMessage-ID: <price@example.net>\r\n\r\nHow much?\r\n")
	if err := e.demo.Append(t.Context(), e.acct.Login, "INBOX", raw, nil, time.Now()); err != nil {
		t.Fatal(err)
	}

	reply := c.findMessage(t, "INBOX", "Price?") + "/reply"
	doc := c.page(t, reply, http.StatusOK)
	if got := doc.Find("[data-testid=from-select] option[selected]").AttrOr("value", ""); got != sales {
		t.Errorf("reply From %q, want the address written to, %q", got, sales)
	}
	body := doc.Find("[data-testid=body-input]").Text()
	sig, quote := strings.Index(body, "-- \nThe sales desk"), strings.Index(body, "> How much?")
	if sig < 0 || quote < 0 || sig > quote {
		t.Errorf("reply body %q: want the signature above the quote", body)
	}

	c.seeOtherTo(t, "/settings/reading", url.Values{"per_page": {"50"}, "reply": {"below"}, "mark_read": {"open"}}, "/settings#reading")
	body = c.page(t, reply, http.StatusOK).Find("[data-testid=body-input]").Text()
	sig, quote = strings.Index(body, "-- \nThe sales desk"), strings.Index(body, "> How much?")
	if sig < 0 || quote < 0 || sig < quote {
		t.Errorf("reply body %q: want the signature below the quote", body)
	}
}

// TestReadingSettings: the reading settings are checked, kept in the
// mailbox (a new session has them) and change the pages.
func TestReadingSettings(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.client()
	c.login(t, e.acct.Login, e.acct.Password)

	doc := parse(t, c.do(t, "POST", "/settings/reading", url.Values{"per_page": {"7"}, "density": {"compact"}, "mark_read": {"delay"}, "mark_read_delay": {"900"}}), http.StatusUnprocessableEntity)
	if doc.Find("[data-testid=error-per_page]").Length() != 1 || doc.Find("[data-testid=error-mark_read_delay]").Length() != 1 {
		t.Errorf("invalid settings: no field errors: %q", text(doc.Find("[data-testid=reading-form]")))
	}
	if _, ok := doc.Find("[data-testid=density-compact]").Attr("checked"); !ok {
		t.Error("invalid settings: the density posted was not kept")
	}

	c.seeOtherTo(t, "/settings/reading", url.Values{"per_page": {"25"}, "density": {"compact"}, "conversations": {"1"}, "mark_read": {"never"}, "language": {"de"}}, "/settings#reading")

	other := e.client() // another browser: the settings are in the mailbox
	other.login(t, e.acct.Login, e.acct.Password)
	doc = other.page(t, "/m/INBOX", http.StatusOK)
	if !doc.Find("body").HasClass("density-compact") {
		t.Error("compact density: <body> lacks class density-compact")
	}
	// The language chosen wins over the browser's (which asks for none
	// here), on every device.
	if lang := doc.Find("html").AttrOr("lang", ""); lang != "de" {
		t.Errorf("language chosen: <html lang=%q>, want de", lang)
	}
	if got := text(doc.Find("[data-testid=settings]")); got != "Einstellungen" {
		t.Errorf("language chosen: the Settings link says %q, want Einstellungen", got)
	}
	if _, ok := doc.Find("[data-testid=threads]").Attr("checked"); !ok {
		t.Error("conversations by default: the list is not grouped")
	}
	if n := other.page(t, "/m/INBOX?threads=0", http.StatusOK).Find("[data-testid=row]").Length(); n != 25 {
		t.Errorf("a page of the Inbox shows %d messages, want the 25 chosen", n)
	}
	doc = other.page(t, "/settings", http.StatusOK)
	if got := doc.Find("[data-testid=language] option[selected]").AttrOr("value", ""); got != "de" {
		t.Errorf("language %q, want de", got)
	}

	// Never marked read by itself: opening an unread message leaves it so.
	unread := func() *goquery.Selection {
		return other.page(t, "/m/INBOX?threads=0", http.StatusOK).Find("[data-testid=row].unread").First()
	}
	row := unread()
	href := row.Find("a").AttrOr("href", "")
	if href == "" {
		t.Fatal("no unread message in the Inbox")
	}
	other.page(t, href, http.StatusOK)
	if got := unread().Find("a").AttrOr("href", ""); got != href {
		t.Errorf("with mark read never, opening a message marked it read (first unread now %q, was %q)", got, href)
	}
}

// TestAlwaysShowRemote: the remote-content notice's button adds the sender;
// that sender's mail then shows remote content at once, until the settings
// page removes it.
func TestAlwaysShowRemote(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.client()
	c.login(t, e.acct.Login, e.acct.Password)
	href := c.findMessage(t, "INBOX", "Spring Collection: up to 40% off trail gear")
	doc := c.page(t, href, http.StatusOK)
	form := doc.Find("[data-testid=always-remote-form]")
	sender := form.Find("input[name=sender]").AttrOr("value", "")
	next := form.Find("input[name=next]").AttrOr("value", "")
	if sender == "" || !strings.Contains(next, "remote=1") {
		t.Fatalf("no 'always show' button in the notice (sender %q, next %q)", sender, next)
	}
	c.seeOtherTo(t, "/settings/remote", url.Values{"sender": {sender}, "next": {next}}, next)
	// Elsewhere than our own message pages, it goes to the settings.
	for _, bad := range []string{"//evil.example/m/x", "/m/\\evil.example", "https://evil.example/m/", "/logout"} {
		c.seeOtherTo(t, "/settings/remote", url.Values{"sender": {sender}, "next": {bad}}, "/settings#remote")
	}

	doc = c.page(t, href, http.StatusOK)
	if doc.Find("[data-testid=remote-blocked]").Length() != 0 || !strings.Contains(doc.Find("iframe[data-testid=html-body]").AttrOr("src", ""), "remote=1") {
		t.Error("an allowed sender's message still blocks remote content")
	}
	doc = c.page(t, "/settings", http.StatusOK)
	if got := text(doc.Find("[data-testid=remote-sender] span")); got != sender {
		t.Errorf("settings list %q, want %q", got, sender)
	}
	c.seeOtherTo(t, "/settings/remote/"+url.PathEscape(sender)+"/delete", nil, "/settings#remote")
	if doc := c.page(t, href, http.StatusOK); doc.Find("[data-testid=remote-blocked]").Length() != 1 {
		t.Error("after removing the sender, remote content is not blocked")
	}
}
