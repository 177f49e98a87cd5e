package app

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"math/rand/v2"
	"mime/multipart"
	"net"
	"net/http"
	"net/textproto"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-message/mail"

	"webmail/app/demo"
	"webmail/app/internal/dovecot"
	"webmail/app/internal/faultnet"
	"webmail/app/message"
	"webmail/config"
)

// upfile is a file a test attaches: its name, type and bytes.
type upfile struct {
	name, typ string
	data      []byte
}

// testFiles are two attachments whose bytes cover every byte value, with
// names that only survive a round trip through a draft unchanged if the
// original names are kept (a colon, non-ASCII, spaces).
func testFiles() []upfile {
	rnd := rand.New(rand.NewPCG(1, 2))
	pdf := make([]byte, 300_000)
	for i := range pdf {
		pdf[i] = byte(rnd.Uint32())
	}
	png := append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{0, 1, 2, 0xff, '\r', '\n'}, 5000)...)
	return []upfile{
		{"Übersicht: Q1.pdf", "application/pdf", pdf},
		{"trail map.png", "image/png", png},
	}
}

// postForm posts a form as multipart/form-data, as a browser does: the
// fields in order, then the files of the file input.
func (c *client) postForm(t testing.TB, path string, fields [][2]string, files ...upfile) *http.Response {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for _, f := range fields {
		mw.WriteField(f[0], f[1])
	}
	for _, f := range files {
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="attachments"; filename=%q`, f.name))
		h.Set("Content-Type", f.typ)
		w, _ := mw.CreatePart(h)
		w.Write(f.data)
	}
	mw.Close()
	req, _ := http.NewRequest("POST", c.e.srv.URL+path, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	resp, err := c.hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

// formFields are the fields a browser posts for form: its named inputs
// but buttons and files, ticked boxes only, textareas and selects, in
// order.
func formFields(form *goquery.Selection) [][2]string {
	var out [][2]string
	form.Find("input, textarea, select").Each(func(_ int, s *goquery.Selection) {
		name := s.AttrOr("name", "")
		if name == "" {
			return
		}
		switch goquery.NodeName(s) {
		case "textarea":
			out = append(out, [2]string{name, s.Text()})
			return
		case "select":
			opt := s.Find("option[selected]").First()
			if opt.Length() == 0 {
				opt = s.Find("option").First()
			}
			out = append(out, [2]string{name, opt.AttrOr("value", "")})
			return
		}
		switch s.AttrOr("type", "text") {
		case "file", "submit", "button", "image", "reset":
			return
		case "checkbox", "radio":
			if _, ok := s.Attr("checked"); !ok {
				return
			}
		}
		out = append(out, [2]string{name, s.AttrOr("value", "")})
	})
	return out
}

// with sets fields: each name's first value is replaced (others of the
// name removed), or the field added.
func with(fields [][2]string, kv ...string) [][2]string {
	out := append([][2]string(nil), fields...)
	for i := 0; i+1 < len(kv); i += 2 {
		name, value, done := kv[i], kv[i+1], false
		kept := out[:0]
		for _, f := range out {
			if f[0] == name {
				if done {
					continue
				}
				f[1], done = value, true
			}
			kept = append(kept, f)
		}
		out = kept
		if !done {
			out = append(out, [2]string{name, value})
		}
	}
	return out
}

// without drops the fields name=value.
func without(fields [][2]string, name, value string) [][2]string {
	var out [][2]string
	for _, f := range fields {
		if f[0] != name || f[1] != value {
			out = append(out, f)
		}
	}
	return out
}

// keptFields are the ticked attachments of a compose page.
func keptFields(doc *goquery.Document) [][2]string {
	var out [][2]string
	doc.Find("[data-testid=compose-form] input[name=keep][checked]").Each(func(_ int, s *goquery.Selection) {
		out = append(out, [2]string{"keep", s.AttrOr("value", "")})
	})
	return out
}

func composeFields(doc *goquery.Document) [][2]string {
	return formFields(doc.Find("[data-testid=compose-form]"))
}

// checkKept checks that the compose page lists files, in order, ticked,
// each kept where prefix says ("d:" in the draft, "data:" in the page).
func checkKept(t *testing.T, doc *goquery.Document, prefix string, files []upfile) {
	t.Helper()
	items := doc.Find("[data-testid=kept]")
	if items.Length() != len(files) {
		t.Fatalf("the form lists %d kept attachments, want %d (%s)", items.Length(), len(files), text(doc.Find("[data-testid=compose-form]")))
	}
	items.Each(func(i int, s *goquery.Selection) {
		box := s.Find("input[name=keep]")
		if _, ok := box.Attr("checked"); !ok {
			t.Errorf("kept attachment %d is not ticked", i+1)
		}
		if v := box.AttrOr("value", ""); !strings.HasPrefix(v, prefix) {
			t.Errorf("kept attachment %d has the keep value %.40q, want it to start with %q", i+1, v, prefix)
		}
		// Shown by its safe name (no bidi tricks); sent by its own.
		if got, want := text(s.Find("[data-testid=kept-name]")), message.SafeFilename(files[i].name); got != want {
			t.Errorf("kept attachment %d is named %q, want %q", i+1, got, want)
		}
	})
}

// checkDelivered checks that msg has exactly files as attachments, in
// order, byte for byte, with their names and types.
func checkDelivered(t *testing.T, msg []byte, files []upfile) {
	t.Helper()
	mr, err := mail.CreateReader(bytes.NewReader(msg))
	if err != nil {
		t.Fatal(err)
	}
	var got []upfile
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(p.Body)
		if h, ok := p.Header.(*mail.AttachmentHeader); ok {
			name, _ := h.Filename()
			typ, _, _ := h.ContentType()
			got = append(got, upfile{name, typ, b})
		}
	}
	if len(got) != len(files) {
		var names []string
		for _, g := range got {
			names = append(names, g.name)
		}
		t.Fatalf("the message has %d attachments %q, want %d", len(got), names, len(files))
	}
	for i, f := range files {
		g := got[i]
		if g.name != f.name || g.typ != f.typ {
			t.Errorf("attachment %d is %q (%s), want %q (%s)", i+1, g.name, g.typ, f.name, f.typ)
		}
		if !bytes.Equal(g.data, f.data) {
			t.Errorf("attachment %d (%q): %d bytes that differ from the %d attached", i+1, f.name, len(g.data), len(f.data))
		}
	}
}

// withSMTPProxy puts a fault-injecting proxy in front of the SMTP server.
func withSMTPProxy(t testing.TB, p **faultnet.Proxy) envOption {
	return func(c *config.Config) {
		*p = faultnet.NewProxy(t, net.JoinHostPort(c.SMTP.Host, strconv.Itoa(c.SMTP.Port)))
		c.SMTP.Host, c.SMTP.Port = splitHostPort(t, (*p).Addr())
	}
}

// withIMAPProxy puts a fault-injecting proxy in front of the IMAP server.
func withIMAPProxy(t testing.TB, p **faultnet.Proxy) envOption {
	return func(c *config.Config) {
		*p = faultnet.NewProxy(t, net.JoinHostPort(c.IMAP.Host, strconv.Itoa(c.IMAP.Port)))
		c.IMAP.Host, c.IMAP.Port = splitHostPort(t, (*p).Addr())
	}
}

// TestDraftAttachmentsSurviveFailedSend: a draft saved with two files,
// sent while the SMTP server is down, keeps them (listed, in Drafts), and
// sending again once it is back delivers both; the draft goes only then.
func TestDraftAttachmentsSurviveFailedSend(t *testing.T) {
	t.Parallel()
	var smtp *faultnet.Proxy
	e := newEnv(t, withSMTPProxy(t, &smtp))
	c := e.client()
	c.login(t, e.acct.Login, e.acct.Password)
	blob := c.saveSMTP(t, e.acct.SMTPLogin, e.acct.SMTPPassword)
	files := testFiles()
	before := draftCount(t, c)

	doc := parse(t, c.postForm(t, "/compose/draft", [][2]string{{"to", "ann@example.net"}, {"subject", "Plans"}, {"body", "See the files."}}, files...), http.StatusOK)
	checkKept(t, doc, "d:", files)
	if got := text(doc.Find("[data-testid=compose-notice]")); !strings.Contains(got, "attachments are safe") {
		t.Errorf("notice %q, want it to say the attachments are safe in Drafts", got)
	}

	smtp.Refuse(true)
	doc = parse(t, c.postForm(t, "/compose/send", with(composeFields(doc), "smtp_blob", blob)), http.StatusBadGateway)
	if msg := text(doc.Find("[data-testid=compose-error]")); !strings.Contains(msg, "sending server") {
		t.Errorf("error %q, want it to name the sending server", msg)
	}
	checkKept(t, doc, "d:", files)
	if n := len(e.demo.Received()); n != 0 {
		t.Fatalf("the SMTP server received %d messages while down", n)
	}
	if got := draftCount(t, c); got != before+1 {
		t.Errorf("after the failed send Drafts has %d messages, want %d: the draft must stay", got, before+1)
	}

	smtp.Refuse(false)
	resp := c.postForm(t, "/compose/send", with(composeFields(doc), "smtp_blob", blob))
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sending again: status %d\n%s", resp.StatusCode, body)
	}
	checkDelivered(t, lastDelivery(t, e.demo).Data, files)
	if got := draftCount(t, c); got != before {
		t.Errorf("after sending Drafts has %d messages, want %d: sending removes the draft", got, before)
	}
}

// draftWithAttachments is a draft as another mail client saves it: a text
// and HTML body, then files.
func draftWithAttachments(from, subject string, files []upfile) []byte {
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	fmt.Fprintf(&b, "From: %s\r\nTo: bob@example.net\r\nSubject: %s\r\nDate: %s\r\nMessage-ID: <draft-%d@example.org>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=%s\r\n\r\n",
		from, subject, time.Now().Format(time.RFC1123Z), time.Now().UnixNano(), mw.Boundary())
	const altBoundary = "alt-boundary-0123456789"
	w, _ := mw.CreatePart(textproto.MIMEHeader{"Content-Type": {"multipart/alternative; boundary=" + altBoundary}})
	alt := multipart.NewWriter(w)
	alt.SetBoundary(altBoundary)
	tw, _ := alt.CreatePart(textproto.MIMEHeader{"Content-Type": {"text/plain; charset=utf-8"}})
	io.WriteString(tw, "Bob, the files.\r\n")
	hw, _ := alt.CreatePart(textproto.MIMEHeader{"Content-Type": {"text/html; charset=utf-8"}})
	io.WriteString(hw, "<p>Bob, the files.</p>\r\n")
	alt.Close()
	for _, f := range files {
		fw, _ := mw.CreatePart(textproto.MIMEHeader{
			"Content-Type":              {f.typ},
			"Content-Disposition":       {mimeAttachment(f.name)},
			"Content-Transfer-Encoding": {"base64"},
		})
		enc := base64.NewEncoder(base64.StdEncoding, &lineWriter{w: fw})
		enc.Write(f.data)
		enc.Close()
	}
	mw.Close()
	return b.Bytes()
}

// mimeAttachment is a Content-Disposition with the file name RFC 2231
// encoded.
func mimeAttachment(name string) string {
	var b strings.Builder
	for i := 0; i < len(name); i++ {
		c := name[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '-' || c == '_' {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return "attachment; filename*=utf-8''" + b.String()
}

// TestReopenedDraftSendsItsAttachments: a draft with two files, opened
// from Drafts, lists them, and sending it delivers both.
func TestReopenedDraftSendsItsAttachments(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.client()
	c.login(t, e.acct.Login, e.acct.Password)
	blob := c.saveSMTP(t, e.acct.SMTPLogin, e.acct.SMTPPassword)
	files := testFiles()
	if err := e.demo.Append(t.Context(), e.acct.Login, "Drafts", draftWithAttachments(e.acct.Address, "Files for Bob", files), []imap.Flag{imap.FlagDraft}, time.Now()); err != nil {
		t.Fatal(err)
	}
	before := draftCount(t, c)
	href := c.findMessage(t, "Drafts", "Files for Bob")
	doc := c.page(t, "/compose?draft="+strings.TrimPrefix(href, "/m/"), http.StatusOK)
	checkKept(t, doc, "d:", files)
	if got := doc.Find("textarea[name=body]").Text(); !strings.Contains(got, "Bob, the files.") {
		t.Errorf("the draft opens with the body %q", got)
	}

	resp := c.postForm(t, "/compose/send", with(composeFields(doc), "smtp_blob", blob))
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("send: status %d\n%s", resp.StatusCode, body)
	}
	checkDelivered(t, lastDelivery(t, e.demo).Data, files)
	if got := draftCount(t, c); got != before-1 {
		t.Errorf("after sending Drafts has %d messages, want %d", got, before-1)
	}
}

// TestBadAddressKeepsAttachments: a 422 for an invalid address lists the
// files given (saved in Drafts meanwhile); fixing the address and sending
// delivers them, all or those left ticked.
func TestBadAddressKeepsAttachments(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		untick int // the kept attachment (1-based) to untick, 0 for none
	}{{"fix and send", 0}, {"untick one", 1}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			c := e.client()
			c.login(t, e.acct.Login, e.acct.Password)
			blob := c.saveSMTP(t, e.acct.SMTPLogin, e.acct.SMTPPassword)
			files := testFiles()
			before := draftCount(t, c)

			doc := parse(t, c.postForm(t, "/compose/send", [][2]string{{"to", "ann@example"}, {"subject", "Figures"}, {"body", "Both files."}, {"smtp_blob", blob}}, files...), http.StatusUnprocessableEntity)
			if doc.Find("[data-testid=error-to]").Length() == 0 {
				t.Error("no error at the To field")
			}
			if got := doc.Find("[name=to]").AttrOr("value", ""); got != "ann@example" {
				t.Errorf("To kept as %q", got)
			}
			checkKept(t, doc, "d:", files)
			if got := draftCount(t, c); got != before+1 {
				t.Errorf("Drafts has %d messages, want %d: the attachments wait there", got, before+1)
			}

			fields := with(composeFields(doc), "to", "ann@example.net", "smtp_blob", blob)
			want := files
			if tc.untick > 0 {
				v := doc.Find("[data-testid=kept] input[name=keep]").Eq(tc.untick-1).AttrOr("value", "")
				fields = without(fields, "keep", v)
				want = append(append([]upfile(nil), files[:tc.untick-1]...), files[tc.untick:]...)
			}
			resp := c.postForm(t, "/compose/send", fields)
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("send: status %d\n%s", resp.StatusCode, body)
			}
			checkDelivered(t, lastDelivery(t, e.demo).Data, want)
			if got := draftCount(t, c); got != before {
				t.Errorf("after sending Drafts has %d messages, want %d", got, before)
			}
		})
	}
}

// sessionCookie is the client's session token.
func (c *client) sessionCookie(t *testing.T) string {
	t.Helper()
	u, _ := http.NewRequest("GET", c.e.srv.URL, nil)
	for _, ck := range c.jar.Cookies(u.URL) {
		if ck.Name == "wm_session" {
			return ck.Value
		}
	}
	t.Fatal("no session cookie")
	return ""
}

// TestSessionEndedCarriesAttachments: a message with two files sent after
// the session ended comes back in the login page, files and all; logging
// in saves it in Drafts, lists the files, and sending delivers them.
func TestSessionEndedCarriesAttachments(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.client()
	c.login(t, e.acct.Login, e.acct.Password)
	blob := c.saveSMTP(t, e.acct.SMTPLogin, e.acct.SMTPPassword)
	before := draftCount(t, c)
	if err := e.store.Delete(c.sessionCookie(t)); err != nil {
		t.Fatal(err)
	}
	files := testFiles()

	doc := parse(t, c.postForm(t, "/compose/send", [][2]string{{"to", "ann@example.net"}, {"subject", "Late"}, {"body", "Written slowly."}, {"smtp_blob", blob}}, files...), http.StatusUnauthorized)
	form := doc.Find("[data-testid=login-form]")
	if got := form.AttrOr("enctype", ""); got != "multipart/form-data" {
		t.Errorf("the login form posts as %q, want multipart/form-data", got)
	}
	if n := form.Find(`input[name=c_keep][value^="data:"]`).Length(); n != 2 {
		t.Fatalf("the login form carries %d files, want 2", n)
	}
	if got := text(doc.Find("[data-testid=carried-files]")); !strings.Contains(got, message.SafeFilename(files[0].name)) || !strings.Contains(got, files[1].name) {
		t.Errorf("the login page says %q, want it to name the files it carries", got)
	}

	fields := with(formFields(form), "login", e.acct.Login, "password", e.acct.Password)
	doc = parse(t, c.postForm(t, "/login", fields), http.StatusOK)
	checkKept(t, doc, "d:", files)
	if got := doc.Find("textarea[name=body]").Text(); got != "Written slowly." {
		t.Errorf("the body after logging in is %q", got)
	}
	if got := text(doc.Find("[data-testid=compose-notice]")); !strings.Contains(got, "Drafts") {
		t.Errorf("notice %q, want it to say the message is in Drafts", got)
	}
	if got := draftCount(t, c); got != before+1 {
		t.Errorf("Drafts has %d messages after logging in, want %d", got, before+1)
	}

	resp := c.postForm(t, "/compose/send", with(composeFields(doc), "smtp_blob", blob))
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("send: status %d\n%s", resp.StatusCode, body)
	}
	checkDelivered(t, lastDelivery(t, e.demo).Data, files)
	if got := draftCount(t, c); got != before {
		t.Errorf("after sending Drafts has %d messages, want %d", got, before)
	}
}

// TestIMAPDownCarriesAttachments: when Drafts cannot be reached, the form
// that comes back carries its files in the page (data: keep values) and
// says so; sent from there, they arrive.
func TestIMAPDownCarriesAttachments(t *testing.T) {
	t.Parallel()
	var imapProxy *faultnet.Proxy
	e := newEnv(t, withIMAPProxy(t, &imapProxy))
	c := e.client()
	c.login(t, e.acct.Login, e.acct.Password)
	blob := c.saveSMTP(t, e.acct.SMTPLogin, e.acct.SMTPPassword)
	files := testFiles()

	imapProxy.CutAfter(0) // IMAP down: open connections reset, new ones too
	doc := parse(t, c.postForm(t, "/compose/send", [][2]string{{"to", "ann@example"}, {"subject", "Offline"}, {"body", "Kept in the page."}, {"smtp_blob", blob}}, files...), http.StatusUnprocessableEntity)
	checkKept(t, doc, "data:", files)
	if msg := text(doc.Find("[data-testid=compose-error]")); !strings.Contains(msg, "this page carries them") {
		t.Errorf("error %q, want it to say the page carries the attachments", msg)
	}

	imapProxy.CutAfter(-1)
	resp := c.postForm(t, "/compose/send", with(composeFields(doc), "to", "ann@example.net", "smtp_blob", blob))
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("send: status %d\n%s", resp.StatusCode, body)
	}
	checkDelivered(t, lastDelivery(t, e.demo).Data, files)
}

// patternReader gives n bytes that are not all alike, without holding
// them.
type patternReader struct{ n, off int64 }

func (p *patternReader) Read(b []byte) (int, error) {
	if p.off >= p.n {
		return 0, io.EOF
	}
	b = b[:min(int64(len(b)), p.n-p.off)]
	for i := range b {
		b[i] = byte((p.off + int64(i)) * 7)
	}
	p.off += int64(len(b))
	return len(b), nil
}

// postStreamed posts a compose form with one upload of size bytes,
// written while it is sent.
func (c *client) postStreamed(fields [][2]string, size int64) (*http.Response, error) {
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		for _, f := range fields {
			mw.WriteField(f[0], f[1])
		}
		w, err := mw.CreateFormFile("attachments", "huge.bin")
		if err == nil {
			_, err = io.Copy(w, &patternReader{n: size})
		}
		if err == nil {
			err = mw.Close()
		}
		pw.CloseWithError(err)
	}()
	req, _ := http.NewRequest("POST", c.e.srv.URL+"/compose/send", pr)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return c.hc.Do(req)
}

// TestLargeUploadKeepsTypedText: uploads far over the limit, far over
// what was once the body cap too, answer 413 with the form as typed and
// leave no file behind.
func TestLargeUploadKeepsTypedText(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	e := newEnv(t)
	c := e.client()
	c.login(t, e.acct.Login, e.acct.Password)
	for _, size := range []int64{40 << 20, 100 << 20} {
		t.Run(fmt.Sprintf("%d MB", size>>20), func(t *testing.T) {
			subject, body := "Holiday video", "The whole video, "+strconv.FormatInt(size>>20, 10)+" MB.\nEnjoy!"
			resp, err := c.postStreamed([][2]string{{"to", "ann@example.net"}, {"subject", subject}, {"body", body}}, size)
			if err != nil {
				t.Fatalf("posting %d MB: %v", size>>20, err)
			}
			doc := parse(t, resp, http.StatusRequestEntityTooLarge)
			if got := doc.Find("[name=subject]").AttrOr("value", ""); got != subject {
				t.Errorf("subject kept as %q, want %q", got, subject)
			}
			if got := doc.Find("textarea[name=body]").Text(); got != body {
				t.Errorf("body kept as %q, want %q", got, body)
			}
			if msg := text(doc.Find("[data-testid=error-attachments]")); !strings.Contains(msg, "larger than 25 MB together") {
				t.Errorf("attachment error %q", msg)
			}
			if n := doc.Find("[data-testid=kept]").Length(); n != 0 {
				t.Errorf("the form lists %d attachments, want none of the part-read file", n)
			}
			eventually(t, "no temporary file left after the request", func() bool {
				left, _ := os.ReadDir(tmp)
				return len(left) == 0
			})
		})
	}
	if n := len(e.demo.Received()); n != 0 {
		t.Errorf("%d messages sent", n)
	}
}

// TestDamagedHiddenFieldShowsMessage: a hidden field the webmail did not
// write that way is refused with a message on the 422 page, emptied, and
// sending again goes on without it.
func TestDamagedHiddenFieldShowsMessage(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.client()
	c.login(t, e.acct.Login, e.acct.Password)
	blob := c.saveSMTP(t, e.acct.SMTPLogin, e.acct.SMTPPassword)
	for _, tc := range []struct{ field, value, says string }{
		{"in_reply_to", "abc@example.org\r\nX-Injected: yes", "In-Reply-To"},
		{"in_reply_to", "not an identifier", "In-Reply-To"},
		{"references", "<a@example.org>\r\nX-Injected: yes", "References"},
		{"reply_of", "INBOX/x/1", "answering"},
		{"forward_of", "nothing", "forwarding"},
		{"draft", "Drafts/1/0", "draft"},
	} {
		t.Run(tc.field+" "+strconv.Quote(tc.value), func(t *testing.T) {
			sent := len(e.demo.Received())
			fields := [][2]string{{"to", "ann@example.net"}, {"subject", "Hi"}, {"body", "x"}, {"smtp_blob", blob}, {tc.field, tc.value}}
			doc := parse(t, c.postForm(t, "/compose/send", fields), http.StatusUnprocessableEntity)
			if msg := text(doc.Find("[data-testid=compose-error]")); !strings.Contains(msg, tc.says) {
				t.Errorf("error %q, want it to name %s", msg, tc.says)
			}
			if got := doc.Find("input[name="+tc.field+"]").AttrOr("value", ""); got != "" {
				t.Errorf("the refused %s comes back as %q", tc.field, got)
			}
			if len(e.demo.Received()) != sent {
				t.Fatal("the message was sent")
			}
			resp := c.postForm(t, "/compose/send", with(composeFields(doc), "smtp_blob", blob))
			resp.Body.Close()
			if resp.StatusCode != http.StatusSeeOther {
				t.Errorf("sending again: status %d", resp.StatusCode)
			}
		})
	}
	for _, d := range e.demo.Received() {
		if bytes.Contains(d.Data, []byte("X-Injected")) {
			t.Fatal("an injected header reached the SMTP server")
		}
	}
}

// TestOAuthButtonsCarryNoFiles: when a session ends, the sign-in buttons
// carry the message's text, never its files (their flow is kept on the
// server): the page names the files to attach again, and so does the
// form after signing in.
func TestOAuthButtonsCarryNoFiles(t *testing.T) {
	t.Parallel()
	e := newOAuthEnv(t, nil, demo.ProviderOptions{})
	c := e.client()
	c.oauthLogin(t, "alice@example.org")
	if err := e.store.Delete(c.sessionCookie(t)); err != nil {
		t.Fatal(err)
	}
	files := testFiles()
	doc := parse(t, c.postForm(t, "/compose/send", [][2]string{{"to", "demo@example.org"}, {"subject", "Half-written"}, {"body", "Words I typed"}}, files...), http.StatusUnauthorized)
	button := doc.Find("form:has([data-testid=oauth-demo])")
	if n := button.Find("input[name=c_keep]").Length(); n != 0 {
		t.Errorf("the sign-in button carries %d files", n)
	}
	if n := doc.Find(`[data-testid=login-form] input[name=c_keep][value^="data:"]`).Length(); n != 2 {
		t.Errorf("the password form carries %d files, want 2", n)
	}
	names := []string{message.SafeFilename(files[0].name), files[1].name}
	for _, name := range names {
		if got := text(doc.Find("[data-testid=provider-files-again]")); !strings.Contains(got, name) {
			t.Errorf("the page says %q about the sign-in buttons, want it to name %q", got, name)
		}
	}
	carried := url.Values{}
	button.Find("input[type=hidden]").Each(func(_ int, s *goquery.Selection) {
		carried.Add(s.AttrOr("name", ""), s.AttrOr("value", ""))
	})

	authURL := c.oauthStart(t, carried)
	all, err := e.store.All()
	if err != nil {
		t.Fatal(err)
	}
	chunk := files[0].data[999:1059] // at a multiple of 3: as base64 encodes it in the file
	for token, v := range all {
		if bytes.Contains(v, chunk) || bytes.Contains(v, []byte(base64.StdEncoding.EncodeToString(chunk))) {
			t.Errorf("the session store entry %.8s… holds the file's content", token)
		}
	}
	doc = parse(t, c.callback(t, c.consent(t, authURL, "alice@example.org", "allow")), http.StatusOK)
	if got := doc.Find("textarea[name=body]").Text(); got != "Words I typed" {
		t.Errorf("after signing in again the body is %q", got)
	}
	notice := text(doc.Find("[data-testid=compose-notice]"))
	for _, name := range names {
		if !strings.Contains(notice, name) {
			t.Errorf("after signing in the notice %q does not ask for %q again", notice, name)
		}
	}
}

// TestKeptAttachmentsOnDovecot runs the round trip through a real IMAP
// server: its BODYSTRUCTURE of a draft the webmail wrote must number the
// attachments as the form does (parts 2 and 3), and a draft it reopens
// must list them.
func TestKeptAttachmentsOnDovecot(t *testing.T) {
	t.Parallel()
	dc := dovecot.Start(t, dovecot.Options{})
	accts := []demo.Account{{Login: dovecot.DefaultLogin, Password: dovecot.DefaultPassword,
		SMTPLogin: "alice-smtp", SMTPPassword: "alice-smtp-secret", Address: dovecot.DefaultLogin, Name: "Alice"}}
	e := newEnvWith(t, demo.Options{Accounts: accts, Empty: true}, func(c *config.Config) {
		c.IMAP.Host, c.IMAP.Port = splitHostPort(t, dc.Addr())
	})
	c := e.client()
	c.login(t, e.acct.Login, e.acct.Password)
	files := testFiles()
	smtpFields := []string{"smtp_login", e.acct.SMTPLogin, "smtp_password", e.acct.SMTPPassword}

	doc := parse(t, c.postForm(t, "/compose/send", [][2]string{{"to", "ann@example"}, {"subject", "Dovecot"}, {"body", "Two files."}}, files...), http.StatusUnprocessableEntity)
	checkKept(t, doc, "d:", files)
	if got := draftCount(t, c); got != 1 {
		t.Fatalf("Drafts holds %d messages, want the draft", got)
	}
	// Reopened, the draft lists the same parts.
	ref := doc.Find("input[name=draft]").AttrOr("value", "")
	reopened := c.page(t, "/compose?draft="+url.QueryEscape(ref), http.StatusOK)
	checkKept(t, reopened, "d:", files)
	if a, b := keptFields(doc), keptFields(reopened); fmt.Sprint(a) != fmt.Sprint(b) {
		t.Errorf("the form after saving keeps %v, the reopened draft %v: the server numbers the parts otherwise", a, b)
	}

	resp := c.postForm(t, "/compose/send", with(composeFields(reopened), append([]string{"to", "ann@example.net"}, smtpFields...)...))
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("send: status %d\n%s", resp.StatusCode, body)
	}
	checkDelivered(t, lastDelivery(t, e.demo).Data, files)
	if got := draftCount(t, c); got != 0 {
		t.Errorf("after sending Drafts holds %d messages, want none", got)
	}
}
