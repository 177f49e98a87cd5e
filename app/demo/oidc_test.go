package demo

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/google/go-cmp/cmp"
	"golang.org/x/oauth2"
)

const testRedirectURI = "http://127.0.0.1:9/callback"

// startProvider starts a provider for the default accounts and closes it at
// the end of the test.
func startProvider(t testing.TB, opt ProviderOptions) *Provider {
	t.Helper()
	p, err := StartProvider(t.Context(), DefaultAccounts(), opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := p.Close(); err != nil {
			t.Error(err)
		}
	})
	return p
}

// oidcClient is the webmail's side of the flow, with the libraries the
// webmail uses, plus the browser's side (a cookie-less HTTP client that does
// not follow redirects).
type oidcClient struct {
	p        *Provider
	provider *oidc.Provider
	conf     *oauth2.Config
	verifier *oidc.IDTokenVerifier
	browser  *http.Client
}

func newOIDCClient(t testing.TB, p *Provider) *oidcClient {
	t.Helper()
	provider, err := oidc.NewProvider(t.Context(), p.Issuer())
	if err != nil {
		t.Fatal(err)
	}
	return &oidcClient{
		p:        p,
		provider: provider,
		conf: &oauth2.Config{
			ClientID:     p.ClientID(),
			ClientSecret: p.ClientSecret(),
			Endpoint:     provider.Endpoint(),
			RedirectURL:  testRedirectURI,
			Scopes:       []string{oidc.ScopeOpenID, "email", MailScope},
		},
		verifier: provider.Verifier(&oidc.Config{ClientID: p.ClientID()}),
		browser: &http.Client{
			Timeout:       10 * time.Second,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
	}
}

// authFlow is one run of the authorization code flow.
type authFlow struct {
	state, nonce, verifier string
}

func newAuthFlow() authFlow {
	return authFlow{state: rand.Text(), nonce: rand.Text(), verifier: oauth2.GenerateVerifier()}
}

func (c *oidcClient) authURL(f authFlow) string {
	return c.conf.AuthCodeURL(f.state, oidc.Nonce(f.nonce), oauth2.S256ChallengeOption(f.verifier))
}

// consentForm fetches the consent page of authURL and returns it with the
// form fields a browser would post, the first account checked.
func (c *oidcClient) consentForm(t testing.TB, authURL string) (*goquery.Document, url.Values) {
	t.Helper()
	resp, err := c.browser.Get(authURL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET authorization URL: status %d, want 200 (Location %q)", resp.StatusCode, resp.Header.Get("Location"))
	}
	doc, err := goquery.NewDocumentFromReader(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	form := url.Values{}
	doc.Find(`form[data-testid="consent-form"] input[type="hidden"]`).Each(func(_ int, s *goquery.Selection) {
		form.Add(s.AttrOr("name", ""), s.AttrOr("value", ""))
	})
	form.Set("account", doc.Find(`[data-testid="consent-account"][checked]`).AttrOr("value", ""))
	return doc, form
}

// decide posts the consent form with the decision and returns the query of
// the redirect to the client.
func (c *oidcClient) decide(t testing.TB, form url.Values, decision string) url.Values {
	t.Helper()
	form.Set("decision", decision)
	resp, err := c.browser.PostForm(c.provider.Endpoint().AuthURL, form)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return redirectQuery(t, resp)
}

// redirectQuery checks that resp redirects to the client and returns the
// redirect's query.
func redirectQuery(t testing.TB, resp *http.Response) url.Values {
	t.Helper()
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("status %d, want 302", resp.StatusCode)
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	if got := loc.Scheme + "://" + loc.Host + loc.Path; got != testRedirectURI {
		t.Fatalf("redirected to %s, want %s", got, testRedirectURI)
	}
	return loc.Query()
}

// code runs the browser's part of the flow for account and returns the
// authorization code.
func (c *oidcClient) code(t testing.TB, f authFlow, account string) string {
	t.Helper()
	_, form := c.consentForm(t, c.authURL(f))
	form.Set("account", account)
	q := c.decide(t, form, "allow")
	if q.Get("state") != f.state || q.Get("code") == "" {
		t.Fatalf("redirect query %v, want a code and state %q", q, f.state)
	}
	return q.Get("code")
}

// signIn runs the whole flow for account and returns the tokens.
func (c *oidcClient) signIn(t testing.TB, account string) *oauth2.Token {
	t.Helper()
	f := newAuthFlow()
	tok, err := c.conf.Exchange(t.Context(), c.code(t, f, account), oauth2.VerifierOption(f.verifier))
	if err != nil {
		t.Fatalf("exchanging the code: %v", err)
	}
	return tok
}

// checkRetrieveError checks that err is an OAuth error response with the
// given status and error code.
func checkRetrieveError(t testing.TB, err error, status int, code string) {
	t.Helper()
	var rerr *oauth2.RetrieveError
	if !errors.As(err, &rerr) {
		t.Fatalf("error %v, want a %d %s response", err, status, code)
	}
	if rerr.Response.StatusCode != status || rerr.ErrorCode != code {
		t.Errorf("error response %d %s, want %d %s", rerr.Response.StatusCode, rerr.ErrorCode, status, code)
	}
}

func TestProviderCodeFlow(t *testing.T) {
	p := startProvider(t, ProviderOptions{})
	c := newOIDCClient(t, p)
	const account = "alice@example.org"

	f := newAuthFlow()
	code := c.code(t, f, account)
	tok, err := c.conf.Exchange(t.Context(), code, oauth2.VerifierOption(f.verifier))
	if err != nil {
		t.Fatal(err)
	}
	// expires_in is in seconds: x/oauth2 would clamp mockoidc's nanoseconds
	// to 68 years.
	if until := time.Until(tok.Expiry); until < 59*time.Minute || until > time.Hour {
		t.Errorf("access token expires in %v, want about 1h", until)
	}
	if tok.RefreshToken == "" {
		t.Error("no refresh token")
	}

	rawID, _ := tok.Extra("id_token").(string)
	idToken, err := c.verifier.Verify(t.Context(), rawID)
	if err != nil {
		t.Fatalf("verifying the ID token: %v", err)
	}
	var claims struct {
		Email         string `json:"email"`
		EmailVerified bool   `json:"email_verified"`
	}
	if err := idToken.Claims(&claims); err != nil {
		t.Fatal(err)
	}
	if idToken.Nonce != f.nonce || idToken.Subject != account || claims.Email != account || !claims.EmailVerified {
		t.Errorf("ID token nonce %q, sub %q, claims %+v; want nonce %q and verified email %s",
			idToken.Nonce, idToken.Subject, claims, f.nonce, account)
	}

	if email, err := p.ValidateToken(tok.AccessToken); err != nil || email != account {
		t.Errorf("ValidateToken(access token) = %q, %v; want %s", email, err, account)
	}
	for name, other := range map[string]string{"refresh": tok.RefreshToken, "ID": rawID, "empty": ""} {
		if _, err := p.ValidateToken(other); err == nil {
			t.Errorf("ValidateToken accepts the %s token", name)
		}
	}

	info, err := c.provider.UserInfo(t.Context(), oauth2.StaticTokenSource(tok))
	if err != nil || info.Email != account || info.Subject != account {
		t.Errorf("UserInfo = %+v, %v; want %s", info, err, account)
	}

	// A replayed code fails and revokes what was issued for it.
	_, err = c.conf.Exchange(t.Context(), code, oauth2.VerifierOption(f.verifier))
	checkRetrieveError(t, err, http.StatusBadRequest, "invalid_grant")
	if _, err := p.ValidateToken(tok.AccessToken); err == nil {
		t.Error("the access token still works after its code was replayed")
	}
}

func TestProviderDiscovery(t *testing.T) {
	p := startProvider(t, ProviderOptions{Addr: "localhost:0"})
	if !strings.HasPrefix(p.Issuer(), "http://localhost:") || !strings.HasSuffix(p.Issuer(), "/oidc") {
		t.Errorf("Issuer() = %q, want http://localhost:PORT/oidc", p.Issuer())
	}
	c := newOIDCClient(t, p)
	var meta struct {
		Revocation string   `json:"revocation_endpoint"`
		PKCE       []string `json:"code_challenge_methods_supported"`
		Scopes     []string `json:"scopes_supported"`
	}
	if err := c.provider.Claims(&meta); err != nil {
		t.Fatal(err)
	}
	want := struct {
		Revocation string   `json:"revocation_endpoint"`
		PKCE       []string `json:"code_challenge_methods_supported"`
		Scopes     []string `json:"scopes_supported"`
	}{p.Issuer() + "/revoke", []string{"S256"}, []string{"openid", "email", MailScope}}
	if diff := cmp.Diff(want, meta); diff != "" {
		t.Errorf("discovery (-want +got):\n%s", diff)
	}
}

func TestProviderConsentPage(t *testing.T) {
	p := startProvider(t, ProviderOptions{ClientName: "Test Mail"})
	c := newOIDCClient(t, p)
	authURL := c.authURL(newAuthFlow())
	doc, form := c.consentForm(t, authURL)

	if got := doc.Find("title").Text(); got != "Demo ID" {
		t.Errorf("title %q, want Demo ID", got)
	}
	if got := doc.Find("html").AttrOr("lang", ""); got != "en" {
		t.Errorf("lang %q, want en", got)
	}
	if doc.Find(`meta[name="viewport"]`).Length() != 1 {
		t.Error("no viewport meta element")
	}
	if got := doc.Find(`[data-testid="consent-client"]`).Text(); got != "Test Mail" {
		t.Errorf("client name %q, want Test Mail", got)
	}
	if doc.Find("script").Length() != 0 || doc.Find("link").Length() != 0 {
		t.Error("the page loads a script or an external resource")
	}

	var accounts []string
	doc.Find(`[data-testid="consent-account"]`).Each(func(i int, s *goquery.Selection) {
		accounts = append(accounts, s.AttrOr("value", ""))
		if _, checked := s.Attr("checked"); checked != (i == 0) || s.AttrOr("type", "") != "radio" || s.AttrOr("name", "") != "account" {
			t.Errorf("account radio %d: %v", i, s.Nodes[0].Attr)
		}
		if s.Closest("label").Length() != 1 {
			t.Errorf("account radio %d has no label", i)
		}
	})
	if diff := cmp.Diff([]string{"demo@example.org", "alice@example.org"}, accounts); diff != "" {
		t.Errorf("accounts (-want +got):\n%s", diff)
	}
	for _, d := range []string{"allow", "deny"} {
		b := doc.Find(`button[data-testid="consent-` + d + `"]`)
		if b.AttrOr("name", "") != "decision" || b.AttrOr("value", "") != d || b.AttrOr("type", "") != "submit" {
			t.Errorf("%s button: %v", d, b.Nodes)
		}
	}

	// Every original parameter is posted back, and nothing else.
	u, _ := url.Parse(authURL)
	want := u.Query()
	want.Set("account", "demo@example.org")
	if diff := cmp.Diff(want, form); diff != "" {
		t.Errorf("form fields (-want +got):\n%s", diff)
	}

	// login_hint preselects an account.
	_, form = c.consentForm(t, authURL+"&login_hint="+url.QueryEscape("alice@example.org"))
	if got := form.Get("account"); got != "alice@example.org" {
		t.Errorf("account checked with login_hint: %q, want alice@example.org", got)
	}

	resp, err := c.browser.Get(authURL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	sum := sha256.Sum256([]byte(doc.Find("style").Text()))
	if csp, hash := resp.Header.Get("Content-Security-Policy"), base64.StdEncoding.EncodeToString(sum[:]); !strings.Contains(csp, "style-src 'sha256-"+hash+"'") {
		t.Errorf("Content-Security-Policy %q does not allow the page's style (sha256-%s)", csp, hash)
	}
	for name, want := range map[string]string{
		"Content-Type":    "text/html; charset=utf-8",
		"X-Frame-Options": "DENY",
		"Cache-Control":   "no-store",
	} {
		if got := resp.Header.Get(name); got != want {
			t.Errorf("%s: %q, want %q", name, got, want)
		}
	}
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") {
		t.Errorf("Content-Security-Policy: %q", csp)
	}
}

func TestProviderDeny(t *testing.T) {
	p := startProvider(t, ProviderOptions{})
	c := newOIDCClient(t, p)
	f := newAuthFlow()
	_, form := c.consentForm(t, c.authURL(f))
	q := c.decide(t, form, "deny")
	if q.Get("error") != "access_denied" || q.Get("state") != f.state || q.Get("code") != "" {
		t.Errorf("redirect query %v, want access_denied with state %q", q, f.state)
	}
}

func TestProviderRefusesAuthorization(t *testing.T) {
	p := startProvider(t, ProviderOptions{})
	c := newOIDCClient(t, p)
	registered := startProvider(t, ProviderOptions{RedirectURIs: []string{testRedirectURI}})

	tests := []struct {
		name   string
		p      *Provider
		change func(url.Values)
		// wantError is the error sent back to the client, or "" when the
		// request must not be redirected at all.
		wantError string
	}{
		{"no PKCE", p, func(v url.Values) { v.Del("code_challenge"); v.Del("code_challenge_method") }, "invalid_request"},
		{"PKCE plain", p, func(v url.Values) { v.Set("code_challenge_method", "plain") }, "invalid_request"},
		{"no code challenge", p, func(v url.Values) { v.Del("code_challenge") }, "invalid_request"},
		{"no state", p, func(v url.Values) { v.Del("state") }, "invalid_request"},
		{"no nonce", p, func(v url.Values) { v.Del("nonce") }, "invalid_request"},
		{"no mail scope", p, func(v url.Values) { v.Set("scope", "openid email") }, "invalid_scope"},
		{"no openid scope", p, func(v url.Values) { v.Set("scope", "email mail") }, "invalid_scope"},
		{"extra scope", p, func(v url.Values) { v.Set("scope", "openid email mail profile") }, "invalid_scope"},
		{"implicit flow", p, func(v url.Values) { v.Set("response_type", "token") }, "unsupported_response_type"},
		{"repeated parameter", p, func(v url.Values) { v.Add("nonce", "other") }, "invalid_request"},
		{"unknown client", p, func(v url.Values) { v.Set("client_id", "someone-else") }, ""},
		{"remote redirect", p, func(v url.Values) { v.Set("redirect_uri", "http://example.com/callback") }, ""},
		{"https loopback redirect", p, func(v url.Values) { v.Set("redirect_uri", "https://127.0.0.1:9/callback") }, ""},
		{"unregistered redirect", registered, func(v url.Values) { v.Set("redirect_uri", "http://127.0.0.1:9/other") }, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newAuthFlow()
			valid, _ := url.Parse(c.authURL(f))
			v := valid.Query()
			v.Set("client_id", tt.p.ClientID())
			u, _ := url.Parse(tt.p.Issuer() + "/authorize")
			tt.change(v)
			u.RawQuery = v.Encode()

			resp, err := c.browser.Get(u.String())
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			if tt.wantError == "" {
				doc, err := goquery.NewDocumentFromReader(resp.Body)
				if err != nil {
					t.Fatal(err)
				}
				if resp.StatusCode != http.StatusBadRequest || doc.Find(`[data-testid="consent-error"]`).Length() != 1 {
					t.Errorf("status %d, Location %q; want 400 with an error page", resp.StatusCode, resp.Header.Get("Location"))
				}
				return
			}
			q := redirectQuery(t, resp)
			if q.Get("error") != tt.wantError || q.Get("code") != "" {
				t.Errorf("redirect query %v, want error %s", q, tt.wantError)
			}
			if v.Has("state") && q.Get("state") != f.state {
				t.Errorf("state %q, want %q", q.Get("state"), f.state)
			}
		})
	}
}

func TestProviderConsentChecksForm(t *testing.T) {
	p := startProvider(t, ProviderOptions{})
	c := newOIDCClient(t, p)
	tests := []struct {
		name   string
		change func(url.Values)
		status int
	}{
		{"unknown account", func(v url.Values) { v.Set("account", "mallory@example.org") }, http.StatusBadRequest},
		{"no decision", func(v url.Values) { v.Del("decision") }, http.StatusBadRequest},
		{"tampered redirect", func(v url.Values) { v.Set("redirect_uri", "http://example.com/") }, http.StatusBadRequest},
		{"tampered scope", func(v url.Values) { v.Set("scope", "openid") }, http.StatusFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, form := c.consentForm(t, c.authURL(newAuthFlow()))
			form.Set("decision", "allow")
			tt.change(form)
			resp, err := c.browser.PostForm(c.provider.Endpoint().AuthURL, form)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tt.status {
				t.Errorf("status %d, want %d", resp.StatusCode, tt.status)
			}
			if loc := resp.Header.Get("Location"); strings.Contains(loc, "code=") {
				t.Errorf("redirected with a code: %s", loc)
			}
		})
	}
}

