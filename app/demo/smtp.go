package demo

import (
	"crypto/subtle"
	"io"
	"slices"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Delivery is a message accepted by the SMTP server.
type Delivery struct {
	Login string    // SMTP AUTH login of the sender
	From  string    // envelope sender (MAIL FROM)
	To    []string  // envelope recipients (RCPT TO)
	Data  []byte    // the raw message, as received
	Time  time.Time // when the message was accepted
}

// Received returns the last 100 messages accepted by the SMTP server, oldest
// first. The returned Data slices are shared and must not be modified.
func (s *Server) Received() []Delivery {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.received)
}

func newSMTPServer(s *Server) *smtp.Server {
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) {
		return &smtpSession{srv: s}, nil
	}))
	srv.Domain = "localhost"
	srv.MaxMessageBytes = maxMessageBytes
	srv.MaxRecipients = maxRecipients
	srv.AllowInsecureAuth = true // loopback demo: AUTH without TLS
	srv.ReadTimeout = time.Minute
	srv.WriteTimeout = time.Minute
	srv.ErrorLog = printfLogger{s.log.With("protocol", "SMTP")}
	return srv
}

// smtpSession is a submission session. It requires AUTH PLAIN with an
// account's SMTP credentials (never its IMAP ones), or an access token of
// the provider when it runs. It delivers mail for the demo accounts'
// addresses to their INBOX, and accepts mail for any other recipient without
// delivering it anywhere: it is only recorded for Received, so that the
// webmail can send to arbitrary addresses.
type smtpSession struct {
	srv   *Server
	login string
	from  string
	to    []string
}

var _ smtp.AuthSession = (*smtpSession)(nil)

// AuthMechanisms returns PLAIN, and the bearer-token mechanisms when the
// provider runs.
func (s *smtpSession) AuthMechanisms() []string {
	return append([]string{sasl.Plain}, s.srv.tokenMechs...)
}

// Auth returns the server side of a SASL mechanism: PLAIN with an account's
// SMTP credentials, or a bearer token, which authenticates as the token's
// account.
func (s *smtpSession) Auth(mech string) (sasl.Server, error) {
	if slices.Contains(s.srv.tokenMechs, mech) {
		return newBearerServer(mech, s.loginToken, smtp.ErrAuthFailed), nil
	}
	if mech != sasl.Plain {
		return nil, smtp.ErrAuthUnknownMechanism
	}
	return sasl.NewPlainServer(func(identity, username, password string) error {
		if identity != "" && identity != username {
			return smtp.ErrAuthFailed
		}
		for _, a := range s.srv.accounts {
			if a.SMTPLogin == username && subtle.ConstantTimeCompare([]byte(a.SMTPPassword), []byte(password)) == 1 {
				s.login = username
				return nil
			}
		}
		return smtp.ErrAuthFailed
	}), nil
}

func (s *smtpSession) loginToken(username, token string) error {
	acct, err := s.srv.tokenAccount(username, token)
	if err != nil {
		s.srv.log.Info("demo SMTP token refused", "err", err)
		return err
	}
	s.login = acct.SMTPLogin
	return nil
}

func (s *smtpSession) Mail(from string, _ *smtp.MailOptions) error {
	if s.login == "" {
		return smtp.ErrAuthRequired
	}
	s.from = from
	return nil
}

func (s *smtpSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	if s.login == "" {
		return smtp.ErrAuthRequired
	}
	s.to = append(s.to, to)
	return nil
}

func (s *smtpSession) Data(r io.Reader) error {
	if s.login == "" {
		return smtp.ErrAuthRequired
	}
	raw, err := io.ReadAll(r) // bounded by MaxMessageBytes: fails with smtp.ErrDataTooLarge
	if err != nil {
		return err
	}
	d := Delivery{Login: s.login, From: s.from, To: slices.Clone(s.to), Data: raw, Time: time.Now()}
	return s.srv.deliver(d)
}

func (s *smtpSession) Reset() {
	s.from, s.to = "", nil
}

func (s *smtpSession) Logout() error { return nil }

// deliver appends d to the INBOX of each recipient that is a demo account
// and records it for Received.
func (s *Server) deliver(d Delivery) error {
	delivered := make(map[*mailAccount]bool)
	for _, rcpt := range d.To {
		acct := s.accountByAddress(rcpt)
		if acct == nil || delivered[acct] {
			continue
		}
		delivered[acct] = true
		if err := acct.append(folderInbox, d.Data, nil, d.Time); err != nil {
			s.log.Error("demo SMTP delivery failed", "rcpt", rcpt, "err", err)
			return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Delivery failed"}
		}
	}
	s.log.Info("demo SMTP message accepted", "login", d.Login, "from", d.From, "to", d.To, "bytes", len(d.Data))

	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.received) == receivedLimit {
		s.received = slices.Delete(s.received, 0, 1)
	}
	s.received = append(s.received, d)
	return nil
}
