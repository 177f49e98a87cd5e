package app

import (
	"context"
	"crypto/subtle"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode"

	"github.com/alexedwards/scs/v2"

	"webmail/app/mail"
	"webmail/app/oauth"
	"webmail/app/vault"
	"webmail/config"
	"webmail/views"
)

// The sign-in in progress lives in a session of its own (flowKey in the
// "flows" manager): its cookie is SameSite=Lax, so that it comes back on
// the provider's redirect, which the main session's Strict cookie does
// not. It holds the state, nonce and PKCE verifier for ten minutes, and a
// message being written when the old session ended; never a token.
const flowKey = "oauth_flow"

func newFlowManager(cfg config.Config, store scs.Store) *scs.SessionManager {
	s := scs.New()
	s.Store = store
	s.Lifetime = 10 * time.Minute
	s.Cookie.Name = "wm_oauth"
	s.Cookie.HttpOnly = true
	s.Cookie.SameSite = http.SameSiteLaxMode
	s.Cookie.Path = cfg.BasePath() + "/login/oauth/"
	s.Cookie.Persist = false
	if cfg.SecureCookies() {
		s.Cookie.Name = "__Secure-wm_oauth" // __Host- would need Path=/; the flow only lives under /login/oauth/
		s.Cookie.Secure = true
	}
	return s
}

// redirectURL is where the provider sends the person back.
func (a *App) redirectURL(provider string) string {
	return a.cfg.PublicURL + "/login/oauth/" + url.PathEscape(provider) + "/callback"
}

// startOAuth sends the person to the provider: a fresh state, nonce and
// PKCE verifier are kept in the flow session, and only the verifier's
// S256 hash travels.
func (a *App) startOAuth(w http.ResponseWriter, r *http.Request) error {
	p, ok := a.providers[r.PathValue("provider")]
	if !ok {
		return errorf(http.StatusNotFound, tr(r, "ErrNoProvider"), nil)
	}
	r.Body = http.MaxBytesReader(w, r.Body, 4<<20) // a carried message may be long
	if err := r.ParseForm(); err != nil {
		return errorf(http.StatusBadRequest, tr(r, "ErrFormUnreadable"), err)
	}
	if !a.limits.byIP.allow(a.limits.clientIP(r)) {
		a.log.Warn("oauth start rate limited", "provider", p.Name(), "client", a.limits.clientIP(r))
		return a.loginAgain(w, r, http.StatusTooManyRequests, tr(r, "ErrTooManySignIns"))
	}
	f := oauth.NewFlow()
	if hint := r.PostForm.Get("login_hint"); validLogin(hint) {
		f.LoginHint = hint
	}
	target, err := p.AuthURL(r.Context(), a.redirectURL(p.Name()), f)
	if err != nil {
		a.log.Warn("oauth login failed", "provider", p.Name(), "reason", err.Error())
		return a.loginAgain(w, r, http.StatusBadGateway, p.Label()+" cannot be reached right now. Please try again in a moment, or log in with your password.")
	}
	v := url.Values{"provider": {p.Name()}, "state": {f.State}, "nonce": {f.Nonce}, "verifier": {f.Verifier}, "next": {safeNext(r.PostForm.Get("next"))}}
	// What the person was writing, but never a file: only references to
	// parts of their own mail, and the names of the files to attach again.
	if resume, ok := resumedCompose(r.PostForm, carriedRefs(r.PostForm["c_keep"])); ok {
		v.Set("resume", "compose")
		for _, name := range carriedFields {
			if s := resume.get(name); s != "" {
				v.Set("c_"+name, s)
			}
		}
		for _, k := range resume.Keep {
			v.Add("c_keep", k.ref)
		}
		if resume.dropped != "" {
			v.Set("c_dropped", resume.dropped)
		}
	}
	if err := a.flows.RenewToken(r.Context()); err != nil {
		return err
	}
	a.flows.Put(r.Context(), flowKey, v.Encode())
	// A page that moves on by itself rather than a redirect: browsers
	// check CSP form-action against every redirect after a form's POST,
	// and providers redirect on to origins of their own (Microsoft to
	// login.live.com). A meta refresh is no form submission.
	b := a.base(r, tr(r, "SignInWith", "Provider", p.Label()))
	b.Refresh = target
	return render(w, r, http.StatusOK, views.SigningIn(views.SigningInParams{Base: b, Provider: p.Label(), URL: target}))
}

