package app

import (
	"crypto/tls"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"webmail/app/internal/dovecot"
	"webmail/config"
)

// The rows of the failure tables (failures.go) that the other tests do not
// reach: each failure a person can meet gets its own status and words.

// testCertificate is a self-signed certificate the webmail does not trust.
func testCertificate(t *testing.T) tls.Certificate {
	t.Helper()
	ts := httptest.NewTLSServer(nil)
	defer ts.Close()
	return ts.TLS.Certificates[0]
}

// smtpSink is an SMTP server that takes any PLAIN login and refuses what
// dataErr says.
type smtpSink struct{ dataErr error }

func (s smtpSink) NewSession(*smtp.Conn) (smtp.Session, error) { return &sinkSession{s}, nil }

type sinkSession struct{ s smtpSink }

func (*sinkSession) AuthMechanisms() []string { return []string{sasl.Plain} }
func (*sinkSession) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(string, string, string) error { return nil }), nil
}
func (*sinkSession) Mail(string, *smtp.MailOptions) error { return nil }
func (*sinkSession) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (x *sinkSession) Data(r io.Reader) error {
	io.Copy(io.Discard, r)
	return x.s.dataErr
}
func (*sinkSession) Reset()        {}
func (*sinkSession) Logout() error { return nil }

// startSMTP serves s on a loopback port: with implicit TLS, with
// STARTTLS, or plain; maxBytes, if set, is advertised as SIZE.
func startSMTP(t *testing.T, s smtpSink, security config.Security, maxBytes int64) config.Server {
	t.Helper()
	srv := smtp.NewServer(s)
	srv.AllowInsecureAuth = true
	srv.MaxMessageBytes = maxBytes
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if security != config.SecurityPlain {
		srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{testCertificate(t)}}
	}
	if security == config.SecurityTLS {
		ln = tls.NewListener(ln, srv.TLSConfig)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	host, port := splitHostPort(t, ln.Addr().String())
	return config.Server{Host: host, Port: port, Security: security}
}

// sendVia sends a message through an SMTP server of the test's and returns
// the compose page that comes back.
func sendVia(t *testing.T, srv config.Server, body string, want int) string {
	t.Helper()
	e := newEnv(t, func(c *config.Config) {
		c.SMTP = config.SMTP{Server: srv, UseIMAPCredentials: true}
	})
	c := e.client()
	c.login(t, e.acct.Login, e.acct.Password)
	resp := c.postMultipart(t, "/compose/send", [][2]string{{"to", "ann@example.net"}, {"subject", "Table"}, {"body", body}}, nil)
	doc := parse(t, resp, want)
	if got := doc.Find("[data-testid=body-input]").Text(); got != body {
		t.Errorf("the form lost the body: %.40q", got)
	}
	return text(doc.Find("[data-testid=compose-error]"))
}

func TestSMTPFailuresTold(t *testing.T) {
	t.Parallel()
	t.Run("TLS certificate, implicit TLS", func(t *testing.T) {
		t.Parallel()
		msg := sendVia(t, startSMTP(t, smtpSink{}, config.SecurityTLS, 0), "x", http.StatusBadGateway)
		if !strings.Contains(msg, "secure connection to the sending server failed") {
			t.Errorf("%q", msg)
		}
	})
	t.Run("TLS certificate, STARTTLS", func(t *testing.T) {
		t.Parallel()
		msg := sendVia(t, startSMTP(t, smtpSink{}, config.SecurityStartTLS, 0), "x", http.StatusBadGateway)
		if !strings.Contains(msg, "secure connection to the sending server failed") {
			t.Errorf("%q (a STARTTLS certificate failure used to read as try again later)", msg)
		}
	})
	t.Run("too large, by SIZE", func(t *testing.T) {
		t.Parallel()
		msg := sendVia(t, startSMTP(t, smtpSink{}, config.SecurityPlain, 2048), strings.Repeat("words ", 1000), http.StatusRequestEntityTooLarge)
		if !strings.Contains(msg, "too large") || !strings.Contains(msg, "at most 2 kB") {
			t.Errorf("%q", msg)
		}
	})
	t.Run("too large, refused after the data", func(t *testing.T) {
		t.Parallel()
		refuse := &smtp.SMTPError{Code: 552, EnhancedCode: smtp.EnhancedCode{5, 3, 4}, Message: "Message too big"}
		msg := sendVia(t, startSMTP(t, smtpSink{dataErr: refuse}, config.SecurityPlain, 0), "x", http.StatusRequestEntityTooLarge)
		if !strings.Contains(msg, "too large for the sending server") {
			t.Errorf("%q", msg)
		}
	})
	t.Run("unreachable", func(t *testing.T) {
		t.Parallel()
		ln, _ := net.Listen("tcp", "127.0.0.1:0")
		host, port := splitHostPort(t, ln.Addr().String())
		ln.Close()
		msg := sendVia(t, config.Server{Host: host, Port: port, Security: config.SecurityPlain}, "x", http.StatusBadGateway)
		if !strings.Contains(msg, "cannot be reached") {
			t.Errorf("%q", msg)
		}
	})
}

// TestIMAPTLSFailuresTold: a certificate the webmail does not trust, with
// implicit TLS and with STARTTLS, is told as such at login.
func TestIMAPTLSFailuresTold(t *testing.T) {
	t.Parallel()
	dc := dovecot.Start(t, dovecot.Options{TLS: true})
	for name, srv := range map[string]func() config.Server{
		"implicit TLS": func() config.Server {
			host, port := splitHostPort(t, dc.TLSAddr())
			return config.Server{Host: host, Port: port, Security: config.SecurityTLS}
		},
		"STARTTLS": func() config.Server {
			host, port := splitHostPort(t, dc.Addr())
			return config.Server{Host: host, Port: port, Security: config.SecurityStartTLS}
		},
	} {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, func(c *config.Config) { c.IMAP = srv() })
			resp := e.client().do(t, "POST", "/login", url.Values{"login": {dovecot.DefaultLogin}, "password": {dovecot.DefaultPassword}})
			doc := parse(t, resp, http.StatusBadGateway)
			if got := text(doc.Find("[data-testid=login-error]")); !strings.Contains(got, "certificate was not accepted") {
				t.Errorf("%q, want the TLS message", got)
			}
		})
	}
}
