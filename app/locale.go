package app

import (
	"net/http"

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

// tr is the message id in the request's language (locale.Localizer.T).
func tr(r *http.Request, id string, args ...any) string {
	return locale.T(r.Context(), id, args...)
}
