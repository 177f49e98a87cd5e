package app

import (
	"net/http"
	"strings"

	"webmail"
	"webmail/views"
)

// saveTimeZone keeps the zone chosen on the settings page with the
// person's settings, in their mailbox (timezone.go), or forgets it when
// the field is empty: the browser's zone, or the server's, applies
// again. The cookie an older version kept it in is cleared.
func (a *App) saveTimeZone(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		return errorf(http.StatusBadRequest, tr(r, "ErrFormUnreadable"), err)
	}
	name := strings.TrimSpace(r.PostForm.Get("tz"))
	p := a.settingsParams(r)
	p.Zone = name
	if name == "" {
		if err := a.updateSettings(r, func(st *webmail.Settings) error { st.TimeZone = ""; return nil }); err != nil {
			return err
		}
		a.setZoneCookie(w, "", -1)
		_, p.ZoneInUse = a.zoneFrom(r, "", a.cookieZone(r, browserZoneCookie))
		p.Saved = tr(r, "ZoneForgotten")
		return render(w, r, http.StatusOK, views.SettingsSending(p))
	}
	if _, ok := a.zone(name); !ok {
		p.ZoneError = tr(r, "ErrUnknownZone")
		return render(w, r, http.StatusUnprocessableEntity, views.SettingsSending(p))
	}
	if err := a.updateSettings(r, func(st *webmail.Settings) error { st.TimeZone = name; return nil }); err != nil {
		return err
	}
	a.setZoneCookie(w, "", -1)
	_, p.ZoneInUse = a.zoneFrom(r, name, "")
	p.Saved = tr(r, "ZoneSaved", "Zone", name)
	return render(w, r, http.StatusOK, views.SettingsSending(p))
}

func (a *App) setZoneCookie(w http.ResponseWriter, name string, maxAge int) {
	http.SetCookie(w, &http.Cookie{
		Name:     a.zoneCookie(),
		Value:    name,
		Path:     "/",
		MaxAge:   maxAge,
		HttpOnly: true,
		Secure:   a.cfg.SecureCookies(),
		SameSite: http.SameSiteLaxMode,
	})
}
