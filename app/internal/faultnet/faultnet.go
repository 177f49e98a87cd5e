// Package faultnet is a TCP proxy for fault-injection tests. It sits between the code
// under test and a real IMAP or SMTP server and, on command, stalls, delays, cuts or
// refuses connections, and records the commands the client sent. It is imported only
// by tests.
package faultnet

import (
	"context"
	"errors"
	"io"
	"net"
	"sync"
	"testing"
	"time"
)

// Proxy forwards TCP connections from its own address to an upstream server. Its
// methods may be called from any goroutine; each change applies at once to the
// connections already open and to those opened later.
type Proxy struct {
	upstream string
	ln       net.Listener
	ctx      context.Context // cancelled when the proxy closes
	cancel   context.CancelFunc
	wg       sync.WaitGroup // every goroutine of the proxy

	mu       sync.Mutex
	conns    map[*conn]struct{}
	total    int
	stall    chan struct{} // non-nil while stalled; closed by Resume
	cutAfter int64         // -1: off
	delay    time.Duration
	refuse   bool
	commands []string
}

// NewProxy starts a proxy to upstream (host:port) listening on 127.0.0.1 and closes it
// at tb.Cleanup, breaking its connections and waiting for all its goroutines to end.
func NewProxy(tb testing.TB, upstream string) *Proxy {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("faultnet: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	p := &Proxy{
		upstream: upstream,
		ln:       ln,
		ctx:      ctx,
		cancel:   cancel,
		conns:    map[*conn]struct{}{},
		cutAfter: -1,
	}
	p.wg.Add(1)
	go p.acceptLoop()
	tb.Cleanup(p.close)
	return p
}

// Addr returns the host:port clients dial instead of the upstream address.
func (p *Proxy) Addr() string { return p.ln.Addr().String() }

// Stall holds every byte in both directions from now on. Connections stay open and new
// ones are accepted and connected upstream, but nothing is forwarded (so a new IMAP
// connection sees no greeting) until Resume. The proxy reads one chunk per direction
// and then stops reading, leaving the rest to TCP flow control; Commands shows the
// lines of that chunk.
func (p *Proxy) Stall() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.stall == nil {
		p.stall = make(chan struct{})
	}
}

// Resume ends a Stall and delivers what was held, in order.
func (p *Proxy) Resume() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.stall != nil {
		close(p.stall)
		p.stall = nil
	}
}

// CutAfter makes every connection, open or new, end abruptly once n more bytes have
// gone from upstream to the client: the client receives exactly those n bytes and then
// a TCP reset, so its next read fails with ECONNRESET rather than EOF. With n = 0 the
// open connections are reset at once and new ones as soon as they are accepted.
// CutAfter(-1) turns cutting off.
func (p *Proxy) CutAfter(n int64) {
	p.mu.Lock()
	p.cutAfter = n
	var cut []*conn
	for c := range p.conns {
		c.left = n
		if n == 0 {
			cut = append(cut, c)
		}
	}
	p.mu.Unlock()
	for _, c := range cut {
		c.abort()
	}
}

// Delay holds each chunk of data from upstream for d before passing it on; 0 turns it
// off. Order is kept; data from the client is not delayed.
func (p *Proxy) Delay(d time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.delay = d
}

// Refuse makes the proxy, while on is true, accept new connections and close them at
// once (a clean close: the client reads EOF before any greeting). They count in Total.
func (p *Proxy) Refuse(on bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.refuse = on
}

// Open returns the number of connections open through the proxy now. A connection
// counts until both directions are closed.
func (p *Proxy) Open() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.conns)
}

// Total returns the number of connections accepted so far, refused ones included.
func (p *Proxy) Total() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.total
}

// CloseAll breaks every open connection abruptly: clients get a TCP reset, the
// upstream server sees the connection closed.
func (p *Proxy) CloseAll() {
	p.mu.Lock()
	conns := make([]*conn, 0, len(p.conns))
	for c := range p.conns {
		conns = append(conns, c)
	}
	p.mu.Unlock()
	for _, c := range conns {
		c.abort()
	}
}

// Commands returns the lines clients have sent so far, over all connections in the
// order they were completed, without line endings, for example "a1 NOOP" or
// "MAIL FROM:<a@example.org>". Credentials are redacted: the arguments of IMAP LOGIN,
// the arguments after the mechanism of IMAP AUTHENTICATE and SMTP AUTH, and every SASL
// response line that follows (each recorded as "[redacted]"). Data that is not a
// command is left out: IMAP literals (a line ending in "{5}" is recorded with the
// marker, and the literal's bytes are skipped), SMTP DATA and BDAT contents.
func (p *Proxy) Commands() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.commands...)
}

func (p *Proxy) record(cmd string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.commands = append(p.commands, cmd)
}

// close stops accepting, breaks every connection and waits for all goroutines.
func (p *Proxy) close() {
	p.cancel()
	p.ln.Close()
	p.CloseAll()
	p.wg.Wait()
}

