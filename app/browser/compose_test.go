package browser

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-message/mail"

	"webmail/app/demo"
)

// The compose tests send through the demo SMTP server, which accepts only
// the demo account's distinct SMTP credentials (never its IMAP ones).

// smtpKey is the localStorage key of the account's sealed SMTP credentials.
func smtpKey(w *webmail) string { return "webmail.smtp." + w.acct.Login }

// storedBlob is what the tab's localStorage holds for the account, and
// whether it holds anything.
func (tb *tab) storedBlob(t *testing.T, w *webmail) (string, bool) {
	t.Helper()
	var r struct {
		Blob string
		OK   bool
	}
	tb.eval(t, fmt.Sprintf(`(() => { const v = localStorage.getItem(%q); return {Blob: v ?? "", OK: v !== null}; })()`, smtpKey(w)), &r)
	return r.Blob, r.OK
}

// shown tells whether the first element matching sel is rendered (not
// hidden itself or by an ancestor).
func (tb *tab) shown(t *testing.T, sel string) bool {
	t.Helper()
	return tb.truthy(t, fmt.Sprintf(`(() => { const e = document.querySelector(%q); return e && e.getClientRects().length > 0 && getComputedStyle(e).visibility !== "hidden"; })()`, sel))
}

// value is the current value of the form control matching sel.
func (tb *tab) value(t *testing.T, sel string) string {
	t.Helper()
	return tb.str(t, fmt.Sprintf(`document.querySelector(%q).value`, sel))
}

// typeInto types text into the control matching sel, key by key.
func (tb *tab) typeInto(t *testing.T, sel, text string) {
	t.Helper()
	tb.run(t, "typing into "+sel, chromedp.SendKeys(sel, text, chromedp.ByQuery, chromedp.NodeVisible))
}

// saveSMTPCredentials saves the demo account's SMTP credentials in
// Settings → Sending through the form, starting from any page with the top
// bar.
func (tb *tab) saveSMTPCredentials(t *testing.T, w *webmail) {
	t.Helper()
	tb.click(t, "[data-testid=settings]")
	tb.click(t, "[data-testid=settings-sending-link]")
	tb.waitFor(t, "the sending settings", `location.pathname === "/settings/sending" && document.querySelector("[data-testid=smtp-form]")`)
	tb.typeInto(t, "[data-testid=smtp-form] #smtp_login", w.acct.SMTPLogin)
	tb.typeInto(t, "[data-testid=smtp-form] #smtp_password", w.acct.SMTPPassword)
	tb.click(t, "[data-testid=smtp-save]")
	tb.waitFor(t, "the settings to say the credentials are saved",
		`document.querySelector("[data-testid=settings-saved]") || document.querySelector("[data-testid=settings-error]")`)
	if msg := tb.text(t, "[data-testid=settings-error]"); msg != "" {
		t.Fatalf("saving the SMTP credentials failed: %s", msg)
	}
}

// secretLeaks lists how stored gives secret away: in clear, base64-encoded
// (either alphabet, at any byte alignment) or in the decoded blob.
func secretLeaks(stored, secret string) []string {
	var leaks []string
	if strings.Contains(stored, secret) {
		leaks = append(leaks, "in clear")
	}
	n := len(secret)
b64:
	for off := 0; off < 3; off++ {
		b := append(make([]byte, off), secret...)
		// The characters that depend on the secret's bits only.
		from, to := (8*off+5)/6, (8*off+8*n)/6
		for _, enc := range []*base64.Encoding{base64.RawStdEncoding, base64.RawURLEncoding} {
			if s := enc.EncodeToString(b)[from:to]; strings.Contains(stored, s) {
				leaks = append(leaks, fmt.Sprintf("base64 %q", s))
				break b64
			}
		}
	}
	for _, enc := range []*base64.Encoding{base64.RawURLEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.StdEncoding} {
		if raw, err := enc.DecodeString(stored); err == nil {
			if bytes.Contains(raw, []byte(secret)) {
				leaks = append(leaks, "in clear in the decoded blob")
			}
			break
		}
	}
	return leaks
}

