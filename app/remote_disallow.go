package app

import "net/http"

// disallowRemote removes a sender or domain from the senders whose remote
// content shows at once.
func (a *App) disallowRemote(w http.ResponseWriter, r *http.Request) error {
	sender := r.PathValue("sender")
	st, err := a.uc.DisallowRemote(r.Context(), accountFrom(r).mail(), sender)
	if err != nil {
		return err
	}
	a.keepSettings(r, st)
	return a.settingsDone(w, r, tr(r, "FlashRemoteBlocked", "Sender", sender), "remote")
}