func TestProviderTokenErrors(t *testing.T) {
	p := startProvider(t, ProviderOptions{})
	c := newOIDCClient(t, p)
	tests := []struct {
		name       string
		exchange   func(code string, f authFlow) error
		wantStatus int
		wantError  string
	}{
		{"wrong verifier", func(code string, _ authFlow) error {
			_, err := c.conf.Exchange(t.Context(), code, oauth2.VerifierOption(oauth2.GenerateVerifier()))
			return err
		}, http.StatusBadRequest, "invalid_grant"},
		{"no verifier", func(code string, _ authFlow) error {
			_, err := c.conf.Exchange(t.Context(), code)
			return err
		}, http.StatusBadRequest, "invalid_grant"},
		{"unknown code", func(_ string, f authFlow) error {
			_, err := c.conf.Exchange(t.Context(), "not-a-code", oauth2.VerifierOption(f.verifier))
			return err
		}, http.StatusBadRequest, "invalid_grant"},
		{"other redirect URI", func(code string, f authFlow) error {
			conf := *c.conf
			conf.RedirectURL = "http://127.0.0.1:9/other"
			_, err := conf.Exchange(t.Context(), code, oauth2.VerifierOption(f.verifier))
			return err
		}, http.StatusBadRequest, "invalid_grant"},
		{"wrong client secret", func(code string, f authFlow) error {
			conf := *c.conf
			conf.ClientSecret = "wrong"
			conf.Endpoint.AuthStyle = oauth2.AuthStyleInHeader
			_, err := conf.Exchange(t.Context(), code, oauth2.VerifierOption(f.verifier))
			return err
		}, http.StatusUnauthorized, "invalid_client"},
		{"wrong client secret in form", func(code string, f authFlow) error {
			conf := *c.conf
			conf.ClientSecret = "wrong"
			conf.Endpoint.AuthStyle = oauth2.AuthStyleInParams
			_, err := conf.Exchange(t.Context(), code, oauth2.VerifierOption(f.verifier))
			return err
		}, http.StatusUnauthorized, "invalid_client"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newAuthFlow()
			checkRetrieveError(t, tt.exchange(c.code(t, f, "demo@example.org"), f), tt.wantStatus, tt.wantError)
		})
	}
}

