package search

import (
	"fmt"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
	"github.com/google/go-cmp/cmp"
)

// recordingSession is the memory server's session, sending every SEARCH
// criteria the server decoded from the wire to got.
type recordingSession struct {
	*imapmemserver.UserSession // nil until Login
	user                       *imapmemserver.User
	got                        chan<- imap.SearchCriteria
}

func (s *recordingSession) Login(username, password string) error {
	if err := s.user.Login(username, password); err != nil {
		return err
	}
	s.UserSession = imapmemserver.NewUserSession(s.user)
	return nil
}

func (s *recordingSession) Search(kind imapserver.NumKind, c *imap.SearchCriteria, opts *imap.SearchOptions) (*imap.SearchData, error) {
	select {
	case s.got <- clone(*c): // the memory server rewrites nested criteria
	default:
	}
	return s.UserSession.Search(kind, c, opts)
}

// clone copies the criteria's nested Not and Or criteria.
func clone(c imap.SearchCriteria) imap.SearchCriteria {
	not := c.Not
	c.Not = nil
	for _, n := range not {
		c.Not = append(c.Not, clone(n))
	}
	or := c.Or
	c.Or = nil
	for _, o := range or {
		c.Or = append(c.Or, [2]imap.SearchCriteria{clone(o[0]), clone(o[1])})
	}
	return c
}

type testLogger struct{ t *testing.T }

func (l testLogger) Printf(format string, args ...any) { l.t.Logf(format, args...) }

// imapPeer is an in-process go-imap memory server on 127.0.0.1:0 and a
// logged-in client.
type imapPeer struct {
	c   *imapclient.Client
	got chan imap.SearchCriteria
}

func newIMAPPeer(t *testing.T, caps imap.CapSet) *imapPeer {
	t.Helper()
	user := imapmemserver.NewUser("user", "pass")
	if err := user.Create("INBOX", nil); err != nil {
		t.Fatal(err)
	}
	got := make(chan imap.SearchCriteria, 1)
	srv := imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return &recordingSession{user: user, got: got}, nil, nil
		},
		Caps:         caps,
		InsecureAuth: true,
		Logger:       testLogger{t},
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	c, err := imapclient.DialInsecure(ln.Addr().String(), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if err := c.Login("user", "pass").Wait(); err != nil {
		t.Fatal(err)
	}
	return &imapPeer{c: c, got: got}
}

