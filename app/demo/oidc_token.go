package demo

import (
	"bytes"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/oauth2-proxy/mockoidc"
)

const (
	// grantedScope is the scope of every grant: the provider only grants
	// what the webmail needs, and refuses other requests.
	grantedScope = "openid email " + MailScope
	// mockoidcScope is what mockoidc is told: it refuses scopes it does not
	// know, such as MailScope, and issues an ID token only when "openid"
	// comes first.
	mockoidcScope = "openid email"

	maxFormBytes = 64 << 10
)

// oauthError is an OAuth 2.0 error response (RFC 6749 section 5.2).
type oauthError struct {
	status      int
	code        string
	description string
}

func (e *oauthError) write(w http.ResponseWriter) {
	body, _ := json.Marshal(map[string]string{"error": e.code, "error_description": e.description})
	writeJSON(w, e.status, body)
}

func invalidGrant(description string) *oauthError {
	return &oauthError{http.StatusBadRequest, "invalid_grant", description}
}

func writeJSON(w http.ResponseWriter, status int, body []byte) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	h.Set("Pragma", "no-cache")
	w.WriteHeader(status)
	w.Write(body)
}

// parsePostForm parses a form body of bounded size and refuses repeated
// parameters, which RFC 6749 section 3.1 forbids.
func parsePostForm(w http.ResponseWriter, r *http.Request) (url.Values, error) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		return nil, errors.New("the request body is not a valid form")
	}
	for name, values := range r.PostForm {
		if len(values) > 1 {
			return nil, fmt.Errorf("parameter %q is repeated", name)
		}
	}
	return r.PostForm, nil
}

// withForm returns a copy of r carrying exactly form, for mockoidc's
// handlers, which read r.Form.
func withForm(r *http.Request, form url.Values) *http.Request {
	r2 := r.Clone(r.Context())
	r2.Form, r2.PostForm = form, form
	r2.Body = http.NoBody
	return r2
}

// responseBuffer keeps a response of mockoidc's handlers for the provider to
// check and rewrite before anything reaches the client.
type responseBuffer struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (b *responseBuffer) Header() http.Header {
	if b.header == nil {
		b.header = make(http.Header)
	}
	return b.header
}

func (b *responseBuffer) WriteHeader(status int) {
	if b.status == 0 {
		b.status = status
	}
}

func (b *responseBuffer) Write(p []byte) (int, error) {
	b.WriteHeader(http.StatusOK)
	return b.body.Write(p)
}

// authenticateClient checks the client credentials, sent either with HTTP
// Basic authentication or as the form fields client_id and client_secret
// (RFC 6749 section 2.3.1), and answers the request when they are wrong.
func (p *Provider) authenticateClient(w http.ResponseWriter, r *http.Request, form url.Values) bool {
	id, secret, basic := r.BasicAuth()
	if basic {
		// The credentials are form-encoded before the Basic encoding.
		var errID, errSecret error
		id, errID = url.QueryUnescape(id)
		secret, errSecret = url.QueryUnescape(secret)
		if form.Has("client_secret") {
			(&oauthError{http.StatusBadRequest, "invalid_request", "Use one client authentication method."}).write(w)
			return false
		}
		if errID != nil || errSecret != nil || form.Has("client_id") && form.Get("client_id") != id {
			id = "" // fails below
		}
	} else {
		id, secret = form.Get("client_id"), form.Get("client_secret")
	}
	if subtle.ConstantTimeCompare([]byte(id), []byte(p.clientID))&
		subtle.ConstantTimeCompare([]byte(secret), []byte(p.clientSecret)) != 1 {
		w.Header().Set("WWW-Authenticate", `Basic realm="Demo ID"`)
		(&oauthError{http.StatusUnauthorized, "invalid_client", "Client authentication failed."}).write(w)
		return false
	}
	return true
}

// tokenResponse is a successful token response (RFC 6749 section 5.1).
// mockoidc's own encodes expires_in in nanoseconds.
type tokenResponse struct {
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int64  `json:"expires_in"` // seconds
	RefreshToken string `json:"refresh_token,omitempty"`
	IDToken      string `json:"id_token,omitempty"`
	Scope        string `json:"scope"`
}

// token is the token endpoint. The provider checks each grant itself, so
// that every failure answers invalid_grant with status 400 as RFC 6749
// section 5.2 requires (mockoidc answers 401, or invalid_request), and only
// then lets mockoidc issue the tokens.
func (p *Provider) token(w http.ResponseWriter, r *http.Request) {
	form, err := parsePostForm(w, r)
	if err != nil {
		(&oauthError{http.StatusBadRequest, "invalid_request", err.Error()}).write(w)
		return
	}
	if !p.authenticateClient(w, r, form) {
		return
	}

	p.mu.Lock()
	defer p.mu.Unlock()
	var (
		id   string
		oerr *oauthError
	)
	grantType := form.Get("grant_type")
	switch grantType {
	case "authorization_code":
		id, oerr = p.checkCodeLocked(form)
	case "refresh_token":
		id, oerr = p.checkRefreshLocked(form)
	case "":
		oerr = &oauthError{http.StatusBadRequest, "invalid_request", "grant_type is missing."}
	default:
		oerr = &oauthError{http.StatusBadRequest, "unsupported_grant_type", "Only authorization_code and refresh_token are supported."}
	}
	if oerr != nil {
		oerr.write(w)
		return
	}
	resp, err := p.issueLocked(r, grantType, id, form)
	if err != nil {
		p.log.Error("issuing tokens failed", "grant_type", grantType, "err", err)
		(&oauthError{http.StatusInternalServerError, "server_error", "The provider could not issue tokens."}).write(w)
		return
	}
	body, _ := json.Marshal(resp)
	writeJSON(w, http.StatusOK, body)
}

