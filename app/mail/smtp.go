package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"webmail/config"
)

// Errors of a send, told apart so the person reads what happened.
var (
	// ErrSMTPAuth means the SMTP server refused the credentials.
	ErrSMTPAuth = errors.New("mail: SMTP authentication failed")
	// ErrRejected means the server refused the message itself.
	ErrRejected = errors.New("mail: message rejected")
)

// RecipientError is a recipient the SMTP server refused.
type RecipientError struct {
	Addr   string
	Reason string // the server's words, printable only
}

func (e *RecipientError) Error() string {
	return "mail: recipient " + e.Addr + " refused: " + e.Reason
}

// ServerReason returns the printable text of an SMTP error answer, for
// showing to the person ("" if err is not one).
func ServerReason(err error) string {
	var se *smtp.SMTPError
	if !errors.As(err, &se) {
		return ""
	}
	return printable(fmt.Sprintf("%d %s", se.Code, se.Message))
}

func printable(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsPrint(r) {
			return r
		}
		return ' '
	}, s)
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}

// Send submits one message of size bytes over SMTP with the configured
// security and AUTH PLAIN, or OAUTHBEARER/XOAUTH2 for a token. The secret
// is used for this call only (invariant S3). msg is streamed to the
// server. Each command must be answered within the Dialer's Timeout; the
// message itself must keep moving (each write within the Timeout).
func (d Dialer) Send(ctx context.Context, srv config.Server, auth Auth, from string, rcpts []string, size int64, msg io.Reader) error {
	err := d.send(ctx, srv, auth, from, rcpts, size, msg)
	if d.Observer != nil && d.Observer.Send != nil {
		d.Observer.Send(Outcome(err))
	}
	return err
}

