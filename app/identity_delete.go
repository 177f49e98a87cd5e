package app

import "net/http"

// deleteIdentity removes the identity of the address in the path.
func (a *App) deleteIdentity(w http.ResponseWriter, r *http.Request) error {
	addr := r.PathValue("address")
	st, err := a.uc.RemoveIdentity(r.Context(), accountFrom(r).mail(), addr)
	if err != nil {
		return err
	}
	a.keepSettings(r, st)
	return a.settingsDone(w, r, tr(r, "FlashIdentityRemoved", "Address", addr), "identities")
}