// TestProviderTokenResponse checks the raw token response, with either
// kind of client authentication.
func TestProviderTokenResponse(t *testing.T) {
	p := startProvider(t, ProviderOptions{AccessTTL: 30 * time.Minute})
	c := newOIDCClient(t, p)
	for _, basic := range []bool{true, false} {
		t.Run(map[bool]string{true: "basic", false: "post"}[basic], func(t *testing.T) {
			f := newAuthFlow()
			form := url.Values{
				"grant_type":    {"authorization_code"},
				"code":          {c.code(t, f, "demo@example.org")},
				"redirect_uri":  {testRedirectURI},
				"code_verifier": {f.verifier},
			}
			if !basic {
				form.Set("client_id", p.ClientID())
				form.Set("client_secret", p.ClientSecret())
			}
			req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, c.conf.Endpoint.TokenURL, strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if basic {
				req.SetBasicAuth(url.QueryEscape(p.ClientID()), url.QueryEscape(p.ClientSecret()))
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d: %s", resp.StatusCode, body)
			}
			var got map[string]any
			if err := json.Unmarshal(body, &got); err != nil {
				t.Fatal(err)
			}
			if got["expires_in"] != float64(1800) || got["token_type"] != "Bearer" || got["scope"] != "openid email mail" {
				t.Errorf("token response %s, want expires_in 1800, token_type Bearer, scope openid email mail", body)
			}
			if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
				t.Errorf("Cache-Control %q, want no-store", cc)
			}
		})
	}
}

