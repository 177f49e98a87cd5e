package app

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/emersion/go-message/mail"

	"webmail/app/demo"
	"webmail/config"
)

// postMultipart posts a compose form as a browser does.
func (c *client) postMultipart(t testing.TB, path string, fields [][2]string, files map[string][]byte, header ...string) *http.Response {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for _, f := range fields {
		mw.WriteField(f[0], f[1])
	}
	for name, data := range files {
		w, _ := mw.CreateFormFile("attachments", name)
		w.Write(data)
	}
	mw.Close()
	req, _ := http.NewRequest("POST", c.e.srv.URL+path, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

// saveSMTP saves the account's SMTP credentials in settings and returns
// the blob the browser would keep.
func (c *client) saveSMTP(t testing.TB, login, password string) string {
	t.Helper()
	resp := c.do(t, "POST", "/settings/sending", url.Values{"smtp_login": {login}, "smtp_password": {password}})
	doc := parse(t, resp, http.StatusOK)
	blob, ok := doc.Find("[data-smtp-blob]").Attr("data-smtp-blob")
	if !ok || blob == "" {
		t.Fatal("settings returned no sealed blob")
	}
	return blob
}

func lastDelivery(t *testing.T, d *demo.Server) demo.Delivery {
	t.Helper()
	got := d.Received()
	if len(got) == 0 {
		t.Fatal("the SMTP server received nothing")
	}
	return got[len(got)-1]
}

func TestSendWithSavedSMTPCredentials(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.client()
	c.login(t, e.acct.Login, e.acct.Password)
	blob := c.saveSMTP(t, e.acct.SMTPLogin, e.acct.SMTPPassword)
	for _, secret := range []string{e.acct.SMTPPassword, e.acct.SMTPLogin} {
		if strings.Contains(blob, secret) {
			t.Fatalf("the blob carries %q in clear", secret)
		}
	}

	pdf := bytes.Repeat([]byte("%PDF-1.4 fake\n"), 1000)
	png := []byte("\x89PNG\r\n\x1a\nnot really")
	resp := c.postMultipart(t, "/compose/send", [][2]string{
		{"to", "Ann Example <ann@example.net>, bob@example.com"},
		{"cc", `"Chen, Bob" <bob.chen@example.com>`},
		{"bcc", "secret@example.org"},
		{"subject", "Plans für Freitag"},
		{"body", "Hello,\n\nsee the attachments. Grüße\n"},
		{"smtp_blob", blob},
	}, map[string][]byte{"plan.pdf": pdf, "büro.png": png})
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("send: status %d\n%s", resp.StatusCode, body)
	}

	got := lastDelivery(t, e.demo)
	if got.Login != e.acct.SMTPLogin {
		t.Errorf("SMTP AUTH as %q, want the distinct SMTP login %q", got.Login, e.acct.SMTPLogin)
	}
	if got.From != e.acct.Login {
		t.Errorf("MAIL FROM %q, want %q", got.From, e.acct.Login)
	}
	wantRcpt := "ann@example.net,bob@example.com,bob.chen@example.com,secret@example.org"
	if strings.Join(got.To, ",") != wantRcpt {
		t.Errorf("RCPT TO %v, want %s", got.To, wantRcpt)
	}
	mr, err := mail.CreateReader(bytes.NewReader(got.Data))
	if err != nil {
		t.Fatal(err)
	}
	h := mr.Header
	if subj, _ := h.Subject(); subj != "Plans für Freitag" {
		t.Errorf("Subject = %q", subj)
	}
	if h.Has("Bcc") {
		t.Error("Bcc reached the recipients' copy")
	}
	if h.Get("Message-Id") == "" || h.Get("Date") == "" {
		t.Error("Message-ID or Date missing")
	}
	attachments := map[string][]byte{}
	var text string
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(p.Body)
		switch ph := p.Header.(type) {
		case *mail.InlineHeader:
			text = string(b)
		case *mail.AttachmentHeader:
			name, _ := ph.Filename()
			attachments[name] = b
		}
	}
	if !strings.Contains(text, "Grüße") {
		t.Errorf("body = %q", text)
	}
	if !bytes.Equal(attachments["plan.pdf"], pdf) || !bytes.Equal(attachments["büro.png"], png) {
		t.Errorf("attachments differ: got %d names", len(attachments))
	}

	// A confirmation on the next page.
	doc := c.page(t, "/m/INBOX", http.StatusOK)
	if !strings.Contains(text2(doc.Find("[data-testid=flash]")), "Message sent") {
		t.Error("no confirmation after sending")
	}

	// The copy in Sent, with Bcc for the sender's own record.
	doc = c.page(t, "/m/Sent", http.StatusOK)
	href, _ := doc.Find("[data-testid=row] a").First().Attr("href")
	if s := text2(doc.Find("[data-testid=row] .subject").First()); s != "Plans für Freitag" {
		t.Fatalf("newest in Sent is %q", s)
	}
	resp = c.do(t, "GET", href+"/source", nil)
	src, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !bytes.Contains(src, []byte("secret@example.org")) {
		t.Error("the Sent copy lost the Bcc")
	}
}

