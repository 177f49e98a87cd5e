// Package mail is the webmail's access to IMAP: dialling with the configured
// security, one kept connection per session, and the few commands each page
// needs. Every call takes a context; its deadline bounds the network I/O.
package mail

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"mime"
	"net"
	"sync/atomic"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-message/charset"
	"github.com/emersion/go-sasl"

	"webmail/config"
)

// Errors a caller tells apart to show the right message.
var (
	// ErrAuth means the server refused the credentials.
	ErrAuth = errors.New("mail: authentication failed")
	// ErrUnavailable means the server could not be reached or broke off.
	ErrUnavailable = errors.New("mail: server unavailable")
	// ErrTLS means the TLS handshake or certificate check failed.
	ErrTLS = errors.New("mail: TLS failed")
	// ErrNotFound means the mailbox or message does not exist (any more).
	ErrNotFound = errors.New("mail: not found")
)

// Dialer opens IMAP connections. The zero value is not usable; set Timeout.
type Dialer struct {
	// Timeout bounds each network read or write when the context has no
	// earlier deadline.
	Timeout time.Duration
	// TLSConfig, if set, is cloned for TLS connections (tests use it to
	// trust their own certificates).
	TLSConfig *tls.Config
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
	var nd net.Dialer
	raw, err := nd.DialContext(ctx, "tcp", srv.Addr())
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	dc := newDeadlineConn(raw, d.Timeout)
	stop := dc.watch(ctx)
	defer stop()

	if h == nil {
		h = &imapclient.UnilateralDataHandler{
			// Some servers (go-imap's own) send "* 0 EXPUNGE" after MOVE;
			// nothing here tracks sequence numbers between commands, so
			// expunges are simply dropped.
			Expunge: func(uint32) {},
		}
	}
	opts := &imapclient.Options{
		WordDecoder:           &mime.WordDecoder{CharsetReader: charset.Reader},
		UnilateralDataHandler: h,
	}
	var c *imapclient.Client
	switch srv.Security {
	case config.SecurityTLS:
		tc := tls.Client(dc, d.tlsConfig(srv))
		if err := tc.HandshakeContext(ctx); err != nil {
			raw.Close()
			return nil, classifyDial(err)
		}
		c = imapclient.New(tc, opts)
	case config.SecurityStartTLS:
		opts.TLSConfig = d.tlsConfig(srv)
		c, err = imapclient.NewStartTLS(dc, opts)
		if err != nil {
			raw.Close()
			return nil, classifyDial(err)
		}
	default: // plain: config validation allows it only on loopback
		c = imapclient.New(dc, opts)
	}
	if err := c.WaitGreeting(); err != nil {
		c.Close()
		return nil, classifyDial(err)
	}
	if err := authenticate(c, srv, auth); err != nil {
		c.Close()
		var (
			ie *imap.Error
			be *sasl.OAuthBearerError // the server's OAUTHBEARER error challenge
		)
		if errors.As(err, &ie) && ie.Type == imap.StatusResponseTypeNo || errors.As(err, &be) {
			return nil, ErrAuth
		}
		return nil, classifyDial(err)
	}
	return &Conn{c: c, dc: dc, caps: c.Caps()}, nil
}

// authenticate logs in with LOGIN for a password, with SASL for a token.
func authenticate(c *imapclient.Client, srv config.Server, auth Auth) error {
	if auth.Token == "" {
		return c.Login(auth.Login, auth.Password).Wait()
	}
	caps := c.Caps()
	return c.Authenticate(auth.saslClient(srv, func(mech string) bool { return caps.Has(imap.Cap("AUTH=" + mech)) }))
}

func (d Dialer) tlsConfig(srv config.Server) *tls.Config {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if d.TLSConfig != nil {
		cfg = d.TLSConfig.Clone()
	}
	cfg.ServerName = srv.Host
	if srv.TLSServerName != "" {
		cfg.ServerName = srv.TLSServerName
	}
	return cfg
}

func classifyDial(err error) error {
	var (
		rec  tls.RecordHeaderError
		cert *tls.CertificateVerificationError
		unk  x509.UnknownAuthorityError
		host x509.HostnameError
		alr  tls.AlertError
	)
	if errors.As(err, &rec) || errors.As(err, &cert) || errors.As(err, &unk) || errors.As(err, &host) || errors.As(err, &alr) {
		return fmt.Errorf("%w: %w", ErrTLS, err)
	}
	return fmt.Errorf("%w: %w", ErrUnavailable, err)
}

// deadlineConn bounds I/O while a request uses the connection, since
// go-imap's client takes no context. Armed, every read and write gets an
// inactivity deadline and a context can break off blocked I/O; disarmed (a
// kept connection between requests), the client's reader waits freely.
type deadlineConn struct {
	net.Conn
	timeout time.Duration
	armed   atomic.Bool
}

func newDeadlineConn(c net.Conn, timeout time.Duration) *deadlineConn {
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	return &deadlineConn{Conn: c, timeout: timeout}
}

func (c *deadlineConn) Read(p []byte) (int, error) {
	if c.armed.Load() {
		c.Conn.SetReadDeadline(time.Now().Add(c.timeout))
	}
	return c.Conn.Read(p)
}

func (c *deadlineConn) Write(p []byte) (int, error) {
	if c.armed.Load() {
		c.Conn.SetWriteDeadline(time.Now().Add(c.timeout))
	}
	return c.Conn.Write(p)
}

// watch arms the deadlines until the returned func is called, and breaks
// off blocked I/O if ctx ends first. A connection broken this way is
// closed by its owner.
func (c *deadlineConn) watch(ctx context.Context) (stop func()) {
	c.armed.Store(true)
	c.Conn.SetDeadline(time.Now().Add(c.timeout))
	cancel := context.AfterFunc(ctx, func() {
		c.Conn.SetDeadline(time.Unix(1, 0))
	})
	return func() {
		cancel()
		c.armed.Store(false)
		c.Conn.SetDeadline(time.Time{})
	}
}