func TestProviderRefresh(t *testing.T) {
	p := startProvider(t, ProviderOptions{})
	c := newOIDCClient(t, p)
	tok := c.signIn(t, "demo@example.org")

	p.FastForward(61 * time.Minute)
	if _, err := p.ValidateToken(tok.AccessToken); err == nil {
		t.Error("ValidateToken accepts an expired access token")
	}
	fresh, err := c.conf.TokenSource(t.Context(), &oauth2.Token{RefreshToken: tok.RefreshToken}).Token()
	if err != nil {
		t.Fatalf("refreshing: %v", err)
	}
	if until := time.Until(fresh.Expiry); until < 59*time.Minute || until > time.Hour {
		t.Errorf("refreshed token expires in %v, want about 1h", until)
	}
	if email, err := p.ValidateToken(fresh.AccessToken); err != nil || email != "demo@example.org" {
		t.Errorf("ValidateToken(refreshed token) = %q, %v", email, err)
	}
	// The access token is not a refresh token, although mockoidc's two
	// JWTs carry the same claims.
	_, err = c.conf.TokenSource(t.Context(), &oauth2.Token{RefreshToken: fresh.AccessToken}).Token()
	checkRetrieveError(t, err, http.StatusBadRequest, "invalid_grant")

	p.FastForward(24 * time.Hour)
	_, err = c.conf.TokenSource(t.Context(), &oauth2.Token{RefreshToken: tok.RefreshToken}).Token()
	checkRetrieveError(t, err, http.StatusBadRequest, "invalid_grant")
}

