package demo

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/oauth2-proxy/mockoidc"
)

// authRequest is an authorization request (RFC 6749 section 4.1.1, with
// PKCE and OpenID Connect's nonce).
type authRequest struct {
	redirectURI string // set once it is known to be the client's
	state       string
	nonce       string
	challenge   string     // PKCE S256 code challenge
	params      url.Values // as received, for the consent form
}

// authError refuses an authorization request. An invalid client or redirect
// URI is reported to the person; any other error goes back to the client
// through its redirect URI (RFC 6749 section 4.1.2.1).
type authError struct {
	code        string
	description string
}

// parseAuthRequest validates an authorization request. The returned
// request's redirectURI is set whenever the error may be redirected.
func (p *Provider) parseAuthRequest(params url.Values) (authRequest, *authError) {
	req := authRequest{params: params}
	if len(params["client_id"]) != 1 || params.Get("client_id") != p.clientID {
		return req, &authError{"invalid_client", "The application is not registered with Demo ID."}
	}
	if len(params["redirect_uri"]) != 1 || !p.redirectAllowed(params.Get("redirect_uri")) {
		return req, &authError{"invalid_request", "The application's return address is not registered with Demo ID."}
	}
	req.redirectURI = params.Get("redirect_uri")
	if len(params["state"]) == 1 {
		req.state = params.Get("state")
	}

	for name, values := range params {
		if len(values) > 1 {
			return req, &authError{"invalid_request", "Parameter " + name + " is repeated."}
		}
	}
	req.nonce = params.Get("nonce")
	req.challenge = params.Get("code_challenge")
	switch {
	case params.Get("response_type") != "code":
		return req, &authError{"unsupported_response_type", "Only the authorization code flow is supported."}
	case !scopeAllowed(params.Get("scope")):
		return req, &authError{"invalid_scope", "The scope must be exactly: " + grantedScope + "."}
	case req.state == "":
		return req, &authError{"invalid_request", "state is required."}
	case req.nonce == "":
		return req, &authError{"invalid_request", "nonce is required."}
	case params.Get("code_challenge_method") != mockoidc.CodeChallengeMethodS256:
		return req, &authError{"invalid_request", "PKCE with code_challenge_method=S256 is required."}
	case !validChallenge(req.challenge):
		return req, &authError{"invalid_request", "code_challenge must be a base64url-encoded SHA-256 hash."}
	case params.Has("response_mode") && params.Get("response_mode") != "query":
		return req, &authError{"invalid_request", "Only response_mode=query is supported."}
	}
	return req, nil
}

// redirectAllowed reports whether uri is one of the client's redirect URIs:
// a registered one, or when none is registered, any loopback http URI.
func (p *Provider) redirectAllowed(uri string) bool {
	if len(p.opt.RedirectURIs) > 0 {
		return slices.Contains(p.opt.RedirectURIs, uri)
	}
	u, err := url.Parse(uri)
	if err != nil || u.Scheme != "http" || u.User != nil || u.Opaque != "" || u.Fragment != "" {
		return false
	}
	switch u.Hostname() {
	case "127.0.0.1", "localhost", "::1":
		return true
	}
	return false
}

// scopeAllowed reports whether scope asks for exactly the granted scopes,
// in any order.
func scopeAllowed(scope string) bool {
	got := strings.Fields(scope)
	want := strings.Fields(grantedScope)
	for _, s := range got {
		if !slices.Contains(want, s) {
			return false
		}
	}
	for _, s := range want {
		if !slices.Contains(got, s) {
			return false
		}
	}
	return true
}

func validChallenge(challenge string) bool {
	b, err := base64.RawURLEncoding.DecodeString(challenge)
	return err == nil && len(b) == 32
}

// authorize shows the consent page of a valid authorization request.
func (p *Provider) authorize(w http.ResponseWriter, r *http.Request) {
	req, aerr := p.parseAuthRequest(r.URL.Query())
	if aerr != nil {
		p.refuse(w, r, req, aerr)
		return
	}
	p.renderConsent(w, req)
}