// checkCodeLocked checks an authorization code grant and returns the code.
// A code used twice revokes its grant, as RFC 6749 section 4.1.2 advises.
func (p *Provider) checkCodeLocked(form url.Values) (string, *oauthError) {
	code := form.Get("code")
	if code == "" {
		return "", &oauthError{http.StatusBadRequest, "invalid_request", "code is missing."}
	}
	g := p.grants[code]
	switch {
	case g == nil:
		return "", invalidGrant("Unknown or revoked authorization code.")
	case g.redeemed:
		p.dropGrantLocked(code)
		p.log.Warn("authorization code used twice: grant revoked", "account", g.account)
		return "", invalidGrant("The authorization code was already used; its tokens are revoked.")
	case p.m.Now().After(g.codeExpiry):
		p.dropGrantLocked(code)
		return "", invalidGrant("The authorization code has expired.")
	case form.Get("redirect_uri") != g.redirectURI:
		return "", invalidGrant("redirect_uri differs from the authorization request's.")
	case !verifierMatches(form.Get("code_verifier"), g.challenge):
		return "", invalidGrant("The PKCE code verifier does not match the code challenge.")
	}
	return code, nil
}

// verifierMatches reports whether verifier is a well-formed PKCE code
// verifier (RFC 7636 section 4.1) whose S256 transformation is challenge.
func verifierMatches(verifier, challenge string) bool {
	if len(verifier) < 43 || len(verifier) > 128 || strings.ContainsFunc(verifier, func(r rune) bool {
		return !('A' <= r && r <= 'Z' || 'a' <= r && r <= 'z' || '0' <= r && r <= '9' || strings.ContainsRune("-._~", r))
	}) {
		return false
	}
	sum := sha256.Sum256([]byte(verifier))
	return subtle.ConstantTimeCompare([]byte(base64.RawURLEncoding.EncodeToString(sum[:])), []byte(challenge)) == 1
}

// checkRefreshLocked checks a refresh token grant and returns the grant's
// code.
func (p *Provider) checkRefreshLocked(form url.Values) (string, *oauthError) {
	token := form.Get("refresh_token")
	if token == "" {
		return "", &oauthError{http.StatusBadRequest, "invalid_request", "refresh_token is missing."}
	}
	it := p.tokens[hashToken(token)]
	if it == nil || it.kinds&refreshToken == 0 || p.grants[it.grant] == nil {
		return "", invalidGrant("Unknown or revoked refresh token.")
	}
	if _, err := p.m.Keypair.VerifyJWT(token, p.m.Now); err != nil {
		return "", invalidGrant("The refresh token has expired.")
	}
	if scope := form.Get("scope"); scope != "" {
		for _, s := range strings.Fields(scope) {
			if !strings.Contains(" "+grantedScope+" ", " "+s+" ") {
				return "", &oauthError{http.StatusBadRequest, "invalid_scope", "The scope exceeds the grant's."}
			}
		}
	}
	return it.grant, nil
}

// issueLocked has mockoidc issue the tokens of grant id, records them, and
// returns the response to send.
func (p *Provider) issueLocked(r *http.Request, grantType, id string, form url.Values) (*tokenResponse, error) {
	mform := url.Values{
		"grant_type":    {grantType},
		"client_id":     {p.clientID},
		"client_secret": {p.clientSecret},
	}
	if grantType == "authorization_code" {
		mform.Set("code", id)
		mform.Set("code_verifier", form.Get("code_verifier"))
	} else {
		mform.Set("refresh_token", form.Get("refresh_token"))
	}
	var buf responseBuffer
	p.m.Token(&buf, withForm(r, mform))
	if buf.status != http.StatusOK {
		// The body is not logged: mockoidc's errors quote the code.
		return nil, fmt.Errorf("mockoidc answered status %d", buf.status)
	}
	var issued struct {
		AccessToken  string `json:"access_token"`
		RefreshToken string `json:"refresh_token"`
		IDToken      string `json:"id_token"`
	}
	if err := json.Unmarshal(buf.body.Bytes(), &issued); err != nil {
		return nil, fmt.Errorf("mockoidc's token response: %w", err)
	}
	if issued.AccessToken == "" || issued.RefreshToken == "" || issued.IDToken == "" {
		return nil, errors.New("mockoidc's token response lacks a token")
	}

	g := p.grants[id]
	now := p.m.Now()
	if grantType == "authorization_code" {
		g.redeemed = true
		g.refreshExpiry = now.Add(p.opt.RefreshTTL)
		p.addTokenLocked(id, issued.RefreshToken, refreshToken, g.refreshExpiry)
	}
	p.addTokenLocked(id, issued.AccessToken, accessToken, now.Add(p.opt.AccessTTL))
	p.log.Info("tokens issued", "grant_type", grantType, "account", g.account)
	return &tokenResponse{
		AccessToken:  issued.AccessToken,
		TokenType:    "Bearer",
		ExpiresIn:    int64(p.opt.AccessTTL / time.Second),
		RefreshToken: issued.RefreshToken,
		IDToken:      issued.IDToken,
		Scope:        grantedScope,
	}, nil
}