func (d Dialer) send(ctx context.Context, srv config.Server, auth Auth, from string, rcpts []string, size int64, msg io.Reader) error {
	c, dc, err := d.dialSMTP(ctx, srv, auth)
	if err != nil {
		return err
	}
	defer c.Close()
	step := func(stream bool, f func() error) error {
		stop := dc.watch(ctx, stream)
		err := f()
		stop()
		if err != nil && dc.expired.Load() {
			return fmt.Errorf("%w: %w", ErrTimeout, err)
		}
		if err != nil && ctx.Err() != nil {
			return fmt.Errorf("%w: %w", ErrUnavailable, context.Cause(ctx))
		}
		return err
	}
	if limit, ok := c.MaxMessageSize(); ok && limit > 0 && size > int64(limit) {
		return &TooLargeError{Limit: int64(limit)}
	}
	err = step(false, func() error {
		if err := c.Mail(from, &smtp.MailOptions{Size: size}); err != nil {
			return smtpFailure(err)
		}
		for _, rcpt := range rcpts {
			if err := c.Rcpt(rcpt, nil); err != nil {
				var se *smtp.SMTPError
				if errors.As(err, &se) && !tooLarge(se) {
					return &RecipientError{Addr: rcpt, Reason: ServerReason(err)}
				}
				return smtpFailure(err)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	var w io.WriteCloser
	if err := step(false, func() (err error) { w, err = c.Data(); return smtpFailure(err) }); err != nil {
		return err
	}
	if err := step(true, func() error { _, err := io.Copy(w, msg); return err }); err != nil {
		w.Close()
		return smtpFailure(err)
	}
	if err := step(false, func() error { return smtpFailure(w.Close()) }); err != nil {
		return err
	}
	step(false, c.Quit)
	return nil
}

// TooLargeError means the SMTP server refuses messages of this size.
type TooLargeError struct {
	Limit int64 // the server's limit in bytes, 0 if it did not say
}

func (e *TooLargeError) Error() string {
	return "mail: message too large for the SMTP server (limit " + strconv.FormatInt(e.Limit, 10) + ")"
}

// tooLarge reports whether an SMTP answer refuses the message for its
// size: 552 (RFC 5321) or the enhanced codes 5.3.4 and 5.2.3 (RFC 3463).
func tooLarge(se *smtp.SMTPError) bool {
	ec := se.EnhancedCode
	return se.Code == 552 || ec == smtp.EnhancedCode{5, 3, 4} || ec == smtp.EnhancedCode{5, 2, 3}
}

// CheckSMTP logs in to the SMTP server and out again, to check
// credentials before they are saved.
func (d Dialer) CheckSMTP(ctx context.Context, srv config.Server, auth Auth) error {
	c, dc, err := d.dialSMTP(ctx, srv, auth)
	if err != nil {
		return err
	}
	defer c.Close()
	stop := dc.watch(ctx, false)
	c.Quit()
	stop()
	return nil
}

// smtpConn is an authenticated SMTP client and its connection's bounds.
type smtpConn struct {
	c  *smtp.Client
	dc *deadlineConn
}

// dialSMTP connects with the configured security and authenticates,
// retrying once with a renewed token after a refusal.
func (d Dialer) dialSMTP(ctx context.Context, srv config.Server, auth Auth) (*smtp.Client, *deadlineConn, error) {
	sc, err := retry(ctx, auth, ErrSMTPAuth, func(auth Auth) (smtpConn, error) {
		c, dc, err := d.dialSMTPOnce(ctx, srv, auth)
		return smtpConn{c, dc}, err
	})
	return sc.c, sc.dc, err
}

// dialSMTPOnce connects, secures and authenticates, all within the
// Timeout.
func (d Dialer) dialSMTPOnce(ctx context.Context, srv config.Server, auth Auth) (*smtp.Client, *deadlineConn, error) {
	nd := net.Dialer{Timeout: d.timeout()}
	raw, err := nd.DialContext(ctx, "tcp", srv.Addr())
	if err != nil {
		return nil, nil, dialFailure(ctx, err)
	}
	dc := newDeadlineConn(raw, d.timeout())
	stop := dc.watch(ctx, false)
	defer stop()
	fail := func(err error) (*smtp.Client, *deadlineConn, error) {
		raw.Close()
		switch {
		case dc.expired.Load():
			return nil, nil, fmt.Errorf("%w: %w", ErrTimeout, err)
		case ctx.Err() != nil:
			return nil, nil, fmt.Errorf("%w: %w", ErrUnavailable, context.Cause(ctx))
		}
		return nil, nil, err
	}
	var c *smtp.Client
	cfg, err := d.tlsConfig(srv)
	if err != nil {
		return fail(err)
	}
	switch srv.Security {
	case config.SecurityTLS:
		tc := tls.Client(dc, cfg)
		if err := tc.HandshakeContext(ctx); err != nil {
			return fail(classifyDial(err))
		}
		c = smtp.NewClient(tc)
	case config.SecurityStartTLS:
		if c, err = smtp.NewClientStartTLS(dc, cfg); err != nil {
			return fail(classifyDial(err))
		}
		// The TLS handshake happens on the first command after STARTTLS:
		// make it happen here, so a certificate that fails is told as such.
		if err := c.Hello("localhost"); err != nil {
			return fail(classifyDial(err))
		}
	default: // plain: config validation allows it only on loopback
		c = smtp.NewClient(dc)
	}
	offers := func(mech string) bool {
		ok, params := c.Extension("AUTH")
		return ok && slices.Contains(strings.Fields(strings.ToUpper(params)), mech)
	}
	sc := auth.saslClient(srv, offers)
	err = c.Auth(sc)
	wipeSASL(sc)
	if err != nil {
		c.Close()
		var (
			se *smtp.SMTPError
			be *sasl.OAuthBearerError
		)
		if errors.As(err, &se) && se.Code >= 500 || errors.As(err, &be) {
			return fail(fmt.Errorf("%w: %w", ErrSMTPAuth, err))
		}
		if errors.As(err, &se) {
			return fail(smtpFailure(err))
		}
		return fail(classifyDial(err))
	}
	return c, dc, nil
}

// smtpFailure sorts an error: a refusal for size, an answer of the
// server's (a rejection), or the server being unavailable.
func smtpFailure(err error) error {
	if err == nil {
		return nil
	}
	var se *smtp.SMTPError
	switch {
	case errors.As(err, &se) && tooLarge(se):
		return fmt.Errorf("%w: %w", &TooLargeError{}, err)
	case errors.As(err, &se):
		return fmt.Errorf("%w: %w", ErrRejected, err)
	case errors.Is(err, ErrUnavailable):
		return err
	}
	return fmt.Errorf("%w: %w", ErrClosed, err)
}