// decide receives the consent form. The form carries the whole request,
// checked again because it comes back from the browser, and needs no cookie:
// the demo asks for no password, so there is no session to protect.
func (p *Provider) decide(w http.ResponseWriter, r *http.Request) {
	form, err := parsePostForm(w, r)
	if err != nil {
		p.renderError(w, http.StatusBadRequest, "The form could not be read: "+err.Error()+".")
		return
	}
	params := make(url.Values, len(form))
	for name, values := range form {
		if name != "account" && name != "decision" {
			params[name] = values
		}
	}
	req, aerr := p.parseAuthRequest(params)
	if aerr != nil {
		p.refuse(w, r, req, aerr)
		return
	}

	switch form.Get("decision") {
	case "deny":
		p.log.Info("authorization denied")
		p.refuse(w, r, req, &authError{"access_denied", "The person denied the request."})
	case "allow":
		i := slices.IndexFunc(p.accounts, func(a Account) bool { return a.Address == form.Get("account") })
		if i < 0 {
			p.renderError(w, http.StatusBadRequest, "Choose one of the demo accounts.")
			return
		}
		location, err := p.grantCode(r, req, p.accounts[i].Address)
		if err != nil {
			p.log.Error("authorization failed", "err", err)
			p.renderError(w, http.StatusInternalServerError, "Demo ID could not complete the sign-in.")
			return
		}
		p.log.Info("authorization granted", "account", p.accounts[i].Address)
		http.Redirect(w, r, location, http.StatusFound)
	default:
		p.renderError(w, http.StatusBadRequest, "Choose Allow or Deny.")
	}
}

// grantCode has mockoidc create the authorization code of an allowed
// request, for account, and returns the redirect that carries it.
func (p *Provider) grantCode(r *http.Request, req authRequest, account string) (string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	// Queued together under the lock, so that mockoidc's next session is
	// this person's, with a code the provider knows.
	code := rand.Text()
	p.m.QueueCode(code)
	p.m.QueueUser(&mockoidc.MockUser{Subject: account, Email: account, EmailVerified: true})
	var buf responseBuffer
	p.m.Authorize(&buf, withForm(r, url.Values{
		"client_id":             {p.clientID},
		"response_type":         {"code"},
		"redirect_uri":          {req.redirectURI},
		"state":                 {req.state},
		"nonce":                 {req.nonce},
		"scope":                 {mockoidcScope},
		"code_challenge":        {req.challenge},
		"code_challenge_method": {mockoidc.CodeChallengeMethodS256},
	}))
	location := buf.Header().Get("Location")
	if buf.status != http.StatusFound || location == "" {
		// Never leave a queued user or code for another request.
		p.m.UserQueue.Queue = nil
		p.m.SessionStore.CodeQueue.Queue = nil
		delete(p.m.SessionStore.Store, code)
		return "", errors.New("mockoidc refused the authorization request")
	}
	p.newGrantLocked(code, &grant{account: account, redirectURI: req.redirectURI, challenge: req.challenge})
	return location, nil
}

// refuse answers a refused or denied authorization request: to the client
// through its redirect URI when it is known, else to the person.
func (p *Provider) refuse(w http.ResponseWriter, r *http.Request, req authRequest, aerr *authError) {
	if req.redirectURI == "" {
		p.renderError(w, http.StatusBadRequest, aerr.description)
		return
	}
	u, err := url.Parse(req.redirectURI)
	if err != nil {
		p.renderError(w, http.StatusBadRequest, aerr.description)
		return
	}
	q := u.Query()
	q.Set("error", aerr.code)
	q.Set("error_description", aerr.description)
	if req.state != "" {
		q.Set("state", req.state)
	}
	u.RawQuery = q.Encode()
	http.Redirect(w, r, u.String(), http.StatusFound)
}