// finishOAuth is where the provider sends the person back: the state is
// checked against the flow session, the code exchanged with the PKCE
// verifier, the ID token verified, and the token tried on the IMAP server
// before a session starts.
func (a *App) finishOAuth(w http.ResponseWriter, r *http.Request) error {
	p, ok := a.providers[r.PathValue("provider")]
	if !ok {
		return errorf(http.StatusNotFound, tr(r, "ErrNoProvider"), nil)
	}
	ctx := r.Context()
	// One use only: the flow is gone whatever happens next.
	flow, _ := url.ParseQuery(a.flows.PopString(ctx, flowKey))
	a.flows.Destroy(ctx)
	// What the person was writing rides along in the retry form.
	r.PostForm = url.Values{}
	for k, vs := range flow {
		if k == "resume" || k == "next" || len(k) > 2 && k[:2] == "c_" {
			r.PostForm[k] = vs
		}
	}
	var login string // known once the ID token is verified
	failed := func(status int, outcome, why string, msg string) error {
		a.metrics.login("oauth", outcome)
		attrs := []any{"provider", p.Name(), "reason", why, "client", a.limits.clientIP(r)}
		if login != "" {
			attrs = append(attrs, "login", login)
		}
		a.log.Warn("oauth login failed", attrs...)
		return a.loginAgain(w, r, status, msg)
	}
	q := r.URL.Query()
	state := q.Get("state")
	if flow.Get("provider") != p.Name() || state == "" || subtle.ConstantTimeCompare([]byte(state), []byte(flow.Get("state"))) != 1 {
		return failed(http.StatusBadRequest, "state", "state mismatch", tr(r, "ErrOAuthState"))
	}
	if e := q.Get("error"); e != "" {
		if e == "access_denied" {
			return failed(http.StatusUnauthorized, "denied", "access_denied", tr(r, "ErrOAuthDenied", "Provider", p.Label()))
		}
		return failed(http.StatusBadGateway, "provider_error", "provider error: "+printableCode(e), tr(r, "ErrOAuthProvider", "Provider", p.Label(), "Code", printableCode(e)))
	}
	code := q.Get("code")
	if code == "" || len(code) > 4096 {
		return failed(http.StatusBadRequest, "no_code", "no code", tr(r, "ErrOAuthNoCode", "Provider", p.Label()))
	}
	f := oauth.Flow{State: flow.Get("state"), Nonce: flow.Get("nonce"), Verifier: flow.Get("verifier")}
	login, tok, err := p.Exchange(ctx, a.redirectURL(p.Name()), code, f)
	switch {
	case errors.Is(err, oauth.ErrGrant):
		return failed(http.StatusUnauthorized, "grant", err.Error(), tr(r, "ErrOAuthGrant", "Provider", p.Label()))
	case errors.Is(err, oauth.ErrIDToken):
		return failed(http.StatusUnauthorized, "id_token", err.Error(), tr(r, "ErrOAuthIDToken", "Provider", p.Label()))
	case err != nil:
		return failed(http.StatusBadGateway, "unavailable", err.Error(), tr(r, "ErrOAuthUnavailable", "Provider", p.Label()))
	}

	imapSrv, smtpSrv := a.cfg.ServersForOAuth(p.Config(), login)
	if imapSrv.Host == "" {
		return failed(http.StatusUnprocessableEntity, "no_domain", "domain not served", tr(r, "ErrOAuthNoDomain", "Login", login))
	}
	auth := mail.Auth{Login: login, Token: tok.Access, Mechanism: saslMechanism(p.Config())}
	err = a.pool.Login(ctx, mail.Account{ID: accountID(login, imapSrv), Server: imapSrv, Auth: auth})
	switch {
	case errors.Is(err, mail.ErrAuth):
		return failed(http.StatusUnauthorized, "auth", "IMAP refused the token", tr(r, "ErrOAuthIMAP", "Provider", p.Label(), "Login", login))
	case err != nil:
		a.metrics.login("oauth", mail.Outcome(err))
		a.log.Warn("oauth login: IMAP failed", "login", login, "server", imapSrv.Addr(), "err", err.Error())
		fl, _ := imapFailure(err)
		return a.loginAgain(w, r, fl.status, tr(r, fl.msg))
	}
	cred := vault.Credential{Login: login, Provider: p.Name(), AccessToken: tok.Access, RefreshToken: tok.Refresh, Expiry: tok.Expiry}
	if _, err := a.startSession(w, r, imapSrv, cred); err != nil {
		a.metrics.login("oauth", "error")
		return err
	}
	a.metrics.login("oauth", "ok")
	a.log.Info("oauth login", "login", login, "provider", p.Name())

	// The request now carries the new session's account, and its token
	// for the connections a resumed message needs until the request ends.
	acct := account{Login: login, ID: accountID(login, imapSrv), Server: imapSrv, SMTP: smtpSrv, Provider: p.Name(), mech: auth.Mechanism, cred: cred}
	rr := r.WithContext(context.WithValue(ctx, accountKey{}, acct))
	if resume, ok := resumedCompose(r.PostForm, carriedRefs(r.PostForm["c_keep"])); ok {
		if err := a.resumeCompose(w, rr, resume, tr(r, "SignedInAgain")); err != nil {
			a.fail(w, rr, carrying(err, resume))
		}
		return nil
	}
	next := flow.Get("next")
	if next == "" {
		next = "/m/INBOX"
	}
	// A page, not a redirect: the provider's redirect made this a
	// cross-site navigation, and a redirect from it would still be one, so
	// the browser would hold back the new SameSite=Strict cookies. The
	// page's own refresh is a same-site navigation.
	b := a.base(rr, tr(rr, "SignedIn"))
	b.Refresh = next
	return render(w, r, http.StatusOK, views.SignedIn(views.SignedInParams{Base: b, Provider: p.Label(), Next: next}))
}

