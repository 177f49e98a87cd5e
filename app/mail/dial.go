// Package mail is the webmail's access to IMAP: dialling with the configured
// security, one kept connection per session, and the few commands each page
// needs. Every call takes a context; its deadline bounds the network I/O.
package mail

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-sasl"

	"webmail/app/message"
	"webmail/config"
)

// Errors a caller tells apart to show the right message.
var (
	// ErrAuth means the server refused the credentials.
	ErrAuth = errors.New("mail: authentication failed")
	// ErrUnavailable means the server could not be reached or broke off.
	// ErrTimeout, ErrClosed and ErrConnLimit are kinds of it.
	ErrUnavailable = errors.New("mail: server unavailable")
	// ErrTimeout means the server did not answer a command within the
	// Dialer's Timeout; the connection was closed.
	ErrTimeout = fmt.Errorf("%w: not answering", ErrUnavailable)
	// ErrClosed means the server closed the connection during a command.
	ErrClosed = fmt.Errorf("%w: connection closed", ErrUnavailable)
	// ErrConnLimit means the server refused a login because the account
	// has too many connections open (Dovecot's mail_max_userip_connections)
	// or is otherwise unavailable for a while ([UNAVAILABLE], RFC 5530).
	ErrConnLimit = fmt.Errorf("%w: too many connections", ErrUnavailable)
	// ErrTLS means the TLS handshake or certificate check failed.
	ErrTLS = errors.New("mail: TLS failed")
	// ErrNotFound means the mailbox or message does not exist (any more).
	ErrNotFound = errors.New("mail: not found")
	// ErrOverQuota means the server refused to store a message because
	// the mailbox is full ([OVERQUOTA], RFC 5530).
	ErrOverQuota = errors.New("mail: over quota")
)

// Dialer opens IMAP connections. The zero value is not usable; set Timeout.
type Dialer struct {
	// Timeout bounds each network read or write when the context has no
	// earlier deadline.
	Timeout time.Duration
	// TLSConfig, if set, is cloned for TLS connections (tests use it to
	// trust their own certificates).
	TLSConfig *tls.Config
	// Observer, if set, hears of every dial, IMAP command and SMTP send
	// (metrics); the connections it makes share it.
	Observer *Observer
}

// Dial connects to srv and authenticates. The password or token is used
// only here and not kept (invariant S3). A connection whose authentication
// fails is closed, never reused.
func (d Dialer) Dial(ctx context.Context, srv config.Server, auth Auth) (*Conn, error) {
	return d.dial(ctx, srv, auth, nil)
}

// dial is Dial with a handler for what the server says unasked, such as a
// watcher's IDLE news (idle.go); nil drops it.
func (d Dialer) dial(ctx context.Context, srv config.Server, auth Auth, h *imapclient.UnilateralDataHandler) (*Conn, error) {
	return retry(ctx, auth, ErrAuth, func(auth Auth) (*Conn, error) { return d.dialOnce(ctx, srv, auth, h) })
}

func (d Dialer) dialOnce(ctx context.Context, srv config.Server, auth Auth, h *imapclient.UnilateralDataHandler) (*Conn, error) {
	if d.Observer == nil || d.Observer.Dial == nil {
		return d.connect(ctx, srv, auth, h)
	}
	start := time.Now()
	c, err := d.connect(ctx, srv, auth, h)
	d.Observer.Dial(Outcome(err), time.Since(start))
	return c, err
}

// connect makes one connection and logs in.
func (d Dialer) connect(ctx context.Context, srv config.Server, auth Auth, h *imapclient.UnilateralDataHandler) (*Conn, error) {
	nd := net.Dialer{Timeout: d.timeout()}
	raw, err := nd.DialContext(ctx, "tcp", srv.Addr())
	if err != nil {
		return nil, dialFailure(ctx, err)
	}
	dc := newDeadlineConn(raw, d.timeout())
	// Connecting, TLS, the greeting and the login are one command: all
	// of it within Timeout.
	stop := dc.watch(ctx, false)
	defer stop()
	fail := func(err error) (*Conn, error) {
		raw.Close()
		if dc.expired.Load() {
			return nil, fmt.Errorf("%w: %w", ErrTimeout, err)
		}
		if ctx.Err() != nil {
			return nil, fmt.Errorf("%w: %w", ErrUnavailable, context.Cause(ctx))
		}
		return nil, err
	}

	var heard *news
	if h == nil {
		heard = &news{}
		h = heard.handler()
	}
	opts := &imapclient.Options{
		// Each encoded word on its own: one in an unknown charset does
		// not leave the whole Subject raw.
		WordDecoder:           message.NewWordDecoder(),
		UnilateralDataHandler: h,
	}
	var c *imapclient.Client
	switch srv.Security {
	case config.SecurityTLS:
		cfg, err := d.tlsConfig(srv)
		if err != nil {
			return fail(err)
		}
		tc := tls.Client(dc, cfg)
		if err := tc.HandshakeContext(ctx); err != nil {
			return fail(classifyDial(err))
		}
		c = imapclient.New(tc, opts)
	case config.SecurityStartTLS:
		if opts.TLSConfig, err = d.tlsConfig(srv); err != nil {
			return fail(err)
		}
		c, err = imapclient.NewStartTLS(dc, opts)
		if err != nil {
			return fail(classifyDial(err))
		}
	default: // plain: config validation allows it only on loopback
		c = imapclient.New(dc, opts)
	}
	if err := c.WaitGreeting(); err != nil {
		c.Close()
		return fail(loginFailure(err))
	}
	if err := authenticate(c, srv, auth); err != nil {
		c.Close()
		return fail(loginFailure(err))
	}
	return &Conn{c: c, dc: dc, caps: c.Caps(), login: auth.Login, folders: &folderCache{}, obs: d.Observer, news: heard}, nil
}

