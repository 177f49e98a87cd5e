package dovecot_test

import (
	"bufio"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/google/go-cmp/cmp"

	"webmail/app/internal/dovecot"
)

// login dials s without TLS and logs in, closing the client at cleanup.
func login(tb testing.TB, s *dovecot.Server, user, password string) *imapclient.Client {
	tb.Helper()
	c, err := imapclient.DialInsecure(s.Addr(), nil)
	if err != nil {
		tb.Fatalf("dial %s: %v", s.Addr(), err)
	}
	tb.Cleanup(func() { c.Close() })
	if err := c.Login(user, password).Wait(); err != nil {
		tb.Fatalf("LOGIN %s: %v\nserver log:\n%s", user, err, s.Log())
	}
	return c
}

// rawConn is an IMAP connection that shows the server's lines exactly.
type rawConn struct {
	tb   testing.TB
	conn net.Conn
	r    *bufio.Reader
}

// dialRaw connects to addr and returns the connection and the greeting line.
func dialRaw(tb testing.TB, addr string) (*rawConn, string) {
	tb.Helper()
	conn, err := net.DialTimeout("tcp", addr, 10*time.Second)
	if err != nil {
		tb.Fatal(err)
	}
	return newRaw(tb, conn)
}

// newRaw wraps conn, closing it at cleanup, and returns it with the greeting line.
func newRaw(tb testing.TB, conn net.Conn) (*rawConn, string) {
	tb.Helper()
	tb.Cleanup(func() { conn.Close() })
	conn.SetDeadline(time.Now().Add(30 * time.Second))
	c := &rawConn{tb: tb, conn: conn, r: bufio.NewReader(conn)}
	return c, c.line()
}

// line reads one line, without CRLF.
func (c *rawConn) line() string {
	c.tb.Helper()
	l, err := c.r.ReadString('\n')
	if err != nil {
		c.tb.Fatalf("reading from server: %v (after %q)", err, l)
	}
	return strings.TrimRight(l, "\r\n")
}

// command sends tag and cmd and returns every line up to and including the tagged one.
func (c *rawConn) command(tag, cmd string) []string {
	c.tb.Helper()
	if _, err := fmt.Fprintf(c.conn, "%s %s\r\n", tag, cmd); err != nil {
		c.tb.Fatal(err)
	}
	var lines []string
	for {
		l := c.line()
		lines = append(lines, l)
		if strings.HasPrefix(l, tag+" ") {
			return lines
		}
	}
}

