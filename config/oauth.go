package config

import (
	"fmt"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
)

// OAuth is an OAuth 2 / OpenID Connect provider people may sign in with
// ([[oauth]], any number). docs/oauth.md has presets for Google and
// Microsoft 365.
type OAuth struct {
	// Name identifies the provider in URLs, cookies and logs: 1 to 32
	// lower-case letters, digits and '-'.
	Name string `toml:"name"`
	// Label is shown on the button, "Sign in with <Label>". Default: Name.
	Label string `toml:"label"`
	// Issuer is the OpenID Connect issuer URL. Its discovery document
	// (Issuer + "/.well-known/openid-configuration") gives the endpoints,
	// unless AuthURL, TokenURL and JWKSURL are all set. ID tokens must
	// name this issuer.
	Issuer        string `toml:"issuer"`
	AuthURL       string `toml:"auth_url"`
	TokenURL      string `toml:"token_url"`
	JWKSURL       string `toml:"jwks_url"`
	RevocationURL string `toml:"revocation_url"` // RFC 7009; default: discovery's revocation_endpoint
	ClientID      string `toml:"client_id"`
	// ClientSecretFile is a file holding the client secret (surrounding
	// white space ignored). WEBMAIL_OAUTH_<NAME>_CLIENT_SECRET_FILE
	// overrides it (NAME upper-cased, '-' as '_'). Empty for a public
	// client, which relies on PKCE alone.
	ClientSecretFile string `toml:"client_secret_file"`
	// ClientSecret is read from ClientSecretFile by Load; it is never
	// encoded, printed or logged.
	ClientSecret Secret `toml:"-"`
	// Scopes asked for: "openid", the claim's scope ("email") and the mail
	// scope of the provider, nothing more.
	Scopes []string `toml:"scopes"`
	// AuthParams are extra parameters of the authorization request, such
	// as Google's access_type = "offline".
	AuthParams map[string]string `toml:"auth_params"`
	// LoginClaim is the ID token claim holding the mail login. Default
	// "email".
	LoginClaim string `toml:"login_claim"`
	// SASL is the mechanism the mail servers expect: "auto" (default:
	// OAUTHBEARER when the server offers it, else XOAUTH2),
	// "oauthbearer" or "xoauth2".
	SASL string `toml:"sasl"`
	// IMAP and SMTP are the provider's mail servers. If imap.host is
	// empty, the login's servers come from [[domain]] and [imap]/[smtp]
	// as for password logins.
	IMAP Server `toml:"imap"`
	SMTP Server `toml:"smtp"`
}

// OAuthProvider returns the provider called name.
func (c Config) OAuthProvider(name string) (OAuth, bool) {
	for _, p := range c.OAuth {
		if p.Name == name {
			return p, true
		}
	}
	return OAuth{}, false
}

// ServersForOAuth returns the servers of a login signed in with provider p:
// the provider's own when it names them, else those of ServersFor.
func (c Config) ServersForOAuth(p OAuth, login string) (Server, SMTP) {
	if p.IMAP.Host != "" {
		return p.IMAP, SMTP{Server: p.SMTP, UseIMAPCredentials: true}
	}
	imap, smtp := c.ServersFor(login)
	smtp.UseIMAPCredentials = true // the token serves SMTP too
	return imap, smtp
}

func (p *OAuth) complete() {
	p.Name = strings.TrimSpace(p.Name)
	if p.Label == "" {
		p.Label = p.Name
	}
	p.SASL = lower(p.SASL)
	if p.SASL == "" {
		p.SASL = "auto"
	}
	if p.LoginClaim == "" {
		p.LoginClaim = "email"
	}
	p.IMAP.complete(false)
	p.SMTP.complete(true)
}

// secretEnv is the variable naming p's client secret file.
func (p OAuth) secretEnv() string {
	return "WEBMAIL_OAUTH_" + strings.ToUpper(strings.ReplaceAll(p.Name, "-", "_")) + "_CLIENT_SECRET_FILE"
}

