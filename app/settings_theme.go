package app

import (
	"net/http"
	"time"
)

// Themes are the colour schemes a person may choose; "system" follows the
// browser's prefers-color-scheme.
var themes = map[string]string{"light": "ThemeLight", "dark": "ThemeDark", "system": "ThemeSystem"}

// themeCookie holds the theme chosen in this browser: not a secret, kept
// by the browser only.
func (a *App) themeCookie() string {
	if a.cfg.SecureCookies() {
		return "__Host-wm_theme"
	}
	return "wm_theme"
}

// theme is the theme chosen in this browser: "light", "dark", or "" for
// the system's.
func (a *App) theme(r *http.Request) string {
	c, err := r.Cookie(a.themeCookie())
	if err != nil || (c.Value != "light" && c.Value != "dark") {
		return ""
	}
	return c.Value
}

// saveTheme keeps the chosen theme in a cookie of this browser and goes
// back to the settings.
func (a *App) saveTheme(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		return errorf(http.StatusBadRequest, tr(r, "ErrFormUnreadable"), err)
	}
	name := r.PostForm.Get("theme")
	label, ok := themes[name]
	if !ok {
		return errorf(http.StatusUnprocessableEntity, tr(r, "ErrChooseTheme"), nil)
	}
	c := &http.Cookie{
		Name: a.themeCookie(), Value: name, Path: "/", MaxAge: int((365 * 24 * time.Hour).Seconds()),
		HttpOnly: true, Secure: a.cfg.SecureCookies(), SameSite: http.SameSiteLaxMode,
	}
	if name == "system" {
		c.Value, c.MaxAge = "", -1
	}
	http.SetCookie(w, c)
	a.sessions.Put(r.Context(), sessFlash, tr(r, "FlashTheme", "Theme", tr(r, label)))
	seeOther(w, r, "/settings/sending#theme")
	return nil
}
