package app

import (
	"net/http"
	"strings"
)

// allowRemote adds a message's sender to the senders whose remote content
// shows at once, then goes back to the message (next, a path of ours)
// with its remote content shown.
func (a *App) allowRemote(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		return errorf(http.StatusBadRequest, tr(r, "ErrFormUnreadable"), err)
	}
	sender := strings.TrimSpace(r.PostForm.Get("sender"))
	st, err := a.uc.AllowRemote(r.Context(), accountFrom(r).mail(), sender)
	if err != nil {
		return err
	}
	a.keepSettings(r, st)
	a.sessions.Put(r.Context(), sessFlash, tr(r, "FlashRemoteAllowed", "Sender", sender))
	next := safeNext(r.PostForm.Get("next")) // a path of ours, as after login
	if !strings.HasPrefix(next, "/m/") {
		next = "/settings#remote"
	}
	seeOther(w, r, next)
	return nil
}
