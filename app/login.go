package app

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"unicode"

	"webmail/app/mail"
	"webmail/app/vault"
	"webmail/views"
)

func (a *App) showLogin(w http.ResponseWriter, r *http.Request) error {
	if acct, err := a.session(r); err == nil && a.prove(r, &acct) == nil {
		acct.cred.Wipe()
		seeOther(w, r, "/")
		return nil
	}
	p := views.LoginParams{Base: a.base(r, tr(r, "LogIn")), Next: safeNext(r.URL.Query().Get("next")), Providers: a.providerButtons()}
	if r.URL.Query().Has("logged_out") {
		p.Flash = tr(r, "LoggedOut")
	}
	if r.URL.Query().Has("refused") {
		p.Error = tr(r, "PasswordRefused")
	}
	if name := r.URL.Query().Get("ended"); name != "" {
		if pr, ok := a.cfg.OAuthProvider(name); ok {
			p.Error = tr(r, "SignInEndedAt", "Provider", pr.Label)
			if hint := r.URL.Query().Get("hint"); validLogin(hint) {
				p.Hint = hint
			}
		}
	}
	return render(w, r, http.StatusOK, views.Login(p))
}

// loginForm is what the login form posts.
type loginForm struct {
	Login, Password, Next string
}

func (f loginForm) validate(r *http.Request) string {
	if f.Login == "" || f.Password == "" {
		return tr(r, "ErrLoginEmpty")
	}
	if len(f.Login) > 256 || len(f.Password) > 1024 || strings.ContainsFunc(f.Login, unicode.IsControl) {
		return tr(r, "ErrLoginInvalid")
	}
	return ""
}

func (a *App) login(w http.ResponseWriter, r *http.Request) error {
	// The password stays in bytes of our own, wiped when the login is
	// done (S3). A carried message may be long, and carry files: the form
	// then posts as multipart/form-data, read as a stream.
	form, err := readStreamedForm(w, r, streamSpec{secret: "password", keep: "c_keep", maxFiles: a.maxUpload()})
	if err != nil {
		return errorf(http.StatusBadRequest, tr(r, "ErrFormUnreadable"), err)
	}
	defer form.cleanup()
	r.PostForm = form.values
	f := loginForm{
		Login:    strings.TrimSpace(r.PostForm.Get("login")),
		Password: viewString(form.secret),
		Next:     safeNext(r.PostForm.Get("next")),
	}
	resume, resuming := resumedCompose(r.PostForm, form.keeps)
	again := func(status int, msg string) error {
		p := views.LoginParams{Base: a.base(r, tr(r, "LogIn")), Login: f.Login, Next: f.Next, Error: msg, Providers: a.providerButtons()}
		if resuming { // keep carrying the message
			p.Carry, p.CarryKeep = carryOf(r, resume)
		}
		return renderKept(w, r, status, views.Login(p), p.CarryKeep)
	}
	if msg := f.validate(r); msg != "" {
		a.metrics.login("password", "invalid")
		return again(http.StatusUnprocessableEntity, msg)
	}
	if !a.limits.allow(r, f.Login) {
		a.metrics.login("password", "rate_limited")
		a.log.Warn("login rate limited", "client", a.limits.clientIP(r))
		return again(http.StatusTooManyRequests, tr(r, "ErrTooManyLogins"))
	}

	srv, smtpSrv := a.cfg.ServersFor(f.Login)
	if srv.Host == "" { // only [[domain]] entries are configured, none for this one
		a.metrics.login("password", "no_domain")
		return again(http.StatusUnprocessableEntity, tr(r, "ErrDomainNotServed"))
	}
	// The login is checked with a new connection, which then serves the
	// account's first pages.
	cred := vault.Credential{Login: f.Login, Password: f.Password}
	err = a.pool.Login(r.Context(), mail.Account{ID: accountID(f.Login, srv), Server: srv, Auth: mail.Auth{Login: f.Login, Password: f.Password}})
	switch {
	case errors.Is(err, mail.ErrAuth):
		a.metrics.login("password", "auth")
		// The login name is not logged: people type passwords into it.
		a.log.Info("login failed", "client", a.limits.clientIP(r))
		return again(http.StatusUnauthorized, tr(r, "ErrLoginWrong"))
	case err != nil:
		a.metrics.login("password", mail.Outcome(err))
		a.log.Warn("login: IMAP failed", "login", f.Login, "server", srv.Addr(), "err", err.Error())
		fl, _ := imapFailure(err)
		return again(fl.status, tr(r, fl.msg))
	}
	if _, err := a.startSession(w, r, srv, cred); err != nil {
		a.metrics.login("password", "error")
		return err
	}
	a.metrics.login("password", "ok")
	a.log.Info("login", "login", f.Login)
	if resuming {
		// The message being written when the session ended, back in the
		// form and saved in Drafts. The request now carries the new
		// session's account, and its credential for the connections that
		// saving needs until the request ends.
		acct := account{Login: f.Login, ID: accountID(f.Login, srv), Server: srv, SMTP: smtpSrv, cred: cred}
		rr := r.WithContext(context.WithValue(r.Context(), accountKey{}, acct))
		if err := a.resumeCompose(w, rr, resume, tr(r, "LoggedInAgain")); err != nil {
			// A mail server that gives up now still leaves the message
			// carried in the login page.
			a.fail(w, rr, carrying(err, resume))
		}
		return nil
	}
	next := f.Next
	if next == "" {
		next = "/"
	}
	seeOther(w, r, next)
	return nil
}

func (a *App) logout(w http.ResponseWriter, r *http.Request) error {
	acct := accountFrom(r)
	if acct.cred.OAuth() {
		a.revokeTokens(r.Context(), acct.cred)
	}
	a.log.Info("logout", "login", acct.Login)
	a.endSession(w, r, "logout")
	seeOther(w, r, "/login?logged_out=1")
	return nil
}

// endSession destroys the key (the cookie becomes garbage), ends the
// session's live streams and clears the credential cookie. reason
// ("logout", "refused") is for the metrics. The account's
// IMAP connections hold no credential and serve its other sessions; the
// pool closes them when unused.
func (a *App) endSession(w http.ResponseWriter, r *http.Request, reason string) {
	if sid := a.sessions.GetString(r.Context(), sessID); sid != "" {
		a.metrics.sessionsEnded.WithLabelValues(reason).Inc()
		a.live.endSession(sid)
		a.bodies.forget(sid)
		a.refresh.forget(r.Context(), sid)
		a.contacts.Forget(sid)
		a.prefs.lru.Remove(sid)
	}
	a.sessions.Destroy(r.Context())
	a.setCredCookie(w, r, "", -1) // an empty value always fits
}