// loginFailure sorts a greeting that refuses (* BYE) or a failed LOGIN or
// AUTHENTICATE. Only a refusal of the credentials is ErrAuth: a server
// that refuses for too many connections, is unavailable for a while, or
// hangs up is not saying the password is wrong.
func loginFailure(err error) error {
	var (
		ie *imap.Error
		be *sasl.OAuthBearerError // the server's OAUTHBEARER error challenge
	)
	switch {
	case errors.As(err, &be):
		return ErrAuth
	case !errors.As(err, &ie):
		return classifyDial(err)
	case ie.Type == imap.StatusResponseTypeBye && (ie.Code == imap.ResponseCodeUnavailable || tooManyConnections(ie.Text)):
		return fmt.Errorf("%w: %w", ErrConnLimit, err)
	case ie.Type == imap.StatusResponseTypeBye:
		return fmt.Errorf("%w: %w", ErrClosed, err)
	case ie.Code == imap.ResponseCodeUnavailable, ie.Code == imap.ResponseCodeLimit, ie.Code == imap.ResponseCodeInUse,
		ie.Code == "" && tooManyConnections(ie.Text):
		return fmt.Errorf("%w: %w", ErrConnLimit, err)
	case ie.Code == imap.ResponseCodeServerBug, ie.Code == imap.ResponseCodeContactAdmin:
		return fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	return ErrAuth
}

// tooManyConnections recognises a connection-limit refusal by its words,
// for servers that send no response code.
func tooManyConnections(text string) bool {
	t := strings.ToLower(text)
	return strings.Contains(t, "connections") && (strings.Contains(t, "maximum") || strings.Contains(t, "too many") || strings.Contains(t, "exceeded"))
}

func (d Dialer) timeout() time.Duration {
	if d.Timeout <= 0 {
		return 30 * time.Second
	}
	return d.Timeout
}

// dialFailure sorts a failed TCP connect.
func dialFailure(ctx context.Context, err error) error {
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() && ctx.Err() == nil {
		return fmt.Errorf("%w: %w", ErrTimeout, err)
	}
	return fmt.Errorf("%w: %w", ErrUnavailable, err)
}

// authenticate logs in with LOGIN for a password, with SASL for a token.
func authenticate(c *imapclient.Client, srv config.Server, auth Auth) error {
	if auth.Token == "" {
		return c.Login(auth.Login, auth.Password).Wait()
	}
	caps := c.Caps()
	sc := auth.saslClient(srv, func(mech string) bool { return caps.Has(imap.Cap("AUTH=" + mech)) })
	defer wipeSASL(sc)
	return c.Authenticate(sc)
}

// errPinMismatch means the server's certificate is not the one pinned.
var errPinMismatch = errors.New("mail: the server's certificate is not the pinned one")

// tlsConfig is the TLS configuration for srv: its CA file trusted on top
// of the system's (or the Dialer's own roots, in tests), its pin checked
// after the usual verification. A CA file that cannot be read fails the
// connection as a certificate problem would.
func (d Dialer) tlsConfig(srv config.Server) (*tls.Config, error) {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if d.TLSConfig != nil {
		cfg = d.TLSConfig.Clone()
	}
	cfg.ServerName = srv.Host
	if srv.TLSServerName != "" {
		cfg.ServerName = srv.TLSServerName
	}
	pool, err := srv.CertPool()
	if err != nil {
		return nil, fmt.Errorf("%w: ca_file %w", ErrTLS, err)
	}
	if pool != nil {
		cfg.RootCAs = pool
	}
	if pin := srv.Pin(); pin != nil {
		cfg.VerifyConnection = func(cs tls.ConnectionState) error {
			if len(cs.PeerCertificates) == 0 {
				return errPinMismatch
			}
			if sum := sha256.Sum256(cs.PeerCertificates[0].Raw); !bytes.Equal(sum[:], pin) {
				return errPinMismatch
			}
			return nil
		}
	}
	return cfg, nil
}

func classifyDial(err error) error {
	var (
		rec  tls.RecordHeaderError
		cert *tls.CertificateVerificationError
		unk  x509.UnknownAuthorityError
		host x509.HostnameError
		alr  tls.AlertError
	)
	if errors.As(err, &rec) || errors.As(err, &cert) || errors.As(err, &unk) || errors.As(err, &host) || errors.As(err, &alr) || errors.Is(err, errPinMismatch) {
		return fmt.Errorf("%w: %w", ErrTLS, err)
	}
	return fmt.Errorf("%w: %w", ErrUnavailable, err)
}

// deadlineConn bounds I/O while a request uses the connection, since
// go-imap's client takes no context. Armed for a command, the whole
// command must finish within the timeout; armed for a stream (a message
// body of any size on its way to or from the server), every read and
// write must make progress within it. A context can break off blocked I/O
// either way. Disarmed (a kept connection between requests), the client's
// reader waits freely.
//
// The IMAP client sets read deadlines of its own (30 s per response, none
// while idle); they apply too, but never lift the command's bound.
type deadlineConn struct {
	net.Conn
	timeout time.Duration
	// expired is set when I/O failed because the bound passed; the
	// connection is then of no further use.
	expired atomic.Bool

	mu             sync.Mutex
	bound          time.Time // the armed command's deadline; zero when disarmed
	stream         bool      // bound moves with each read and write
	theirR, theirW time.Time // what the IMAP client asked for
}

func newDeadlineConn(c net.Conn, timeout time.Duration) *deadlineConn {
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	return &deadlineConn{Conn: c, timeout: timeout}
}

func earliest(a, b time.Time) time.Time {
	if a.IsZero() || !b.IsZero() && b.Before(a) {
		return b
	}
	return a
}

// apply sets the deadlines the connection really has; c.mu is held.
func (c *deadlineConn) apply() {
	c.Conn.SetReadDeadline(earliest(c.theirR, c.bound))
	c.Conn.SetWriteDeadline(earliest(c.theirW, c.bound))
}

func (c *deadlineConn) SetDeadline(t time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.theirR, c.theirW = t, t
	c.apply()
	return nil
}

func (c *deadlineConn) SetReadDeadline(t time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.theirR = t
	c.apply()
	return nil
}

func (c *deadlineConn) SetWriteDeadline(t time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.theirW = t
	c.apply()
	return nil
}

// progress moves a stream's bound on before a read or write.
func (c *deadlineConn) progress() {
	c.mu.Lock()
	if c.stream && !c.bound.IsZero() && c.bound.After(time.Unix(1, 0)) {
		c.bound = time.Now().Add(c.timeout)
		c.apply()
	}
	c.mu.Unlock()
}

func (c *deadlineConn) Read(p []byte) (int, error) {
	c.progress()
	n, err := c.Conn.Read(p)
	c.noteTimeout(err)
	return n, err
}

func (c *deadlineConn) Write(p []byte) (int, error) {
	c.progress()
	n, err := c.Conn.Write(p)
	c.noteTimeout(err)
	return n, err
}

// noteTimeout records that I/O failed because the armed bound passed (not
// a deadline of the IMAP client's own, nor a cancelled context).
func (c *deadlineConn) noteTimeout(err error) {
	var ne net.Error
	if err == nil || !errors.As(err, &ne) || !ne.Timeout() {
		return
	}
	c.mu.Lock()
	if !c.bound.IsZero() && c.bound.After(time.Unix(1, 0)) && !time.Now().Before(c.bound) {
		c.expired.Store(true)
	}
	c.mu.Unlock()
}

// watch arms the bound for one command (stream false) or one stream, and
// breaks off blocked I/O if ctx ends first. The returned func disarms. A
// connection broken off either way is closed by its owner.
func (c *deadlineConn) watch(ctx context.Context, stream bool) (stop func()) {
	bound := time.Now().Add(c.timeout)
	if d, ok := ctx.Deadline(); ok && d.Before(bound) {
		bound = d
	}
	c.mu.Lock()
	c.bound, c.stream = bound, stream
	c.apply()
	c.mu.Unlock()
	cancel := context.AfterFunc(ctx, func() {
		c.mu.Lock()
		c.bound = time.Unix(1, 0)
		c.apply()
		c.mu.Unlock()
	})
	return func() {
		cancel()
		c.mu.Lock()
		c.bound, c.stream = time.Time{}, false
		c.apply()
		c.mu.Unlock()
	}
}
