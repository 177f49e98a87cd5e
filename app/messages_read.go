package app

import (
	"net/http"

	"webmail/app/usecase"
)

// readMessages marks the messages checked in a list read.
func (a *App) readMessages(w http.ResponseWriter, r *http.Request) error {
	return a.actOnList(w, r, usecase.MarkRead)
}

// unreadMessages marks the messages checked in a list unread.
func (a *App) unreadMessages(w http.ResponseWriter, r *http.Request) error {
	return a.actOnList(w, r, usecase.MarkUnread)
}

// unreadMessage marks the open message unread and goes back to the list,
// as mail clients do.
func (a *App) unreadMessage(w http.ResponseWriter, r *http.Request) error {
	ref, err := messageParam(r)
	if err != nil {
		return err
	}
	if _, err := a.uc.Act(r.Context(), accountFrom(r).mail(), usecase.Action{Verb: usecase.MarkUnread, Messages: ref.Selection()}); err != nil {
		return err
	}
	seeOther(w, r, placeFrom(r, ref.Mailbox).URL())
	return nil
}
