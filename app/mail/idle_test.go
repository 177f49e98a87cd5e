package mail

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"webmail"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"

	"webmail/config"
)

// memServer is go-imap's in-memory server behind a proxy that records the
// command names clients send.
type memServer struct {
	user *imapmemserver.User
	srv  config.Server

	mu   sync.Mutex
	cmds []string
}

func newMemServer(t *testing.T, caps imap.CapSet) *memServer {
	t.Helper()
	mem := imapmemserver.New()
	m := &memServer{user: imapmemserver.NewUser("u", "p")}
	if err := m.user.Create("INBOX", nil); err != nil {
		t.Fatal(err)
	}
	if err := m.user.Create("Archive", nil); err != nil {
		t.Fatal(err)
	}
	mem.AddUser(m.user)
	s := imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return mem.NewSession(), nil, nil
		},
		Caps:         caps,
		InsecureAuth: true,
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go s.Serve(ln)
	t.Cleanup(func() { s.Close() })

	proxy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { proxy.Close() })
	go func() {
		for {
			c, err := proxy.Accept()
			if err != nil {
				return
			}
			up, err := net.Dial("tcp", ln.Addr().String())
			if err != nil {
				c.Close()
				continue
			}
			go func() { defer c.Close(); io.Copy(c, up) }()
			go func() {
				defer up.Close()
				r := bufio.NewReader(c)
				for {
					line, err := r.ReadString('\n')
					if f := strings.Fields(line); len(f) > 0 {
						name := f[0] // DONE has no tag
						if len(f) > 1 {
							name = f[1]
						}
						m.mu.Lock()
						m.cmds = append(m.cmds, strings.ToUpper(name))
						m.mu.Unlock()
					}
					if _, werr := up.Write([]byte(line)); err != nil || werr != nil {
						return
					}
				}
			}()
		}
	}()
	host, port, _ := net.SplitHostPort(proxy.Addr().String())
	p, _ := strconv.Atoi(port)
	m.srv = config.Server{Host: host, Port: p, Security: config.SecurityPlain}
	return m
}

func (m *memServer) count(cmd string) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := 0
	for _, c := range m.cmds {
		if c == cmd {
			n++
		}
	}
	return n
}

func (m *memServer) deliver(t *testing.T, subject string) {
	t.Helper()
	raw := "From: Ann <ann@example.org>\r\nTo: u@example.org\r\nSubject: " + subject + "\r\nDate: Mon, 02 Jan 2006 15:04:05 +0000\r\n\r\nHello.\r\n"
	if _, err := m.user.Append("INBOX", literal{bytes.NewReader([]byte(raw))}, &imap.AppendOptions{Time: time.Now()}); err != nil {
		t.Fatal(err)
	}
}

type literal struct{ *bytes.Reader }

var testAuth = Auth{Login: "u", Password: "p"}

func newTestPool() *Pool {
	return NewPool(Dialer{Timeout: 5 * time.Second}, PoolOptions{Budget: 4, Idle: time.Minute})
}

func (m *memServer) account() Account {
	return Account{ID: "u@" + m.srv.Addr(), Server: m.srv, Auth: testAuth}
}

// next waits for an update, skipping heartbeats.
func next(t *testing.T, s *Subscription) *Update {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for {
		u, err := s.Next(ctx, 100*time.Millisecond)
		if err != nil {
			t.Fatalf("Next: %v", err)
		}
		if u != nil {
			return u
		}
	}
}

// eventually polls cond until it holds, failing after a few seconds.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !cond(); {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not so after 5 s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func unseen(u *Update, mailbox string) uint32 {
	for _, f := range u.Folders {
		if f.Name == mailbox {
			return f.Unseen
		}
	}
	return 0
}

func subscribe(t *testing.T, p *Pool, a Account, opt WatchOptions) *Subscription {
	t.Helper()
	s, err := p.Subscribe(context.Background(), a, opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

func TestWatcherIdle(t *testing.T) {
	m := newMemServer(t, imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapIMAP4rev2: {}})
	m.deliver(t, "Old news")
	ctx := context.Background()
	p := newTestPool()
	p.idleRestart = 150 * time.Millisecond // re-issue IDLE often
	s := subscribe(t, p, m.account(), WatchOptions{Mailbox: "INBOX", Rows: true, Since: 1})

	if u, err := s.Next(ctx, 500*time.Millisecond); err != nil || u != nil {
		t.Fatalf("quiet mailbox: Next = %v, %v; want nothing", u, err)
	}
	eventually(t, "IDLE re-issued at least 3 times", func() bool { return m.count("IDLE") >= 3 })

	m.deliver(t, "Fresh news")
	u := next(t, s)
	if len(u.New) != 1 || u.New[0].Subject != "Fresh news" || u.New[0].Seen {
		t.Fatalf("update New = %+v, want the one new unread message", u.New)
	}
	if u.Last != u.New[0].UID {
		t.Errorf("Last = %d, want %d", u.Last, u.New[0].UID)
	}
	if got := unseen(u, "INBOX"); got != 2 {
		t.Errorf("INBOX unseen = %d, want 2", got)
	}

	// Read elsewhere: the counts move, no new row.
	other, err := Dialer{Timeout: 5 * time.Second}.Dial(ctx, m.srv, testAuth)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if err := other.SetSeen(ctx, webmail.MessageRef{Mailbox: "INBOX", Validity: u.UIDValidity, UID: u.New[0].UID}, true); err != nil {
		t.Fatal(err)
	}
	u = next(t, s)
	if len(u.New) != 0 || unseen(u, "INBOX") != 1 {
		t.Errorf("after a read elsewhere: New = %v, unseen = %d; want none and 1", u.New, unseen(u, "INBOX"))
	}
}

// TestWatcherSince reports the messages that arrived between the page and
// the stream at once, also to a stream that joins a running watcher.
func TestWatcherSince(t *testing.T) {
	m := newMemServer(t, imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapIMAP4rev2: {}})
	m.deliver(t, "On the page")
	m.deliver(t, "Late one")
	m.deliver(t, "Later one")
	p := newTestPool()
	subjects := func(u *Update) string {
		var got []string
		for _, s := range u.New {
			got = append(got, s.Subject)
		}
		return strings.Join(got, ",")
	}
	first := subscribe(t, p, m.account(), WatchOptions{Mailbox: "INBOX", Rows: true, Since: 1})
	if got := subjects(next(t, first)); got != "Later one,Late one" {
		t.Errorf("first stream: New = %v, want the two later ones, newest first", got)
	}
	second := subscribe(t, p, m.account(), WatchOptions{Mailbox: "INBOX", Rows: true, Since: 2})
	if got := subjects(next(t, second)); got != "Later one" {
		t.Errorf("joining stream: New = %v, want the one above its page", got)
	}
	if got := p.Watching(m.account().ID); got != 1 {
		t.Errorf("watchers = %d, want one shared by both streams", got)
	}
}