// loadOAuthSecrets reads each provider's client secret file.
func loadOAuthSecrets(c *Config, getenv func(string) string) ValidationError {
	var problems ValidationError
	for i := range c.OAuth {
		p := &c.OAuth[i]
		key, path := fmt.Sprintf("oauth[%d].client_secret_file", i), p.ClientSecretFile
		if getenv != nil {
			if env := strings.TrimSpace(getenv(p.secretEnv())); env != "" {
				key, path = p.secretEnv(), env
				p.ClientSecretFile = env
			}
		}
		if path == "" {
			continue
		}
		b, err := os.ReadFile(path)
		switch {
		case err != nil:
			// The error names the path, never the content.
			problems = append(problems, FieldError{Key: key, Problem: "cannot be read: " + err.Error()})
		case strings.TrimSpace(string(b)) == "":
			problems = append(problems, FieldError{Key: key, Problem: "the file " + path + " is empty"})
		default:
			p.ClientSecret = Secret(strings.TrimSpace(string(b)))
		}
	}
	return problems
}

var oauthName = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,31}$`)

// reservedAuthParams are the authorization request parameters the flow
// itself sets; auth_params may not replace them.
var reservedAuthParams = []string{"response_type", "client_id", "redirect_uri", "scope", "state", "nonce", "code_challenge", "code_challenge_method", "response_mode"}

func (v *validator) oauth(providers []OAuth) {
	seen := make(map[string]int)
	for i, p := range providers {
		k := fmt.Sprintf("oauth[%d]", i)
		switch {
		case p.Name == "":
			v.add(k+".name", "required")
		case !oauthName.MatchString(p.Name):
			v.add(k+".name", "must be 1 to 32 lower-case letters, digits or '-', got %q", p.Name)
		default:
			if j, dup := seen[p.Name]; dup {
				v.add(k+".name", "%q is already the name of oauth[%d]", p.Name, j)
			}
			seen[p.Name] = i
		}
		if p.ClientID == "" {
			v.add(k+".client_id", "required")
		}
		if p.Issuer == "" {
			v.add(k+".issuer", "required: ID tokens are checked against it")
		} else {
			v.endpoint(k+".issuer", p.Issuer)
		}
		explicit := 0
		for _, e := range []struct{ key, url string }{{"auth_url", p.AuthURL}, {"token_url", p.TokenURL}, {"jwks_url", p.JWKSURL}} {
			if e.url != "" {
				explicit++
				v.endpoint(k+"."+e.key, e.url)
			}
		}
		if explicit != 0 && explicit != 3 {
			v.add(k+".auth_url", "auth_url, token_url and jwks_url go together: set all three, or none to use discovery")
		}
		if p.RevocationURL != "" {
			v.endpoint(k+".revocation_url", p.RevocationURL)
		}
		if !slices.Contains(p.Scopes, "openid") || len(p.Scopes) < 2 {
			v.add(k+".scopes", `must include "openid" and the provider's mail scope, got %q`, p.Scopes)
		}
		for name := range p.AuthParams {
			if slices.Contains(reservedAuthParams, strings.ToLower(name)) {
				v.add(k+".auth_params", "%q is set by the sign-in flow itself", name)
			}
		}
		switch p.SASL {
		case "auto", "oauthbearer", "xoauth2":
		default:
			v.add(k+".sasl", "must be one of auto, oauthbearer, xoauth2, got %q", p.SASL)
		}
		switch {
		case p.IMAP.Host != "" && p.SMTP.Host == "":
			v.add(k+".smtp.host", "required when imap.host is set")
		case p.IMAP.Host == "" && p.SMTP.Host != "":
			v.add(k+".imap.host", "required when smtp.host is set")
		case p.IMAP.Host != "":
			v.server(k+".imap", p.IMAP)
			v.server(k+".smtp", p.SMTP)
		}
	}
}

// endpoint checks a provider URL: https, or http on a loopback host.
func (v *validator) endpoint(key, s string) {
	u, err := url.Parse(s)
	switch {
	case err != nil || u.Host == "" || u.User != nil || u.Fragment != "":
		v.add(key, "must be an absolute https:// URL, got %q", s)
	case u.Scheme == "https":
	case u.Scheme == "http" && isLoopback(u.Hostname()):
	default:
		v.add(key, "must be https (http only on loopback), got %q", s)
	}
}
