package app

import "net/http"

// defaultIdentity makes the identity of the address in the path the one
// new messages are sent from.
func (a *App) defaultIdentity(w http.ResponseWriter, r *http.Request) error {
	addr := r.PathValue("address")
	st, err := a.uc.SetDefaultIdentity(r.Context(), accountFrom(r).mail(), addr)
	if err != nil {
		return err
	}
	a.keepSettings(r, st)
	return a.settingsDone(w, r, tr(r, "FlashDefaultIdentity", "Address", addr), "identities")
}
