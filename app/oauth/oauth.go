// Package oauth signs people in with an OAuth 2 / OpenID Connect provider
// (DESIGN.md invariant S5): the authorization code flow with PKCE (S256), a
// state and a nonce, ID token verification (signature, issuer, audience,
// expiry, nonce) with go-oidc, token refresh and RFC 7009 revocation. It
// holds no token: callers seal what it returns into the credential cookie.
package oauth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"webmail/config"
)

// Errors a caller tells apart to show the right message.
var (
	// ErrGrant means the provider refused a code or a refresh token
	// (invalid_grant and the like): the person must sign in again.
	ErrGrant = errors.New("oauth: the provider refused the grant")
	// ErrUnavailable means the provider could not be reached or answered
	// with a server error.
	ErrUnavailable = errors.New("oauth: provider unavailable")
	// ErrIDToken means the ID token did not verify (signature, issuer,
	// audience, expiry or nonce) or lacks the login claim.
	ErrIDToken = errors.New("oauth: ID token not valid")
	// ErrNoRevocation means the provider offers no revocation endpoint.
	ErrNoRevocation = errors.New("oauth: provider has no revocation endpoint")
)

// maxTokens bounds the access and refresh tokens' combined length: four
// times what Microsoft issues (its JWT access tokens run to 2.5 KB), small
// enough that the sealed credential fits the webmail's four cookies.
const maxTokens = 10 << 10

// Token is what a sign-in or a refresh yields.
type Token struct {
	Access  string
	Refresh string
	Expiry  time.Time // zero if the provider did not say
}

// Provider is one configured provider. Its endpoints are discovered on
// first use and kept; a failed discovery is retried on the next use.
type Provider struct {
	cfg    config.OAuth
	client *http.Client
	now    func() time.Time

	mu        sync.Mutex
	endpoints *endpoints
}

type endpoints struct {
	oauth2   oauth2.Endpoint
	revoke   string
	verifier *oidc.IDTokenVerifier
}

// New returns the provider of cfg, talking to it with client (nil: a
// client with a 15-second timeout). Token expiry times are on the clock now
// (nil: time.Now).
func New(cfg config.OAuth, client *http.Client, now func() time.Time) *Provider {
	if client == nil {
		client = &http.Client{Timeout: 15 * time.Second}
	}
	if now == nil {
		now = time.Now
	}
	return &Provider{cfg: cfg, client: client, now: now}
}

// Name is the provider's configured name; Label its display name.
func (p *Provider) Name() string  { return p.cfg.Name }
func (p *Provider) Label() string { return p.cfg.Label }

// Config is the provider's configuration.
func (p *Provider) Config() config.OAuth { return p.cfg }

func (p *Provider) ctx(ctx context.Context) context.Context {
	ctx = oidc.ClientContext(ctx, p.client)
	return context.WithValue(ctx, oauth2.HTTPClient, p.client)
}

// discover returns the endpoints, from the configuration or discovery.
func (p *Provider) discover(ctx context.Context) (*endpoints, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.endpoints != nil {
		return p.endpoints, nil
	}
	// The key set and verifier outlive this request: their context only
	// carries the HTTP client.
	keep := oidc.ClientContext(context.Background(), p.client)
	var op *oidc.Provider
	if p.cfg.AuthURL != "" {
		op = (&oidc.ProviderConfig{
			IssuerURL: p.cfg.Issuer, AuthURL: p.cfg.AuthURL, TokenURL: p.cfg.TokenURL, JWKSURL: p.cfg.JWKSURL,
		}).NewProvider(keep)
	} else {
		var err error
		// Discovery runs under the request's deadline.
		if op, err = oidc.NewProvider(oidc.ClientContext(ctx, p.client), p.cfg.Issuer); err != nil {
			return nil, fmt.Errorf("%w: discovery: %w", ErrUnavailable, err)
		}
	}
	e := &endpoints{
		oauth2:   op.Endpoint(),
		revoke:   p.cfg.RevocationURL,
		verifier: op.VerifierContext(keep, &oidc.Config{ClientID: p.cfg.ClientID, Now: p.now}),
	}
	var extra struct {
		Revoke string `json:"revocation_endpoint"`
	}
	if e.revoke == "" && op.Claims(&extra) == nil {
		e.revoke = extra.Revoke
	}
	p.endpoints = e
	return e, nil
}

