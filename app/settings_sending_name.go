package app

import (
	"encoding/base64"
	"net/http"
	"strings"
	"time"
	"unicode"

	"webmail/views"
)

// saveDisplayName keeps the name recipients see as the sender's, in a
// cookie of this browser.
func (a *App) saveDisplayName(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		return errorf(http.StatusBadRequest, tr(r, "ErrFormUnreadable"), err)
	}
	p := a.settingsParams(r)
	name := strings.TrimSpace(r.PostForm.Get("display_name"))
	p.DisplayName = name
	if len(name) > 100 || strings.ContainsFunc(name, unicode.IsControl) {
		p.Error = tr(r, "ErrDisplayName")
		return render(w, r, http.StatusUnprocessableEntity, views.SettingsSending(p))
	}
	a.setDisplayName(w, accountFrom(r).Login, name)
	p.Saved = tr(r, "NameSaved")
	return render(w, r, http.StatusOK, views.SettingsSending(p))
}

// The display name lives in a cookie of its own: not a secret, and the
// server keeps no per-person state.
func (a *App) nameCookie() string {
	if a.cfg.SecureCookies() {
		return "__Host-wm_name"
	}
	return "wm_name"
}

func (a *App) setDisplayName(w http.ResponseWriter, login, name string) {
	http.SetCookie(w, &http.Cookie{
		Name:     a.nameCookie(),
		Value:    base64.RawURLEncoding.EncodeToString([]byte(login + "\n" + name)),
		Path:     "/",
		MaxAge:   int((365 * 24 * time.Hour).Seconds()),
		HttpOnly: true,
		Secure:   a.cfg.SecureCookies(),
		SameSite: http.SameSiteStrictMode,
	})
}

func (a *App) displayName(r *http.Request) string {
	c, err := r.Cookie(a.nameCookie())
	if err != nil {
		return ""
	}
	b, err := base64.RawURLEncoding.DecodeString(c.Value)
	if err != nil {
		return ""
	}
	login, name, ok := strings.Cut(string(b), "\n")
	if !ok || login != accountFrom(r).Login || strings.ContainsFunc(name, unicode.IsControl) {
		return ""
	}
	return name
}
