package app

import (
	"net/http"

	"webmail/views"
)

// forgetSettingsSending goes back to sending with the login credentials.
// Nothing is kept here: the page tells the browser to drop its sealed
// copy (data-smtp-clear, read by assets/app.js).
func (a *App) forgetSettingsSending(w http.ResponseWriter, r *http.Request) error {
	p := a.settingsParams(r)
	if accountFrom(r).Provider != "" {
		return refuseSMTPCredentials(w, r, p)
	}
	p.Saved = tr(r, "SMTPForgotten")
	p.Forget = true
	return render(w, r, http.StatusOK, views.SettingsSending(p))
}
