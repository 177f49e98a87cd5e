package app

import (
	"bytes"
	"net/http"
	"webmail"

	"webmail/app/mail"
	"webmail/app/message"
	"webmail/views"
)

// showConversation opens the conversation a message belongs to: whole with
// the server's THREAD (else as the list's window groups it), with the
// person's replies from Sent, its unread messages expanded and only those
// marked read (see usecase.Conversation).
func (a *App) showConversation(w http.ResponseWriter, r *http.Request) error {
	ref, err := messageParam(r)
	if err != nil {
		return err
	}
	mailbox, validity := ref.Mailbox, ref.Validity
	place := placeFrom(r, mailbox)
	place.Threads = true
	ctx := r.Context()
	acct := accountFrom(r).mail()
	conv, err := a.uc.Conversation(ctx, acct, ref, a.listQuery(r, place))
	if err != nil {
		return err
	}
	// The bodies of replies from Sent first, each on a connection that has
	// Sent selected, not holding the folder's.
	texts := map[webmail.MessageRef]string{}
	for i, m := range conv.Messages {
		if !conv.Expanded[i] || m.Ref.Mailbox == mailbox {
			continue
		}
		err := a.pool.Do(ctx, acct, m.Ref.Mailbox, func(c *mail.Conn) error {
			var err error
			texts[m.Ref], err = a.textOf(r, c, m.Ref)
			return err
		})
		if err != nil {
			return err
		}
	}
	conn, release, err := a.conn(r)
	if err != nil {
		return err
	}
	defer release()
	read := conv.ToMarkRead(mailbox)
	if err := conn.StoreFlag(ctx, read, webmail.FlagSeen, true); err != nil {
		return err
	}
	p := views.MailboxParams{View: views.ScreenMessage, Now: a.readerNow(r), Place: place, FoldersChanged: len(read.UIDs) > 0}
	if p.Folders, err = conn.Folders(ctx, false); err != nil {
		return err
	}
	p.Current = findFolder(p.Folders, mailbox)
	cp := views.ConversationShowParams{Place: place, Validity: validity, Role: p.Current.Role, Folders: p.Folders}
	for i, m := range conv.Messages {
		cm := views.ConversationMessage{Summary: m.Summary, Ref: m.Ref, Expanded: conv.Expanded[i]}
		if m.Ref.Mailbox == mailbox {
			cp.UIDs = append(cp.UIDs, m.UID)
			cp.Reply = m.Ref
		} else {
			cm.Folder = views.FolderName(r.Context(), findFolder(p.Folders, m.Ref.Mailbox))
		}
		if cm.Expanded {
			cm.Seen = true
			cm.TextHTML = texts[m.Ref]
			if m.Ref.Mailbox == mailbox {
				if cm.TextHTML, err = a.textOf(r, conn, m.Ref); err != nil {
					return err
				}
			}
		}
		cp.Messages = append(cp.Messages, cm)
	}
	cp.Zone = p.Now.Location()
	p.Conversation = &cp
	p.Base = a.base(r, views.Subject(r.Context(), conv.Messages[0].Subject))
	if htmxTarget(r) != views.TargetMessage {
		// The list beside it: a full page, or #main.
		conn.SetPageLen(a.settings(r).PageLen())
		tp, err := conn.ListConversations(ctx, mailbox, place.Page)
		if err != nil {
			return err
		}
		p.List, p.Conversations, p.ConversationsCounted = tp.Page, tp.Conversations, !tp.Window
	}
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
	bodies, err := conn.Sections(r.Context(), ref, []message.Part{*layout.Text}, bodyLimit)
	if err != nil {
		return "", err
	}
	text, _, _ := message.DecodeText(bytes.NewReader(bodies[0]), *layout.Text, bodyLimit)
	flowed, delSp := layout.Text.Flowed()
	return composeLinks(message.TextToHTML(text, flowed, delSp), views.Root(r.Context())), nil
}