func (p *imapPeer) append(t *testing.T, raw string, flags []imap.Flag) imap.UID {
	t.Helper()
	cmd := p.c.Append("INBOX", int64(len(raw)), &imap.AppendOptions{Flags: flags})
	if _, err := cmd.Write([]byte(raw)); err != nil {
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

// search runs UID SEARCH and returns the UIDs found and the criteria the
// server decoded.
func (p *imapPeer) search(t *testing.T, c imap.SearchCriteria) ([]imap.UID, imap.SearchCriteria) {
	t.Helper()
	for len(p.got) > 0 {
		<-p.got
	}
	data, err := p.c.UIDSearch(&c, nil).Wait()
	if err != nil {
		t.Fatalf("UID SEARCH: %v", err)
	}
	var got imap.SearchCriteria
	select {
	case got = <-p.got:
	case <-time.After(5 * time.Second):
		t.Fatal("the server did not record the search")
	}
	return data.AllUIDs(), got
}

// testMessage is one message of the test mailbox.
type testMessage struct {
	name  string
	flags []imap.Flag
	raw   string
}

// rfc822 builds a message. headers are "Key: value" lines; a Content-Type
// of text/plain UTF-8 is added unless one is given.
func rfc822(body string, headers ...string) string {
	var b strings.Builder
	hasCT := false
	for _, h := range headers {
		hasCT = hasCT || strings.HasPrefix(h, "Content-Type:")
		b.WriteString(h + "\r\n")
	}
	if !hasCT {
		b.WriteString("Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n")
	}
	b.WriteString("MIME-Version: 1.0\r\n\r\n")
	b.WriteString(strings.ReplaceAll(body, "\n", "\r\n"))
	return b.String()
}

var (
	seen     = []imap.Flag{imap.FlagSeen}
	unread   []imap.Flag
	toMe     = "To: me@example.com"
	bigBody  = strings.Repeat("backup log line 0123456789 abcdefghij\n", 200<<10/38)
	mixedPDF = "--b1\n" +
		"Content-Type: text/plain; charset=utf-8\n\n" +
		"Please find the invoice attached.\n" +
		"--b1\n" +
		"Content-Type: application/pdf\n" +
		"Content-Disposition: attachment; filename=invoice.pdf\n" +
		"Content-Transfer-Encoding: base64\n\n" +
		"JVBERi0xLjQKJcOkw7zDtsOfCg==\n" +
		"--b1--\n"
	alternative = "--b2\n" +
		"Content-Type: text/plain; charset=utf-8\n\n" +
		"Spring offers inside.\n" +
		"--b2\n" +
		"Content-Type: text/html; charset=utf-8\n\n" +
		"<p>Our spring <b>sale</b> starts now.</p>\n" +
		"--b2--\n"
)

// testMailbox is 20 messages crafted to match or not match the queries of
// TestSearchIMAP. "Today" is testNow, 15 March 2026.
var testMailbox = []testMessage{
	{"meeting", seen, rfc822("Let's meet at noon in room 4.\n",
		"From: Alice Smith <alice@example.com>", "To: bob@example.org",
		"Subject: Meeting on Monday", "Date: Mon, 02 Mar 2026 09:00:00 +0000")},
	{"reply", []imap.Flag{imap.FlagSeen, imap.FlagAnswered}, rfc822("Noon works for me.\n",
		"From: Bob Jones <bob@example.org>", "To: alice@example.com", "Cc: Carol White <carol@example.net>",
		"Subject: Re: Meeting on Monday", "Date: Tue, 03 Mar 2026 10:00:00 +0000")},
	{"invoice", unread, rfc822(mixedPDF,
		"From: Carol White <carol@example.net>", "To: bob@example.org", "Subject: Invoice March",
		"Date: Sat, 14 Mar 2026 16:00:00 +0000", "Content-Type: multipart/mixed; boundary=b1")},
	{"deals", unread, rfc822("Big sale on shoes.\n",
		"From: Shop <newsletter@shop.example>", "To: bob@example.org", "Subject: Weekly deals",
		"Date: Tue, 10 Mar 2026 06:00:00 +0000")},
	{"russian", seen, rfc822("Привет, мир!\n",
		"From: =?utf-8?b?0JTQvNC40YLRgNC40Lk=?= <dmitri@example.ru>", toMe,
		"Subject: =?utf-8?b?0J/RgNC+0LLQtdGA0LrQsCDRgdCy0Y/Qt9C4?=", "Date: Fri, 20 Feb 2026 12:00:00 +0300")},
	{"report", []imap.Flag{imap.FlagSeen, imap.FlagFlagged}, rfc822("The quarterly numbers are in.\n",
		"From: alice@example.com", toMe, "Subject: Quarterly report", "Date: Thu, 15 Jan 2026 12:00:00 +0000")},
	{"quotes", seen, rfc822("Saved to C:\\path\\to\\file and then \"x\" OR ALL.\n",
		"From: bob@example.org", toMe, `Subject: He said "hi"`, "Date: Wed, 31 Dec 2025 18:00:00 +0000")},
	{"old", seen, rfc822("Nothing new.\n",
		"From: bob@example.org", toMe, "Subject: Old news", "Date: Sun, 01 Jun 2025 12:00:00 +0000")},
	{"notes", seen, rfc822("Notes from the meeting, inline.\n",
		"From: carol@example.net", toMe, "Subject: re:meeting notes", "Date: Fri, 13 Mar 2026 12:00:00 +0000")},
	{"pdf-only", unread, rfc822("JVBERi0xLjQKJcOkw7zDtsOfCg==\n",
		"From: scanner@example.com", toMe, "Subject: Scan", "Date: Thu, 12 Mar 2026 12:00:00 +0000",
		"Content-Type: application/pdf", "Content-Disposition: attachment; filename=scan.pdf",
		"Content-Transfer-Encoding: base64")},
	{"alternative", seen, rfc822(alternative,
		"From: Shop <newsletter@shop.example>", toMe, "Subject: Spring offers",
		"Date: Wed, 11 Mar 2026 12:00:00 +0000", "Content-Type: multipart/alternative; boundary=b2")},
	{"big", seen, rfc822(bigBody,
		"From: backup@example.com", toMe, "Subject: Backup log", "Date: Mon, 09 Mar 2026 03:00:00 +0000")},
	{"today", []imap.Flag{imap.FlagFlagged}, rfc822("Pizza?\n",
		"From: alice@example.com", toMe, "Subject: Lunch today?", "Date: Sun, 15 Mar 2026 08:00:00 +0000")},
	{"nodate", seen, rfc822("There is no date here.\n",
		"From: bob@example.org", toMe, "Subject: Undated")},
	{"dash", seen, rfc822("Your e-mail account is ready.\n",
		"From: alice@example.com", toMe, "Subject: Account setup", "Date: Thu, 05 Mar 2026 12:00:00 +0000")},
	{"tokyo", []imap.Flag{imap.FlagSeen, imap.FlagAnswered}, rfc822("東京 in April.\n",
		"From: carol@example.net", toMe, "Subject: Trip", "Date: Sun, 08 Mar 2026 12:00:00 +0900")},
	{"deals-old", seen, rfc822("Sale on hats.\n",
		"From: Shop <newsletter@shop.example>", toMe, "Subject: Weekly deals", "Date: Tue, 03 Feb 2026 06:00:00 +0000")},
	{"team", seen, rfc822("The update is below.\n",
		"From: dave@example.com", "To: team@example.com", "Cc: alice@example.com",
		"Subject: Team update", "Date: Mon, 16 Feb 2026 12:00:00 +0000")},
	{"late", seen, rfc822("Late.\n",
		"From: erin@example.com", toMe, "Subject: Late night", "Date: Sun, 01 Mar 2026 23:30:00 -0500")},
	{"month-end", seen, rfc822("Month closed.\n",
		"From: bob@example.org", toMe, "Subject: End of month", "Date: Sat, 28 Feb 2026 12:00:00 +0000")},
}

// TestSearchIMAP runs queries against a real go-imap memory server holding
// testMailbox and checks the messages found. It also checks that the
// criteria the server decoded from the wire are the criteria sent. It runs
// once with IMAP4rev2 (UTF-8 strings) and once with IMAP4rev1 only
// (CHARSET UTF-8 and literals for non-ASCII text).
func TestSearchIMAP(t *testing.T) {
	t.Parallel()
	every := func(except ...string) []string {
		var names []string
		for _, m := range testMailbox {
			if !slices.Contains(except, m.name) {
				names = append(names, m.name)
			}
		}
		return names
	}
	unreadNames := []string{"invoice", "deals", "pdf-only", "today"}
	tests := []struct {
		query string
		want  []string
	}{
		{"meeting", []string{"meeting", "reply", "notes"}},
		{"re:meeting", []string{"notes"}},
		{`"Meeting on Monday"`, []string{"meeting", "reply"}},
		{"MEETING monday", []string{"meeting", "reply"}},
		{"from:alice", []string{"meeting", "report", "today", "dash"}},
		{`from:"Alice Smith"`, []string{"meeting"}},
		{"from:example.net", []string{"invoice", "notes", "tokyo"}},
		{"to:bob", []string{"meeting", "invoice", "deals"}},
		{"cc:carol", []string{"reply"}},
		{"cc:alice", []string{"team"}},
		{"subject:invoice", []string{"invoice"}},
		{"subject:noon", nil},
		{"body:noon", []string{"meeting", "reply"}},
		{"body:invoice", []string{"invoice"}},
		{"body:bob", nil},
		{"is:unread", unreadNames},
		{"is:read", every(unreadNames...)},
		{"NOT is:read", unreadNames},
		{"is:flagged", []string{"report", "today"}},
		{"is:unflagged", every("report", "today")},
		{"is:answered", []string{"reply", "tokyo"}},
		{"is:unanswered is:unread", unreadNames},
		{"has:attachment", []string{"invoice", "pdf-only"}},
		{"-has:attachment", every("invoice", "pdf-only")},
		// The memory server takes a message without a Date header as
		// sent in year 1: it matches every before: and no after:.
		{"before:2026", []string{"quotes", "old", "nodate"}},
		{"on:2025", []string{"quotes", "old"}},
		{"after:2026-03-13", []string{"invoice", "today"}},
		{"since:2026-03-13", []string{"invoice", "notes", "today"}},
		{"on:2026-02", []string{"russian", "deals-old", "team", "month-end"}},
		{"on:2026-03-01", []string{"late"}},
		{"on:2026-03-08", []string{"tokyo"}},
		{"on:today", []string{"today"}},
		{"on:yesterday", []string{"invoice"}},
		{"after:yesterday", []string{"today"}},
		{"after:7d", []string{"invoice", "deals", "notes", "pdf-only", "alternative", "big", "today"}},
		{"before:2w", []string{"russian", "report", "quotes", "old", "deals-old", "team", "month-end", "nodate"}},
		{"after:1y", every("nodate")},
		{"before:2030", every()},
		{"-since:1000", []string{"nodate"}},
		{"size>100K", []string{"big"}},
		{"size<100K", every("big")},
		{"size>100K size<1M", []string{"big"}},
		{"subject:Проверка", []string{"russian"}},
		{"привет", []string{"russian"}},
		{"from:Дмитрий", []string{"russian"}},
		{"東京", []string{"tokyo"}},
		{`C:\path\to\file`, []string{"quotes"}},
		{`subject:"He said"`, []string{"quotes"}},
		{"e-mail", []string{"dash"}},
		{"sale", []string{"deals", "alternative", "deals-old"}},
		{`subject:"weekly deals" -shoes`, []string{"deals-old"}},
		{"from:alice OR from:carol is:unread", []string{"invoice", "today"}},
		{"from:dave OR from:erin OR from:scanner", []string{"pdf-only", "team", "late"}},
		{"is:unread has:attachment size<1M", []string{"invoice", "pdf-only"}},
		{"sale -is:read OR is:flagged", []string{"deals"}},
		{"undated", []string{"nodate"}},
		{"", every()},
	}
	for _, caps := range []struct {
		name string
		caps imap.CapSet
	}{
		{"IMAP4rev2", imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapIMAP4rev2: {}}},
		{"IMAP4rev1", imap.CapSet{imap.CapIMAP4rev1: {}}},
	} {
		t.Run(caps.name, func(t *testing.T) {
			t.Parallel()
			p := newIMAPPeer(t, caps.caps) // one connection: the queries take turns
			uids := map[string]imap.UID{}
			for _, m := range testMailbox {
				uids[m.name] = p.append(t, m.raw, m.flags)
			}
			if _, err := p.c.Select("INBOX", nil).Wait(); err != nil {
				t.Fatal(err)
			}
			for _, tt := range tests {
				t.Run(tt.query, func(t *testing.T) {
					q, err := Parse(tt.query, testNow)
					if err != nil {
						t.Fatal(err)
					}
					got, decoded := p.search(t, q.Criteria)
					var want []imap.UID
					for _, name := range tt.want {
						uid, ok := uids[name]
						if !ok {
							t.Fatalf("no message %q", name)
						}
						want = append(want, uid)
					}
					slices.Sort(want)
					slices.Sort(got)
					if diff := cmp.Diff(names(uids, want), names(uids, got)); diff != "" {
						t.Errorf("%q found (-want +got):\n%s", tt.query, diff)
					}
					if diff := diffCriteria(q.Criteria, decoded); diff != "" {
						t.Errorf("%q: server decoded other criteria (-sent +decoded):\n%s", tt.query, diff)
					}
				})
			}
		})
	}
}

// names maps UIDs back to message names, for readable diffs.
func names(uids map[string]imap.UID, list []imap.UID) []string {
	var out []string
	for _, uid := range list {
		name := fmt.Sprintf("uid %d", uid)
		for n, u := range uids {
			if u == uid {
				name = n
			}
		}
		out = append(out, name)
	}
	return out
}
