package config

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestLoadTrust: ca_file must name a readable PEM file of certificates and
// pin_sha256 must be a SHA-256 in hex, for the default servers, [[domain]]
// entries and the environment alike.
func TestLoadTrust(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	notPEM := filepath.Join(dir, "not.pem")
	if err := os.WriteFile(notPEM, []byte("hello"), 0o644); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "missing.pem")
	path := writeFile(t, `
[imap]
host = "mail.example.org"
ca_file = "`+missing+`"
pin_sha256 = "abc"
[smtp]
host = "mail.example.org"
[[domain]]
name = "example.com"
imap.host = "imap.example.com"
smtp.host = "127.0.0.1"
smtp.security = "plain"
smtp.pin_sha256 = "`+"aa:bb"+`"
`)
	_, err := Load(path, env(map[string]string{"WEBMAIL_SMTP_CA_FILE": notPEM}))
	want := []FieldError{
		{"imap.ca_file", "cannot be read: no such file or directory"},
		{"imap.pin_sha256", `must be the 64 hex digits of a SHA-256 (colons allowed), got "abc"`},
		{"smtp.ca_file", "holds no PEM certificate: " + notPEM + " (from WEBMAIL_SMTP_CA_FILE)"},
		{"domain[0].smtp.pin_sha256", `has no use with security "plain"`},
		{"domain[0].smtp.pin_sha256", `must be the 64 hex digits of a SHA-256 (colons allowed), got "aa:bb"`},
	}
	if diff := cmp.Diff(want, problems(t, err)); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
}
