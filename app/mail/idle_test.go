package mail

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

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

func creds(context.Context) (Auth, error) { return Auth{Login: "u", Password: "p"}, nil }

func newTestPool() *Pool { return NewPool(Dialer{Timeout: 5 * time.Second}, time.Minute) }

// next waits for an update, skipping heartbeats.
func next(t *testing.T, w *Watcher) *Update {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for {
		u, err := w.Next(ctx, 100*time.Millisecond)
		if err != nil {
			t.Fatalf("Next: %v", err)
		}
		if u != nil {
			return u
		}
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

func TestWatcherIdle(t *testing.T) {
	m := newMemServer(t, imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapIMAP4rev2: {}})
	m.deliver(t, "Old news")
	ctx := context.Background()
	w, err := newTestPool().Watch(ctx, m.srv, creds, WatchOptions{Mailbox: "INBOX", Rows: true, Since: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	w.restart, w.idleEnd = 150*time.Millisecond, time.Now().Add(150*time.Millisecond) // re-issue IDLE often

	if u, err := w.Next(ctx, 500*time.Millisecond); err != nil || u != nil {
		t.Fatalf("quiet mailbox: Next = %v, %v; want nothing", u, err)
	}
	if got := m.count("IDLE"); got < 3 {
		t.Errorf("IDLE issued %d times in 500 ms with a 150 ms restart, want at least 3", got)
	}

	m.deliver(t, "Fresh news")
	u := next(t, w)
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
	other, err := Dialer{Timeout: 5 * time.Second}.Dial(ctx, m.srv, Auth{Login: "u", Password: "p"})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if err := other.SetSeen(ctx, "INBOX", u.UIDValidity, u.New[0].UID, true); err != nil {
		t.Fatal(err)
	}
	u = next(t, w)
	if len(u.New) != 0 || unseen(u, "INBOX") != 1 {
		t.Errorf("after a read elsewhere: New = %v, unseen = %d; want none and 1", u.New, unseen(u, "INBOX"))
	}
}

// TestWatcherSince reports the messages that arrived between the page and
// the watcher at once.
func TestWatcherSince(t *testing.T) {
	m := newMemServer(t, imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapIMAP4rev2: {}})
	m.deliver(t, "On the page")
	m.deliver(t, "Late one")
	m.deliver(t, "Later one")
	w, err := newTestPool().Watch(context.Background(), m.srv, creds, WatchOptions{Mailbox: "INBOX", Rows: true, Since: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	u := next(t, w)
	var got []string
	for _, s := range u.New {
		got = append(got, s.Subject)
	}
	if strings.Join(got, ",") != "Later one,Late one" {
		t.Errorf("New = %v, want the two later ones, newest first", got)
	}
}

// TestWatcherPoll sends NOOP to a server without IDLE.
func TestWatcherPoll(t *testing.T) {
	m := newMemServer(t, imap.CapSet{imap.CapIMAP4rev1: {}})
	ctx := context.Background()
	w, err := newTestPool().Watch(ctx, m.srv, creds, WatchOptions{Mailbox: "INBOX", Rows: true})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	// go-imap's server always offers IDLE; act as if it did not.
	if err := w.stopIdle(ctx); err != nil {
		t.Fatal(err)
	}
	w.hasIdle, w.poll = false, 50*time.Millisecond
	if u, err := w.Next(ctx, 220*time.Millisecond); err != nil || u != nil {
		t.Fatalf("quiet mailbox: Next = %v, %v; want nothing", u, err)
	}
	if got := m.count("NOOP"); got < 3 {
		t.Errorf("sent %d NOOPs in 220 ms, one every 50 ms, want at least 3", got)
	}
	m.deliver(t, "Polled")
	u := next(t, w)
	if len(u.New) != 1 || u.New[0].Subject != "Polled" {
		t.Fatalf("New = %+v, want the polled message", u.New)
	}
	if got := m.count("IDLE"); got != 1 { // the one Watch began with
		t.Errorf("sent IDLE %d times, want no more after IDLE is gone", got)
	}
}

func TestWatcherNotFound(t *testing.T) {
	m := newMemServer(t, imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapIMAP4rev2: {}})
	_, err := newTestPool().Watch(context.Background(), m.srv, creds, WatchOptions{Mailbox: "Nope"})
	if err != ErrNotFound {
		t.Errorf("Watch(Nope) = %v, want ErrNotFound", err)
	}
}

func TestWatcherCloseWhileIdle(t *testing.T) {
	m := newMemServer(t, imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapIMAP4rev2: {}})
	ctx, cancel := context.WithCancel(context.Background())
	w, err := newTestPool().Watch(ctx, m.srv, creds, WatchOptions{Mailbox: "INBOX"})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error)
	go func() {
		_, err := w.Next(ctx, time.Hour)
		done <- err
	}()
	time.Sleep(100 * time.Millisecond)
	cancel()
	select {
	case err := <-done:
		if err != context.Canceled {
			t.Errorf("Next after cancel = %v", err)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("Next did not return after cancel")
	}
	start := time.Now()
	w.Close()
	if d := time.Since(start); d > time.Second {
		t.Errorf("Close took %v", d)
	}
	if got := fmt.Sprint(m.count("DONE"), m.count("LOGOUT")); got != "1 1" {
		t.Errorf("DONE, LOGOUT sent %s times, want once each", got)
	}
}
