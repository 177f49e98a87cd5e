package app

import (
	"net/http"

	"webmail/app/usecase"
)

// moveMessages moves the messages checked in a list to the folder named
// in the form's dest field.
func (a *App) moveMessages(w http.ResponseWriter, r *http.Request) error {
	return a.actOnList(w, r, usecase.Move)
}

// archiveMessages moves the messages checked in a list to Archive.
func (a *App) archiveMessages(w http.ResponseWriter, r *http.Request) error {
	return a.actOnList(w, r, usecase.Archive)
}

// junkMessages moves the messages checked in a list to Junk.
func (a *App) junkMessages(w http.ResponseWriter, r *http.Request) error {
	return a.actOnList(w, r, usecase.Junk)
}

// notJunkMessages moves the messages checked in Junk back to the Inbox.
func (a *App) notJunkMessages(w http.ResponseWriter, r *http.Request) error {
	return a.actOnList(w, r, usecase.NotJunk)
}

// moveMessage moves the open message to the folder named in dest.
func (a *App) moveMessage(w http.ResponseWriter, r *http.Request) error {
	return a.actOnMessage(w, r, usecase.Move)
}

// archiveMessage moves the open message to Archive.
func (a *App) archiveMessage(w http.ResponseWriter, r *http.Request) error {
	return a.actOnMessage(w, r, usecase.Archive)
}

// junkMessage moves the open message to Junk.
func (a *App) junkMessage(w http.ResponseWriter, r *http.Request) error {
	return a.actOnMessage(w, r, usecase.Junk)
}

// notJunkMessage moves the open message from Junk back to the Inbox.
func (a *App) notJunkMessage(w http.ResponseWriter, r *http.Request) error {
	return a.actOnMessage(w, r, usecase.NotJunk)
}