// loginAgain renders the login page with a message, keeping what the
// request carried (a message being written, the page to go to).
func (a *App) loginAgain(w http.ResponseWriter, r *http.Request, status int, msg string) error {
	p := views.LoginParams{Base: a.base(r, tr(r, "LogIn")), Next: safeNext(r.PostForm.Get("next")), Error: msg, Providers: a.providerButtons()}
	if resume, ok := resumedCompose(r.PostForm, carriedRefs(r.PostForm["c_keep"])); ok {
		p.Carry, p.CarryKeep = carryOf(r, resume)
	}
	return render(w, r, status, views.Login(p))
}

// validLogin reports whether s can be a login name: not empty, at most
// 256 bytes, no space or control character.
func validLogin(s string) bool {
	return s != "" && len(s) <= 256 && !strings.ContainsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) })
}

// providerButtons lists the configured providers in configuration order.
func (a *App) providerButtons() []views.Provider {
	out := make([]views.Provider, 0, len(a.cfg.OAuth))
	for _, p := range a.cfg.OAuth {
		out = append(out, views.Provider{Name: p.Name, Label: p.Label})
	}
	return out
}

// printableCode keeps an error code from the query string short and plain.
func printableCode(s string) string {
	out := make([]rune, 0, min(len(s), 64))
	for _, r := range s {
		if len(out) == 64 {
			break
		}
		if r == '_' || r == '-' || r == '.' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' {
			out = append(out, r)
		}
	}
	return string(out)
}

// revokeTokens revokes the session's OAuth tokens at the provider
// (RFC 7009) at logout: the refresh token, which takes its access tokens
// with it, or the access token if there is none.
func (a *App) revokeTokens(ctx context.Context, cred vault.Credential) {
	p, ok := a.providers[cred.Provider]
	if !ok {
		return
	}
	token, hint := cred.RefreshToken, "refresh_token"
	if token == "" {
		token, hint = cred.AccessToken, "access_token"
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	switch err := p.Revoke(ctx, token, hint); {
	case err == nil:
		a.log.Info("oauth revocation", "login", cred.Login, "provider", p.Name(), "token", hint)
	case errors.Is(err, oauth.ErrNoRevocation):
		a.log.Info("oauth revocation not offered", "login", cred.Login, "provider", p.Name())
	default:
		a.log.Warn("oauth revocation failed", "login", cred.Login, "provider", p.Name(), "reason", err.Error())
	}
}
