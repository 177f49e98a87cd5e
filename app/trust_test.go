package app

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"webmail/app/internal/dovecot"
	"webmail/config"
)

// pinOf is the pin_sha256 of the first certificate in a PEM file.
func pinOf(t *testing.T, file string) string {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(data)
	if block == nil {
		t.Fatalf("%s holds no PEM", file)
	}
	sum := sha256.Sum256(block.Bytes)
	return hex.EncodeToString(sum[:])
}

// TestPrivateCertificateIMAP: a Dovecot with a self-signed certificate
// takes logins once imap.ca_file names it (with or without its pin, in
// any case and with colons), refuses them with words for the person when
// it does not, and refuses a wrong pin although the chain is trusted.
func TestPrivateCertificateIMAP(t *testing.T) {
	t.Parallel()
	dc := dovecot.Start(t, dovecot.Options{TLS: true})
	pin := pinOf(t, dc.CertFile())
	colons := strings.ToUpper(pin[:2])
	for i := 2; i < len(pin); i += 2 {
		colons += ":" + strings.ToUpper(pin[i:i+2])
	}
	wrong := strings.Repeat("0", 64)
	for _, tc := range []struct {
		name      string
		security  config.Security
		ca, pin   string
		ok        bool
		wantError string
	}{
		{"CA file, TLS", config.SecurityTLS, dc.CertFile(), "", true, ""},
		{"CA file and pin, TLS", config.SecurityTLS, dc.CertFile(), pin, true, ""},
		{"CA file and pin with colons, STARTTLS", config.SecurityStartTLS, dc.CertFile(), colons, true, ""},
		{"no CA file", config.SecurityTLS, "", "", false, "its certificate was not accepted"},
		{"no CA file, STARTTLS", config.SecurityStartTLS, "", "", false, "its certificate was not accepted"},
		{"wrong pin", config.SecurityTLS, dc.CertFile(), wrong, false, "its certificate was not accepted"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			addr := dc.TLSAddr()
			if tc.security == config.SecurityStartTLS {
				addr = dc.Addr()
			}
			host, port := splitHostPort(t, addr)
			e := newEnv(t, func(c *config.Config) {
				c.IMAP = config.Server{Host: host, Port: port, Security: tc.security, CAFile: tc.ca, PinSHA256: tc.pin}
			})
			c := e.client()
			resp := c.do(t, "POST", "/login", url.Values{"login": {dovecot.DefaultLogin}, "password": {dovecot.DefaultPassword}})
			if tc.ok {
				resp.Body.Close()
				if resp.StatusCode != http.StatusSeeOther {
					t.Fatalf("login: status %d, want 303", resp.StatusCode)
				}
				if got := c.page(t, "/m/INBOX", http.StatusOK).Find("[data-testid=folder]").Length(); got == 0 {
					t.Error("no folders after login")
				}
				return
			}
			doc := parse(t, resp, http.StatusBadGateway)
			if got := text(doc.Find("[data-testid=login-error]")); !strings.Contains(got, tc.wantError) {
				t.Errorf("login error %q, want it to say %q", got, tc.wantError)
			}
		})
	}
}

// TestPrivateCertificateSMTP: the same for the sending server: trusted by
// smtp.ca_file, refused for a wrong pin.
func TestPrivateCertificateSMTP(t *testing.T) {
	t.Parallel()
	srv := startSMTP(t, smtpSink{}, config.SecurityTLS, 0)
	cert := testCertificate(t)
	file := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(file, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Certificate[0]}), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := x509.ParseCertificate(cert.Certificate[0]); err != nil {
		t.Fatal(err)
	}
	srv.CAFile = file
	e := newEnv(t, func(c *config.Config) { c.SMTP = config.SMTP{Server: srv, UseIMAPCredentials: true} })
	c := e.client()
	c.login(t, e.acct.Login, e.acct.Password)
	resp := c.postMultipart(t, "/compose/send", [][2]string{{"to", "ann@example.net"}, {"subject", "Hi"}, {"body", "x"}}, nil)
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Errorf("send with smtp.ca_file: status %d, want 303 (sent)", resp.StatusCode)
	}
	srv.PinSHA256 = strings.Repeat("ab", 32)
	if msg := sendVia(t, srv, "x", http.StatusBadGateway); !strings.Contains(msg, "secure connection to the sending server failed") {
		t.Errorf("send with a wrong pin: %q", msg)
	}
}
