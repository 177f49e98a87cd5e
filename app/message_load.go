package app

import (
	"net/http"
	"sync"

	"webmail"
	"webmail/app/mail"
	"webmail/app/message"
)

// openedMessage is a message addressed by the URL, with the session's
// connection held until release (which may be called more than once).
type openedMessage struct {
	conn    *mail.Conn
	release func()
	ref     webmail.MessageRef
	msg     *mail.Message
	layout  message.Layout
}

// openMessage reads {mailbox}/{validity}/{uid}, takes the session's
// connection and fetches the message's envelope and structure. On success
// the caller must call release.
func (a *App) openMessage(r *http.Request) (*openedMessage, error) {
	ref, err := messageParam(r)
	if err != nil {
		return nil, err
	}
	conn, release, err := a.conn(r)
	if err != nil {
		return nil, err
	}
	msg, err := conn.Message(r.Context(), ref)
	if err != nil {
		release()
		return nil, err
	}
	return &openedMessage{conn: conn, release: sync.OnceFunc(release), ref: ref, msg: msg, layout: message.LayoutOf(msg.Structure)}, nil
}