// waitFor polls cond until it holds, failing tb after a deadline.
func waitFor(tb testing.TB, what string, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestSpecialUseFolders(t *testing.T) {
	t.Parallel()
	s := dovecot.Start(t, dovecot.Options{})
	c := login(t, s, dovecot.DefaultLogin, dovecot.DefaultPassword)

	list, err := c.List("", "*", &imap.ListOptions{ReturnSpecialUse: true, ReturnSubscribed: true}).Collect()
	if err != nil {
		t.Fatalf("LIST: %v", err)
	}
	got := map[string][]imap.MailboxAttr{}
	for _, m := range list {
		got[m.Mailbox] = m.Attrs
	}
	for name, want := range map[string]imap.MailboxAttr{
		"Drafts":  imap.MailboxAttrDrafts,
		"Sent":    imap.MailboxAttrSent,
		"Trash":   imap.MailboxAttrTrash,
		"Junk":    imap.MailboxAttrJunk,
		"Archive": imap.MailboxAttrArchive,
	} {
		attrs, ok := got[name]
		if !ok {
			t.Errorf("LIST lacks %s; got %v", name, got)
			continue
		}
		if !slices.Contains(attrs, want) || !slices.Contains(attrs, imap.MailboxAttrSubscribed) {
			t.Errorf("%s has attributes %v, want %s and \\Subscribed", name, attrs, want)
		}
	}
	if _, ok := got["INBOX"]; !ok {
		t.Errorf("LIST lacks INBOX; got %v", got)
	}
}

// TestCapabilities pins what Dovecot announces before and after login, as the package
// documentation describes.
func TestCapabilities(t *testing.T) {
	t.Parallel()
	const (
		preLogin  = "IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ AUTH=PLAIN AUTH=LOGIN"
		postLogin = "IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE SORT SORT=DISPLAY THREAD=REFERENCES THREAD=REFS THREAD=ORDEREDSUBJECT MULTIAPPEND URL-PARTIAL CATENATE UNSELECT CHILDREN NAMESPACE UIDPLUS LIST-EXTENDED I18NLEVEL=1 CONDSTORE QRESYNC ESEARCH ESORT SEARCHRES WITHIN CONTEXT=SEARCH LIST-STATUS BINARY MOVE SNIPPET=FUZZY PREVIEW=FUZZY PREVIEW STATUS=SIZE SAVEDATE LITERAL+ NOTIFY SPECIAL-USE"
		greeting  = "* OK [CAPABILITY " + preLogin + "] Dovecot (Debian) ready."
		loginCmd  = "LOGIN " + dovecot.DefaultLogin + " " + dovecot.DefaultPassword
	)
	s := dovecot.Start(t, dovecot.Options{})

	t.Run("login", func(t *testing.T) {
		c, got := dialRaw(t, s.Addr())
		if got != greeting {
			t.Errorf("greeting:\n got %q\nwant %q", got, greeting)
		}
		want := []string{"a1 OK [CAPABILITY " + postLogin + "] Logged in"}
		if diff := cmp.Diff(want, c.command("a1", loginCmd)); diff != "" {
			t.Errorf("LOGIN answer (-want +got):\n%s", diff)
		}
	})
	t.Run("capability first", func(t *testing.T) {
		c, _ := dialRaw(t, s.Addr())
		want := []string{"* CAPABILITY " + preLogin, "a1 OK Pre-login capabilities listed, post-login capabilities have more."}
		if diff := cmp.Diff(want, c.command("a1", "CAPABILITY")); diff != "" {
			t.Errorf("CAPABILITY answer (-want +got):\n%s", diff)
		}
		want = []string{"* CAPABILITY " + postLogin, "a2 OK Logged in"}
		if diff := cmp.Diff(want, c.command("a2", loginCmd)); diff != "" {
			t.Errorf("LOGIN answer (-want +got):\n%s", diff)
		}
	})
}

// TestWrongPassword pins Dovecot's answer to a failed LOGIN. It takes two seconds,
// Dovecot's auth_failure_delay.
func TestWrongPassword(t *testing.T) {
	t.Parallel()
	s := dovecot.Start(t, dovecot.Options{})
	c, _ := dialRaw(t, s.Addr())
	got := c.command("a1", "LOGIN "+dovecot.DefaultLogin+" wrong-password")
	want := []string{"a1 NO [AUTHENTICATIONFAILED] Authentication failed."}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("LOGIN answer (-want +got):\n%s", diff)
	}
}

func TestDeliver(t *testing.T) {
	t.Parallel()
	s := dovecot.Start(t, dovecot.Options{})
	const n = 10_000
	msgs := make([][]byte, n)
	for i := range msgs {
		msgs[i] = message(i + 1)
	}
	start := time.Now()
	s.Deliver(t, dovecot.DefaultLogin, "INBOX", msgs...)
	t.Logf("Deliver of %d messages took %v", n, time.Since(start))

	c := login(t, s, dovecot.DefaultLogin, dovecot.DefaultPassword)
	start = time.Now()
	sel, err := c.Select("INBOX", nil).Wait()
	if err != nil {
		t.Fatalf("SELECT: %v\n%s", err, s.Log())
	}
	t.Logf("first SELECT took %v", time.Since(start))
	if sel.NumMessages != n {
		t.Errorf("SELECT INBOX: %d messages, want %d", sel.NumMessages, n)
	}
	unseen, err := c.Search(&imap.SearchCriteria{NotFlag: []imap.Flag{imap.FlagSeen}}, nil).Wait()
	if err != nil {
		t.Fatalf("SEARCH UNSEEN: %v", err)
	}
	if got := len(unseen.AllSeqNums()); got != n {
		t.Errorf("%d unseen messages, want %d", got, n)
	}
	// UIDs follow the order of the arguments.
	var seqs imap.SeqSet
	seqs.AddNum(1, 2, n/2, n)
	fetched, err := c.Fetch(seqs, &imap.FetchOptions{Envelope: true, UID: true}).Collect()
	if err != nil {
		t.Fatalf("FETCH: %v", err)
	}
	var got []string
	for _, m := range fetched {
		got = append(got, fmt.Sprintf("%d %d %s", m.SeqNum, m.UID, m.Envelope.Subject))
	}
	want := []string{"1 1 Message 1", "2 2 Message 2", "5000 5000 Message 5000", "10000 10000 Message 10000"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("FETCH 1,2,%d,%d (-want +got):\n%s", n/2, n, diff)
	}

	// A second delivery to an existing mailbox comes after the first.
	s.Deliver(t, dovecot.DefaultLogin, "INBOX", message(n+1))
	if err := c.Noop().Wait(); err != nil {
		t.Fatal(err)
	}
	if got := c.Mailbox().NumMessages; got != n+1 {
		t.Errorf("after another Deliver: %d messages, want %d", got, n+1)
	}
}

