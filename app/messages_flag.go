package app

import (
	"net/http"

	"webmail/app/usecase"
)

// flagMessages flags the messages checked in a list.
func (a *App) flagMessages(w http.ResponseWriter, r *http.Request) error {
	return a.actOnList(w, r, usecase.Flag)
}

// unflagMessages removes the flag from the messages checked in a list.
func (a *App) unflagMessages(w http.ResponseWriter, r *http.Request) error {
	return a.actOnList(w, r, usecase.Unflag)
}

// flagMessage flags the open message.
func (a *App) flagMessage(w http.ResponseWriter, r *http.Request) error {
	return a.actOnMessage(w, r, usecase.Flag)
}

// unflagMessage removes the flag from the open message.
func (a *App) unflagMessage(w http.ResponseWriter, r *http.Request) error {
	return a.actOnMessage(w, r, usecase.Unflag)
}
