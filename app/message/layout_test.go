package message

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"mime"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
	gomessage "github.com/emersion/go-message"
	"github.com/emersion/go-message/charset"
	"github.com/emersion/go-message/textproto"
	"github.com/google/go-cmp/cmp"
)

// entity describes a MIME entity for buildMessage.
type entity struct {
	header   [][2]string // Content-Type first; others as needed
	body     string      // for leaves; written through the header's transfer encoding
	children []entity
}

func leaf(ct, body string, more ...string) entity {
	e := entity{header: [][2]string{{"Content-Type", ct}}, body: body}
	for i := 0; i+1 < len(more); i += 2 {
		e.header = append(e.header, [2]string{more[i], more[i+1]})
	}
	return e
}

func multi(ct string, children ...entity) entity {
	return entity{header: [][2]string{{"Content-Type", ct}}, children: children}
}

// buildMessage writes a message with go-message's writer (which adds
// boundaries and applies transfer encodings).
func buildMessage(t testing.TB, top entity) []byte {
	t.Helper()
	var buf bytes.Buffer
	var h gomessage.Header
	h.Set("From", "Alice <alice@example.org>")
	h.Set("To", "bob@example.org")
	h.Set("Subject", "Test")
	h.Set("Date", "Mon, 03 Mar 2025 10:00:00 +0000")
	h.Set("Message-Id", "<test@example.org>")
	h.Set("Mime-Version", "1.0")
	for _, kv := range top.header {
		h.Set(kv[0], kv[1])
	}
	w, err := gomessage.CreateWriter(&buf, h)
	if err != nil {
		t.Fatal(err)
	}
	writeEntity(t, w, top)
	return buf.Bytes()
}

