package config

import (
	"bytes"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const oauthFile = `
[imap]
host = "mail.example.org"
[smtp]
host = "mail.example.org"

[[oauth]]
name = "google"
label = "Google"
issuer = "https://accounts.google.com"
client_id = "123.apps.googleusercontent.com"
client_secret_file = %q
scopes = ["openid", "email", "https://mail.google.com/"]
auth_params = { access_type = "offline", prompt = "consent" }
imap.host = "imap.gmail.com"
smtp.host = "smtp.gmail.com"

[[oauth]]
name = "corp-sso"
issuer = "https://login.example.net/tenant/v2.0"
client_id = "abc"
scopes = ["openid", "email", "offline_access", "https://outlook.office.com/IMAP.AccessAsUser.All"]
login_claim = "preferred_username"
sasl = "XOAUTH2"
`

func TestLoadOAuth(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	secretFile := filepath.Join(dir, "google.secret")
	if err := os.WriteFile(secretFile, []byte("GOCSPX-file-secret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	envFile := filepath.Join(dir, "corp.secret")
	if err := os.WriteFile(envFile, []byte("  env-secret-42 "), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := Load(writeFile(t, fmt.Sprintf(oauthFile, secretFile)), env(map[string]string{
		"WEBMAIL_OAUTH_CORP_SSO_CLIENT_SECRET_FILE": envFile,
	}))
	if err != nil {
		t.Fatal(err)
	}
	want := []OAuth{{
		Name: "google", Label: "Google", Issuer: "https://accounts.google.com", ClientID: "123.apps.googleusercontent.com",
		ClientSecretFile: secretFile, ClientSecret: "GOCSPX-file-secret",
		Scopes:     []string{"openid", "email", "https://mail.google.com/"},
		AuthParams: map[string]string{"access_type": "offline", "prompt": "consent"},
		LoginClaim: "email", SASL: "auto",
		IMAP: Server{Host: "imap.gmail.com", Port: 993, Security: SecurityTLS},
		SMTP: Server{Host: "smtp.gmail.com", Port: 465, Security: SecurityTLS},
	}, {
		Name: "corp-sso", Label: "corp-sso", Issuer: "https://login.example.net/tenant/v2.0", ClientID: "abc",
		ClientSecretFile: envFile, ClientSecret: "env-secret-42",
		Scopes:     []string{"openid", "email", "offline_access", "https://outlook.office.com/IMAP.AccessAsUser.All"},
		LoginClaim: "preferred_username", SASL: "xoauth2",
		IMAP: Server{Security: SecurityTLS}, SMTP: Server{Security: SecurityTLS},
	}}
	if diff := cmp.Diff(want, c.OAuth); diff != "" {
		t.Errorf("oauth (-want +got):\n%s", diff)
	}

	// The secrets appear in no printed form of the configuration.
	var out bytes.Buffer
	fmt.Fprintf(&out, "%v %+v %#v %s", c, c, c.OAuth, c.String())
	slog.New(slog.NewJSONHandler(&out, nil)).Info("config", "c", c, "oauth", c.OAuth)
	slog.New(slog.NewTextHandler(&out, nil)).Info("config", "c", c, "oauth", c.OAuth)
	for _, secret := range []string{"GOCSPX-file-secret", "env-secret-42"} {
		if strings.Contains(out.String(), secret) {
			t.Errorf("client secret %q printed:\n%s", secret, out.String())
		}
	}

	// Servers: the provider's own, or the login's; SMTP always takes the token.
	google, _ := c.OAuthProvider("google")
	if imap, smtp := c.ServersForOAuth(google, "ann@gmail.com"); imap.Host != "imap.gmail.com" || smtp.Host != "smtp.gmail.com" || !smtp.UseIMAPCredentials {
		t.Errorf("ServersForOAuth(google) = %+v, %+v", imap, smtp)
	}
	corp, _ := c.OAuthProvider("corp-sso")
	if imap, smtp := c.ServersForOAuth(corp, "bo@example.org"); imap.Host != "mail.example.org" || !smtp.UseIMAPCredentials {
		t.Errorf("ServersForOAuth(corp) = %+v, %+v", imap, smtp)
	}
	if _, ok := c.OAuthProvider("nope"); ok {
		t.Error("OAuthProvider found a provider that is not configured")
	}
}

func TestOAuthOnlyIsNotDemo(t *testing.T) {
	t.Parallel()
	c, err := Load(writeFile(t, `
[[oauth]]
name = "google"
issuer = "https://accounts.google.com"
client_id = "x"
scopes = ["openid", "email", "https://mail.google.com/"]
imap.host = "imap.gmail.com"
smtp.host = "smtp.gmail.com"
`), nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Demo {
		t.Error("a configuration whose only servers are an OAuth provider's runs the demo")
	}
}

func TestOAuthProblems(t *testing.T) {
	t.Parallel()
	missing := filepath.Join(t.TempDir(), "missing")
	empty := filepath.Join(t.TempDir(), "empty")
	os.WriteFile(empty, []byte("\n"), 0o600)
	_, err := Load(writeFile(t, fmt.Sprintf(`
[imap]
host = "mail.example.org"
[smtp]
host = "mail.example.org"

[[oauth]]
name = "Bad Name"
issuer = "http://idp.example.org"
scopes = ["email"]
sasl = "plain"
auth_params = { state = "fixed" }
client_secret_file = %q

[[oauth]]
name = "two"
client_id = "x"
issuer = "https://idp.example.org"
auth_url = "https://idp.example.org/auth"
scopes = ["openid", "mail"]
imap.host = "imap.example.org"
client_secret_file = %q

[[oauth]]
name = "two"
client_id = "y"
issuer = "http://127.0.0.1:9000/oidc"
scopes = ["openid", "mail"]
`, missing, empty)), nil)
	got := map[string]bool{}
	for _, p := range problems(t, err) {
		got[p.Key] = true
	}
	for _, key := range []string{
		"oauth[0].name", "oauth[0].client_id", "oauth[0].issuer", "oauth[0].scopes", "oauth[0].sasl",
		"oauth[0].auth_params", "oauth[0].client_secret_file",
		"oauth[1].auth_url", "oauth[1].smtp.host", "oauth[1].client_secret_file",
		"oauth[2].name",
	} {
		if !got[key] {
			t.Errorf("no problem reported for %s; got %v", key, got)
		}
	}
	if got["oauth[2].issuer"] {
		t.Error("an http issuer on loopback was refused")
	}
}