func text2(s *goquery.Selection) string { return strings.TrimSpace(s.Text()) }

func TestSendNeedsSMTPCredentials(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.client()
	c.login(t, e.acct.Login, e.acct.Password)
	drafts := draftCount(t, c)
	resp := c.postMultipart(t, "/compose/send", [][2]string{{"to", "ann@example.net"}, {"subject", "Hi"}, {"body", "Text I typed"}}, nil)
	doc := parse(t, resp, http.StatusUnprocessableEntity)
	if msg := text(doc.Find("[data-testid=compose-error]")); !strings.Contains(msg, "separate credentials") {
		t.Errorf("error = %q", msg)
	}
	if _, hidden := doc.Find("[data-testid=smtp-fields]").Attr("hidden"); hidden {
		t.Error("the SMTP fields are hidden although they are needed")
	}
	if got := doc.Find("textarea[name=body]").Text(); got != "Text I typed" {
		t.Errorf("body kept as %q", got)
	}
	if len(e.demo.Received()) != 0 {
		t.Error("something was sent")
	}
	if got := draftCount(t, c); got != drafts+1 {
		t.Errorf("Drafts has %d messages, want %d: the draft must be kept", got, drafts+1)
	}

	// Without JavaScript: the per-message fields.
	resp = c.postMultipart(t, "/compose/send", [][2]string{{"to", "ann@example.net"}, {"subject", "Hi"}, {"body", "Text"},
		{"smtp_login", e.acct.SMTPLogin}, {"smtp_password", e.acct.SMTPPassword}, {"draft", doc.Find("input[name=draft]").AttrOr("value", "")}}, nil)
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("send with per-message credentials: status %d", resp.StatusCode)
	}
	if got := lastDelivery(t, e.demo).Login; got != e.acct.SMTPLogin {
		t.Errorf("AUTH as %q", got)
	}
	if got := draftCount(t, c); got != drafts {
		t.Errorf("Drafts has %d messages after sending, want %d: sending deletes the draft", got, drafts)
	}

	// Wrong per-message password: plain words, nothing lost.
	resp = c.postMultipart(t, "/compose/send", [][2]string{{"to", "ann@example.net"}, {"subject", "Hi"}, {"body", "Again"},
		{"smtp_login", e.acct.SMTPLogin}, {"smtp_password", "wrong"}}, nil)
	doc = parse(t, resp, http.StatusBadGateway)
	if msg := text(doc.Find("[data-testid=compose-error]")); !strings.Contains(msg, "did not accept your SMTP login") {
		t.Errorf("error = %q", msg)
	}
	if got := doc.Find("textarea[name=body]").Text(); got != "Again" {
		t.Errorf("body kept as %q", got)
	}
}

func draftCount(t *testing.T, c *client) int {
	t.Helper()
	doc := c.page(t, "/m/Drafts", http.StatusOK)
	return doc.Find("[data-testid=row]").Length()
}

