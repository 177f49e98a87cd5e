package app

import (
	"net/http"
	"strings"

	"webmail"
	"webmail/views"
)

// saveIdentity adds an identity from the identity form, or changes the one
// with the same address.
func (a *App) saveIdentity(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		return errorf(http.StatusBadRequest, tr(r, "ErrFormUnreadable"), err)
	}
	f := r.PostForm
	id := webmail.Identity{
		Address:   strings.TrimSpace(f.Get("address")),
		Name:      strings.TrimSpace(f.Get("name")),
		ReplyTo:   strings.TrimSpace(f.Get("reply_to")),
		Signature: strings.TrimRight(strings.ReplaceAll(f.Get("signature"), "\r\n", "\n"), "\n "),
		Default:   f.Get("default") == "1",
	}
	st, err := a.uc.AddIdentity(r.Context(), accountFrom(r).mail(), accountFrom(r).Login, id)
	if err != nil {
		return a.settingsRefused(w, r, err, func(p *views.SettingsShowParams, fields map[string]string) {
			p.Identity, p.IdentityErrors = id, fields
			if e := webmail.ErrorOf(err); e != nil && len(fields) == 0 {
				p.Error = e.Message
			}
		})
	}
	a.keepSettings(r, st)
	return a.settingsDone(w, r, tr(r, "FlashIdentitySaved", "Address", id.Address), "identities")
}