func TestDeliverFlagsNewMailbox(t *testing.T) {
	t.Parallel()
	s := dovecot.Start(t, dovecot.Options{})
	s.DeliverFlags(t, dovecot.DefaultLogin, "Lists/Go nuts", []string{string(imap.FlagSeen), `\Flagged`}, message(1), message(2))
	s.Deliver(t, dovecot.DefaultLogin, "Lists/Go nuts", message(3))

	c := login(t, s, dovecot.DefaultLogin, dovecot.DefaultPassword)
	list, err := c.List("", "Lists/*", &imap.ListOptions{SelectSubscribed: true}).Collect()
	if err != nil {
		t.Fatalf("LIST: %v", err)
	}
	if len(list) != 1 || list[0].Mailbox != "Lists/Go nuts" {
		t.Errorf("subscribed mailboxes under Lists: %v, want Lists/Go nuts", list)
	}
	if _, err := c.Select("Lists/Go nuts", nil).Wait(); err != nil {
		t.Fatalf("SELECT: %v", err)
	}
	fetched, err := c.Fetch(imap.SeqSetNum(1, 2, 3), &imap.FetchOptions{Flags: true}).Collect()
	if err != nil {
		t.Fatalf("FETCH: %v", err)
	}
	var got [][]imap.Flag
	for _, m := range fetched {
		// Dovecot adds \Recent, which says nothing about the delivery.
		flags := slices.DeleteFunc(m.Flags, func(f imap.Flag) bool { return f == `\Recent` })
		slices.Sort(flags)
		got = append(got, flags)
	}
	want := [][]imap.Flag{{imap.FlagFlagged, imap.FlagSeen}, {imap.FlagFlagged, imap.FlagSeen}, {}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("flags (-want +got):\n%s", diff)
	}
}

func TestConnections(t *testing.T) {
	t.Parallel()
	bob := dovecot.User{Login: "bob@example.org", Password: "bob-secret-2"}
	s := dovecot.Start(t, dovecot.Options{Users: []dovecot.User{
		{Login: dovecot.DefaultLogin, Password: dovecot.DefaultPassword}, bob,
	}})
	if got := s.Connections(t, dovecot.DefaultLogin); got != 0 {
		t.Errorf("before any login: %d connections, want 0", got)
	}
	var clients []*imapclient.Client
	for range 3 {
		clients = append(clients, login(t, s, dovecot.DefaultLogin, dovecot.DefaultPassword))
	}
	login(t, s, bob.Login, bob.Password)
	// Connections that have not logged in do not count.
	dialRaw(t, s.Addr())

	waitFor(t, "3 connections of alice", func() bool { return s.Connections(t, dovecot.DefaultLogin) == 3 })
	waitFor(t, "1 connection of bob", func() bool { return s.Connections(t, bob.Login) == 1 })

	clients[0].Close()
	waitFor(t, "2 connections after closing one", func() bool { return s.Connections(t, dovecot.DefaultLogin) == 2 })
	if err := clients[1].Logout().Wait(); err != nil {
		t.Errorf("LOGOUT: %v", err)
	}
	clients[2].Close()
	waitFor(t, "0 connections after closing all", func() bool { return s.Connections(t, dovecot.DefaultLogin) == 0 })
}