func TestBlobOfAnotherAccountRefused(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	alice := e.demo.Accounts()[1]
	ca := e.client()
	ca.login(t, alice.Login, alice.Password)
	blob := ca.saveSMTP(t, alice.SMTPLogin, alice.SMTPPassword)

	c := e.client()
	c.login(t, e.acct.Login, e.acct.Password)
	resp := c.postMultipart(t, "/compose/send", [][2]string{{"to", "ann@example.net"}, {"subject", "Hi"}, {"body", "x"}, {"smtp_blob", blob}}, nil)
	doc := parse(t, resp, http.StatusUnprocessableEntity)
	if msg := text(doc.Find("[data-testid=compose-error]")); !strings.Contains(msg, "another account") {
		t.Errorf("error = %q", msg)
	}
	if len(e.demo.Received()) != 0 {
		t.Error("sent with another account's credentials")
	}
	// A damaged blob.
	resp = c.postMultipart(t, "/compose/send", [][2]string{{"to", "ann@example.net"}, {"subject", "Hi"}, {"body", "x"}, {"smtp_blob", blob[:len(blob)-4] + "AAAA"}}, nil)
	doc = parse(t, resp, http.StatusUnprocessableEntity)
	if msg := text(doc.Find("[data-testid=compose-error]")); msg == "" {
		t.Error("no message for a damaged blob")
	}
}

func TestSettingsRejectsWrongSMTPCredentials(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.client()
	c.login(t, e.acct.Login, e.acct.Password)
	// The IMAP credentials are not the SMTP ones on the demo server.
	resp := c.do(t, "POST", "/settings/sending", url.Values{"smtp_login": {e.acct.Login}, "smtp_password": {e.acct.Password}})
	doc := parse(t, resp, http.StatusUnprocessableEntity)
	if msg := text(doc.Find("[data-testid=settings-error]")); !strings.Contains(msg, "did not accept") {
		t.Errorf("error = %q", msg)
	}
	if got, _ := doc.Find("#smtp_login").Attr("value"); got != e.acct.Login {
		t.Errorf("login field = %q, want it kept", got)
	}
	if doc.Find("[data-smtp-blob]").Length() != 0 {
		t.Error("a blob was returned for rejected credentials")
	}
}

func TestReplyAndForward(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.client()
	c.login(t, e.acct.Login, e.acct.Password)
	blob := c.saveSMTP(t, e.acct.SMTPLogin, e.acct.SMTPPassword)
	href := c.findMessage(t, "INBOX", "Photos from the hike")

	doc := c.page(t, href+"/reply", http.StatusOK)
	form := func(name string) string {
		if name == "body" {
			return doc.Find("textarea[name=body]").Text()
		}
		return doc.Find("[name="+name+"]").AttrOr("value", "")
	}
	if got := form("subject"); got != "Re: Photos from the hike" {
		t.Errorf("reply subject = %q", got)
	}
	if got := form("to"); !strings.Contains(got, "marie.dubois@example.com") {
		t.Errorf("reply to = %q", got)
	}
	if form("in_reply_to") == "" || !strings.Contains(form("body"), "> ") {
		t.Errorf("reply lacks In-Reply-To or the quote: %q / %q", form("in_reply_to"), form("body"))
	}
	fields := [][2]string{{"smtp_blob", blob}}
	for _, n := range []string{"to", "cc", "subject", "body", "in_reply_to", "references", "reply_of"} {
		fields = append(fields, [2]string{n, form(n)})
	}
	resp := c.postMultipart(t, "/compose/send", fields, nil)
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("send reply: %d", resp.StatusCode)
	}
	got := lastDelivery(t, e.demo)
	mr, _ := mail.CreateReader(bytes.NewReader(got.Data))
	if mr.Header.Get("In-Reply-To") == "" || mr.Header.Get("References") == "" {
		t.Errorf("reply headers: In-Reply-To %q References %q", mr.Header.Get("In-Reply-To"), mr.Header.Get("References"))
	}
	if c.findRow(t, "INBOX", "Photos from the hike").Find("[data-testid=mark-answered]").Length() == 0 {
		t.Error("the original is not marked answered")
	}

	// Forward carries the original's attachments.
	doc = c.page(t, href+"/forward", http.StatusOK)
	if got := form("subject"); got != "Fwd: Photos from the hike" {
		t.Errorf("forward subject = %q", got)
	}
	fields = [][2]string{{"smtp_blob", blob}, {"to", "ann@example.net"}}
	for _, n := range []string{"subject", "body", "forward_of"} {
		fields = append(fields, [2]string{n, form(n)})
	}
	fields = append(fields, keptFields(doc)...) // the forwarded attachments, listed and ticked
	resp = c.postMultipart(t, "/compose/send", fields, nil)
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("send forward: %d", resp.StatusCode)
	}
	got = lastDelivery(t, e.demo)
	if n := bytes.Count(got.Data, []byte("Content-Disposition: attachment")); n < 2 {
		t.Errorf("forward has %d attachments, want the original's two PNGs", n)
	}
}

