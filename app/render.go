package app

import (
	"net/http"

	"github.com/a-h/templ"

	"webmail/views"
)

// base fills what every page needs.
func (a *App) base(r *http.Request, title string) views.Base {
	b := views.Base{
		Title: title,
		Assets: views.Assets{
			CSS:    a.assets.URL("app.css"),
			HTMX:   a.assets.URL("htmx-4.0.1.min.js"),
			JS:     a.assets.URL("app.js"),
			Icon:   a.assets.URL("icon.svg"),
			Sprite: a.assets.URL("icons.svg"),
		},
	}
	if acct := accountFrom(r); acct.Login != "" {
		b.Account = acct.Login
	}
	return b
}

// render writes a component as HTML with the given status.
func render(w http.ResponseWriter, r *http.Request, status int, c templ.Component) error {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Add("Vary", "HX-Request, HX-Target")
	w.WriteHeader(status)
	return c.Render(r.Context(), w)
}
