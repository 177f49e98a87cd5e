package app

import (
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"webmail/app/internal/dovecot"
	"webmail/views"

	"github.com/PuerkitoBio/goquery"
)

// readServer is a webmail in front of one of the two IMAP servers, with
// a way to put raw messages into INBOX.
type readServer struct {
	e       *env
	deliver func(t *testing.T, raw ...[]byte)
	dovecot bool
}

// eachReadServer runs f against go-imap's in-process server and against
// Dovecot.
func eachReadServer(t *testing.T, f func(t *testing.T, s readServer)) {
	t.Run("demo", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t)
		f(t, readServer{e: e, deliver: func(t *testing.T, raw ...[]byte) {
			for _, m := range raw {
				if err := e.demo.Append(t.Context(), e.acct.Login, "INBOX", m, nil, time.Now()); err != nil {
					t.Fatal(err)
				}
			}
		}})
	})
	t.Run("dovecot", func(t *testing.T) {
		t.Parallel()
		e, dc := newDovecotEnv(t, dovecot.Options{})
		f(t, readServer{e: e, dovecot: true, deliver: func(t *testing.T, raw ...[]byte) {
			dc.Deliver(t, dovecot.DefaultLogin, "INBOX", raw...)
		}})
	})
}

func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("message/testdata/messages/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// get fetches path and returns the body, failing unless the status is 200.
func (c *client) fetchOK(t *testing.T, path string) (string, *http.Response) {
	t.Helper()
	resp := c.do(t, "GET", path, nil)
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: status %d", path, resp.StatusCode)
	}
	return string(b), resp
}

// TestReadForwardedMessage: a forwarded message shows like a message, its
// header, its body (text, or HTML sanitised in a frame of its own), its
// attachments downloadable from inside it, and the message forwarded in
// it in turn; a bounce shows the headers of the returned message.
func TestReadForwardedMessage(t *testing.T) {
	t.Parallel()
	eachReadServer(t, func(t *testing.T, s readServer) {
		s.deliver(t, readTestdata(t, "forwarded.eml"), readTestdata(t, "bounce.eml"))
		c := s.e.client()
		c.login(t, s.e.acct.Login, s.e.acct.Password)
		href := c.findMessage(t, "INBOX", "Fwd: Quarterly numbers")

		doc := c.page(t, href+"?view=text", http.StatusOK)
		if got := text(doc.Find("[data-testid=text-body]")); got != "FYI, see the forwarded message below." {
			t.Errorf("body %q", got)
		}
		outer := doc.Find("[data-testid=message] > [data-testid=attached-message]")
		if outer.Length() != 1 {
			t.Fatalf("%d attached messages shown, want 1", outer.Length())
		}
		for sel, want := range map[string]string{
			"attached-subject": "Quarterly numbers",
			"attached-from":    "Françoise <francoise@example.com>",
			"attached-cc":      "Dave <dave@example.com>",
		} {
			if got := text(outer.Find("[data-testid=attached-headers] [data-testid=" + sel + "], [data-testid=" + sel + "]").First()); got != want {
				t.Errorf("%s = %q, want %q", sel, got, want)
			}
		}
		if got := text(outer.Find("[data-testid=attached-to]").First()); !strings.Contains(got, "carol@example.com") {
			t.Errorf("attached To %q", got)
		}
		if got := text(outer.Find("[data-testid=attached-date]").First()); got == "" {
			t.Error("no date for the attached message")
		}
		if got := text(outer.Find("[data-testid=attached-text-body]").First()); !strings.Contains(got, "The numbers are attached.") {
			t.Errorf("attached text body %q", got)
		}
		// Its attachment downloads from inside it.
		link := outer.Find("[data-testid=attachment-link]").First()
		if text(link) != "numbers.csv" {
			t.Fatalf("attached message's attachment %q", text(link))
		}
		if got, _ := c.fetchOK(t, link.AttrOr("href", "")); !strings.Contains(got, "north,42") {
			t.Errorf("numbers.csv = %q", got)
		}
		// The message forwarded in it, with its Latin-1 text.
		inner := outer.Find("[data-testid=attached-message]")
		if got := text(inner.Find("[data-testid=attached-subject]")); got != "Original request" {
			t.Errorf("inner subject %q", got)
		}
		if got := text(inner.Find("[data-testid=attached-text-body]")); !strings.Contains(got, "Grüße") {
			t.Errorf("inner body %q", got)
		}
		// The whole forwarded message downloads as .eml.
		dl := outer.Find("[data-testid=attached-download]").First()
		if got, _ := c.fetchOK(t, dl.AttrOr("href", "")); !strings.Contains(got, "Subject: Quarterly numbers") || !strings.Contains(got, "Subject: Original request") {
			t.Errorf("download of the attached message: %.200q", got)
		}

		// As HTML: the attached message's HTML in a sandboxed frame of its
		// own, sanitised like the message's.
		doc = c.page(t, href, http.StatusOK)
		frame := doc.Find("[data-testid=attached-html-body]")
		if frame.Length() != 1 {
			t.Fatalf("%d frames for the attached HTML, want 1", frame.Length())
		}
		if sb := frame.AttrOr("sandbox", ""); sb != views.FrameSandbox || strings.Contains(sb, "allow-scripts") || strings.Contains(sb, "allow-forms") {
			t.Errorf("sandbox %q", sb)
		}
		if doc.Find("[data-testid=remote-blocked]").Length() == 0 {
			t.Error("the attached message's remote image is not reported as blocked")
		}
		src := frame.AttrOr("src", "")
		check := func(who string, c *client) {
			body, resp := c.fetchOK(t, src)
			if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'none'") || !strings.Contains(csp, "; sandbox "+views.FrameSandbox) {
				t.Errorf("%s: frame CSP %q", who, csp)
			}
			fdoc, _ := goquery.NewDocumentFromReader(strings.NewReader(body))
			if got := text(fdoc.Find("body")); got != "The numbers are attached." {
				t.Errorf("%s: frame text %q", who, got)
			}
			if strings.Contains(body, "steal") || strings.Contains(body, "tracker.example") {
				t.Errorf("%s: frame not sanitised: %s", who, body)
			}
		}
		check("right after the view", c)
		// Another session has nothing kept: the frame is fetched afresh,
		// with the same result.
		other := s.e.client()
		other.login(t, s.e.acct.Login, s.e.acct.Password)
		check("another session", other)

		// A bounce shows the header of the message that came back.
		doc = c.page(t, c.findMessage(t, "INBOX", "Undelivered Mail Returned to Sender"), http.StatusOK)
		hdr := doc.Find("[data-testid=attached-message]")
		if got := text(hdr.Find("[data-testid=attached-subject]")); got != "Lunch – Friday" {
			t.Errorf("bounced subject %q", got)
		}
		if got := text(hdr.Find("[data-testid=attached-to]")); got != "nobody@example.net" {
			t.Errorf("bounced To %q", got)
		}
	})
}

