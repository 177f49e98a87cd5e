package oauth

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"webmail/app/demo"
	"webmail/config"
)

const redirect = "http://127.0.0.1:1/login/oauth/demo/callback"

// provider starts the demo's OpenID Connect provider and returns its
// configuration, with endpoints from discovery or written out.
func provider(t *testing.T, explicit bool) (*demo.Provider, config.OAuth) {
	t.Helper()
	p, err := demo.StartProvider(context.Background(), demo.DefaultAccounts(), demo.ProviderOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	cfg := config.OAuth{
		Name: "demo", Label: "Demo ID", Issuer: p.Issuer(), ClientID: p.ClientID(), ClientSecret: config.Secret(p.ClientSecret()),
		Scopes: []string{"openid", "email", demo.MailScope}, LoginClaim: "email", SASL: "auto",
	}
	if explicit {
		cfg.AuthURL, cfg.TokenURL = p.Issuer()+"/authorize", p.Issuer()+"/token"
		cfg.JWKSURL, cfg.RevocationURL = p.Issuer()+"/.well-known/jwks.json", p.Issuer()+"/revoke"
	}
	return p, cfg
}

var hiddenField = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`)

// code consents as account and returns the authorization code.
func code(t *testing.T, authURL, account string) string {
	t.Helper()
	resp, err := http.Get(authURL)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	form := url.Values{"account": {account}, "decision": {"allow"}}
	for _, m := range hiddenField.FindAllStringSubmatch(string(page), -1) {
		form.Add(m[1], strings.ReplaceAll(m[2], "&amp;", "&"))
	}
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	u, _ := url.Parse(authURL)
	resp, err = noFollow.PostForm(u.Scheme+"://"+u.Host+u.Path, form)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	back, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || back.Query().Get("code") == "" {
		t.Fatalf("consent answered %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	return back.Query().Get("code")
}

func TestFlow(t *testing.T) {
	t.Parallel()
	for _, explicit := range []bool{false, true} {
		t.Run(map[bool]string{false: "discovery", true: "explicit endpoints"}[explicit], func(t *testing.T) {
			t.Parallel()
			dp, cfg := provider(t, explicit)
			now := time.Now().Add(30 * time.Minute) // the webmail's clock, wherever it is
			p := New(cfg, nil, func() time.Time { return now })
			ctx := context.Background()
			f := NewFlow()
			authURL, err := p.AuthURL(ctx, redirect, f)
			if err != nil {
				t.Fatal(err)
			}
			login, tok, err := p.Exchange(ctx, redirect, code(t, authURL, "alice@example.org"), f)
			if err != nil {
				t.Fatal(err)
			}
			if login != "alice@example.org" || tok.Access == "" || tok.Refresh == "" {
				t.Fatalf("Exchange = %q, %+v", login, tok)
			}
			if left := tok.Expiry.Sub(now); left < 59*time.Minute || left > 61*time.Minute {
				t.Errorf("expiry %v ahead on the webmail's clock, want about an hour", left)
			}
			if email, err := dp.ValidateToken(tok.Access); err != nil || email != login {
				t.Errorf("the provider does not take the access token: %q, %v", email, err)
			}
			again, err := p.Refresh(ctx, tok.Refresh)
			if err != nil || again.Access == "" || again.Refresh != tok.Refresh {
				t.Fatalf("Refresh = %+v, %v", again, err)
			}
			if err := p.Revoke(ctx, tok.Refresh, "refresh_token"); err != nil {
				t.Fatalf("Revoke: %v", err)
			}
			if _, err := p.Refresh(ctx, tok.Refresh); !errors.Is(err, ErrGrant) {
				t.Errorf("Refresh after revocation: %v, want ErrGrant", err)
			}
		})
	}
}

func TestExchangeRefusals(t *testing.T) {
	t.Parallel()
	_, cfg := provider(t, false)
	ctx := context.Background()
	p := New(cfg, nil, nil)
	f := NewFlow()
	authURL, _ := p.AuthURL(ctx, redirect, f)
	c := code(t, authURL, "alice@example.org")

	other := f
	other.Nonce = "another sign-in's nonce"
	if _, _, err := p.Exchange(ctx, redirect, c, other); !errors.Is(err, ErrIDToken) {
		t.Errorf("wrong nonce: %v, want ErrIDToken", err)
	}
	// The code was used by that attempt: a second use is refused.
	if _, _, err := p.Exchange(ctx, redirect, c, f); !errors.Is(err, ErrGrant) {
		t.Errorf("replayed code: %v, want ErrGrant", err)
	}

	claim := cfg
	claim.LoginClaim = "upn" // absent from the demo's ID tokens
	p = New(claim, nil, nil)
	f = NewFlow()
	authURL, _ = p.AuthURL(ctx, redirect, f)
	if _, _, err := p.Exchange(ctx, redirect, code(t, authURL, "alice@example.org"), f); !errors.Is(err, ErrIDToken) {
		t.Errorf("missing login claim: %v, want ErrIDToken", err)
	}

	down := cfg
	down.Issuer = "http://127.0.0.1:1/oidc"
	if _, err := New(down, nil, nil).AuthURL(ctx, redirect, NewFlow()); !errors.Is(err, ErrUnavailable) {
		t.Errorf("unreachable provider: %v, want ErrUnavailable", err)
	}
}

func TestTokenChecks(t *testing.T) {
	t.Parallel()
	p := New(config.OAuth{}, nil, nil)
	for _, tc := range []struct {
		name string
		tok  oauth2.Token
		ok   bool
	}{
		{"fine", oauth2.Token{AccessToken: "ya29.abc", RefreshToken: "1//x"}, true},
		{"no access token", oauth2.Token{RefreshToken: "1//x"}, false},
		{"control character", oauth2.Token{AccessToken: "a\x00b"}, false},
		{"non-ASCII", oauth2.Token{AccessToken: "aé"}, false},
		{"too large for the cookies", oauth2.Token{AccessToken: strings.Repeat("a", 6<<10), RefreshToken: strings.Repeat("r", 5<<10)}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := p.token(&tc.tok)
			if (err == nil) != tc.ok {
				t.Errorf("token() err = %v, want ok=%v", err, tc.ok)
			}
		})
	}
}
