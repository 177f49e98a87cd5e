package mail

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"webmail/app/internal/dovecot"
	"webmail/app/internal/faultnet"
)

// proxied is the in-process server behind a fault-injecting proxy, as an
// Account.
func proxied(t *testing.T) (*memServer, *faultnet.Proxy, Account) {
	t.Helper()
	m := newMemServer(t, imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapIMAP4rev2: {}})
	p := faultnet.NewProxy(t, m.srv.Addr())
	return m, p, Account{ID: "u", Server: loopbackServer(t, p.Addr()), Auth: testAuth}
}

// TestPoolBudget: however many requests of an account come at once, it
// never holds more connections than its budget; a request waits for one
// to come free, and gives up with ErrBusy after the pool's Wait.
func TestPoolBudget(t *testing.T) {
	m, proxy, a := proxied(t)
	m.deliver(t, "Hello")
	const budget = 3
	p := NewPool(Dialer{Timeout: 5 * time.Second}, PoolOptions{Budget: budget, Idle: time.Minute, Wait: 5 * time.Second})
	ctx := context.Background()
	var most atomic.Int64
	var wg sync.WaitGroup
	for range 10 {
		wg.Go(func() {
			for range 10 {
				c, release, err := p.Acquire(ctx, a, "INBOX")
				if err != nil {
					t.Error(err)
					return
				}
				if n := int64(proxy.Open()); n > most.Load() {
					most.Store(n)
				}
				if _, err := c.ListPage(ctx, "INBOX", 1); err != nil {
					t.Error(err)
				}
				release()
			}
		})
	}
	wg.Wait()
	if got := most.Load(); got > budget {
		t.Errorf("%d connections open at once, budget %d", got, budget)
	}
	if got := m.count("LOGIN"); got > budget {
		t.Errorf("%d logins for 100 requests, want at most %d", got, budget)
	}

	// All lent: the next one waits, and gets the first given back.
	p.opt.Wait = 200 * time.Millisecond
	var held []*Conn
	var releases []func()
	for range budget {
		c, release, err := p.Acquire(ctx, a, "")
		if err != nil {
			t.Fatal(err)
		}
		held, releases = append(held, c), append(releases, release)
	}
	if _, _, err := p.Acquire(ctx, a, ""); !errors.Is(err, ErrBusy) {
		t.Fatalf("Acquire with the budget spent = %v, want ErrBusy", err)
	}
	p.opt.Wait = 5 * time.Second
	got := make(chan *Conn)
	go func() {
		c, release, err := p.Acquire(ctx, a, "")
		if err != nil {
			t.Error(err)
			got <- nil
			return
		}
		release()
		got <- c
	}()
	releases[1]()
	if c := <-got; c != held[1] {
		t.Error("the waiting request did not get the connection given back")
	}
	releases[0]()
	releases[2]()
	if s := p.Stats(); s.Open != budget || s.Idle != budget {
		t.Errorf("stats %+v, want %d open and free", s, budget)
	}
}

