package app

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"webmail"

	"webmail/app/mail"
	"webmail/app/message"
	"webmail/views"
)

// bodyLimit bounds how much of a text or HTML body is fetched and shown.
const bodyLimit = 2 << 20

// showMessage shows one message and marks it read.
func (a *App) showMessage(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
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
	}
	mp.Mode = views.BodyText
	if mp.HasHTML && (views.BodyMode(q.Get("view")) != views.BodyText || !mp.HasText) {
		mp.Mode = views.BodyHTML
	}

	if err := a.messageBodies(ctx, om, &mp); err != nil {
		return err
	}

	wasUnread := !msg.Seen
	if wasUnread { // opening marks read: an explicit STORE
		if err := conn.SetSeen(ctx, ref, true); err != nil {
			return err
		}
		msg.Seen = true
	}

	p := views.MailboxParams{View: views.ScreenMessage, Now: a.now(), Message: &mp, FoldersChanged: wasUnread}
	if p.Folders, err = conn.Folders(ctx, false); err != nil { // cached
		return err
	}
	p.Current = findFolder(p.Folders, mailbox)
	mp.BackLabel = webmail.FolderLabel(p.Current)
	mp.IsDraft = p.Current.Role == webmail.RoleDrafts
	mp.AddContact = a.cfg.CardDAVFor(accountFrom(r).Login) != ""
	mp.Role, mp.Folders = p.Current.Role, p.Folders
	p.Notice, p.Undo = a.takeNotice(r)
	p.Base = a.base(r, views.Subject(msg.Envelope.Subject))
	target := htmxTarget(r)
	if target == views.TargetMessage { // the pane alone: no list to fetch
		return render(w, r, http.StatusOK, views.MailboxFor(p, target))
	}
	p.Place = mp.Place
	om.release() // the list borrows its own
	l, err := a.uc.List(ctx, accountFrom(r).mail(), listQuery(p.Place), false)
	if err != nil && !errors.Is(err, mail.ErrNotFound) {
		return err
	}
	if l != nil {
		withList(&p, l)
	}
	return render(w, r, http.StatusOK, views.MailboxFor(p, target))
}

// pixelGIF stands in for inline images when only the sanitiser's report
// is wanted.
const pixelGIF = "data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7"

// messageBodies fetches what the message view shows of a message: the
// text (escaped and linked) or what the HTML frame needs to know, and the
// attachments' links; one FETCH, BODY.PEEK (opening marks read apart).
func (a *App) messageBodies(ctx context.Context, om *openedMessage, mp *views.MessageShowParams) error {
	conn, ref, layout := om.conn, om.ref, om.layout
	var parts [][]int
	var textPart, htmlPart *message.Part
	if mp.Mode == views.BodyText && layout.Text != nil {
		textPart = layout.Text
		parts = append(parts, textPart.Path)
	}
	if mp.Mode == views.BodyHTML {
		htmlPart = layout.HTML
		parts = append(parts, htmlPart.Path)
	}
	bodies, err := conn.Sections(ctx, ref, parts, bodyLimit)
	if err != nil {
		return err
	}
	if textPart != nil {
		text, _, err := message.DecodeText(strings.NewReader(string(bodies[0])), *textPart, bodyLimit)
		if err != nil {
			a.log.Debug("text body decode", "err", err.Error())
		}
		mp.TextHTML = composeLinks(message.TextToHTML(text, strings.EqualFold(textPart.Params["format"], "flowed"), strings.EqualFold(textPart.Params["delsp"], "yes")), views.Root(ctx))
	} else if htmlPart != nil {
		html, _, err := message.DecodeText(strings.NewReader(string(bodies[0])), *htmlPart, bodyLimit)
		if err != nil {
			a.log.Debug("html body decode", "err", err.Error())
		}
		// Sanitised here only to learn whether remote content is blocked
		// and which inline images show; the frame's own request renders it.
		out := message.SanitizeHTML(html, message.SanitizeOptions{CID: func(id string) (string, bool) {
			_, ok := layout.InlinePart(id)
			return pixelGIF, ok
		}})
		mp.RemoteFound = out.RemoteBlocked
		layout.ResolveInline(out.CIDs)
	} else {
		mp.TextHTML = `<p class="muted">This message has no text.</p>`
	}
	if htmlPart == nil {
		layout.ResolveInline(nil) // no HTML shown: inline images are attachments
	}
	for _, at := range layout.Attachments {
		mp.Attachments = append(mp.Attachments, views.Attachment{
			Name: at.DownloadName(),
			Type: at.Type,
			Size: at.Size,
			URL:  views.PartURL(ref, at.Section()),
		})
	}
	return nil
}
