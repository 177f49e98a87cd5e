package demo

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"mime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// testNow is the anchor time of the tests' demo mailboxes.
func testNow() time.Time { return time.Date(2026, time.March, 14, 15, 30, 0, 0, time.UTC) }

// startServer starts a demo server anchored at testNow unless opt.Now is
// set, and closes it at the end of the test.
func startServer(t testing.TB, opt Options) *Server {
	t.Helper()
	if opt.Now.IsZero() {
		opt.Now = testNow()
	}
	s, err := Start(t.Context(), opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Error(err)
		}
	})
	return s
}

// dialIMAP connects to the server and logs in.
func dialIMAP(t testing.TB, s *Server, login, password string) *imapclient.Client {
	t.Helper()
	c, err := imapclient.DialInsecure(s.IMAPAddr(), &imapclient.Options{
		WordDecoder: &mime.WordDecoder{CharsetReader: testCharsetReader},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if err := c.Login(login, password).Wait(); err != nil {
		t.Fatalf("LOGIN %s: %v", login, err)
	}
	return c
}

func demoAccount(s *Server) Account { return s.Accounts()[0] }

// fetchAll selects the mailbox and fetches all its messages.
func fetchAll(t testing.TB, c *imapclient.Client, mailbox string, options *imap.FetchOptions) []*imapclient.FetchMessageBuffer {
	t.Helper()
	data, err := c.Select(mailbox, &imap.SelectOptions{ReadOnly: true}).Wait()
	if err != nil {
		t.Fatalf("SELECT %s: %v", mailbox, err)
	}
	if data.NumMessages == 0 {
		return nil
	}
	msgs, err := c.Fetch(imap.SeqSet{{Start: 1, Stop: 0}}, options).Collect()
	if err != nil {
		t.Fatalf("FETCH in %s: %v", mailbox, err)
	}
	return msgs
}

func TestStartDefaults(t *testing.T) {
	s := startServer(t, Options{Empty: true})
	if got, want := s.Accounts(), DefaultAccounts(); !slices.Equal(got, want) {
		t.Errorf("Accounts() = %v, want %v", got, want)
	}
	demo := demoAccount(s)
	if demo.Login == demo.SMTPLogin || demo.Password == demo.SMTPPassword {
		t.Errorf("the demo account's SMTP credentials must differ from its IMAP ones: %+v", demo)
	}
	if s.IMAPAddr() == s.SMTPAddr() {
		t.Errorf("IMAP and SMTP share the address %s", s.IMAPAddr())
	}
	if err := s.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if _, err := imapclient.DialInsecure(s.IMAPAddr(), nil); err == nil {
		t.Error("IMAP still accepts connections after Close")
	}
}

func TestStartRejectsBadAccounts(t *testing.T) {
	a := DefaultAccounts()[0]
	for _, accounts := range [][]Account{
		{a, a},
		{{Login: "x", SMTPLogin: "x"}},
	} {
		if s, err := Start(t.Context(), Options{Accounts: accounts, Empty: true}); err == nil {
			s.Close()
			t.Errorf("Start with accounts %v succeeded", accounts)
		}
	}
}

func TestAppend(t *testing.T) {
	s := startServer(t, Options{Empty: true})
	alice := s.Accounts()[1]
	raw := []byte("From: Test <test@example.com>\r\nTo: alice@example.org\r\nSubject: Appended\r\nDate: Sat, 14 Mar 2026 10:00:00 +0000\r\nMessage-Id: <appended@example.com>\r\n\r\nHello.\r\n")
	date := time.Date(2026, time.March, 14, 10, 0, 0, 0, time.UTC)
	if err := s.Append(t.Context(), alice.Login, "Archive", raw, []imap.Flag{imap.FlagFlagged}, date); err != nil {
		t.Fatal(err)
	}
	if err := s.Append(t.Context(), "nobody", "INBOX", raw, nil, date); err == nil {
		t.Error("Append for an unknown login succeeded")
	}
	if err := s.Append(t.Context(), alice.Login, "No such folder", raw, nil, date); err == nil {
		t.Error("Append to an unknown folder succeeded")
	}

	c := dialIMAP(t, s, alice.Login, alice.Password)
	msgs := fetchAll(t, c, "Archive", &imap.FetchOptions{
		Flags: true, InternalDate: true, BodySection: []*imap.FetchItemBodySection{{Peek: true}},
	})
	if len(msgs) != 1 {
		t.Fatalf("Archive has %d messages, want 1", len(msgs))
	}
	m := msgs[0]
	if !bytes.Equal(m.FindBodySection(&imap.FetchItemBodySection{Peek: true}), raw) {
		t.Errorf("body = %q, want %q", m.FindBodySection(&imap.FetchItemBodySection{}), raw)
	}
	if !m.InternalDate.Equal(date) || !slices.Contains(m.Flags, imap.FlagFlagged) {
		t.Errorf("internal date %v and flags %v, want %v and \\Flagged", m.InternalDate, m.Flags, date)
	}
}

// TestDeterministic checks that two servers started with the same anchor
// time hold identical mailboxes, byte for byte, and that the anchor moves
// the dates.
func TestDeterministic(t *testing.T) {
	dump := func(now time.Time) []string {
		s := startServer(t, Options{Now: now, InboxSize: 120})
		c := dialIMAP(t, s, demoAccount(s).Login, demoAccount(s).Password)
		var out []string
		for _, f := range standardFolders {
			for _, m := range fetchAll(t, c, f.name, &imap.FetchOptions{
				UID: true, Flags: true, InternalDate: true, BodySection: []*imap.FetchItemBodySection{{Peek: true}},
			}) {
				flags := slices.Clone(m.Flags)
				slices.Sort(flags)
				out = append(out, fmt.Sprintf("%s %d %v %v %x", f.name, m.UID, flags, m.InternalDate.Unix(),
					sha256.Sum256(m.FindBodySection(&imap.FetchItemBodySection{Peek: true}))))
			}
		}
		return out
	}
	a, b := dump(testNow()), dump(testNow())
	if len(a) == 0 || !slices.Equal(a, b) {
		t.Fatalf("two starts differ:\n%s\n---\n%s", strings.Join(a, "\n"), strings.Join(b, "\n"))
	}
	later := dump(testNow().AddDate(0, 0, 7))
	if len(later) != len(a) || slices.Equal(later, a) {
		t.Errorf("a later anchor gives the same mailbox")
	}
}