// TestPoolLongLoansLeaveOne: downloads may take all connections but one,
// which stays for pages; watchers at most half.
func TestPoolLongLoansLeaveOne(t *testing.T) {
	_, _, a := proxied(t)
	p := NewPool(Dialer{Timeout: 5 * time.Second}, PoolOptions{Budget: 3, Idle: time.Minute, Wait: 100 * time.Millisecond})
	ctx := context.Background()
	for range 2 {
		if _, _, err := p.AcquireLong(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := p.AcquireLong(ctx, a); !errors.Is(err, ErrBusy) {
		t.Errorf("third download = %v, want ErrBusy", err)
	}
	c, release, err := p.Acquire(ctx, a, "")
	if err != nil {
		t.Fatalf("a page with two downloads running: %v", err)
	}
	release()
	if _, err := c.Folders(ctx, true); err != nil {
		t.Error(err)
	}
	if _, err := p.Subscribe(ctx, a, WatchOptions{Mailbox: "INBOX"}); !errors.Is(err, ErrBusy) {
		t.Errorf("a watcher beside two downloads = %v, want ErrBusy", err)
	}
}

// TestCommandTimeout: imap_timeout bounds a whole command, also when the
// server stalls mid-way; the stalled connection is discarded and the next
// request dials a new one.
func TestCommandTimeout(t *testing.T) {
	m, proxy, a := proxied(t)
	m.deliver(t, "Hello")
	const timeout = 500 * time.Millisecond
	p := NewPool(Dialer{Timeout: timeout}, PoolOptions{Budget: 4, Idle: time.Minute, Wait: timeout})
	c, release, err := p.Acquire(context.Background(), a, "INBOX")
	if err != nil {
		t.Fatal(err)
	}
	proxy.Stall()
	// Were the bound per read, or missing, the context would end the
	// command first, with another error.
	ctx, cancel := context.WithTimeout(context.Background(), timeout+time.Second)
	defer cancel()
	if _, err := c.ListPage(ctx, "INBOX", 1); !errors.Is(err, ErrTimeout) {
		t.Fatalf("a stalled command: %v, want ErrTimeout", err)
	}
	release()
	if s := p.Stats(); s.Open != 0 {
		t.Errorf("the stalled connection is still held: %+v", s)
	}
	// A new connection to a server that stalls before its greeting.
	ctx2, cancel2 := context.WithTimeout(context.Background(), timeout+time.Second)
	defer cancel2()
	if _, _, err := p.Acquire(ctx2, a, ""); !errors.Is(err, ErrTimeout) {
		t.Fatalf("a dial that stalls: %v, want ErrTimeout", err)
	}
	proxy.Resume()
	c, release, err = p.Acquire(context.Background(), a, "INBOX")
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	if _, err := c.ListPage(context.Background(), "INBOX", 1); err != nil {
		t.Errorf("after the stall: %v", err)
	}
}

// TestStreamCut: a message body cut off mid-way is an error, never a
// short body that looks whole.
func TestStreamCut(t *testing.T) {
	m, proxy, a := proxied(t)
	raw := "From: ann@example.org\r\nSubject: Big\r\n\r\n" + strings.Repeat("0123456789abcdef\r\n", 20000)
	if _, err := m.user.Append("INBOX", literal{bytes.NewReader([]byte(raw))}, &imap.AppendOptions{Time: time.Now()}); err != nil {
		t.Fatal(err)
	}
	p := newTestPool()
	c, release, err := p.AcquireLong(context.Background(), a)
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	page, err := c.ListPage(context.Background(), "INBOX", 1)
	if err != nil {
		t.Fatal(err)
	}
	proxy.CutAfter(100_000)
	var got int64
	err = c.Stream(context.Background(), page.Ref(page.Messages[0].UID), nil, func(size int64, r io.Reader) error {
		n, err := io.Copy(io.Discard, r)
		got = n
		return err
	})
	if !errors.Is(err, ErrClosed) {
		t.Errorf("Stream cut off after %d of %d bytes: %v, want ErrClosed", got, len(raw), err)
	}
}

// The tests below run against a private Dovecot (they skip without one,
// and fail in CI).

func dovecotAccount(t *testing.T, s *dovecot.Server, budget int) (*Pool, Account) {
	t.Helper()
	p := NewPool(Dialer{Timeout: 5 * time.Second}, PoolOptions{Budget: budget, Idle: time.Minute, Wait: time.Second})
	t.Cleanup(func() { p.shut() })
	return p, Account{ID: dovecot.DefaultLogin, Server: loopbackServer(t, s.Addr()), Auth: Auth{Login: dovecot.DefaultLogin, Password: dovecot.DefaultPassword}}
}

// outsider logs in n times with the account's credentials, as the
// person's other devices would.
func outsider(t *testing.T, s *dovecot.Server, n int) {
	t.Helper()
	for range n {
		c, err := imapclient.DialInsecure(s.Addr(), nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		if err := c.Login(dovecot.DefaultLogin, dovecot.DefaultPassword).Wait(); err != nil {
			t.Fatal(err)
		}
	}
}

// TestDovecotConnectionLimit: Dovecot's refusal for too many connections
// (NO [LIMIT] to LOGIN) is ErrConnLimit, never wrong credentials; the pool
// first gives back its own free connections and tries once more.
func TestDovecotConnectionLimit(t *testing.T) {
	t.Parallel()
	s := dovecot.Start(t, dovecot.Options{MaxUserIPConnections: 3})
	p, a := dovecotAccount(t, s, 4)
	ctx := context.Background()

	// The pool holds two free connections; another device holds one.
	c1, r1, err := p.Acquire(ctx, a, "")
	if err != nil {
		t.Fatal(err)
	}
	_, r2, err := p.Acquire(ctx, a, "")
	if err != nil {
		t.Fatal(err)
	}
	r1()
	r2()
	_ = c1
	outsider(t, s, 1)
	// A login needs a new connection: refused at first, it succeeds once
	// the pool has given back its own.
	if err := p.Login(ctx, a); err != nil {
		t.Fatalf("login with the pool's own connections in the way: %v", err)
	}
	if n := s.Connections(t, dovecot.DefaultLogin); n > 3 {
		t.Errorf("the server counts %d connections, its limit is 3", n)
	}

	// Other devices hold them all: an honest refusal.
	p.CloseFree(a.ID)
	outsider(t, s, 2)
	err = p.Login(ctx, a)
	if !errors.Is(err, ErrConnLimit) || errors.Is(err, ErrAuth) {
		t.Errorf("login beyond the server's limit: %v, want ErrConnLimit", err)
	}
	// A wrong password is still ErrAuth.
	bad := a
	bad.Auth.Password = "wrong"
	p.CloseFree(a.ID)
	if _, err := (Dialer{Timeout: 5 * time.Second}).Dial(ctx, a.Server, bad.Auth); !errors.Is(err, ErrAuth) {
		t.Errorf("wrong password: %v, want ErrAuth", err)
	}
}

// TestGreetingBye: a server that hangs up at the greeting because of its
// connection limit (Courier, older Dovecot: "* BYE Too many connections")
// is ErrConnLimit, and the pool tries once more after giving back its own.
func TestGreetingBye(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var accepted atomic.Int32
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			accepted.Add(1)
			io.WriteString(c, "* BYE Too many connections from your IP address\r\n")
			c.Close()
		}
	}()
	p := newTestPool()
	a := Account{ID: "u", Server: loopbackServer(t, ln.Addr().String()), Auth: testAuth}
	err = p.Login(context.Background(), a)
	if !errors.Is(err, ErrConnLimit) || errors.Is(err, ErrAuth) {
		t.Errorf("Login = %v, want ErrConnLimit", err)
	}
	if got := accepted.Load(); got != 2 {
		t.Errorf("%d connections, want one and one retry", got)
	}
}
