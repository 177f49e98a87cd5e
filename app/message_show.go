package app

import (
	"errors"
	"net/http"
	"strings"
	"webmail"

	"webmail/app/mail"
	"webmail/views"
)

// bodyLimit bounds how much of a text or HTML body is fetched and shown.
const bodyLimit = 2 << 20

// showMessage shows one message and marks it read.
func (a *App) showMessage(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	st := a.settings(r) // before a connection is held: reading them borrows one
	om, err := a.openMessage(r)
	if err != nil {
		return err
	}
	defer om.release()
	ctx := r.Context()
	conn, msg, layout := om.conn, om.msg, om.layout
	ref, mailbox := om.ref, om.ref.Mailbox
	mp := views.MessageShowParams{
		Msg:     &msg.Message,
		Place:   placeFrom(r, mailbox),
		HasHTML: layout.HTML != nil,
		HasText: layout.Text != nil,
		Remote:  q.Get("remote") == "1",
		Mono:    q.Get("font") == "mono",
	}
	if sender := senderOf(msg.Envelope); sender != "" {
		if st.ShowsRemote(sender) {
			mp.Remote = true
		} else {
			mp.RemoteSender = sender
		}
	}
	mp.Mode = views.BodyText
	if mp.HasHTML && (views.BodyMode(q.Get("view")) != views.BodyText || !mp.HasText) {
		mp.Mode = views.BodyHTML
	}

	attached := views.BodyHTML
	if views.BodyMode(q.Get("view")) == views.BodyText {
		attached = views.BodyText
	}
	if err := a.messageBodies(ctx, accountFrom(r).sid, om, &mp, attached); err != nil {
		return err
	}

	wasUnread := !msg.Seen
	markNow := wasUnread
	switch st.MarkRead {
	case webmail.MarkReadNever:
		markNow = false
		if wasUnread {
			mp.MarkReadAfter = -1 // the list's row stays unread
		}
	case webmail.MarkReadAfterDelay:
		if isHTMX(r) { // JavaScript runs: it marks the message read later
			markNow, mp.MarkReadAfter = false, st.MarkReadDelay
			if !wasUnread {
				mp.MarkReadAfter = 0
			}
		}
	}
	if markNow { // opening marks read: an explicit STORE
		if err := conn.SetSeen(ctx, ref, true); err != nil {
			return err
		}
		msg.Seen = true
	}

	p := views.MailboxParams{View: views.ScreenMessage, Now: a.readerNow(r), Message: &mp, FoldersChanged: markNow}
	if p.Folders, err = conn.Folders(ctx, false); err != nil { // cached
		return err
	}
	p.Current = findFolder(p.Folders, mailbox)
	mp.BackLabel = views.FolderName(r.Context(), p.Current)
	mp.IsDraft = p.Current.Role == webmail.RoleDrafts
	mp.AddContact = a.cfg.CardDAVFor(accountFrom(r).Login) != ""
	mp.Role, mp.Folders, mp.Zone = p.Current.Role, p.Folders, p.Now.Location()
	mp.Sprite = a.assets.URL("icons.svg")
	p.Notice, p.Undo = a.takeNotice(r)
	p.Base = a.base(r, views.Subject(r.Context(), msg.Envelope.Subject))
	target := htmxTarget(r)
	if target == views.TargetMessage { // the pane alone: no list to fetch
		return render(w, r, http.StatusOK, views.MailboxFor(p, target))
	}
	p.Place = mp.Place
	om.release() // the list borrows its own
	l, err := a.uc.List(ctx, accountFrom(r).mail(), a.listQuery(r, p.Place), false)
	if err != nil && !errors.Is(err, mail.ErrNotFound) {
		return err
	}
	if l != nil {
		withList(r, &p, l)
	}
	return render(w, r, http.StatusOK, views.MailboxFor(p, target))
}

// senderOf is the address a message is from, "" if none.
func senderOf(env webmail.Envelope) string {
	if len(env.From) == 0 {
		return ""
	}
	return strings.ToLower(env.From[0].Addr())
}
