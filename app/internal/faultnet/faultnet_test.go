package faultnet_test

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"webmail/app/internal/faultnet"
)

const greeting = "* OK ready\r\n"

// upstream is a small line server standing in for IMAP and SMTP: it greets, answers
// each line (echoing by default) and records what it received.
type upstream struct {
	ln net.Listener
	wg sync.WaitGroup

	mu       sync.Mutex
	lines    []string
	accepted int
	conns    []net.Conn
}

func startUpstream(tb testing.TB) *upstream {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	u := &upstream{ln: ln}
	u.wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			u.mu.Lock()
			u.accepted++
			u.conns = append(u.conns, c)
			u.mu.Unlock()
			u.wg.Go(func() { u.serve(c) })
		}
	})
	tb.Cleanup(func() {
		ln.Close()
		u.mu.Lock()
		for _, c := range u.conns {
			c.Close()
		}
		u.mu.Unlock()
		u.wg.Wait()
	})
	return u
}

func (u *upstream) addr() string { return u.ln.Addr().String() }

// received returns the lines received so far, over all connections.
func (u *upstream) received() []string {
	u.mu.Lock()
	defer u.mu.Unlock()
	return slices.Clone(u.lines)
}

func (u *upstream) acceptedConns() int {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.accepted
}

func (u *upstream) serve(c net.Conn) {
	defer c.Close()
	io.WriteString(c, greeting)
	r := bufio.NewReader(c)
	var saslTag string
	smtpAuthStep := 0
	rcpt, inData := false, false
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		line = strings.TrimRight(line, "\r\n")
		u.mu.Lock()
		u.lines = append(u.lines, line)
		u.mu.Unlock()

		words := strings.Fields(line)
		var reply string
		switch {
		case saslTag != "":
			reply, saslTag = saslTag+" OK authenticated", ""
		case smtpAuthStep == 1:
			reply, smtpAuthStep = "334 UGFzc3dvcmQ6", 2
		case smtpAuthStep == 2:
			reply, smtpAuthStep = "235 2.7.0 Authentication successful", 0
		case inData:
			if line == "." {
				reply, inData = "250 2.0.0 queued", false
			}
		case len(words) == 3 && words[1] == "AUTHENTICATE":
			reply, saslTag = "+ ", words[0]
		case len(words) == 4 && words[1] == "AUTHENTICATE": // with an initial response
			reply = words[0] + " OK authenticated"
		case line == "AUTH LOGIN":
			reply, smtpAuthStep = "334 VXNlcm5hbWU6", 1
		case strings.HasPrefix(line, "RCPT"):
			reply, rcpt = "250 2.1.5 ok", true
		case line == "DATA" && rcpt:
			reply, inData = "354 go ahead", true
		case line == "DATA":
			reply = "554 5.5.1 no valid recipients"
		case len(words) == 2 && words[0] == "BIG":
			n, _ := strconv.Atoi(words[1])
			reply = strings.Repeat("x", n)
		default:
			reply = "echo: " + line
		}
		if reply != "" {
			if _, err := io.WriteString(c, reply+"\r\n"); err != nil {
				return
			}
		}
	}
}

// client is a connection through the proxy.
type client struct {
	tb   testing.TB
	conn net.Conn
	r    *bufio.Reader
}

func dial(tb testing.TB, addr string) *client {
	tb.Helper()
	conn, err := net.DialTimeout("tcp", addr, 10*time.Second)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { conn.Close() })
	conn.SetDeadline(time.Now().Add(30 * time.Second))
	return &client{tb: tb, conn: conn, r: bufio.NewReader(conn)}
}

// line reads one line, including its line ending.
func (c *client) line() string {
	c.tb.Helper()
	l, err := c.r.ReadString('\n')
	if err != nil {
		c.tb.Fatalf("read: %v (after %q)", err, l)
	}
	return l
}

// until reads lines until one starts with prefix and returns that one.
func (c *client) until(prefix string) string {
	c.tb.Helper()
	for {
		if l := c.line(); strings.HasPrefix(l, prefix) {
			return l
		}
	}
}

func (c *client) send(lines ...string) {
	c.tb.Helper()
	for _, l := range lines {
		if _, err := io.WriteString(c.conn, l+"\r\n"); err != nil {
			c.tb.Fatalf("write: %v", err)
		}
	}
}