func (p *Proxy) acceptLoop() {
	defer p.wg.Done()
	for {
		nc, err := p.ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			// Temporary trouble such as EMFILE; don't spin.
			select {
			case <-p.ctx.Done():
				return
			case <-time.After(10 * time.Millisecond):
			}
			continue
		}
		p.mu.Lock()
		p.total++
		refuse := p.refuse
		p.mu.Unlock()
		if refuse {
			nc.Close()
			continue
		}
		p.wg.Add(1)
		go p.serve(nc.(*net.TCPConn))
	}
}

// dialTimeout bounds the connection to upstream.
const dialTimeout = 10 * time.Second

// serve connects client to upstream and forwards until both directions are closed.
func (p *Proxy) serve(client *net.TCPConn) {
	defer p.wg.Done()
	c := &conn{p: p, client: client, done: make(chan struct{})}
	c.sess.p = p

	p.mu.Lock()
	if p.ctx.Err() != nil { // closing: close already took its list of connections
		p.mu.Unlock()
		client.Close()
		return
	}
	c.left = p.cutAfter
	p.conns[c] = struct{}{}
	p.mu.Unlock()
	defer func() {
		p.mu.Lock()
		delete(p.conns, c)
		p.mu.Unlock()
	}()
	if c.left == 0 {
		c.abort()
		return
	}

	ctx, cancel := context.WithTimeout(p.ctx, dialTimeout)
	d := net.Dialer{}
	up, err := d.DialContext(ctx, "tcp", p.upstream)
	cancel()
	if err != nil {
		// As a server that is down would: the client's connection breaks.
		c.abort()
		return
	}
	c.mu.Lock()
	c.server = up.(*net.TCPConn)
	aborted := c.aborted
	c.mu.Unlock()
	if aborted { // CloseAll or CutAfter(0) while dialling
		c.server.Close()
		return
	}

	var pumps sync.WaitGroup
	pumps.Go(c.clientToServer)
	pumps.Go(c.serverToClient)
	pumps.Wait()
	c.client.Close()
	c.server.Close()
}

// conn is one proxied connection.
type conn struct {
	p      *Proxy
	client *net.TCPConn
	done   chan struct{} // closed by abort
	left   int64         // bytes to upstream→client before the cut, -1: no cut; guarded by p.mu
	sess   session

	mu      sync.Mutex
	server  *net.TCPConn // nil while dialling
	aborted bool
}

// abort resets the client connection and closes the upstream one.
func (c *conn) abort() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.aborted {
		return
	}
	c.aborted = true
	close(c.done)
	c.client.SetLinger(0) // close sends RST instead of FIN
	c.client.Close()
	if c.server != nil {
		c.server.Close()
	}
}

// hold waits while the proxy is stalled, then for the delay if delayed is set. It
// reports false if the connection was aborted meanwhile.
func (c *conn) hold(delayed bool) bool {
	var delay time.Duration
	for {
		c.p.mu.Lock()
		stall := c.p.stall
		delay = c.p.delay
		c.p.mu.Unlock()
		if stall == nil {
			break
		}
		select {
		case <-stall:
		case <-c.done:
			return false
		}
	}
	if delayed && delay > 0 {
		t := time.NewTimer(delay)
		defer t.Stop()
		select {
		case <-t.C:
		case <-c.done:
			return false
		}
	}
	return true
}

const bufSize = 32 << 10

func (c *conn) clientToServer() {
	buf := make([]byte, bufSize)
	for {
		n, err := c.client.Read(buf)
		if n > 0 {
			c.sess.clientData(buf[:n])
			if !c.hold(false) {
				return
			}
			if _, werr := c.server.Write(buf[:n]); werr != nil {
				c.abort()
				return
			}
		}
		if err != nil {
			c.finish(err, c.server)
			return
		}
	}
}

func (c *conn) serverToClient() {
	buf := make([]byte, bufSize)
	for {
		n, err := c.server.Read(buf)
		if n > 0 {
			c.sess.serverData(buf[:n])
			if !c.hold(true) {
				return
			}
			chunk, cut := c.budget(buf[:n])
			if _, werr := c.client.Write(chunk); werr != nil {
				c.abort()
				return
			}
			if cut {
				// Let the client's kernel take the last bytes before the reset,
				// which would otherwise discard them.
				waitSent(c.client, 2*time.Second)
				c.abort()
				return
			}
		}
		if err != nil {
			c.finish(err, c.client)
			return
		}
	}
}

// budget returns the part of chunk to forward under CutAfter and whether the
// connection is to be cut after it.
func (c *conn) budget(chunk []byte) ([]byte, bool) {
	c.p.mu.Lock()
	defer c.p.mu.Unlock()
	if c.left < 0 {
		return chunk, false
	}
	if int64(len(chunk)) >= c.left {
		chunk = chunk[:c.left]
		c.left = 0
		return chunk, true
	}
	c.left -= int64(len(chunk))
	return chunk, false
}

// finish handles the end of one direction: a clean EOF is passed on as a half-close
// of dst, anything else breaks the whole connection.
func (c *conn) finish(err error, dst *net.TCPConn) {
	if errors.Is(err, io.EOF) {
		dst.CloseWrite()
		return
	}
	c.abort()
}
