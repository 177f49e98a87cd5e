package app

import (
	"bytes"
	"net/http"
	"slices"
	"webmail"

	"webmail/app/mail"
	"webmail/app/message"
	"webmail/views"
)

// showConversation opens the conversation a message belongs to, as the
// list's window groups it: its messages in order, the unread ones
// expanded (and so marked read).
func (a *App) showConversation(w http.ResponseWriter, r *http.Request) error {
	ref, err := messageParam(r)
	if err != nil {
		return err
	}
	mailbox, validity := ref.Mailbox, ref.Validity
	place := placeFrom(r, mailbox)
	place.Threads = true
	conn, release, err := a.conn(r)
	if err != nil {
		return err
	}
	defer release()
	ctx := r.Context()
	tp, err := conn.ListConversations(ctx, mailbox, place.Page)
	if err != nil {
		return err
	}
	if tp.UIDValidity != validity {
		return mail.ErrNotFound
	}
	var conv *webmail.Conversation
	for i := range tp.Conversations {
		if slices.ContainsFunc(tp.Conversations[i].Messages, func(s webmail.Summary) bool { return s.UID == ref.UID }) {
			conv = &tp.Conversations[i]
		}
	}
	if conv == nil {
		return mail.ErrNotFound
	}
	cp := views.ConversationShowParams{Place: place, Validity: validity}
	var unread []webmail.UID
	for _, s := range conv.Messages {
		m := views.ConversationMessage{Summary: s, Expanded: !s.Seen || len(conv.Messages) == 1}
		if m.Expanded {
			text, err := a.textOf(r, conn, ref.Selection().Ref(s.UID))
			if err != nil {
				return err
			}
			m.TextHTML = text
			if !s.Seen {
				unread = append(unread, s.UID)
			}
		}
		cp.Messages = append(cp.Messages, m)
	}
	if len(conv.Messages) > 0 && !slices.ContainsFunc(cp.Messages, func(m views.ConversationMessage) bool { return m.Expanded }) {
		last := &cp.Messages[len(cp.Messages)-1] // all read: the newest open
		last.Expanded = true
		if last.TextHTML, err = a.textOf(r, conn, ref.Selection().Ref(last.UID)); err != nil {
			return err
		}
	}
	if err := conn.StoreFlag(ctx, webmail.Selection{Mailbox: mailbox, Validity: validity, UIDs: unread}, webmail.FlagSeen, true); err != nil {
		return err
	}

	p := views.MailboxParams{View: views.ScreenMessage, Now: a.readerNow(r), Place: place, Conversation: &cp, FoldersChanged: len(unread) > 0}
	if p.Folders, err = conn.Folders(ctx, false); err != nil {
		return err
	}
	p.Current = findFolder(p.Folders, mailbox)
	cp.Zone = p.Now.Location()
	p.Base = a.base(r, views.Subject(conv.Messages[0].Subject))
	p.List, p.Conversations = tp.Page, tp.Conversations
	return render(w, r, http.StatusOK, views.MailboxFor(p, htmxTarget(r)))
}

// textOf renders a message's text body for a conversation, or a note that
// it has only HTML (which opens in the message view).
func (a *App) textOf(r *http.Request, conn *mail.Conn, ref webmail.MessageRef) (string, error) {
	msg, err := conn.Message(r.Context(), ref)
	if err != nil {
		return "", err
	}
	layout := message.LayoutOf(msg.Structure)
	if layout.Text == nil {
		if layout.HTML != nil {
			return `<p class="muted">This message is formatted; open it to read it.</p>`, nil
		}
		return `<p class="muted">This message has no text.</p>`, nil
	}
	bodies, err := conn.Sections(r.Context(), ref, [][]int{layout.Text.Path}, bodyLimit)
	if err != nil {
		return "", err
	}
	text, _, _ := message.DecodeText(bytes.NewReader(bodies[0]), *layout.Text, bodyLimit)
	flowed, delSp := layout.Text.Flowed()
	return composeLinks(message.TextToHTML(text, flowed, delSp), views.Root(r.Context())), nil
}
