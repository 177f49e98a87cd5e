package app

import (
	"net/http"

	"github.com/emersion/go-imap/v2"

	"webmail/app/mail"
	"webmail/app/message"
)

// openedMessage is a message addressed by the URL, with the session's
// connection held until release.
type openedMessage struct {
	conn     *mail.Conn
	release  func()
	mailbox  string
	validity uint32
	uid      imap.UID
	msg      *mail.Message
	layout   message.Layout
}

// openMessage reads {mailbox}/{validity}/{uid}, takes the session's
// connection and fetches the message's envelope and structure. On success
// the caller must call release.
func (a *App) openMessage(r *http.Request) (*openedMessage, error) {
	mailbox, validity, uid, err := messageParams(r)
	if err != nil {
		return nil, err
	}
	conn, release, err := a.conn(r)
	if err != nil {
		return nil, err
	}
	msg, err := conn.Message(r.Context(), mailbox, validity, uid)
	if err != nil {
		release()
		return nil, err
	}
	return &openedMessage{conn: conn, release: release, mailbox: mailbox, validity: validity, uid: uid,
		msg: msg, layout: message.LayoutOf(msg.Structure)}, nil
}