func TestHeaderInjectionIsRefused(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.client()
	c.login(t, e.acct.Login, e.acct.Password)
	for _, field := range []string{"to", "cc", "bcc", "subject"} {
		t.Run(field, func(t *testing.T) {
			fields := [][2]string{{"to", "ann@example.net"}, {"subject", "Hi"}, {"body", "x"},
				{"smtp_login", e.acct.SMTPLogin}, {"smtp_password", e.acct.SMTPPassword}}
			for i := range fields {
				if fields[i][0] == field {
					fields = append(fields[:i], fields[i+1:]...)
					break
				}
			}
			value := "Hi\r\nX-Injected: yes"
			if field != "subject" {
				value = "ann@example.net\r\nX-Injected: yes"
			}
			fields = append(fields, [2]string{field, value})
			resp := c.postMultipart(t, "/compose/send", fields, nil)
			doc := parse(t, resp, http.StatusUnprocessableEntity)
			if doc.Find("[data-testid=error-"+field+"]").Length() == 0 {
				t.Errorf("no error shown at the %s field", field)
			}
			for _, d := range e.demo.Received() {
				if bytes.Contains(d.Data, []byte("X-Injected")) {
					t.Fatal("an injected header reached the SMTP server")
				}
			}
		})
	}
}

func TestSaveDraftReplacesPreviousVersion(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.client()
	c.login(t, e.acct.Login, e.acct.Password)
	before := draftCount(t, c)
	resp := c.postMultipart(t, "/compose/draft", [][2]string{{"to", "ann@example.net"}, {"subject", "Draft one"}, {"body", "v1"}}, nil)
	doc := parse(t, resp, http.StatusOK)
	ref := doc.Find("input[name=draft]").AttrOr("value", "")
	if ref == "" {
		t.Fatal("no draft reference after saving")
	}
	resp = c.postMultipart(t, "/compose/draft", [][2]string{{"to", "ann@example.net"}, {"subject", "Draft one"}, {"body", "v2"}, {"draft", ref}}, nil)
	doc = parse(t, resp, http.StatusOK)
	if got := draftCount(t, c); got != before+1 {
		t.Errorf("Drafts has %d, want %d: the new version replaces the old", got, before+1)
	}
	// The draft opens back into compose.
	ref = doc.Find("input[name=draft]").AttrOr("value", "")
	doc = c.page(t, "/compose?draft="+url.QueryEscape(ref), http.StatusOK)
	if got := doc.Find("textarea[name=body]").Text(); !strings.Contains(got, "v2") {
		t.Errorf("draft body = %q", got)
	}
	if got := doc.Find("[name=subject]").AttrOr("value", ""); got != "Draft one" {
		t.Errorf("draft subject = %q", got)
	}
}

func TestExpiredSessionKeepsTheMessage(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.client() // never logged in: as after expiry
	resp := c.postMultipart(t, "/compose/send", [][2]string{{"to", "ann@example.net"}, {"subject", "Long letter"}, {"body", "Everything I wrote"}}, nil)
	doc := parse(t, resp, http.StatusUnauthorized)
	if doc.Find("[data-testid=login-form]").Length() == 0 {
		t.Fatal("no login form")
	}
	form := url.Values{"login": {e.acct.Login}, "password": {e.acct.Password}}
	doc.Find("[data-testid=login-form] input[type=hidden]").Each(func(_ int, s *goquery.Selection) {
		form.Add(s.AttrOr("name", ""), s.AttrOr("value", ""))
	})
	resp = c.do(t, "POST", "/login", form)
	doc = parse(t, resp, http.StatusOK)
	if got := doc.Find("textarea[name=body]").Text(); got != "Everything I wrote" {
		t.Errorf("body after logging in again = %q", got)
	}
	if got := doc.Find("[name=subject]").AttrOr("value", ""); got != "Long letter" {
		t.Errorf("subject = %q", got)
	}
}

