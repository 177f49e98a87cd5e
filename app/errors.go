package app

import (
	"context"
	"errors"
	"net/http"
	"net/url"

	"webmail/app/mail"
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

// fail renders an error: mail errors become plain words, anything
// unexpected a 500 whose cause goes to the log only.
func (a *App) fail(w http.ResponseWriter, r *http.Request, err error) {
	var ae *appError
	switch {
	case errors.As(err, &ae):
	case errors.Is(err, errSessionBroken):
		// The cookie no longer opens with the session's key: start over.
		a.endSession(w, r)
		a.toLogin(w, r)
		return
	case isSignInEnded(accountFrom(r), err):
		acct := accountFrom(r)
		a.signInEnded(w, r)
		a.redirect(w, r, "/login?"+url.Values{"ended": {acct.Provider}, "hint": {acct.Login}}.Encode())
		return
	case errors.Is(err, errRefreshLater):
		ae = &appError{status: http.StatusServiceUnavailable, msg: "Your sign-in is being renewed. Please try again in a moment.", err: err}
	case errors.Is(err, mail.ErrNotFound):
		ae = &appError{status: http.StatusNotFound, msg: "This folder or message does not exist (any more).", err: err}
	case errors.Is(err, mail.ErrAuth):
		a.endSession(w, r)
		a.toLogin(w, r)
		return
	case errors.Is(err, mail.ErrTLS):
		ae = &appError{status: http.StatusBadGateway, msg: "The secure connection to the mail server failed. Please try again later or tell the administrator.", err: err}
	case errors.Is(err, mail.ErrUnavailable), errors.Is(err, context.DeadlineExceeded):
		ae = &appError{status: http.StatusBadGateway, msg: "The mail server cannot be reached right now. Please try again in a moment.", err: err}
	default:
		ae = &appError{status: http.StatusInternalServerError, msg: "Something went wrong on our side. Please try again.", err: err}
	}
	if ae.status >= 500 {
		a.log.Error("request failed", "method", r.Method, "path", r.URL.Path, "status", ae.status, "err", ae.Error())
	}
	p := views.ErrorParams{Base: a.base(r, "Error"), Status: ae.status, Message: ae.msg}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(ae.status)
	if isHTMX(r) {
		views.ErrorFragment(p).Render(r.Context(), w)
		return
	}
	views.ErrorPage(p).Render(r.Context(), w)
}