// revokeToken posts to the revocation endpoint with the client's
// credentials and returns the status.
func (c *oidcClient) revokeToken(t testing.TB, token, hint, secret string) int {
	t.Helper()
	var meta struct {
		Revocation string `json:"revocation_endpoint"`
	}
	if err := c.provider.Claims(&meta); err != nil {
		t.Fatal(err)
	}
	form := url.Values{"token": {token}, "token_type_hint": {hint}}
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, meta.Revocation, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(c.p.ClientID(), secret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func TestProviderRevocation(t *testing.T) {
	p := startProvider(t, ProviderOptions{})
	c := newOIDCClient(t, p)
	for i, kind := range []string{"access_token", "refresh_token"} {
		t.Run(kind, func(t *testing.T) {
			tok := c.signIn(t, "demo@example.org")
			revoke := tok.AccessToken
			if kind == "refresh_token" {
				revoke = tok.RefreshToken
			}
			if status := c.revokeToken(t, revoke, kind, "wrong"); status != http.StatusUnauthorized {
				t.Errorf("revocation with a wrong secret: status %d, want 401", status)
			}
			if status := c.revokeToken(t, revoke, kind, p.ClientSecret()); status != http.StatusOK {
				t.Errorf("revocation: status %d, want 200", status)
			}
			if got := p.Revocations(); got != i+1 {
				t.Errorf("Revocations() = %d, want %d", got, i+1)
			}
			if _, err := p.ValidateToken(tok.AccessToken); err == nil {
				t.Error("ValidateToken accepts a revoked token")
			}
			_, err := c.conf.TokenSource(t.Context(), &oauth2.Token{RefreshToken: tok.RefreshToken}).Token()
			checkRetrieveError(t, err, http.StatusBadRequest, "invalid_grant")

			// Revoking again, or an unknown token, is fine and changes nothing.
			for _, token := range []string{revoke, "unknown"} {
				if status := c.revokeToken(t, token, "", p.ClientSecret()); status != http.StatusOK {
					t.Errorf("revoking again: status %d, want 200", status)
				}
			}
			if got := p.Revocations(); got != i+1 {
				t.Errorf("Revocations() = %d after revoking again, want %d", got, i+1)
			}
		})
	}
}

func TestProviderCodeExpires(t *testing.T) {
	p := startProvider(t, ProviderOptions{})
	c := newOIDCClient(t, p)
	f := newAuthFlow()
	code := c.code(t, f, "demo@example.org")
	p.FastForward(11 * time.Minute)
	_, err := c.conf.Exchange(t.Context(), code, oauth2.VerifierOption(f.verifier))
	checkRetrieveError(t, err, http.StatusBadRequest, "invalid_grant")
}

func TestProviderMiddleware(t *testing.T) {
	p := startProvider(t, ProviderOptions{Middleware: func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.HasSuffix(r.URL.Path, "/token") {
				http.Error(w, "down for maintenance", http.StatusServiceUnavailable)
				return
			}
			next.ServeHTTP(w, r)
		})
	}})
	c := newOIDCClient(t, p)
	f := newAuthFlow()
	_, err := c.conf.Exchange(t.Context(), c.code(t, f, "demo@example.org"), oauth2.VerifierOption(f.verifier))
	var rerr *oauth2.RetrieveError
	if !errors.As(err, &rerr) || rerr.Response.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("exchange through a failing middleware: %v, want status 503", err)
	}
}

// TestProviderConcurrent runs flows in parallel, for the race detector:
// mockoidc itself is not safe for concurrent use.
func TestProviderConcurrent(t *testing.T) {
	p := startProvider(t, ProviderOptions{})
	c := newOIDCClient(t, p)
	t.Run("flows", func(t *testing.T) {
		for i := range 4 {
			t.Run(fmt.Sprint(i), func(t *testing.T) {
				t.Parallel()
				tok := c.signIn(t, "alice@example.org")
				if _, err := p.ValidateToken(tok.AccessToken); err != nil {
					t.Error(err)
				}
				if _, err := c.conf.TokenSource(t.Context(), &oauth2.Token{RefreshToken: tok.RefreshToken}).Token(); err != nil {
					t.Error(err)
				}
				p.FastForward(time.Second)
				c.revokeToken(t, tok.RefreshToken, "", p.ClientSecret())
			})
		}
	})
	if got := p.Revocations(); got != 4 {
		t.Errorf("Revocations() = %d, want 4", got)
	}
}
