package app

import (
	"net/http"
)

// subscribeFolder adds a folder to the subscriptions, which mail programs
// that show only subscribed folders follow.
func (a *App) subscribeFolder(w http.ResponseWriter, r *http.Request) error {
	return a.setSubscribed(w, r, true)
}

// unsubscribeFolder takes a folder out of the subscriptions.
func (a *App) unsubscribeFolder(w http.ResponseWriter, r *http.Request) error {
	return a.setSubscribed(w, r, false)
}

func (a *App) setSubscribed(w http.ResponseWriter, r *http.Request, on bool) error {
	folder, err := folderParam(r)
	if err != nil {
		return err
	}
	out, err := a.uc.Subscribe(r.Context(), accountFrom(r).mail(), folder, on)
	if err != nil {
		return a.folderRefused(w, r, err, nil)
	}
	return a.folderDone(w, r, out.Notice)
}
