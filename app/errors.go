package app

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"webmail"

	"webmail/app/sessionstore"
	"webmail/views"
)

// appError carries a status, a message fit for the person, and the cause,
// which only the log sees.
type appError struct {
	status int
	msg    string
	err    error
}

func (e *appError) Error() string {
	if e.err != nil {
		return e.msg + ": " + e.err.Error()
	}
	return e.msg
}

func (e *appError) Unwrap() error { return e.err }

func errorf(status int, msg string, cause error) error {
	return &appError{status: status, msg: msg, err: cause}
}

// handle adapts a handler that returns an error.
func (a *App) handle(h func(http.ResponseWriter, *http.Request) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			a.fail(w, r, err)
		}
	})
}

// outcome is what an error means for the request and its session.
type outcome int

const (
	showError   outcome = iota // an error page (or fragment): status and message
	notServed                  // the login page; the session, if any, is left as it is
	sessionOver                // the session ends; the login page says why
	clientGone                 // the browser went away: nothing to answer
	brokenOff                  // the answer had begun: it is aborted, so it cannot pass for whole
)

// statusOf is the status of each kind of use case failure.
var statusOf = map[webmail.ErrorCode]int{
	webmail.ENotFound:    http.StatusNotFound,
	webmail.EConflict:    http.StatusConflict,
	webmail.EInvalid:     http.StatusUnprocessableEntity,
	webmail.EUnavailable: http.StatusServiceUnavailable,
}

// failure is an error sorted for the person.
type failure struct {
	outcome outcome
	status  int
	msg     string
}

// statusClientGone is the status the request log records for a browser
// that went away before its answer (nginx's 499).
const statusClientGone = 499

// classify sorts err. It is the one place that decides whether a session
// is over: a credential cookie that does not open never ends it (it may
// be another's, S2); only the mail server refusing the session's own
// credential, or the OAuth provider withdrawing the sign-in, does.
func (a *App) classify(r *http.Request, err error) failure {
	var ae *appError
	switch {
	case r.Context().Err() != nil && errors.Is(err, context.Canceled):
		return failure{outcome: clientGone, status: statusClientGone}
	case errors.Is(err, errBrokenOff):
		return failure{outcome: brokenOff}
	case errors.Is(err, errNoSession), errors.Is(err, errNotProven):
		return failure{outcome: notServed, status: http.StatusUnauthorized}
	case errors.Is(err, errSignInEnded):
		return failure{outcome: sessionOver, status: http.StatusUnauthorized}
	case errors.As(err, &ae):
		return failure{outcome: showError, status: ae.status, msg: ae.msg}
	case webmail.ErrorOf(err) != nil:
		e := webmail.ErrorOf(err)
		status, ok := statusOf[e.Code]
		if !ok {
			status = http.StatusInternalServerError
		}
		msg, _ := sayError(r, e)
		return failure{outcome: showError, status: status, msg: msg}
	case errors.Is(err, sessionstore.ErrUnavailable):
		return failure{outcome: showError, status: http.StatusServiceUnavailable, msg: tr(r, "ErrSessionStore")}
	case errors.Is(err, errRefreshLater):
		return failure{outcome: showError, status: http.StatusServiceUnavailable, msg: tr(r, "ErrRefreshLater")}
	}
	if f, ok := imapFailure(err); ok {
		f.msg = tr(r, f.msg)
		if f.status == http.StatusUnauthorized {
			f.outcome = sessionOver // the server no longer takes the session's credential
		}
		return f
	}
	return failure{outcome: showError, status: http.StatusInternalServerError, msg: tr(r, "ErrInternal")}
}

// fail answers a request that failed: the error page, the login page, or
// nothing for a browser that went away. A compose form the error carries
// (carrying) comes back in the login form, so nothing typed is lost.
func (a *App) fail(w http.ResponseWriter, r *http.Request, err error) {
	f := a.classify(r, err)
	var carried *carriedForm
	errors.As(err, &carried)
	switch f.outcome {
	case clientGone:
		noteRequest(r, "client gone")
		return
	case brokenOff:
		a.log.Warn("answer broken off", "method", r.Method, "path", r.URL.Path, "err", err.Error())
		noteRequest(r, "aborted")
		panic(http.ErrAbortHandler) // net/http closes the connection without ending the body

	case notServed:
		if carried != nil {
			a.loginCarrying(w, r, carried.form, "", tr(r, "SessionEndedCarry"))
			return
		}
		a.toLogin(w, r)
		return
	case sessionOver:
		a.endSessionOver(w, r, err, carried)
		return
	}
	if f.status >= 500 {
		a.log.LogAttrs(r.Context(), slog.LevelError, "request failed", slog.String("method", r.Method), slog.String("path", r.URL.Path),
			slog.Int("status", f.status), slog.String("err", err.Error()))
	}
	p := views.ErrorParams{Base: a.base(r, tr(r, "ErrorTitle")), Status: f.status, Message: f.msg}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(f.status)
	if isHTMX(r) {
		views.ErrorFragment(p).Render(r.Context(), w)
		return
	}
	views.ErrorPage(p).Render(r.Context(), w)
}

// endSessionOver ends a session whose credential the mail server or the
// OAuth provider no longer takes, and sends the person to the login page
// with the reason (and what they were writing).
func (a *App) endSessionOver(w http.ResponseWriter, r *http.Request, err error, carried *carriedForm) {
	login := a.sessions.GetString(r.Context(), sessLogin)
	provider := a.sessions.GetString(r.Context(), sessProvider)
	if provider != "" {
		a.log.Info("oauth sign-in ended", "login", login, "provider", provider)
	} else {
		a.log.Info("session ended: the mail server refused its password", "login", login)
	}
	a.endSession(w, r, "refused")
	msg := tr(r, "PasswordRefused")
	target := "/login?" + url.Values{"refused": {"1"}}.Encode()
	if provider != "" {
		msg = tr(r, "SignInEnded", "Provider", a.providerLabel(provider))
		target = "/login?" + url.Values{"ended": {provider}, "hint": {login}}.Encode()
	}
	if carried != nil {
		a.loginCarrying(w, r, carried.form, login, msg+" "+tr(r, "MessageComesBack"))
		return
	}
	a.redirect(w, r, target)
}

// carriedForm is an error that carries the compose form being sent, so
// that a login page it leads to can carry the message back.
type carriedForm struct {
	err  error
	form *composeForm
}

func (c *carriedForm) Error() string { return c.err.Error() }
func (c *carriedForm) Unwrap() error { return c.err }

// carrying attaches form to err.
func carrying(err error, form *composeForm) error {
	if err == nil {
		return nil
	}
	return &carriedForm{err: err, form: form}
}
