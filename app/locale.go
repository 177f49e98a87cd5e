package app

import (
	"net/http"

	"webmail"
	"webmail/views"
	"webmail/views/locale"
)

// localize puts the request's language in its context, where the views
// and the handlers' messages find it (locale.T): the browser's
// Accept-Language, overridden by the person's setting.
func (a *App) localize(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Add("Vary", "Accept-Language")
		l := a.locale
		if l == nil {
			l = locale.For(locale.Pick("", r.Header.Get("Accept-Language")))
		}
		next.ServeHTTP(w, r.WithContext(locale.With(r.Context(), l)))
	})
}

// chosenLanguage puts the person's own language setting (kept in their
// mailbox, read at most once a session's two minutes) in r's context in
// place of the browser's. A test's fixed locale stays.
func (a *App) chosenLanguage(r *http.Request) *http.Request {
	if a.locale != nil {
		return r
	}
	lang := a.settings(r).Language
	if lang == "" {
		return r
	}
	return r.WithContext(locale.With(r.Context(), locale.For(locale.Pick(lang, r.Header.Get("Accept-Language")))))
}

// tr is the message id in the request's language (locale.Localizer.T).
func tr(r *http.Request, id string, args ...any) string {
	return locale.T(r.Context(), id, args...)
}

// say is a use case's Text in the request's language (views.Say).
func say(r *http.Request, t webmail.Text) string { return views.Say(r.Context(), t) }

// sayError is a use case's Error in the request's language: its message,
// and what is wrong with each field.
func sayError(r *http.Request, e *webmail.Error) (string, map[string]string) {
	args := views.SayArgs(r.Context(), e.Args)
	var fields map[string]string
	if len(e.Fields) > 0 {
		fields = make(map[string]string, len(e.Fields))
		for k, id := range e.Fields {
			fields[k] = tr(r, id, args...)
		}
	}
	return tr(r, e.Message, args...), fields
}