func writeEntity(t testing.TB, w *gomessage.Writer, e entity) {
	t.Helper()
	if len(e.children) == 0 {
		if _, err := io.WriteString(w, e.body); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range e.children {
		var h gomessage.Header
		for _, kv := range c.header {
			h.Set(kv[0], kv[1])
		}
		pw, err := w.CreatePart(h)
		if err != nil {
			t.Fatal(err)
		}
		writeEntity(t, pw, c)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

// imapPeer is an in-process imapmemserver with a logged-in client that has
// INBOX selected: the real peer the app talks to.
type imapPeer struct {
	c *imapclient.Client
}

func newIMAPPeer(t *testing.T) *imapPeer {
	t.Helper()
	mem := imapmemserver.New()
	user := imapmemserver.NewUser("user", "pass")
	if err := user.Create("INBOX", nil); err != nil {
		t.Fatal(err)
	}
	mem.AddUser(user)
	srv := imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return mem.NewSession(), nil, nil
		},
		Caps:         imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapIMAP4rev2: {}},
		InsecureAuth: true,
		Logger:       testLogger{t},
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	c, err := imapclient.DialInsecure(ln.Addr().String(), &imapclient.Options{
		WordDecoder: &mime.WordDecoder{CharsetReader: charset.Reader},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if err := c.Login("user", "pass").Wait(); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Select("INBOX", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	return &imapPeer{c: c}
}

type testLogger struct{ t *testing.T }

func (l testLogger) Printf(format string, args ...any) { l.t.Logf(format, args...) }

func (p *imapPeer) appendMessage(t *testing.T, raw []byte) imap.UID {
	t.Helper()
	cmd := p.c.Append("INBOX", int64(len(raw)), nil)
	if _, err := cmd.Write(raw); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Close(); err != nil {
		t.Fatal(err)
	}
	data, err := cmd.Wait()
	if err != nil {
		t.Fatal(err)
	}
	return data.UID
}

func (p *imapPeer) bodyStructure(t *testing.T, uid imap.UID) imap.BodyStructure {
	t.Helper()
	msgs, err := p.c.Fetch(imap.UIDSetNum(uid), &imap.FetchOptions{
		BodyStructure: &imap.FetchItemBodyStructure{Extended: true},
	}).Collect()
	if err != nil || len(msgs) != 1 {
		t.Fatalf("FETCH BODYSTRUCTURE: %v, %d messages", err, len(msgs))
	}
	return msgs[0].BodyStructure
}

func (p *imapPeer) section(t *testing.T, uid imap.UID, part []int) []byte {
	t.Helper()
	item := &imap.FetchItemBodySection{Part: part, Peek: true}
	msgs, err := p.c.Fetch(imap.UIDSetNum(uid), &imap.FetchOptions{BodySection: []*imap.FetchItemBodySection{item}}).Collect()
	if err != nil || len(msgs) != 1 {
		t.Fatalf("FETCH BODY.PEEK[%v]: %v, %d messages", part, err, len(msgs))
	}
	return msgs[0].FindBodySection(item)
}

// summary is a readable, comparable form of a Layout.
func summary(l Layout) []string {
	line := func(role string, p Part) string {
		s := fmt.Sprintf("%s %s %s", role, p.Section(), p.Type)
		if p.Filename != "" {
			s += " name=" + p.Filename
		}
		if p.ContentID != "" {
			s += " cid=" + p.ContentID
		}
		if p.Disposition != "" {
			s += " disp=" + p.Disposition
		}
		return s
	}
	var out []string
	if l.Text != nil {
		out = append(out, line("text", *l.Text))
	}
	if l.HTML != nil {
		out = append(out, line("html", *l.HTML))
	}
	for _, p := range l.Inline {
		out = append(out, line("inline", p))
	}
	for _, p := range l.Attachments {
		out = append(out, line("attachment", p))
	}
	for _, m := range l.Messages {
		if m.HeadersOnly {
			out = append(out, line("headers", m.Part))
			continue
		}
		out = append(out, line("message", m.Part)+" subject="+m.Envelope.Subject)
		for _, s := range summary(m.Layout) {
			out = append(out, "  "+s)
		}
	}
	return out
}

const pngB64 = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGNgYGAAAAAEAAH2FzhVAAAAAElFTkSuQmCC"

var layoutCases = []struct {
	name string
	msg  entity
	want []string
}{
	{"single text", leaf("text/plain; charset=utf-8; format=flowed", "hello \nworld\n"),
		[]string{"text 1 text/plain"}},
	{"single html", leaf("text/html; charset=utf-8", "<p>hi</p>"),
		[]string{"html 1 text/html"}},
	{"single image", leaf("image/png; name=x.png", pngB64, "Content-Transfer-Encoding", "base64"),
		[]string{"attachment 1 image/png name=x.png"}},
	{"alternative", multi("multipart/alternative",
		leaf("text/plain; charset=utf-8", "hi"),
		leaf("text/html; charset=utf-8", "<p>hi</p>")),
		[]string{"text 1 text/plain", "html 2 text/html"}},
	{"alternative with other renderings", multi("multipart/alternative",
		leaf("text/plain", "hi"),
		leaf("text/enriched", "<bold>hi</bold>"),
		leaf("text/watch-html", "<p>hi</p>"),
		leaf("text/html", "<p>hi</p>"),
		leaf("text/calendar; method=REQUEST", "BEGIN:VCALENDAR")),
		[]string{"text 1 text/plain", "html 4 text/html", "attachment 5 text/calendar"}},
	{"newsletter with everything", multi("multipart/mixed",
		multi("multipart/alternative",
			leaf("text/plain; charset=utf-8", "hi"),
			multi("multipart/related",
				leaf("text/html; charset=utf-8", `<img src="cid:logo@x">`),
				leaf("image/png", pngB64, "Content-Transfer-Encoding", "base64", "Content-Id", "<logo@x>"),
				leaf("image/png", pngB64, "Content-Transfer-Encoding", "base64", "Content-Id", "<other@x>", "Content-Disposition", "inline; filename=other.png"))),
		leaf("application/pdf", "JVBERi0=", "Content-Transfer-Encoding", "base64", "Content-Disposition", `attachment; filename="report.pdf"`),
		leaf("message/rfc822", "Subject: inner\r\n\r\nbody\r\n")),
		[]string{"text 1.1 text/plain", "html 1.2.1 text/html",
			"inline 1.2.2 image/png cid=logo@x", "inline 1.2.3 image/png name=other.png cid=other@x disp=inline",
			"attachment 2 application/pdf name=report.pdf disp=attachment", "message 3 message/rfc822 subject=inner", "  text 3.1 text/plain"}},
	{"mixed with attached text and image", multi("multipart/mixed",
		leaf("text/plain", "body"),
		leaf("text/plain; name=notes.txt", "notes", "Content-Disposition", "attachment; filename=notes.txt"),
		leaf("text/html", "<p>attached page</p>", "Content-Disposition", "attachment; filename=page.html"),
		leaf("image/jpeg; name=photo.jpg", "/9j/4AAQ", "Content-Transfer-Encoding", "base64", "Content-Disposition", "inline; filename=photo.jpg")),
		[]string{"text 1 text/plain", "attachment 2 text/plain name=notes.txt disp=attachment",
			"attachment 3 text/html name=page.html disp=attachment", "attachment 4 image/jpeg name=photo.jpg disp=inline"}},
	{"mixed with two text bodies: the first is shown", multi("multipart/mixed",
		leaf("text/plain", "first"),
		leaf("text/plain", "second"),
		leaf("text/html", "<p>third</p>")),
		[]string{"text 1 text/plain", "attachment 2 text/plain", "attachment 3 text/html"}},
	{"mixed starting with an attachment", multi("multipart/mixed",
		leaf("application/zip", "UEs=", "Content-Transfer-Encoding", "base64", "Content-Disposition", "attachment; filename=a.zip"),
		leaf("text/html", "<p>body</p>")),
		[]string{"html 2 text/html", "attachment 1 application/zip name=a.zip disp=attachment"}},
	{"signed", multi("multipart/signed; protocol=\"application/pgp-signature\"; micalg=pgp-sha256",
		multi("multipart/alternative",
			leaf("text/plain", "hi"),
			leaf("text/html", "<p>hi</p>")),
		leaf("application/pgp-signature; name=signature.asc", "-----BEGIN PGP SIGNATURE-----", "Content-Disposition", "attachment; filename=signature.asc")),
		[]string{"text 1.1 text/plain", "html 1.2 text/html", "attachment 2 application/pgp-signature name=signature.asc disp=attachment"}},
	{"related with a start parameter", multi(`multipart/related; type="text/html"; start="<root@x>"`,
		leaf("image/gif", "R0lGODlhAQABAAAAACw=", "Content-Transfer-Encoding", "base64", "Content-Id", "<img@x>"),
		leaf("text/html", `<img src="cid:img@x">`, "Content-Id", "<root@x>")),
		[]string{"html 2 text/html cid=root@x", "inline 1 image/gif cid=img@x"}},
	{"related without html", multi("multipart/related",
		leaf("text/plain", "no html"),
		leaf("image/png", pngB64, "Content-Transfer-Encoding", "base64", "Content-Id", "<x@y>")),
		[]string{"text 1 text/plain", "attachment 2 image/png cid=x@y"}},
	{"encoded file names", multi("multipart/mixed",
		leaf("text/plain", "x"),
		leaf("application/pdf", "JVBERi0=", "Content-Transfer-Encoding", "base64", "Content-Disposition", "attachment; filename*=utf-8''%E2%82%AC%20rates.pdf"),
		leaf("application/pdf; name=\"=?UTF-8?B?w6l0w6kucGRm?=\"", "JVBERi0=", "Content-Transfer-Encoding", "base64"),
		leaf("application/octet-stream", "AA==", "Content-Transfer-Encoding", "base64", "Content-Disposition", `attachment; filename="../../etc/passwd"`),
		leaf("application/octet-stream", "AA==", "Content-Transfer-Encoding", "base64", "Content-Disposition", "form-data; name=x; filename=f.bin")),
		[]string{"text 1 text/plain", "attachment 2 application/pdf name=€ rates.pdf disp=attachment",
			"attachment 3 application/pdf name=été.pdf", "attachment 4 application/octet-stream name=passwd disp=attachment",
			"attachment 5 application/octet-stream name=f.bin disp=attachment"}},
	{"report", multi("multipart/report; report-type=delivery-status",
		leaf("text/plain", "Delivery failed"),
		leaf("message/delivery-status", "Reporting-MTA: dns; mx.example.org\r\n"),
		leaf("text/rfc822-headers", "Subject: x\r\n")),
		[]string{"text 1 text/plain", "attachment 2 message/delivery-status", "headers 3 text/rfc822-headers"}},
}

// TestLayoutOfIMAP builds messages with go-message, stores them in an
// in-process imapmemserver, fetches their BODYSTRUCTURE with imapclient and
// checks LayoutOf on it. It also checks that the structure Render builds
// itself gives the same Layout, and that rendering parts fetched with
// BODY.PEEK[section] gives what Render gives.
func TestLayoutOfIMAP(t *testing.T) {
	t.Parallel()
	peer := newIMAPPeer(t) // one connection: the subtests take turns
	for _, tc := range layoutCases {
		t.Run(tc.name, func(t *testing.T) {
			raw := buildMessage(t, tc.msg)
			uid := peer.appendMessage(t, raw)
			fetched := LayoutOf(peer.bodyStructure(t, uid))
			if diff := cmp.Diff(tc.want, summary(fetched)); diff != "" {
				t.Errorf("LayoutOf(BODYSTRUCTURE) (-want +got):\n%s", diff)
			}

			own := LayoutOf(ownStructure(t, raw))
			if diff := cmp.Diff(fetched, own); diff != "" {
				t.Errorf("Render's structure differs from the server's (-server +render):\n%s", diff)
			}

			// The live path: fetch the parts and run the same steps.
			rendered, err := Render(bytes.NewReader(raw), SanitizeOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if p := fetched.Text; p != nil {
				text, _, err := DecodeText(bytes.NewReader(peer.section(t, uid, p.Path)), *p, MaxTextSize)
				if err != nil {
					t.Fatal(err)
				}
				flowed, delSp := p.Flowed()
				if diff := cmp.Diff(rendered.TextHTML, TextToHTML(text, flowed, delSp)); diff != "" {
					t.Errorf("text body (-render +live):\n%s", diff)
				}
			}
			if p := fetched.HTML; p != nil {
				text, _, err := DecodeText(bytes.NewReader(peer.section(t, uid, p.Path)), *p, MaxTextSize)
				if err != nil {
					t.Fatal(err)
				}
				cid := func(id string) (string, bool) {
					ip, ok := fetched.InlinePart(id)
					if !ok {
						return "", false
					}
					data, err := io.ReadAll(DecodeBinary(bytes.NewReader(peer.section(t, uid, ip.Path)), ip.Encoding))
					if err != nil {
						return "", false
					}
					return ImageDataURI(data)
				}
				live := SanitizeHTML(text, SanitizeOptions{CID: cid})
				if diff := cmp.Diff(rendered.HTML, live); diff != "" {
					t.Errorf("HTML body (-render +live):\n%s", diff)
				}
			}
		})
	}
}

// ownStructure is the body structure Render builds for a raw message.
func ownStructure(t testing.TB, raw []byte) imap.BodyStructure {
	t.Helper()
	br := bufio.NewReader(bytes.NewReader(raw))
	h, err := textproto.ReadHeader(br)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(br)
	tree := &mimeTree{bodies: map[string][]byte{}}
	return tree.build(h, body, nil, 0, true)
}

// TestLayoutOfHostileIMAP runs the hostile corpus through the real server
// too: whatever the server makes of a damaged structure, LayoutOf must
// cope, and the bodies it picks must render safely.
func TestLayoutOfHostileIMAP(t *testing.T) {
	t.Parallel()
	peer := newIMAPPeer(t) // one connection: the subtests take turns
	for _, f := range hostileCorpus(t) {
		t.Run(f.name, func(t *testing.T) {
			uid := peer.appendMessage(t, f.raw)
			l := LayoutOf(peer.bodyStructure(t, uid))
			if p := l.HTML; p != nil {
				text, _, err := DecodeText(bytes.NewReader(peer.section(t, uid, p.Path)), *p, MaxTextSize)
				if err != nil {
					t.Fatal(err)
				}
				for _, pr := range sanitizedProblems(SanitizeHTML(text, SanitizeOptions{}).HTML, false) {
					t.Error(pr)
				}
			}
			for _, p := range l.Attachments {
				checkFilename(t, p.DownloadName())
			}
		})
	}
}

func TestLayoutOfEdgeCases(t *testing.T) {
	t.Parallel()
	if got := summary(LayoutOf(nil)); got != nil {
		t.Errorf("nil: %v", got)
	}
	if got := summary(LayoutOf((*imap.BodyStructureMultiPart)(nil))); got != nil {
		t.Errorf("typed nil: %v", got)
	}
	// Deep nesting ends in attachments, not in a stack overflow.
	var bs imap.BodyStructure = &imap.BodyStructureSinglePart{Type: "text", Subtype: "html"}
	for i := 0; i < 200; i++ {
		bs = &imap.BodyStructureMultiPart{Subtype: "mixed", Children: []imap.BodyStructure{bs}}
	}
	l := LayoutOf(bs)
	if len(l.Attachments) != 1 || l.HTML != nil {
		t.Errorf("deep: %v", summary(l))
	}
	// RFC 2231 parameters a server passed on undecoded.
	l = LayoutOf(&imap.BodyStructureSinglePart{
		Type: "APPLICATION", Subtype: "PDF", Encoding: "BASE64",
		Params: map[string]string{"NAME*0*": "utf-8''%E2%82%AC", "name*1": " x.pdf"},
		Extended: &imap.BodyStructureSinglePartExt{Disposition: &imap.BodyStructureDisposition{
			Value: "ATTACHMENT", Params: map[string]string{"filename*": "iso-8859-1'en'%E9t%E9.pdf"}}},
	})
	want := Part{Path: []int{1}, Type: "application/pdf", Params: map[string]string{"name": "€ x.pdf"},
		Encoding: "base64", Filename: "été.pdf", OriginalName: "été.pdf", Disposition: "attachment"}
	if diff := cmp.Diff([]Part{want}, l.Attachments); diff != "" {
		t.Errorf("RFC 2231 (-want +got):\n%s", diff)
	}
	if got := want.Section(); got != "1" {
		t.Errorf("Section = %q", got)
	}
	if got := (Part{Path: []int{1, 2, 3}}).Section(); got != "1.2.3" {
		t.Errorf("Section = %q", got)
	}
}

func TestResolveInline(t *testing.T) {
	t.Parallel()
	l := Layout{
		Inline:      []Part{{Path: []int{2}, ContentID: "a@x"}, {Path: []int{3}, ContentID: "b@x"}},
		Attachments: []Part{{Path: []int{4}}},
	}
	l.ResolveInline([]string{"A@x"})
	if diff := cmp.Diff([]string{"2"}, sections(l.Inline)); diff != "" {
		t.Errorf("inline (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"3", "4"}, sections(l.Attachments)); diff != "" {
		t.Errorf("attachments (-want +got):\n%s", diff)
	}
}

func sections(ps []Part) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Section())
	}
	return out
}

func TestSafeFilename(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{"report.pdf", "report.pdf"},
		{"../../etc/passwd", "passwd"},
		{`..\..\boot.ini`, "boot.ini"},
		{`"><img src=x onerror=alert(1)>.pdf`, "__img src=x onerror=alert(1)_.pdf"},
		{".bashrc", "bashrc"},
		{"...", "attachment"},
		{"", "attachment"},
		{"a\x00b\r\nc\x7f.txt", "ab c.txt"},
		{"invoice\u202efdp.exe", "invoicefdp.exe"},
		{"zero\u200bwidth.txt", "zerowidth.txt"},
		{"name. . ", "name"},
		{"-rf", "rf"},
		{"a   b\tc.txt", "a b c.txt"},
		{"what?<>:|*.txt", "what______.txt"},
		{"nul.txt", "_nul.txt"},
		{"COM1", "_COM1"},
		{"'quoted'.txt", "quoted.txt"},
		{strings.Repeat("é", 150) + ".pdf", strings.Repeat("é", 98) + ".pdf"},
	} {
		if got := SafeFilename(tc.in); got != tc.want {
			t.Errorf("SafeFilename(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	for _, tc := range []struct {
		p    Part
		want string
	}{
		{Part{Type: "application/pdf"}, "attachment.pdf"},
		{Part{Type: "message/rfc822"}, "message.eml"},
		{Part{Type: "message/rfc822", Filename: "Fwd: hi"}, "Fwd_ hi.eml"},
		{Part{Type: "application/x-unknown"}, "attachment"},
		{Part{Type: "image/png", Filename: "x.png"}, "x.png"},
	} {
		if got := tc.p.DownloadName(); got != tc.want {
			t.Errorf("DownloadName(%+v) = %q, want %q", tc.p, got, tc.want)
		}
	}
}

// TestHostileFilesParse makes sure the corpus files are what they claim:
// full messages with a From, a Subject and a test case header.
func TestHostileFilesParse(t *testing.T) {
	t.Parallel()
	paths, _ := filepath.Glob(filepath.Join(hostileDir, "*.eml"))
	for _, p := range paths {
		raw, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		h, _ := textproto.ReadHeader(bufio.NewReader(bytes.NewReader(raw)))
		for _, k := range []string{"From", "To", "Subject", "Date", "Message-Id", "Mime-Version", "X-Test-Case"} {
			if !h.Has(k) {
				t.Errorf("%s: no %s header", filepath.Base(p), k)
			}
		}
	}
}
