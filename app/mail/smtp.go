package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"slices"
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

// Send submits one message over SMTP with the configured security and
// AUTH PLAIN, or OAUTHBEARER/XOAUTH2 for a token. The secret is used for
// this call only (invariant S3). msg is streamed to the server.
func (d Dialer) Send(ctx context.Context, srv config.Server, auth Auth, from string, rcpts []string, msg io.Reader) error {
	c, stop, err := d.dialSMTP(ctx, srv, auth)
	if err != nil {
		return err
	}
	defer stop()
	defer c.Close()
	if err := c.Mail(from, nil); err != nil {
		return smtpFailure(err)
	}
	for _, rcpt := range rcpts {
		if err := c.Rcpt(rcpt, nil); err != nil {
			var se *smtp.SMTPError
			if errors.As(err, &se) {
				return &RecipientError{Addr: rcpt, Reason: ServerReason(err)}
			}
			return smtpFailure(err)
		}
	}
	w, err := c.Data()
	if err != nil {
		return smtpFailure(err)
	}
	if _, err := io.Copy(w, msg); err != nil {
		w.Close()
		return smtpFailure(err)
	}
	if err := w.Close(); err != nil {
		return smtpFailure(err)
	}
	c.Quit()
	return nil
}

// CheckSMTP logs in to the SMTP server and out again, to check
// credentials before they are saved.
func (d Dialer) CheckSMTP(ctx context.Context, srv config.Server, auth Auth) error {
	c, stop, err := d.dialSMTP(ctx, srv, auth)
	if err != nil {
		return err
	}
	defer stop()
	defer c.Close()
	c.Quit()
	return nil
}

// smtpConn is an authenticated SMTP client and the func that disarms its
// deadlines.
type smtpConn struct {
	c    *smtp.Client
	stop func()
}

// dialSMTP connects with the configured security and authenticates,
// retrying once with a renewed token after a refusal.
func (d Dialer) dialSMTP(ctx context.Context, srv config.Server, auth Auth) (*smtp.Client, func(), error) {
	sc, err := retry(ctx, auth, ErrSMTPAuth, func(auth Auth) (smtpConn, error) {
		c, stop, err := d.dialSMTPOnce(ctx, srv, auth)
		return smtpConn{c, stop}, err
	})
	return sc.c, sc.stop, err
}

func (d Dialer) dialSMTPOnce(ctx context.Context, srv config.Server, auth Auth) (*smtp.Client, func(), error) {
	var nd net.Dialer
	raw, err := nd.DialContext(ctx, "tcp", srv.Addr())
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	dc := newDeadlineConn(raw, d.Timeout)
	stop := dc.watch(ctx)
	fail := func(err error) (*smtp.Client, func(), error) {
		stop()
		raw.Close()
		return nil, nil, err
	}
	var c *smtp.Client
	switch srv.Security {
	case config.SecurityTLS:
		tc := tls.Client(dc, d.tlsConfig(srv))
		if err := tc.HandshakeContext(ctx); err != nil {
			return fail(classifyDial(err))
		}
		c = smtp.NewClient(tc)
	case config.SecurityStartTLS:
		c, err = smtp.NewClientStartTLS(dc, d.tlsConfig(srv))
		if err != nil {
			return fail(classifyDial(err))
		}
	default: // plain: config validation allows it only on loopback
		c = smtp.NewClient(dc)
	}
	offers := func(mech string) bool {
		ok, params := c.Extension("AUTH")
		return ok && slices.Contains(strings.Fields(strings.ToUpper(params)), mech)
	}
	if err := c.Auth(auth.saslClient(srv, offers)); err != nil {
		c.Close()
		var (
			se *smtp.SMTPError
			be *sasl.OAuthBearerError
		)
		if errors.As(err, &se) && se.Code >= 500 || errors.As(err, &be) {
			return fail(fmt.Errorf("%w: %w", ErrSMTPAuth, err))
		}
		return fail(smtpFailure(err))
	}
	return c, stop, nil
}

// smtpFailure sorts an error: an answer of the server's is a rejection,
// anything else the server being unavailable.
func smtpFailure(err error) error {
	var se *smtp.SMTPError
	if errors.As(err, &se) {
		return fmt.Errorf("%w: %w", ErrRejected, err)
	}
	return fmt.Errorf("%w: %w", ErrUnavailable, err)
}