func (p *Provider) oauth2Config(e *endpoints, redirectURL string) *oauth2.Config {
	return &oauth2.Config{
		ClientID:     p.cfg.ClientID,
		ClientSecret: p.cfg.ClientSecret.Reveal(),
		Endpoint:     e.oauth2,
		RedirectURL:  redirectURL,
		Scopes:       p.cfg.Scopes,
	}
}

// Flow is one sign-in in progress: what the browser's session keeps
// between sending the person to the provider and their return.
type Flow struct {
	State    string // sent to the provider and checked on return
	Nonce    string // must come back in the ID token
	Verifier string // the PKCE code verifier; only its S256 hash leaves
	// LoginHint, if set, is the account the provider should offer
	// (OpenID Connect's login_hint): signing in again after a sign-in
	// ended. It is not kept.
	LoginHint string
}

// NewFlow returns a flow with fresh random values.
func NewFlow() Flow {
	return Flow{State: oauth2.GenerateVerifier(), Nonce: oauth2.GenerateVerifier(), Verifier: oauth2.GenerateVerifier()}
}

// AuthURL returns where to send the person to sign in.
func (p *Provider) AuthURL(ctx context.Context, redirectURL string, f Flow) (string, error) {
	e, err := p.discover(ctx)
	if err != nil {
		return "", err
	}
	opts := []oauth2.AuthCodeOption{oauth2.S256ChallengeOption(f.Verifier), oidc.Nonce(f.Nonce)}
	for k, v := range p.cfg.AuthParams {
		opts = append(opts, oauth2.SetAuthURLParam(k, v))
	}
	if f.LoginHint != "" {
		opts = append(opts, oauth2.SetAuthURLParam("login_hint", f.LoginHint))
	}
	return p.oauth2Config(e, redirectURL).AuthCodeURL(f.State, opts...), nil
}

// Exchange trades the code for tokens with the flow's PKCE verifier, and
// verifies the ID token (signature, issuer, audience, expiry, the flow's
// nonce). It returns the login from the configured claim.
func (p *Provider) Exchange(ctx context.Context, redirectURL, code string, f Flow) (login string, tok Token, err error) {
	e, err := p.discover(ctx)
	if err != nil {
		return "", Token{}, err
	}
	t, err := p.oauth2Config(e, redirectURL).Exchange(p.ctx(ctx), code, oauth2.VerifierOption(f.Verifier))
	if err != nil {
		return "", Token{}, classify(err)
	}
	raw, _ := t.Extra("id_token").(string)
	if raw == "" {
		return "", Token{}, fmt.Errorf("%w: no id_token in the token response", ErrIDToken)
	}
	id, err := e.verifier.Verify(p.ctx(ctx), raw)
	if err != nil {
		return "", Token{}, fmt.Errorf("%w: %w", ErrIDToken, err)
	}
	if id.Nonce == "" || id.Nonce != f.Nonce {
		return "", Token{}, fmt.Errorf("%w: nonce does not match", ErrIDToken)
	}
	if login, err = p.login(id); err != nil {
		return "", Token{}, err
	}
	tok, err = p.token(t)
	return login, tok, err
}