// TestMaxUserIPConnections pins how Dovecot refuses a login beyond
// mail_max_userip_connections, as the package documentation describes.
func TestMaxUserIPConnections(t *testing.T) {
	t.Parallel()
	s := dovecot.Start(t, dovecot.Options{MaxUserIPConnections: 2})
	first := login(t, s, dovecot.DefaultLogin, dovecot.DefaultPassword)
	login(t, s, dovecot.DefaultLogin, dovecot.DefaultPassword)
	waitFor(t, "2 connections", func() bool { return s.Connections(t, dovecot.DefaultLogin) == 2 })

	c, _ := dialRaw(t, s.Addr())
	got := c.command("a1", "LOGIN "+dovecot.DefaultLogin+" "+dovecot.DefaultPassword)
	want := []string{"a1 NO [LIMIT] Maximum number of connections from user+IP exceeded (mail_max_userip_connections=2)"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("third LOGIN (-want +got):\n%s", diff)
	}
	// No BYE: the server closes the connection.
	if l, err := c.r.ReadString('\n'); err != io.EOF {
		t.Errorf("after the refusal: read %q, %v; want EOF", l, err)
	}

	// go-imap sees the response code.
	third, err := imapclient.DialInsecure(s.Addr(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer third.Close()
	var imapErr *imap.Error
	if err := third.Login(dovecot.DefaultLogin, dovecot.DefaultPassword).Wait(); !errors.As(err, &imapErr) || imapErr.Code != imap.ResponseCodeLimit {
		t.Errorf("third LOGIN with imapclient: %v, want NO [LIMIT]", err)
	}

	// The connections already logged in carry on.
	if err := first.Noop().Wait(); err != nil {
		t.Errorf("NOOP on the first connection: %v", err)
	}
}

func TestDefaultConnectionLimit(t *testing.T) {
	t.Parallel()
	s := dovecot.Start(t, dovecot.Options{})
	for range 10 {
		login(t, s, dovecot.DefaultLogin, dovecot.DefaultPassword)
	}
	c, _ := dialRaw(t, s.Addr())
	got := c.command("a1", "LOGIN "+dovecot.DefaultLogin+" "+dovecot.DefaultPassword)
	if want := "a1 NO [LIMIT] Maximum number of connections from user+IP exceeded (mail_max_userip_connections=10)"; got[len(got)-1] != want {
		t.Errorf("eleventh LOGIN: %q, want %q", got, want)
	}
}

func TestTLS(t *testing.T) {
	t.Parallel()
	s := dovecot.Start(t, dovecot.Options{TLS: true})
	if s.TLSAddr() == "" || s.CertPool() == nil {
		t.Fatalf("TLSAddr %q, CertPool %v: want both set", s.TLSAddr(), s.CertPool())
	}
	t.Run("greetings", func(t *testing.T) {
		const caps = "* OK [CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+%s AUTH=PLAIN AUTH=LOGIN] Dovecot (Debian) ready."
		if _, got := dialRaw(t, s.Addr()); got != fmt.Sprintf(caps, " STARTTLS") {
			t.Errorf("plain greeting %q, want STARTTLS", got)
		}
		conn, err := tls.Dial("tcp", s.TLSAddr(), &tls.Config{RootCAs: s.CertPool()})
		if err != nil {
			t.Fatal(err)
		}
		if _, got := newRaw(t, conn); got != fmt.Sprintf(caps, "") {
			t.Errorf("IMAPS greeting %q, want no STARTTLS", got)
		}
	})
	t.Run("implicit", func(t *testing.T) {
		c, err := imapclient.DialTLS(s.TLSAddr(), &imapclient.Options{TLSConfig: &tls.Config{RootCAs: s.CertPool()}})
		if err != nil {
			t.Fatalf("DialTLS: %v", err)
		}
		defer c.Close()
		if err := c.Login(dovecot.DefaultLogin, dovecot.DefaultPassword).Wait(); err != nil {
			t.Fatalf("LOGIN: %v", err)
		}
	})
	t.Run("starttls", func(t *testing.T) {
		c, err := imapclient.DialStartTLS(s.Addr(), &imapclient.Options{TLSConfig: &tls.Config{RootCAs: s.CertPool(), ServerName: "localhost"}})
		if err != nil {
			t.Fatalf("DialStartTLS: %v", err)
		}
		defer c.Close()
		if err := c.Login(dovecot.DefaultLogin, dovecot.DefaultPassword).Wait(); err != nil {
			t.Fatalf("LOGIN: %v", err)
		}
	})
	t.Run("untrusted", func(t *testing.T) {
		c, err := imapclient.DialTLS(s.TLSAddr(), nil)
		if err == nil {
			c.Close()
			t.Fatal("DialTLS without the fixture's pool succeeded")
		}
	})
}

func TestNoTLS(t *testing.T) {
	t.Parallel()
	s := dovecot.Start(t, dovecot.Options{})
	if s.TLSAddr() != "" || s.CertPool() != nil {
		t.Errorf("TLSAddr %q, CertPool %v: want neither without Options.TLS", s.TLSAddr(), s.CertPool())
	}
	c := login(t, s, dovecot.DefaultLogin, dovecot.DefaultPassword)
	if c.Caps().Has(imap.CapStartTLS) {
		t.Errorf("STARTTLS offered with ssl = no")
	}
}

// TestExtra checks that Options.Extra can change the fixture's own sections.
func TestExtra(t *testing.T) {
	t.Parallel()
	s := dovecot.Start(t, dovecot.Options{Extra: "namespace inbox {\n  prefix = INBOX/\n}\n"})
	c := login(t, s, dovecot.DefaultLogin, dovecot.DefaultPassword)
	list, err := c.List("", "*", &imap.ListOptions{ReturnSpecialUse: true}).Collect()
	if err != nil {
		t.Fatalf("LIST: %v", err)
	}
	var got []string
	for _, m := range list {
		got = append(got, m.Mailbox)
	}
	slices.Sort(got)
	want := []string{"INBOX", "INBOX/Archive", "INBOX/Drafts", "INBOX/Junk", "INBOX/Sent", "INBOX/Trash"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("LIST (-want +got):\n%s", diff)
	}
}

func TestLog(t *testing.T) {
	t.Parallel()
	s := dovecot.Start(t, dovecot.Options{})
	login(t, s, dovecot.DefaultLogin, dovecot.DefaultPassword)
	waitFor(t, "the login in the log", func() bool {
		return strings.Contains(s.Log(), "Login: user=<"+dovecot.DefaultLogin+">")
	})
}

func TestStop(t *testing.T) {
	t.Parallel()
	s := dovecot.Start(t, dovecot.Options{})
	c, _ := dialRaw(t, s.Addr())
	c.command("a1", "LOGIN "+dovecot.DefaultLogin+" "+dovecot.DefaultPassword)
	waitFor(t, "the login to count", func() bool { return s.Connections(t, dovecot.DefaultLogin) == 1 })
	s.Stop(t)
	if got, want := c.line(), "* BYE Server shutting down."; got != want {
		t.Errorf("after Stop: %q, want %q", got, want)
	}
	if l, err := c.r.ReadString('\n'); err != io.EOF {
		t.Errorf("after BYE: read %q, %v; want EOF", l, err)
	}
	if conn, err := net.Dial("tcp", s.Addr()); err == nil {
		conn.Close()
		t.Errorf("Dial after Stop succeeded")
	}
	s.Stop(t) // a second Stop does nothing
}

// message returns a small message whose subject carries i.
func message(i int) []byte {
	return fmt.Appendf(nil, "From: Bob <bob@example.org>\r\nTo: Alice <alice@example.org>\r\n"+
		"Subject: Message %d\r\nDate: Mon, 2 Jan 2006 15:04:05 +0000\r\n"+
		"Message-ID: <%d@example.org>\r\n\r\nBody of message %d.\r\n", i, i, i)
}

func BenchmarkStart(b *testing.B) {
	var starting time.Duration
	for b.Loop() {
		t0 := time.Now()
		s := dovecot.Start(b, dovecot.Options{})
		starting += time.Since(t0)
		s.Stop(b)
	}
	b.ReportMetric(float64(starting.Milliseconds())/float64(b.N), "ms/start")
}

func BenchmarkDeliver10000(b *testing.B) {
	s := dovecot.Start(b, dovecot.Options{})
	msgs := make([][]byte, 10_000)
	for i := range msgs {
		msgs[i] = message(i + 1)
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		s.Deliver(b, dovecot.DefaultLogin, fmt.Sprintf("Bench%d", i), msgs...)
	}
}
