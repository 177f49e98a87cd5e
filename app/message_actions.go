package app

import (
	"net/http"

	"github.com/emersion/go-imap/v2"

	"webmail/app/mail"
	"webmail/views"
)

// actOnMessage applies an action from the message view. Flagging stays on
// the message; moving it away opens the next message, as mail clients do
// (the next older one, else the next newer one, else the list).
func (a *App) actOnMessage(w http.ResponseWriter, r *http.Request) error {
	mailbox, validity, uid, err := messageParams(r)
	if err != nil {
		return err
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		return errorf(http.StatusBadRequest, "The form could not be read.", err)
	}
	act := action{Name: r.PostForm.Get("action"), Dest: r.PostForm.Get("dest"), Confirm: r.PostForm.Get("confirm") == "1"}
	place := placeFrom(r, mailbox)
	here := views.MessageURL(mailbox, validity, uid) + place.Suffix()

	conn, release, err := a.conn(r)
	if err != nil {
		return err
	}
	defer release()
	older, newer, err := a.neighbors(r, conn, place, validity, uid)
	if err != nil {
		return err
	}
	out, err := a.apply(r, conn, mailbox, validity, []imap.UID{uid}, act)
	if err != nil {
		return err
	}
	if out.NeedsConfirm {
		return a.confirmDelete(w, r, views.MessageURL(mailbox, validity, uid)+"/act", 1, here)
	}
	a.setNotice(r, out)
	next := here
	switch act.Name {
	case "read", "unread", "flag", "unflag":
	default:
		switch {
		case older != 0:
			next = views.MessageURL(mailbox, validity, older) + place.Suffix()
		case newer != 0:
			next = views.MessageURL(mailbox, validity, newer) + place.Suffix()
		default:
			next = place.URL()
		}
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

// neighbors finds the messages around uid as the person sees the list:
// by UID in a plain folder (two cheap searches), or in the order of the
// page of a search or sort.
func (a *App) neighbors(r *http.Request, conn *mail.Conn, place views.Place, validity uint32, uid imap.UID) (older, newer imap.UID, err error) {
	if place.Query == "" && place.Sort == "" && !place.Threads {
		return conn.Neighbors(r.Context(), place.Mailbox, validity, uid)
	}
	p := views.MailboxParams{Place: place}
	page, err := a.listPage(r, conn, &p)
	if err != nil {
		return 0, 0, err
	}
	for i, m := range page.Messages {
		if m.UID != uid {
			continue
		}
		if i+1 < len(page.Messages) {
			older = page.Messages[i+1].UID
		}
		if i > 0 {
			newer = page.Messages[i-1].UID
		}
	}
	return older, newer, nil
}