// TestWatcherShared: every stream of an account on a mailbox shares one
// watcher connection, each gets the news, and the last one to leave ends
// it.
func TestWatcherShared(t *testing.T) {
	m := newMemServer(t, imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapIMAP4rev2: {}})
	m.deliver(t, "On the page")
	p := newTestPool()
	// go-imap's server may miss mail that arrives as IDLE begins; polling
	// makes this test about sharing alone.
	p.noIdle, p.pollEvery = true, 50*time.Millisecond
	a := m.account()
	var subs []*Subscription
	for range 5 {
		subs = append(subs, subscribe(t, p, a, WatchOptions{Mailbox: "INBOX", Rows: true, Since: 1}))
	}
	if got := m.count("LOGIN"); got != 1 {
		t.Errorf("logins = %d, want 1 for five streams", got)
	}
	m.deliver(t, "For everyone")
	for i, s := range subs {
		if u := next(t, s); len(u.New) != 1 || u.New[0].Subject != "For everyone" {
			t.Errorf("stream %d: New = %+v", i, u.New)
		}
	}
	for _, s := range subs {
		s.Close()
	}
	eventually(t, "the watcher ends with its last stream", func() bool { return p.Watching(a.ID) == 0 && p.Open(a.ID) == 0 })
	eventually(t, "the watcher logged out", func() bool { return m.count("LOGOUT") == 1 })
}

// TestWatcherPoll sends NOOP to a server without IDLE.
func TestWatcherPoll(t *testing.T) {
	m := newMemServer(t, imap.CapSet{imap.CapIMAP4rev1: {}})
	p := newTestPool()
	// go-imap's server always offers IDLE; act as if it did not.
	p.noIdle, p.pollEvery = true, 50*time.Millisecond
	s := subscribe(t, p, m.account(), WatchOptions{Mailbox: "INBOX", Rows: true})
	eventually(t, "NOOP sent every 50 ms", func() bool { return m.count("NOOP") >= 3 })
	m.deliver(t, "Polled")
	u := next(t, s)
	if len(u.New) != 1 || u.New[0].Subject != "Polled" {
		t.Fatalf("New = %+v, want the polled message", u.New)
	}
	if got := m.count("IDLE"); got != 0 {
		t.Errorf("sent IDLE %d times to a server without it", got)
	}
}

func TestWatcherNotFound(t *testing.T) {
	m := newMemServer(t, imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapIMAP4rev2: {}})
	p := newTestPool()
	_, err := p.Subscribe(context.Background(), m.account(), WatchOptions{Mailbox: "Nope"})
	if !errors.Is(err, ErrNotFound) {
		t.Errorf("Subscribe(Nope) = %v, want ErrNotFound", err)
	}
	if got := p.Open(m.account().ID); got != 0 {
		t.Errorf("%d connections left after a failed watch", got)
	}
}

// TestWatcherCloseWhileIdle: a stream that goes away while its watcher
// idles returns at once, and the watcher ends IDLE and logs out.
func TestWatcherCloseWhileIdle(t *testing.T) {
	m := newMemServer(t, imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapIMAP4rev2: {}})
	p := newTestPool()
	s, err := p.Subscribe(context.Background(), m.account(), WatchOptions{Mailbox: "INBOX"})
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, "the watcher idles", func() bool { return m.count("IDLE") == 1 })
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() {
		_, err := s.Next(ctx, time.Hour)
		done <- err
	}()
	cancel()
	if err := <-done; err != context.Canceled {
		t.Errorf("Next after cancel = %v", err)
	}
	s.Close()
	eventually(t, "DONE and LOGOUT sent once each", func() bool {
		return fmt.Sprint(m.count("DONE"), m.count("LOGOUT")) == "1 1"
	})
	eventually(t, "no connection left", func() bool { return p.Open(m.account().ID) == 0 })
}
