package app

import (
	"net/http"
)

// undo moves messages back where an action took them from. The form
// carries everything; it is refused once its time is up.
func (a *App) undo(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, 256<<10)
	if err := r.ParseForm(); err != nil {
		return errorf(http.StatusBadRequest, tr(r, "ErrFormUnreadable"), err)
	}
	u, ok := undoFrom(r.PostForm)
	if !ok {
		return errorf(http.StatusBadRequest, tr(r, "ErrUndoUnreadable"), nil)
	}
	notice, err := a.uc.Undo(r.Context(), accountFrom(r).mail(), u)
	if err != nil {
		return err
	}
	a.sessions.Put(r.Context(), sessNotice, say(r, notice))
	seeOther(w, r, placeFrom(r, u.Back).URL())
	return nil
}