// quiet checks that nothing arrives for a moment. Passing is reliable; a broken proxy
// that lets data through is caught in all but unlucky timings.
func (c *client) quiet() {
	c.tb.Helper()
	c.conn.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
	defer c.conn.SetReadDeadline(time.Now().Add(30 * time.Second))
	if b, err := c.r.ReadByte(); !errors.Is(err, os.ErrDeadlineExceeded) {
		c.tb.Fatalf("read %q, %v; want nothing", b, err)
	}
}

// readAll reads until an error and returns what came and the error.
func (c *client) readAll() (string, error) {
	var b strings.Builder
	_, err := io.Copy(&b, c.r)
	if err == nil {
		err = io.EOF // io.Copy reports a clean end as nil
	}
	return b.String(), err
}

// waitFor polls cond until it holds, failing tb after a deadline.
func waitFor(tb testing.TB, what string, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestForward(t *testing.T) {
	t.Parallel()
	u := startUpstream(t)
	p := faultnet.NewProxy(t, u.addr())
	c := dial(t, p.Addr())
	if got := c.line(); got != greeting {
		t.Errorf("greeting %q, want %q", got, greeting)
	}
	c.send("a1 NOOP")
	if got, want := c.line(), "echo: a1 NOOP\r\n"; got != want {
		t.Errorf("reply %q, want %q", got, want)
	}
	c.send("BIG 100000")
	if got := c.line(); len(got) != 100002 {
		t.Errorf("big reply of %d bytes, want 100002", len(got))
	}
	// A clean close by the client reaches the server, whose close reaches the client.
	c.conn.(*net.TCPConn).CloseWrite()
	if rest, err := c.readAll(); rest != "" || err != io.EOF {
		t.Errorf("after half-close: %q, %v; want EOF", rest, err)
	}
	waitFor(t, "the connection to close", func() bool { return p.Open() == 0 })
}

func TestStall(t *testing.T) {
	t.Parallel()
	u := startUpstream(t)
	p := faultnet.NewProxy(t, u.addr())
	c1 := dial(t, p.Addr())
	c1.line()

	p.Stall()
	c1.send("a1 NOOP")
	// The proxy has read the command (it records it) but holds it.
	waitFor(t, "the proxy to read a1 NOOP", func() bool { return slices.Contains(p.Commands(), "a1 NOOP") })
	if slices.Contains(u.received(), "a1 NOOP") {
		t.Errorf("server received a1 NOOP during the stall")
	}
	// A new connection is accepted and connected upstream, but sees no greeting.
	c2 := dial(t, p.Addr())
	waitFor(t, "the upstream to accept the second connection", func() bool { return u.acceptedConns() == 2 })
	c2.quiet()
	c1.quiet()
	if got := p.Open(); got != 2 {
		t.Errorf("Open() = %d during the stall, want 2", got)
	}

	p.Resume()
	if got, want := c1.line(), "echo: a1 NOOP\r\n"; got != want {
		t.Errorf("c1 after Resume: %q, want %q", got, want)
	}
	if got := c2.line(); got != greeting {
		t.Errorf("c2 after Resume: %q, want the greeting", got)
	}
	c2.send("b1 NOOP")
	if got, want := c2.line(), "echo: b1 NOOP\r\n"; got != want {
		t.Errorf("c2: %q, want %q", got, want)
	}
}

// isReset reports whether err is a TCP reset rather than a clean EOF.
func isReset(err error) bool { return errors.Is(err, syscall.ECONNRESET) }

func TestCutAfter(t *testing.T) {
	t.Parallel()
	u := startUpstream(t)

	t.Run("mid-stream", func(t *testing.T) {
		t.Parallel()
		p := faultnet.NewProxy(t, u.addr())
		c := dial(t, p.Addr())
		c.line()
		p.CutAfter(1000)
		c.send("BIG 100000")
		got, err := c.readAll()
		if len(got) != 1000 || strings.Trim(got, "x") != "" {
			t.Errorf("received %d bytes before the cut, want 1000 x", len(got))
		}
		if !isReset(err) {
			t.Errorf("read error %v, want connection reset", err)
		}
		waitFor(t, "the connection to close", func() bool { return p.Open() == 0 })
	})
	t.Run("new connections", func(t *testing.T) {
		t.Parallel()
		p := faultnet.NewProxy(t, u.addr())
		p.CutAfter(5)
		// Stalled, so that the reset cannot overtake the client's own connect.
		p.Stall()
		c := dial(t, p.Addr())
		waitFor(t, "the proxy to take the connection", func() bool { return p.Open() == 1 })
		p.Resume()
		got, err := c.readAll()
		if got != greeting[:5] || !isReset(err) {
			t.Errorf("got %q, %v; want %q and a reset", got, err, greeting[:5])
		}
		p.CutAfter(-1)
		c = dial(t, p.Addr())
		if got := c.line(); got != greeting {
			t.Errorf("after CutAfter(-1): %q, want the greeting", got)
		}
	})
	t.Run("zero", func(t *testing.T) {
		t.Parallel()
		p := faultnet.NewProxy(t, u.addr())
		c := dial(t, p.Addr())
		c.line()
		p.CutAfter(0)
		if got, err := c.readAll(); got != "" || !isReset(err) {
			t.Errorf("got %q, %v; want a reset at once", got, err)
		}
	})
	t.Run("during stall", func(t *testing.T) {
		t.Parallel()
		p := faultnet.NewProxy(t, u.addr())
		c := dial(t, p.Addr())
		c.line()
		p.Stall()
		c.send("a1 NOOP")
		waitFor(t, "the proxy to read a1 NOOP", func() bool { return len(p.Commands()) == 1 })
		p.CutAfter(3)
		p.Resume()
		if got, err := c.readAll(); got != "ech" || !isReset(err) {
			t.Errorf("got %q, %v; want \"ech\" and a reset", got, err)
		}
	})
}

func TestRefuse(t *testing.T) {
	t.Parallel()
	u := startUpstream(t)
	p := faultnet.NewProxy(t, u.addr())
	p.Refuse(true)
	for range 2 {
		c := dial(t, p.Addr())
		if got, err := c.readAll(); got != "" || err != io.EOF {
			t.Errorf("refused connection: %q, %v; want EOF at once", got, err)
		}
	}
	if got := u.acceptedConns(); got != 0 {
		t.Errorf("upstream accepted %d connections, want 0", got)
	}
	p.Refuse(false)
	c := dial(t, p.Addr())
	if got := c.line(); got != greeting {
		t.Errorf("after Refuse(false): %q, want the greeting", got)
	}
	if got := p.Total(); got != 3 {
		t.Errorf("Total() = %d, want 3 (refused ones count)", got)
	}
	if got := p.Open(); got != 1 {
		t.Errorf("Open() = %d, want 1", got)
	}
}

func TestOpenTotalCloseAll(t *testing.T) {
	t.Parallel()
	u := startUpstream(t)
	p := faultnet.NewProxy(t, u.addr())
	var clients []*client
	for range 3 {
		c := dial(t, p.Addr())
		c.line()
		clients = append(clients, c)
	}
	if open, total := p.Open(), p.Total(); open != 3 || total != 3 {
		t.Errorf("Open() = %d, Total() = %d; want 3, 3", open, total)
	}
	clients[0].conn.Close()
	waitFor(t, "2 open after a client closed", func() bool { return p.Open() == 2 })

	p.CloseAll()
	for _, c := range clients[1:] {
		if _, err := c.readAll(); !isReset(err) {
			t.Errorf("after CloseAll: %v, want connection reset", err)
		}
	}
	waitFor(t, "0 open after CloseAll", func() bool { return p.Open() == 0 })
	if got := p.Total(); got != 3 {
		t.Errorf("Total() = %d after CloseAll, want 3", got)
	}
	// The proxy still takes new connections.
	c := dial(t, p.Addr())
	if got := c.line(); got != greeting {
		t.Errorf("after CloseAll: %q, want the greeting", got)
	}
}

func TestDelay(t *testing.T) {
	t.Parallel()
	u := startUpstream(t)
	p := faultnet.NewProxy(t, u.addr())
	p.Delay(20 * time.Millisecond)
	c := dial(t, p.Addr())
	if got := c.line(); got != greeting {
		t.Errorf("greeting %q", got)
	}
	var cmds []string
	for i := range 5 {
		cmds = append(cmds, fmt.Sprintf("a%d NOOP", i))
	}
	c.send(cmds...)
	for _, cmd := range cmds {
		if got, want := c.line(), "echo: "+cmd+"\r\n"; got != want {
			t.Errorf("got %q, want %q", got, want)
		}
	}
	p.Delay(0)
	c.send("b1 NOOP")
	if got, want := c.line(), "echo: b1 NOOP\r\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// TestUnreachableUpstream checks that a client of a proxy whose server is down sees
// its connection break.
func TestUnreachableUpstream(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	p := faultnet.NewProxy(t, addr)
	conn, err := net.Dial("tcp", p.Addr())
	if err == nil {
		// The reset may come so soon that it fails the dial itself.
		defer conn.Close()
		c := &client{tb: t, conn: conn, r: bufio.NewReader(conn)}
		var got string
		got, err = c.readAll()
		if got != "" {
			t.Errorf("received %q", got)
		}
	}
	if !isReset(err) {
		t.Errorf("got %v; want a reset", err)
	}
	waitFor(t, "the connection to close", func() bool { return p.Open() == 0 })
}

// TestCleanup checks that the cleanup of a proxy breaks its connections, even
// stalled ones, and returns (all goroutines ended).
func TestCleanup(t *testing.T) {
	t.Parallel()
	u := startUpstream(t)
	var conn net.Conn
	t.Cleanup(func() {
		if conn != nil {
			conn.Close()
		}
	})
	t.Run("proxy", func(t *testing.T) {
		p := faultnet.NewProxy(t, u.addr())
		var err error
		if conn, err = net.Dial("tcp", p.Addr()); err != nil {
			t.Fatal(err)
		}
		c := &client{tb: t, conn: conn, r: bufio.NewReader(conn)}
		c.line()
		p.Stall()
		c.send("a1 NOOP")
		p.Delay(time.Hour)
	})
	if conn == nil {
		t.FailNow()
	}
	c := &client{tb: t, conn: conn, r: bufio.NewReader(conn)}
	if _, err := c.readAll(); !isReset(err) {
		t.Errorf("after cleanup: %v, want connection reset", err)
	}
}

func TestCommands(t *testing.T) {
	t.Parallel()
	u := startUpstream(t)

	t.Run("imap", func(t *testing.T) {
		t.Parallel()
		p := faultnet.NewProxy(t, u.addr())
		c := dial(t, p.Addr())
		c.line()
		c.send("a1 LOGIN alice secret")
		c.until("echo: a1")
		// Literals: their bytes are not commands. The server echoes line by line.
		c.send("a2 LOGIN {5+}", "alice {6+}", "secret")
		c.until("echo: secret")
		c.send("a3 AUTHENTICATE PLAIN")
		c.until("+ ")
		c.send("AGFsaWNlAHNlY3JldA==")
		c.until("a3 OK")
		c.send("a4 AUTHENTICATE PLAIN AGFsaWNlAHNlY3JldA==")
		c.until("a4 OK")
		msg := "Subject: hi\r\n\r\nLOGIN x y\r\n"
		c.send(fmt.Sprintf("a5 APPEND INBOX (\\Seen) {%d+}", len(msg)), msg)
		c.send("a6 NOOP")
		c.until("echo: a6")
		want := []string{
			"a1 LOGIN [redacted]",
			"a2 LOGIN [redacted]",
			"a3 AUTHENTICATE PLAIN",
			"[redacted]",
			"a4 AUTHENTICATE PLAIN [redacted]",
			"a5 APPEND INBOX (\\Seen) {26+}",
			"a6 NOOP",
		}
		if diff := cmp.Diff(want, p.Commands()); diff != "" {
			t.Errorf("Commands() (-want +got):\n%s", diff)
		}
	})
	t.Run("smtp", func(t *testing.T) {
		t.Parallel()
		p := faultnet.NewProxy(t, u.addr())
		c := dial(t, p.Addr())
		c.line()
		for _, l := range []string{"EHLO client", "AUTH LOGIN", "YWxpY2U=", "c2VjcmV0", "MAIL FROM:<a@example.org>", "DATA", "RSET", "RCPT TO:<b@example.org>", "DATA", "Subject: x", "", "AUTH PLAIN in the body", ".", "QUIT"} {
			c.send(l)
			if l != "Subject: x" && l != "" && l != "AUTH PLAIN in the body" {
				c.line()
			}
		}
		want := []string{
			"EHLO client",
			"AUTH LOGIN",
			"[redacted]",
			"[redacted]",
			"MAIL FROM:<a@example.org>",
			"DATA", // refused with 554: what follows is a command again
			"RSET",
			"RCPT TO:<b@example.org>",
			"DATA",
			"QUIT",
		}
		if diff := cmp.Diff(want, p.Commands()); diff != "" {
			t.Errorf("Commands() (-want +got):\n%s", diff)
		}
	})
}
