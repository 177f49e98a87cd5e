// Package demo runs the webmail's embedded demo mail server: an IMAP server
// (go-imap v2 with its in-memory backend) and an SMTP submission server
// (go-smtp), both on loopback, with a deterministic and realistic mailbox.
//
// `go run ./cmd/webmail` uses it as an out-of-the-box demo, and the test suite
// uses it as the real IMAP and SMTP peer.
//
// IMAP allows LOGIN without TLS. Every account has the folders INBOX,
// Drafts, Sent, Trash, Archive and Junk (with their SPECIAL-USE attributes,
// returned by every LIST), Newsletters, and Projects, Projects/Website and
// Projects/Website/Launch (the hierarchy delimiter is "/").
//
// SMTP allows AUTH PLAIN without TLS, with an account's SMTP credentials
// only. Mail for an account's address is delivered to its INBOX; mail for any
// other address is accepted but only recorded (see Server.Received), so that
// the webmail can send anywhere. Messages over 30 MB are refused.
//
// With Options.OAuth set, Start also runs an OpenID Connect provider, "Demo
// ID" (see Provider), and both servers then accept its access tokens with
// the SASL mechanisms OAUTHBEARER and XOAUTH2 (Options.TokenMechanisms), for
// the account the token was issued to, as a mail provider with "Sign in
// with…" does.
//
// The first account's mailbox is generated from a fixed seed and the anchor
// time Options.Now: about 400 messages over the six months before it,
// including one INBOX message per feature a webmail must render (charsets,
// HTML, attachments, threads…); notable.go lists their subjects.
package demo

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-smtp"
)

// Account is one mailbox owner of the demo server.
type Account struct {
	Login, Password         string // IMAP LOGIN credentials
	SMTPLogin, SMTPPassword string // SMTP AUTH PLAIN credentials
	Address, Name           string // e-mail address and display name
}

// Options configures Start; the zero value starts the full demo on random
// loopback ports.
type Options struct {
	// IMAPAddr and SMTPAddr are the listening addresses; both default to
	// "127.0.0.1:0" (a random free port).
	IMAPAddr, SMTPAddr string
	// Accounts are the mail accounts; the default is DefaultAccounts(). The
	// first account receives the generated demo mailbox.
	Accounts []Account
	// InboxSize is the number of messages generated in the first account's
	// INBOX; the default is 300. The notable demo messages are always
	// included, so a smaller value is raised to their count.
	InboxSize int
	// Empty makes Start create the folders only, without generating any
	// message, which is faster for tests that bring their own messages.
	Empty bool
	// Now anchors the generated dates; the default is time.Now(). Two
	// servers started with the same Now hold identical messages.
	Now time.Time
	// Logger receives the servers' diagnostics; the default discards them.
	Logger *slog.Logger
	// OAuth, when set, starts the OpenID Connect provider with these
	// options (the zero value is fine), and the IMAP and SMTP servers accept
	// its access tokens. See Server.Provider.
	OAuth *ProviderOptions
	// TokenMechanisms are the SASL mechanisms for bearer tokens that IMAP
	// and SMTP offer when OAuth is set: "OAUTHBEARER", "XOAUTH2" or both,
	// in order of preference. The default is both, OAUTHBEARER first.
	TokenMechanisms []string
}

// DefaultAccounts returns the demo accounts. The first one, demo@example.org,
// has SMTP credentials that differ from its IMAP ones, so that a client using
// the IMAP credentials for SMTP is rejected. The second one, alice@example.org,
// uses the same credentials for both and starts with empty folders.
func DefaultAccounts() []Account {
	return []Account{
		{
			Login: "demo@example.org", Password: "demo",
			SMTPLogin: "demo-smtp", SMTPPassword: "demo-smtp-secret",
			Address: "demo@example.org", Name: "Demo User",
		},
		{
			Login: "alice@example.org", Password: "alice",
			SMTPLogin: "alice@example.org", SMTPPassword: "alice",
			Address: "alice@example.org", Name: "Alice Martin",
		},
	}
}

const (
	defaultAddr      = "127.0.0.1:0"
	defaultInboxSize = 300
	maxMessageBytes  = 30 << 20 // SMTP size limit, advertised with the SIZE extension
	maxRecipients    = 100
	receivedLimit    = 100 // deliveries kept for Received
)

// Server is a running demo IMAP and SMTP server.
type Server struct {
	log      *slog.Logger
	now      time.Time
	accounts []*mailAccount

	imap           *imapserver.Server
	smtp           *smtp.Server
	imapLn, smtpLn net.Listener
	serving        sync.WaitGroup

	provider   *Provider // nil unless Options.OAuth is set
	tokenMechs []string  // bearer-token SASL mechanisms, nil without provider

	closing   atomic.Bool
	closeOnce sync.Once
	closeErr  error

	mu       sync.Mutex
	received []Delivery // the last receivedLimit deliveries, oldest first
}