// TestReadDecodesDamagedHeaders: raw 8-bit headers read by best guess,
// each encoded word decoded on its own, in the list and in the message;
// and (Dovecot; go-imap's server cannot even list it) a multipart whose
// boundary never appears shows its text.
func TestReadDecodesDamagedHeaders(t *testing.T) {
	t.Parallel()
	eachReadServer(t, func(t *testing.T, s readServer) {
		s.deliver(t, readTestdata(t, "latin1-header.eml"), readTestdata(t, "encoded-words.eml"))
		if s.dovecot {
			s.deliver(t, readTestdata(t, "missing-boundary.eml"))
		}
		c := s.e.client()
		c.login(t, s.e.acct.Login, s.e.acct.Password)

		row := c.findRow(t, "INBOX", "Grüße aus Köln")
		if s.dovecot { // go-imap's server drops a From it cannot parse
			if got := text(row.Find("a > b")); !strings.Contains(got, "Müller") {
				t.Errorf("list From %q", got)
			}
		}
		doc := c.page(t, row.Find("a").AttrOr("href", ""), http.StatusOK)
		if got := text(doc.Find("[data-testid=msg-subject]")); got != "Grüße aus Köln" {
			t.Errorf("subject %q", got)
		}
		if s.dovecot {
			if got := text(doc.Find("[data-testid=hdr-from]")); !strings.Contains(got, "Müller") {
				t.Errorf("From %q", got)
			}
		}
		if got := text(doc.Find("[data-testid=text-body]")); got != "Schöne Grüße." {
			t.Errorf("body %q", got)
		}

		const words = "Reportfür =?utf-8?b?!!broken?= März"
		doc = c.page(t, c.findMessage(t, "INBOX", words), http.StatusOK)
		if got := text(doc.Find("[data-testid=msg-subject]")); got != words {
			t.Errorf("subject %q, want %q", got, words)
		}
		if got := text(doc.Find("[data-testid=hdr-from]")); s.dovecot && got != "Ann <ann@example.net>" {
			t.Errorf("From %q", got) // go-imap's server drops it
		}

		if s.dovecot {
			doc = c.page(t, c.findMessage(t, "INBOX", "The boundary never appears"), http.StatusOK)
			if got := text(doc.Find("[data-testid=text-body]")); !strings.Contains(got, "the mailer forgot the boundary") {
				t.Errorf("body %q", got)
			}
		}
	})
}

// TestReadFixedWidth: plain text can be shown in a fixed-width font, by a
// link that works without JavaScript and is kept when switching between
// HTML and text.
func TestReadFixedWidth(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.client()
	c.login(t, e.acct.Login, e.acct.Password)
	doc := c.page(t, c.findMessage(t, "INBOX", "Useful links for your first week"), http.StatusOK)
	if doc.Find("[data-testid=text-body].mono").Length() != 0 {
		t.Fatal("fixed width before it was asked for")
	}
	mono := doc.Find("[data-testid=font-mono]").AttrOr("href", "")
	if mono == "" {
		t.Fatal("no link to a fixed-width view")
	}
	doc = c.page(t, mono, http.StatusOK)
	if doc.Find("[data-testid=text-body].mono").Length() != 1 {
		t.Error("the fixed-width link does not show the text in a fixed-width font")
	}
	if _, ok := doc.Find("[data-testid=font-mono]").Attr("aria-current"); !ok {
		t.Error("the fixed-width choice is not marked as current")
	}
	doc = c.page(t, doc.Find("[data-testid=font-proportional]").AttrOr("href", ""), http.StatusOK)
	if doc.Find("[data-testid=text-body].mono").Length() != 0 {
		t.Error("the proportional link keeps the fixed-width font")
	}

	doc = c.page(t, c.findMessage(t, "INBOX", "Team offsite agenda (Thursday)")+"?view=text&font=mono", http.StatusOK)
	html := doc.Find("[data-testid=show-html]").AttrOr("href", "")
	doc = c.page(t, html, http.StatusOK)
	if !strings.Contains(doc.Find("[data-testid=show-text]").AttrOr("href", ""), "font=mono") {
		t.Error("switching to HTML and back loses the fixed-width choice")
	}
}