func TestSendRateLimit(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(c *config.Config) { c.Limits.SendPerHour = 1 })
	c := e.client()
	c.login(t, e.acct.Login, e.acct.Password)
	send := func() *http.Response {
		return c.postMultipart(t, "/compose/send", [][2]string{{"to", "ann@example.net"}, {"subject", "Hi"}, {"body", "x"},
			{"smtp_login", e.acct.SMTPLogin}, {"smtp_password", e.acct.SMTPPassword}}, nil)
	}
	resp := send()
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("first send: %d", resp.StatusCode)
	}
	doc := parse(t, send(), http.StatusTooManyRequests)
	if msg := text(doc.Find("[data-testid=compose-error]")); !strings.Contains(msg, "wait") {
		t.Errorf("error = %q", msg)
	}
	if n := len(e.demo.Received()); n != 1 {
		t.Errorf("%d messages sent, want 1", n)
	}
}

func TestComposeFromURL(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.client()
	c.login(t, e.acct.Login, e.acct.Password)
	for _, tc := range []struct{ url, to, subject, body string }{
		{"/compose?to=ann%40example.net&subject=Hi&body=Hello", "ann@example.net", "Hi", "Hello"},
		{"/compose?mailto=" + url.QueryEscape("mailto:helpdesk@example.com?subject=Printer%20broken&body=It%20jams"), "helpdesk@example.com", "Printer broken", "It jams"},
	} {
		doc := c.page(t, tc.url, http.StatusOK)
		if got := doc.Find("[name=to]").AttrOr("value", ""); got != tc.to {
			t.Errorf("%s: to = %q, want %q", tc.url, got, tc.to)
		}
		if got := doc.Find("[name=subject]").AttrOr("value", ""); got != tc.subject {
			t.Errorf("%s: subject = %q, want %q", tc.url, got, tc.subject)
		}
		if got := doc.Find("textarea[name=body]").Text(); got != tc.body {
			t.Errorf("%s: body = %q, want %q", tc.url, got, tc.body)
		}
	}
}

// TestNoSMTPSecretAtRest extends S1 to the sending path: after saving the
// SMTP credentials and sending with them, the SMTP password is in no log
// line, session store entry or temp file.
func TestNoSMTPSecretAtRest(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	accts := demo.DefaultAccounts()
	accts[0].SMTPPassword = "Zk8-smtp!Vq27-secret"
	accts[0].Password = "Pq7-wrT!zx93-secret"
	e := newEnvWith(t, demo.Options{Accounts: accts})
	c := e.client()
	c.login(t, e.acct.Login, e.acct.Password)
	blob := c.saveSMTP(t, e.acct.SMTPLogin, e.acct.SMTPPassword)
	resp := c.postMultipart(t, "/compose/send", [][2]string{{"to", "ann@example.net"}, {"subject", "Hi"}, {"body", "x"}, {"smtp_blob", blob}},
		map[string][]byte{"a.txt": []byte("attachment")})
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("send: %d", resp.StatusCode)
	}
	resp = c.postMultipart(t, "/compose/send", [][2]string{{"to", "ann@example.net"}, {"subject", "Hi"}, {"body", "x"},
		{"smtp_login", e.acct.SMTPLogin}, {"smtp_password", e.acct.SMTPPassword}}, nil)
	resp.Body.Close()
	all, _ := e.store.All()
	e.acct.Password = e.acct.SMTPPassword // checkNoSecret looks for acct.Password
	checkNoSecret(t, e, tmp, all)
}

// TestComposeButtonsPostToTheirRoutes: Send and Save draft each post to
// their own route; no form field picks the verb.
func TestComposeButtonsPostToTheirRoutes(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.client()
	c.login(t, e.acct.Login, e.acct.Password)
	for _, header := range [][]string{nil, {"HX-Request", "true", "HX-Target", "message"}} {
		doc := c.page(t, "/compose", http.StatusOK, header...)
		form := doc.Find("[data-testid=compose-form]")
		for sel, want := range map[string]string{"[data-testid=send]": "/compose/send", "[data-testid=save-draft]": "/compose/draft"} {
			if got := form.Find(sel).AttrOr("formaction", ""); got != want {
				t.Errorf("%v: %s posts to %q, want %q", header, sel, got, want)
			}
		}
		if form.Find("[name=action]").Length() != 0 {
			t.Errorf("%v: a form field named action", header)
		}
		if header != nil && form.AttrOr("hx-post", "") != "" {
			t.Errorf("the pane's form has hx-post %q, which would override the buttons' formaction", form.AttrOr("hx-post", ""))
		}
	}
	resp := c.do(t, "POST", "/compose", nil)
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST /compose: %d, want 405", resp.StatusCode)
	}
}