// delivered waits for the SMTP server to have received one message more
// than before and returns it; a second one is an error.
func (w *webmail) delivered(t *testing.T, before int) demo.Delivery {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		got := w.demo.Received()
		if len(got) > before {
			if len(got) > before+1 {
				t.Errorf("the SMTP server received %d messages, want 1", len(got)-before)
			}
			return got[before]
		}
		if time.Now().After(deadline) {
			t.Fatalf("the SMTP server received nothing (it holds %d messages, as before)", len(got))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// parsedMail is a delivered message, read back.
type parsedMail struct {
	Header      mail.Header
	Text        string            // the text/plain body, LF line ends
	Attachments map[string][]byte // by file name
}

func parseDelivery(t *testing.T, d demo.Delivery) parsedMail {
	t.Helper()
	mr, err := mail.CreateReader(bytes.NewReader(d.Data))
	if err != nil {
		t.Fatalf("reading the delivered message: %v\n%s", err, d.Data)
	}
	m := parsedMail{Header: mr.Header, Attachments: map[string][]byte{}}
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("reading the delivered message's parts: %v\n%s", err, d.Data)
		}
		b, err := io.ReadAll(p.Body)
		if err != nil {
			t.Fatalf("reading a part of the delivered message: %v", err)
		}
		switch h := p.Header.(type) {
		case *mail.InlineHeader:
			if ct, _, _ := h.ContentType(); ct == "text/plain" && m.Text == "" {
				m.Text = strings.ReplaceAll(string(b), "\r\n", "\n")
			}
		case *mail.AttachmentHeader:
			name, _ := h.Filename()
			m.Attachments[name] = b
		}
	}
	return m
}

// checkDelivery checks that d is the message typed: sent with the distinct
// SMTP login, from the account, to rcpt, with subject and every line of
// body.
func checkDelivery(t *testing.T, w *webmail, d demo.Delivery, rcpt, subject, body string) parsedMail {
	t.Helper()
	if d.Login != w.acct.SMTPLogin {
		t.Errorf("the message was sent with the SMTP login %q, want %q", d.Login, w.acct.SMTPLogin)
	}
	if d.From != w.acct.Address {
		t.Errorf("envelope sender %q, want %q", d.From, w.acct.Address)
	}
	if !slices.Equal(d.To, []string{rcpt}) {
		t.Errorf("envelope recipients %q, want [%s]", d.To, rcpt)
	}
	m := parseDelivery(t, d)
	if s, _ := m.Header.Subject(); s != subject {
		t.Errorf("the delivered message's subject is %q, want %q", s, subject)
	}
	if to, _ := m.Header.AddressList("To"); len(to) != 1 || !strings.EqualFold(to[0].Address, rcpt) {
		t.Errorf("the delivered message's To is %v, want %s", to, rcpt)
	}
	if from, _ := m.Header.AddressList("From"); len(from) != 1 || from[0].Address != w.acct.Address {
		t.Errorf("the delivered message's From is %v, want %s", from, w.acct.Address)
	}
	for _, line := range strings.Split(body, "\n") {
		if !strings.Contains(m.Text, line) {
			t.Errorf("the delivered text lacks the line %q typed; it is:\n%s", line, m.Text)
		}
	}
	return m
}

// fillCompose types the recipient, subject and body into the compose form.
func (tb *tab) fillCompose(t *testing.T, to, subject, body string) {
	t.Helper()
	tb.typeInto(t, "[data-testid=to-input]", to)
	tb.typeInto(t, "[data-testid=subject-input]", subject)
	tb.typeInto(t, "[data-testid=body-input]", body)
}

// send clicks Send; an error already on the page is marked stale, so
// that waitSent only sees the answer to this click.
func (tb *tab) send(t *testing.T) {
	t.Helper()
	tb.eval(t, `document.querySelectorAll("[data-testid=compose-error]").forEach(e => e.dataset.stale = "1")`, nil)
	tb.click(t, "[data-testid=send]")
}

// waitSent waits for the page to say the message was sent to who: the
// sent pane (htmx) or the inbox's flash (a full page). It returns which.
func (tb *tab) waitSent(t *testing.T, who string) string {
	t.Helper()
	tb.waitFor(t, "the page to say the message was sent",
		`document.querySelector("[data-testid=sent]") || /Message sent to/.test(document.querySelector("[data-testid=flash]")?.textContent) || document.querySelector("[data-testid=compose-error]:not([data-stale])")`)
	if msg := tb.text(t, "[data-testid=compose-error]:not([data-stale])"); msg != "" {
		t.Fatalf("sending failed: %s", msg)
	}
	where := "[data-testid=sent]"
	if tb.count(t, where) == 0 {
		where = "[data-testid=flash]"
	}
	if got := tb.text(t, where); !strings.Contains(got, who) {
		t.Errorf("the confirmation says %q, want it to name %s", got, who)
	}
	return where
}