// revoke is the revocation endpoint (RFC 7009). Revoking any token of a
// grant revokes the whole grant. Unknown tokens get the same answer as
// known ones, as section 2.2 requires.
func (p *Provider) revoke(w http.ResponseWriter, r *http.Request) {
	form, err := parsePostForm(w, r)
	if err != nil {
		(&oauthError{http.StatusBadRequest, "invalid_request", err.Error()}).write(w)
		return
	}
	if !p.authenticateClient(w, r, form) {
		return
	}
	token := form.Get("token")
	if token == "" {
		(&oauthError{http.StatusBadRequest, "invalid_request", "token is missing."}).write(w)
		return
	}
	// token_type_hint only speeds up a lookup, which here finds either.
	p.mu.Lock()
	if it := p.tokens[hashToken(token)]; it != nil && p.grants[it.grant] != nil {
		p.log.Info("grant revoked", "account", p.grants[it.grant].account)
		p.dropGrantLocked(it.grant)
		p.revocations++
	}
	p.mu.Unlock()
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
}

// userinfo is the UserInfo endpoint. It is the provider's own: mockoidc's
// omits the required sub claim and accepts refresh tokens as access tokens.
func (p *Provider) userinfo(w http.ResponseWriter, r *http.Request) {
	scheme, token, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	email, err := p.ValidateToken(token)
	if !strings.EqualFold(scheme, "Bearer") || err != nil {
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		(&oauthError{http.StatusUnauthorized, "invalid_token", "The access token is invalid."}).write(w)
		return
	}
	body, _ := json.Marshal(map[string]any{"sub": email, "email": email, "email_verified": true})
	writeJSON(w, http.StatusOK, body)
}

// discoveryDocument returns the OpenID Provider metadata: mockoidc's, with
// the revocation endpoint and with the values this provider supports.
func (p *Provider) discoveryDocument() ([]byte, error) {
	clientAuth := []string{"client_secret_basic", "client_secret_post"}
	return json.Marshal(struct {
		Issuer                            string   `json:"issuer"`
		AuthorizationEndpoint             string   `json:"authorization_endpoint"`
		TokenEndpoint                     string   `json:"token_endpoint"`
		JWKSURI                           string   `json:"jwks_uri"`
		UserinfoEndpoint                  string   `json:"userinfo_endpoint"`
		RevocationEndpoint                string   `json:"revocation_endpoint"`
		GrantTypesSupported               []string `json:"grant_types_supported"`
		ResponseTypesSupported            []string `json:"response_types_supported"`
		ResponseModesSupported            []string `json:"response_modes_supported"`
		SubjectTypesSupported             []string `json:"subject_types_supported"`
		IDTokenSigningAlgValuesSupported  []string `json:"id_token_signing_alg_values_supported"`
		ScopesSupported                   []string `json:"scopes_supported"`
		TokenEndpointAuthMethodsSupported []string `json:"token_endpoint_auth_methods_supported"`
		RevocationEndpointAuthMethods     []string `json:"revocation_endpoint_auth_methods_supported"`
		ClaimsSupported                   []string `json:"claims_supported"`
		CodeChallengeMethodsSupported     []string `json:"code_challenge_methods_supported"`
	}{
		Issuer:                            p.issuer,
		AuthorizationEndpoint:             p.m.AuthorizationEndpoint(),
		TokenEndpoint:                     p.m.TokenEndpoint(),
		JWKSURI:                           p.m.JWKSEndpoint(),
		UserinfoEndpoint:                  p.m.UserinfoEndpoint(),
		RevocationEndpoint:                p.m.Addr() + revocationEndpoint,
		GrantTypesSupported:               []string{"authorization_code", "refresh_token"},
		ResponseTypesSupported:            []string{"code"},
		ResponseModesSupported:            []string{"query"},
		SubjectTypesSupported:             []string{"public"},
		IDTokenSigningAlgValuesSupported:  []string{"RS256"},
		ScopesSupported:                   strings.Fields(grantedScope),
		TokenEndpointAuthMethodsSupported: clientAuth,
		RevocationEndpointAuthMethods:     clientAuth,
		ClaimsSupported:                   []string{"sub", "email", "email_verified", "iss", "aud", "exp", "iat", "nonce"},
		CodeChallengeMethodsSupported:     []string{mockoidc.CodeChallengeMethodS256},
	})
}

func (p *Provider) serveDiscovery(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, p.discovery)
}

func (p *Provider) serveJWKS(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, p.jwks)
}
