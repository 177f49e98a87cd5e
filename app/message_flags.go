package app

import (
	"net/http"
)

// markUnread clears \Seen and goes back to the list, as mail clients do.
func (a *App) markUnread(w http.ResponseWriter, r *http.Request) error {
	mailbox, validity, uid, err := messageParams(r)
	if err != nil {
		return err
	}
	conn, release, err := a.conn(r)
	if err != nil {
		return err
	}
	err = conn.SetSeen(r.Context(), mailbox, validity, uid, false)
	release()
	if err != nil {
		return err
	}
	http.Redirect(w, r, placeFrom(r, mailbox).URL(), http.StatusSeeOther)
	return nil
}