// Start creates the accounts and their folders, generates the demo mailbox
// unless opt.Empty is set, and starts serving IMAP and SMTP. The context
// bounds the start-up only; call Close to stop the server.
func Start(ctx context.Context, opt Options) (*Server, error) {
	opt, err := opt.withDefaults()
	if err != nil {
		return nil, err
	}
	s := &Server{log: opt.Logger, now: opt.Now}
	for _, a := range opt.Accounts {
		acct, err := newMailAccount(a)
		if err != nil {
			return nil, err
		}
		s.accounts = append(s.accounts, acct)
	}
	if !opt.Empty {
		start := time.Now()
		if err := populate(ctx, s.accounts[0], opt.Now, opt.InboxSize); err != nil {
			return nil, fmt.Errorf("demo: generating the mailbox: %w", err)
		}
		s.log.Debug("demo mailbox generated", "account", s.accounts[0].Login, "took", time.Since(start))
	}

	var lc net.ListenConfig
	if s.imapLn, err = lc.Listen(ctx, "tcp", opt.IMAPAddr); err != nil {
		return nil, fmt.Errorf("demo: IMAP: %w", err)
	}
	if s.smtpLn, err = lc.Listen(ctx, "tcp", opt.SMTPAddr); err != nil {
		s.imapLn.Close()
		return nil, fmt.Errorf("demo: SMTP: %w", err)
	}
	if opt.OAuth != nil {
		popt := *opt.OAuth
		if popt.Logger == nil {
			popt.Logger = opt.Logger
		}
		if s.provider, err = StartProvider(ctx, opt.Accounts, popt); err != nil {
			s.imapLn.Close()
			s.smtpLn.Close()
			return nil, err
		}
		s.tokenMechs = opt.TokenMechanisms
	}
	s.imap = newIMAPServer(s)
	s.smtp = newSMTPServer(s)
	s.serving.Add(2)
	go s.serve("IMAP", func() error { return s.imap.Serve(s.imapLn) })
	go s.serve("SMTP", func() error { return s.smtp.Serve(s.smtpLn) })
	s.log.Info("demo mail server started", "imap", s.IMAPAddr(), "smtp", s.SMTPAddr())
	return s, nil
}

func (opt Options) withDefaults() (Options, error) {
	if opt.IMAPAddr == "" {
		opt.IMAPAddr = defaultAddr
	}
	if opt.SMTPAddr == "" {
		opt.SMTPAddr = defaultAddr
	}
	if len(opt.Accounts) == 0 {
		opt.Accounts = DefaultAccounts()
	}
	if opt.InboxSize <= 0 {
		opt.InboxSize = defaultInboxSize
	}
	if opt.Now.IsZero() {
		opt.Now = time.Now()
	}
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	if opt.OAuth != nil {
		mechs, err := tokenMechanisms(opt.TokenMechanisms)
		if err != nil {
			return opt, err
		}
		opt.TokenMechanisms = mechs
	}
	logins := make(map[string]bool)
	for _, a := range opt.Accounts {
		if a.Login == "" || a.SMTPLogin == "" || a.Address == "" {
			return opt, fmt.Errorf("demo: account %q needs a login, an SMTP login and an address", a.Address)
		}
		if logins[a.Login] {
			return opt, fmt.Errorf("demo: duplicate account login %q", a.Login)
		}
		logins[a.Login] = true
	}
	return opt, nil
}

func (s *Server) serve(name string, serve func() error) {
	defer s.serving.Done()
	if err := serve(); err != nil && !s.closing.Load() {
		s.log.Error("demo server stopped", "protocol", name, "err", err)
	}
}

// IMAPAddr returns the IMAP listening address, host:port.
func (s *Server) IMAPAddr() string { return s.imapLn.Addr().String() }

// SMTPAddr returns the SMTP listening address, host:port.
func (s *Server) SMTPAddr() string { return s.smtpLn.Addr().String() }

// Provider returns the OpenID Connect provider whose access tokens the
// servers accept, or nil unless Options.OAuth was set.
func (s *Server) Provider() *Provider { return s.provider }

// Accounts returns a copy of the server's accounts, the demo-mailbox owner
// first.
func (s *Server) Accounts() []Account {
	l := make([]Account, len(s.accounts))
	for i, a := range s.accounts {
		l[i] = a.Account
	}
	return l
}

// Close stops both servers and closes their connections. It is safe to call
// more than once.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		s.closing.Store(true)
		err := errors.Join(s.imap.Close(), s.smtp.Close())
		if s.provider != nil {
			err = errors.Join(err, s.provider.Close())
		}
		// go-smtp only closes the listeners its Serve has registered, which
		// may not have happened yet right after Start.
		for _, ln := range []net.Listener{s.imapLn, s.smtpLn} {
			if lerr := ln.Close(); lerr != nil && !errors.Is(lerr, net.ErrClosed) {
				err = errors.Join(err, lerr)
			}
		}
		s.serving.Wait()
		s.closeErr = err
	})
	return s.closeErr
}

// Append delivers raw into the mailbox of the account whose IMAP login is
// login, with the given flags and internal date (time.Now() if zero), as an
// IMAP APPEND would. It lets tests set up messages without a client.
func (s *Server) Append(ctx context.Context, login, mailbox string, raw []byte, flags []imap.Flag, date time.Time) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	acct := s.accountByLogin(login)
	if acct == nil {
		return fmt.Errorf("demo: no account %q", login)
	}
	return acct.append(mailbox, raw, flags, date)
}

// accountByLogin finds an account by login name, in any case, as Dovecot
// and most servers do.
func (s *Server) accountByLogin(login string) *mailAccount {
	for _, a := range s.accounts {
		if strings.EqualFold(a.Login, login) {
			return a
		}
	}
	return nil
}

func (s *Server) accountByAddress(addr string) *mailAccount {
	for _, a := range s.accounts {
		if strings.EqualFold(a.Address, addr) {
			return a
		}
	}
	return nil
}

// literal is an imap.LiteralReader over a byte slice. It reports io.EOF
// together with the last bytes, which spares the in-memory backend a
// buffer growth per message (it reads literals with bytes.Buffer.ReadFrom).
type literal struct{ r *bytes.Reader }

func newLiteral(b []byte) literal { return literal{bytes.NewReader(b)} }

func (l literal) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	if err == nil && l.r.Len() == 0 {
		err = io.EOF
	}
	return n, err
}

func (l literal) Size() int64 { return l.r.Size() }