// sendInReach fails unless the Send button is on screen and not covered.
func (tb *tab) sendInReach(t *testing.T, when string) {
	t.Helper()
	var r struct {
		Top, Bottom, Inner float64
		Hit                bool
	}
	tb.eval(t, `(() => { const b = document.querySelector("[data-testid=send]"), r = b.getBoundingClientRect();
		const hit = document.elementFromPoint((r.left + r.right) / 2, (r.top + r.bottom) / 2);
		return {Top: r.top, Bottom: r.bottom, Inner: innerHeight, Hit: !!hit && b.contains(hit)}; })()`, &r)
	if r.Top < 0 || r.Bottom > r.Inner || r.Bottom-r.Top < 1 {
		t.Errorf("%s: the Send button is out of sight (top %.0f, bottom %.0f, window %.0f px tall)", when, r.Top, r.Bottom, r.Inner)
	} else if !r.Hit {
		t.Errorf("%s: something covers the Send button", when)
	}
}

// imapMessage reads a message's envelope and flags over IMAP.
func (w *webmail) imapMessage(t *testing.T, mailbox, subject string) (*imap.Envelope, []imap.Flag) {
	t.Helper()
	c, err := imapclient.DialInsecure(w.demo.IMAPAddr(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Login(w.acct.Login, w.acct.Password).Wait(); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Select(mailbox, &imap.SelectOptions{ReadOnly: true}).Wait(); err != nil {
		t.Fatal(err)
	}
	bufs, err := c.Fetch(imap.SeqSet{{Start: 1, Stop: 0}}, &imap.FetchOptions{Envelope: true, Flags: true}).Collect()
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range bufs {
		if b.Envelope.Subject == subject {
			return b.Envelope, b.Flags
		}
	}
	t.Fatalf("no message %q in %s", subject, mailbox)
	return nil, nil
}

// TestComposeSavedCredentials saves the distinct SMTP credentials in the
// browser, sends with them from the htmx pane and from the compose page
// after a reload, then forgets them: the form asks for them again.
func TestComposeSavedCredentials(t *testing.T) {
	w := newWebmail(t, demo.Options{})
	tb := newTab(t, testTimeout)
	tb.run(t, "setting the viewport", chromedp.EmulateViewport(1280, 800))
	tb.login(t, w)

	// Settings → Sending.
	tb.saveSMTPCredentials(t, w)
	blob, ok := tb.storedBlob(t, w)
	switch {
	case !ok:
		t.Fatalf("after saving, localStorage has no %q", smtpKey(w))
	case strings.TrimSpace(blob) == "":
		t.Fatalf("after saving, localStorage[%q] is empty", smtpKey(w))
	}
	if leaks := secretLeaks(blob, w.acct.SMTPPassword); len(leaks) > 0 {
		t.Errorf("localStorage gives the SMTP password away: %s", strings.Join(leaks, ", "))
	}
	if got := tb.text(t, "[data-testid=smtp-status]"); !strings.Contains(got, "This browser holds your SMTP credentials") {
		t.Errorf("after saving, the status says %q, want that this browser holds the credentials", got)
	}
	if got := tb.value(t, "[data-testid=smtp-form] #smtp_password"); got != "" {
		t.Errorf("after saving, the password field still holds %d characters", len(got))
	}
	tb.noHorizontalOverflow(t, "settings")
	tb.screenshot(t, "settings-desktop")

	// Compose from the list: htmx, into #message, no reload.
	tb.navigate(t, w.url+"/m/INBOX")
	tb.waitFor(t, "the inbox", `document.querySelector("[data-testid=compose]")`)
	tb.eval(t, `window.__marker = 1`, nil)
	tb.click(t, "[data-testid=compose]")
	tb.waitFor(t, "the compose form in #message", composeReady(`document.querySelector("#message [data-testid=compose-form]")`))
	if !tb.truthy(t, `window.__marker === 1`) {
		t.Error("opening compose from the list reloaded the whole page")
	}
	if tb.shown(t, "[data-testid=smtp-fields]") {
		t.Error("the compose pane asks for SMTP credentials although the browser holds them")
	}
	const rcpt1 = "bob@example.net"
	subject1, body1 := "Lunch on Thursday?", "Hi Bob,\nShall we try the new place on Thursday?\nDemo"
	before := len(w.demo.Received())
	tb.fillCompose(t, rcpt1, subject1, body1)
	tb.screenshot(t, "compose-desktop")
	tb.send(t)
	if where := tb.waitSent(t, rcpt1); where != "[data-testid=sent]" {
		t.Errorf("sending from the pane showed %s, want the sent pane", where)
	}
	if !tb.truthy(t, `window.__marker === 1`) {
		t.Error("sending from the pane reloaded the whole page")
	}
	if tb.count(t, "#message [data-testid=sent]") != 1 {
		t.Error("the sent confirmation is not in the message pane")
	}
	checkDelivery(t, w, w.delivered(t, before), rcpt1, subject1, body1)
	if _, sent := w.mailbox(t, "Sent"); !slices.ContainsFunc(sent, func(m mailRef) bool { return m.Subject == subject1 }) {
		t.Errorf("no copy of %q in Sent", subject1)
	}

	// Reload, then the compose page: the saved credentials still send.
	tb.eval(t, `location.reload()`, nil)
	tb.waitFor(t, "the page after reloading", `document.readyState === "complete" && window.__marker === undefined`)
	tb.navigate(t, w.url+"/compose")
	tb.waitFor(t, "the compose page", composeReady(`document.querySelector("[data-testid=compose-form]")`))
	if tb.shown(t, "[data-testid=smtp-fields]") {
		t.Error("the compose page asks for SMTP credentials although the browser holds them")
	}
	const rcpt2 = "carol@example.net"
	subject2, body2 := "Slides", "Carol,\nthe slides are ready.\nDemo"
	before = len(w.demo.Received())
	tb.fillCompose(t, rcpt2, subject2, body2)
	tb.send(t)
	t.Logf("sending from the compose page showed %s", tb.waitSent(t, rcpt2))
	checkDelivery(t, w, w.delivered(t, before), rcpt2, subject2, body2)

	// Forget: the browser drops the blob, the form asks again.
	tb.navigate(t, w.url+"/m/INBOX")
	tb.click(t, "[data-testid=settings]")
	tb.click(t, "[data-testid=settings-sending-link]")
	tb.waitFor(t, "the sending settings", `document.querySelector("[data-testid=smtp-forget]")`)
	tb.click(t, "[data-testid=smtp-forget]")
	tb.waitFor(t, "the settings to say the credentials are forgotten", `/no longer holds/.test(document.querySelector("[data-testid=settings-saved]")?.textContent)`)
	if blob, ok := tb.storedBlob(t, w); ok {
		t.Errorf("after Forget, localStorage still has %q (%d characters)", smtpKey(w), len(blob))
	}
	if got := tb.text(t, "[data-testid=smtp-status]"); strings.Contains(got, "holds your SMTP credentials") {
		t.Errorf("after Forget, the status still says %q", got)
	}

	tb.navigate(t, w.url+"/m/INBOX")
	tb.waitFor(t, "the inbox", `document.querySelector("[data-testid=compose]")`)
	tb.click(t, "[data-testid=compose]")
	tb.waitFor(t, "the compose form in #message", composeReady(`document.querySelector("#message [data-testid=compose-form]")`))
	if !tb.shown(t, "[data-testid=smtp-fields]") {
		t.Error("after Forget, the compose pane does not ask for SMTP credentials")
	}
	const rcpt3 = "dave@example.net"
	subject3, body3 := "Not sent", "Dave,\nthis one needs credentials.\nDemo"
	before = len(w.demo.Received())
	tb.fillCompose(t, rcpt3, subject3, body3)
	tb.send(t)
	tb.waitFor(t, "the compose error", `document.querySelector("[data-testid=compose-error]") || document.querySelector("[data-testid=sent]")`)
	if tb.count(t, "[data-testid=sent]") > 0 {
		t.Fatal("the message was sent without credentials")
	}
	if got := tb.text(t, "[data-testid=compose-error]"); !strings.Contains(got, "credentials") {
		t.Errorf("the compose error says %q, want it to ask for the SMTP credentials", got)
	}
	if got := tb.value(t, "[data-testid=body-input]"); strings.ReplaceAll(got, "\r\n", "\n") != body3 {
		t.Errorf("after the error the body is %q, want %q kept", got, body3)
	}
	if got := tb.value(t, "[data-testid=compose-form] [name=to]"); got != rcpt3 {
		t.Errorf("after the error To is %q, want %q kept", got, rcpt3)
	}
	if got := tb.value(t, "[data-testid=subject-input]"); got != subject3 {
		t.Errorf("after the error the subject is %q, want %q kept", got, subject3)
	}
	if !tb.shown(t, "[data-testid=smtp-fields]") {
		t.Error("after the error the SMTP fields are not shown")
	}
	if n := len(w.demo.Received()) - before; n != 0 {
		t.Errorf("the SMTP server received %d messages without credentials", n)
	}
	tb.screenshot(t, "compose-desktop-error")
	// The SMTP fields are below the fold of the pane: Send stays in view.
	tb.eval(t, `document.querySelector("[data-testid=smtp-fields] #smtp_password").scrollIntoView({block: "end"})`, nil)
	tb.sendInReach(t, "the compose pane scrolled down to the SMTP fields")

	// The same on the compose page (no #message there): the error shows
	// in one form, and typing the credentials then sends.
	tb.navigate(t, w.url+"/compose")
	tb.waitFor(t, "the compose page", composeReady(`document.querySelector("[data-testid=compose-form]")`))
	const rcpt4 = "gina@example.net"
	subject4, body4 := "Second try", "Gina,\nsent on the second try.\nDemo"
	tb.fillCompose(t, rcpt4, subject4, body4)
	tb.send(t)
	tb.waitFor(t, "the compose error on the compose page", `document.querySelector("[data-testid=compose-error]")`)
	if got := tb.value(t, "[data-testid=body-input]"); strings.ReplaceAll(got, "\r\n", "\n") != body4 {
		t.Errorf("after the error on the compose page the body is %q, want %q kept", got, body4)
	}
	if n := tb.count(t, "[data-testid=compose-form]"); n != 1 {
		t.Errorf("after the error the compose page holds %d compose forms (%d nested in another), want 1",
			n, tb.count(t, "[data-testid=compose-form] [data-testid=compose-form]"))
	}
	before = len(w.demo.Received())
	tb.typeInto(t, "[data-testid=smtp-fields] #smtp_login", w.acct.SMTPLogin)
	tb.typeInto(t, "[data-testid=smtp-fields] #smtp_password", w.acct.SMTPPassword)
	tb.send(t)
	tb.waitSent(t, rcpt4)
	checkDelivery(t, w, w.delivered(t, before), rcpt4, subject4, body4)
	if tb.count(t, "[data-testid=compose-form] [data-testid=sent]") > 0 {
		t.Error("on the compose page the sent confirmation is put inside the compose form (hx-target #message does not exist there)")
	}
}

// TestComposeReply answers a message from its view, with the saved
// credentials.
func TestComposeReply(t *testing.T) {
	w := newWebmail(t, demo.Options{})
	msgPath := w.messagePath(t, "INBOX", subjectPNG)
	orig, _ := w.imapMessage(t, "INBOX", subjectPNG)
	tb := newTab(t, testTimeout)
	tb.run(t, "setting the viewport", chromedp.EmulateViewport(1280, 800))
	tb.login(t, w)
	tb.saveSMTPCredentials(t, w)

	tb.navigate(t, w.url+msgPath)
	tb.waitFor(t, "the message", `document.querySelector("#message [data-testid=reply]")`)
	tb.eval(t, `window.__marker = 1`, nil)
	tb.click(t, "#message [data-testid=reply]")
	tb.waitFor(t, "the reply form", composeReady(`document.querySelector("#message [data-testid=compose-form]")`))
	if !tb.truthy(t, `window.__marker === 1`) {
		t.Error("Reply reloaded the whole page")
	}
	const marie = "marie.dubois@example.com"
	if got := tb.value(t, "#message [data-testid=compose-form] [name=to]"); !strings.Contains(got, marie) {
		t.Errorf("the reply is to %q, want Marie (%s)", got, marie)
	}
	if got, want := tb.value(t, "[data-testid=subject-input]"), "Re: "+subjectPNG; got != want {
		t.Errorf("the reply's subject is %q, want %q", got, want)
	}
	if got := tb.value(t, "[data-testid=body-input]"); !strings.Contains(got, "> Here are two pictures from Sunday.") {
		t.Errorf("the reply does not quote the message; its body is %q", got)
	}
	if tb.shown(t, "[data-testid=smtp-fields]") {
		t.Error("the reply form asks for SMTP credentials although the browser holds them")
	}

	before := len(w.demo.Received())
	tb.run(t, "typing the answer", chromedp.Focus("[data-testid=body-input]", chromedp.ByQuery),
		chromedp.Evaluate(`document.querySelector("[data-testid=body-input]").setSelectionRange(0, 0)`, nil))
	tb.typeInto(t, "[data-testid=body-input]", "Lovely, thanks!\n\n")
	tb.send(t)
	tb.waitSent(t, "Marie Dubois")
	d := w.delivered(t, before)
	m := checkDelivery(t, w, d, marie, "Re: "+subjectPNG, "Lovely, thanks!")
	irt, _ := m.Header.MsgIDList("In-Reply-To")
	if !slices.Equal(irt, []string{strings.Trim(orig.MessageID, "<>")}) {
		t.Errorf("In-Reply-To is %q, want the original's Message-ID %q", irt, orig.MessageID)
	}
	if refs, _ := m.Header.MsgIDList("References"); !slices.Contains(refs, strings.Trim(orig.MessageID, "<>")) {
		t.Errorf("References %q lack the original's Message-ID %q", refs, orig.MessageID)
	}
	if _, flags := w.imapMessage(t, "INBOX", subjectPNG); !slices.Contains(flags, imap.FlagAnswered) {
		t.Errorf("the original is not marked answered after the reply (flags %v)", flags)
	}
}

// TestComposeNoJavaScript sends a message with an attachment with scripts
// off: the form asks for the SMTP credentials each time.
func TestComposeNoJavaScript(t *testing.T) {
	w := newWebmail(t, demo.Options{})
	tb := newTab(t, testTimeout)
	tb.run(t, "disabling JavaScript", chromedp.EmulateViewport(1280, 800), chromedp.ActionFunc(disableScripts))
	tb.login(t, w)

	tb.navigate(t, w.url+"/compose")
	tb.waitFor(t, "the compose page", composeReady(`document.querySelector("[data-testid=compose-form]")`))
	if !tb.shown(t, "[data-testid=smtp-fields]") {
		t.Fatal("without JavaScript the compose page does not ask for the SMTP credentials")
	}
	data := make([]byte, 3000)
	for i := range data {
		data[i] = byte(i * 7)
	}
	file := filepath.Join(t.TempDir(), "trail-map.bin")
	if err := os.WriteFile(file, data, 0o600); err != nil {
		t.Fatal(err)
	}
	const rcpt = "erin@example.net"
	subject, body := "The trail map", "Erin,\nthe map is attached.\nDemo"
	before := len(w.demo.Received())
	tb.fillCompose(t, rcpt, subject, body)
	tb.typeInto(t, "[data-testid=smtp-fields] #smtp_login", w.acct.SMTPLogin)
	tb.typeInto(t, "[data-testid=smtp-fields] #smtp_password", w.acct.SMTPPassword)
	tb.run(t, "attaching a file", chromedp.SetUploadFiles("[data-testid=attachments-input]", []string{file}, chromedp.ByQuery))
	tb.send(t)
	tb.waitFor(t, "the inbox after sending", `location.pathname === "/m/INBOX" && document.querySelector("[data-testid=flash]")`)
	if got := tb.text(t, "[data-testid=flash]"); !strings.Contains(got, "Message sent to") || !strings.Contains(got, rcpt) {
		t.Errorf("after sending the inbox says %q, want “Message sent to %s”", got, rcpt)
	}
	m := checkDelivery(t, w, w.delivered(t, before), rcpt, subject, body)
	if got, ok := m.Attachments["trail-map.bin"]; !ok {
		t.Errorf("the delivered message has no attachment trail-map.bin (attachments: %d)", len(m.Attachments))
	} else if !bytes.Equal(got, data) {
		t.Errorf("the attachment arrived as %d bytes that differ from the %d attached", len(got), len(data))
	}
	// The password went to the server once and is not shown back.
	if html := tb.str(t, `document.documentElement.outerHTML`); strings.Contains(html, w.acct.SMTPPassword) {
		t.Error("the page after sending contains the SMTP password")
	}
}

// TestComposePhone writes and sends a message on a 390×844 phone: the Send
// button stays in reach, nothing is too wide or too small to tap.
func TestComposePhone(t *testing.T) {
	w := newWebmail(t, demo.Options{})
	tb := newTab(t, testTimeout)
	tb.run(t, "emulating a phone", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile))
	tb.login(t, w)

	tb.navigate(t, w.url+"/compose")
	tb.waitFor(t, "the compose page", composeReady(`document.querySelector("[data-testid=compose-form]")`))
	if !tb.shown(t, "[data-testid=smtp-fields]") {
		t.Error("a browser without saved credentials does not ask for them")
	}
	tb.sendInReach(t, "on opening compose")
	tb.noHorizontalOverflow(t, "compose on a phone")
	var low []string
	tb.eval(t, fmt.Sprintf(`Array.from(document.querySelectorAll("[data-testid=compose-form] :is(input:not([type=hidden]), textarea, select)")).filter(e => {
		const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0 && r.height < %d;
	}).map(e => (e.id || e.name || e.type) + " " + e.getBoundingClientRect().height.toFixed(1) + "px")`, minTap), &low)
	if len(low) > 0 {
		t.Errorf("inputs under %d px tall: %s", minTap, strings.Join(low, "; "))
	}
	if small := tb.smallTargets(t, "[data-testid=compose-form]"); len(small) > 0 {
		t.Errorf("compose touch targets under %d px tall: %s", minTap, strings.Join(small, "; "))
	}
	if px := tb.num(t, `parseFloat(getComputedStyle(document.querySelector("[data-testid=body-input]")).fontSize)`); px < 16 {
		t.Errorf("the body field's text is %.1f px: under 16 px, phones zoom in when it gets the focus", px)
	}
	tb.screenshot(t, "compose-phone")

	const rcpt = "frank@example.net"
	subject, body := "From my phone", "Frank,\nwritten on the bus.\nDemo"
	before := len(w.demo.Received())
	tb.typeInto(t, "[data-testid=to-input]", rcpt)
	tb.typeInto(t, "[data-testid=subject-input]", subject)
	tb.click(t, "[data-testid=body-input]")
	tb.typeInto(t, "[data-testid=body-input]", body)
	// Down to the SMTP fields at the end of the form: Send stays at the top.
	toTop := tb.rect(t, "[data-testid=to-input]").Top
	tb.eval(t, `document.querySelector("[data-testid=smtp-fields] #smtp_password").scrollIntoView({block: "end"})`, nil)
	if moved := toTop - tb.rect(t, "[data-testid=to-input]").Top; moved < 100 {
		t.Fatalf("scrolling to the end of the form moved it %.0f px: the test expects a form taller than the screen", moved)
	}
	tb.sendInReach(t, "after scrolling to the end of the form")
	tb.typeInto(t, "[data-testid=smtp-fields] #smtp_login", w.acct.SMTPLogin)
	tb.typeInto(t, "[data-testid=smtp-fields] #smtp_password", w.acct.SMTPPassword)
	tb.sendInReach(t, "after typing the SMTP password")
	tb.send(t)
	t.Logf("sending on the phone showed %s", tb.waitSent(t, rcpt))
	checkDelivery(t, w, w.delivered(t, before), rcpt, subject, body)
	tb.noHorizontalOverflow(t, "after sending on a phone")

	// The settings screen on the phone.
	tb.navigate(t, w.url+"/settings/sending")
	tb.waitFor(t, "the sending settings", `document.querySelector("[data-testid=smtp-form]")`)
	tb.noHorizontalOverflow(t, "settings on a phone")
	if small := tb.smallTargets(t, "[data-testid=settings-sending]"); len(small) > 0 {
		t.Errorf("settings touch targets under %d px tall: %s", minTap, strings.Join(small, "; "))
	}
	tb.screenshot(t, "settings-phone")
}