// login reads the configured claim; an email claim must not be marked
// unverified.
func (p *Provider) login(id *oidc.IDToken) (string, error) {
	var claims map[string]any
	if err := id.Claims(&claims); err != nil {
		return "", fmt.Errorf("%w: %w", ErrIDToken, err)
	}
	login, _ := claims[p.cfg.LoginClaim].(string)
	login = strings.TrimSpace(login)
	if login == "" || len(login) > 256 || strings.ContainsFunc(login, func(r rune) bool { return r < 0x21 || r == 0x7f }) {
		return "", fmt.Errorf("%w: no usable %q claim", ErrIDToken, p.cfg.LoginClaim)
	}
	if v, ok := claims["email_verified"].(bool); ok && !v && p.cfg.LoginClaim == "email" {
		return "", fmt.Errorf("%w: email not verified", ErrIDToken)
	}
	return login, nil
}

// Refresh returns new tokens for a refresh token. The refresh token is
// kept when the provider does not rotate it.
func (p *Provider) Refresh(ctx context.Context, refresh string) (Token, error) {
	if refresh == "" {
		return Token{}, fmt.Errorf("%w: no refresh token", ErrGrant)
	}
	e, err := p.discover(ctx)
	if err != nil {
		return Token{}, err
	}
	old := &oauth2.Token{RefreshToken: refresh, Expiry: time.Unix(1, 0)}
	t, err := p.oauth2Config(e, "").TokenSource(p.ctx(ctx), old).Token()
	if err != nil {
		return Token{}, classify(err)
	}
	return p.token(t)
}

// Revoke revokes token at the provider (RFC 7009). hint is
// "refresh_token" or "access_token".
func (p *Provider) Revoke(ctx context.Context, token, hint string) error {
	e, err := p.discover(ctx)
	if err != nil {
		return err
	}
	if e.revoke == "" {
		return ErrNoRevocation
	}
	form := url.Values{"token": {token}, "token_type_hint": {hint}}
	secret := p.cfg.ClientSecret.Reveal()
	if secret == "" {
		form.Set("client_id", p.cfg.ClientID)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, e.revoke, strings.NewReader(form.Encode()))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if secret != "" {
		req.SetBasicAuth(url.QueryEscape(p.cfg.ClientID), url.QueryEscape(secret))
	}
	resp, err := p.client.Do(req)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusOK:
		return nil
	case resp.StatusCode >= 500:
		return fmt.Errorf("%w: revocation answered %s", ErrUnavailable, resp.Status)
	}
	return fmt.Errorf("oauth: revocation answered %s", resp.Status)
}

// token checks what the provider gave before it goes into a cookie, and
// puts its expiry (which x/oauth2 computes with time.Now) on p's clock.
func (p *Provider) token(t *oauth2.Token) (Token, error) {
	if len(t.AccessToken)+len(t.RefreshToken) > maxTokens {
		return Token{}, fmt.Errorf("%w: tokens of %d bytes, more than %d", ErrGrant, len(t.AccessToken)+len(t.RefreshToken), maxTokens)
	}
	for _, s := range []string{t.AccessToken, t.RefreshToken} {
		if strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r > 0x7e }) {
			return Token{}, fmt.Errorf("%w: malformed token", ErrGrant)
		}
	}
	if t.AccessToken == "" {
		return Token{}, fmt.Errorf("%w: no access token", ErrGrant)
	}
	tok := Token{Access: t.AccessToken, Refresh: t.RefreshToken}
	if !t.Expiry.IsZero() {
		tok.Expiry = p.now().Add(time.Until(t.Expiry)).Round(time.Second)
	}
	return tok, nil
}

// classify sorts a token endpoint failure. Only the RFC 6749 error code
// is kept: the response body is not, in case it echoes something secret.
func classify(err error) error {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		if re.Response != nil && re.Response.StatusCode >= 500 {
			return fmt.Errorf("%w: token endpoint answered %d", ErrUnavailable, re.Response.StatusCode)
		}
		code := re.ErrorCode
		if code == "" {
			code = "status " + fmt.Sprint(re.Response.StatusCode)
		}
		return fmt.Errorf("%w: %s", ErrGrant, code)
	}
	return fmt.Errorf("%w: %w", ErrUnavailable, err)
}
