package app

import (
	"bytes"
	"errors"
	"net/http"
	"webmail"

	"webmail/app/compose"
	"webmail/app/mail"
	"webmail/app/message"
)

// forwardHTML gives a Markdown forward of an HTML message that message's
// own HTML below the person's text (compose.ForwardHTML), as Gmail and
// Fastmail forward: the recipient reads the newsletter or the formatted
// mail as it was, not its text version. The text part stays what the
// form holds. It does nothing for plain text, for a forward whose
// forwarded block was deleted, or when the original has no HTML or is
// gone (the text then is the forward). inline are the Content-IDs of the
// images the note may show. remote keeps the original's remote
// images, for the recipient's own program to load or block as it would
// the original's; a preview blocks them.
func (a *App) forwardHTML(r *http.Request, f *composeForm, d *compose.Draft, inline []string, remote bool) (bool, error) {
	if !f.Markdown || f.ForwardOf == "" {
		return false, nil
	}
	note, header, ok := compose.SplitForward(f.Body)
	ref, err := webmail.ParseMessageRef(f.ForwardOf)
	if !ok || err != nil {
		return false, nil
	}
	conn, release, err := a.conn(r)
	if err != nil {
		return false, err
	}
	defer release()
	ctx := r.Context()
	msg, err := conn.Message(ctx, ref)
	if errors.Is(err, mail.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	l := message.LayoutOf(msg.Structure)
	if l.HTML == nil {
		return false, nil
	}
	bodies, err := conn.Sections(ctx, ref, []message.Part{*l.HTML}, bodyLimit)
	if err != nil {
		return false, err
	}
	original, _, _ := message.DecodeText(bytes.NewReader(bodies[0]), *l.HTML, bodyLimit)
	d.HTML = compose.ForwardHTML(note, inline, header, original, message.SanitizeOptions{AllowRemote: remote})
	return true, nil
}

// renderBody sets the HTML of d, whose attachments at are, from f: the
// Markdown rendered with the inline images the message carries, or a
// forward's HTML (forwarded). When the forwarded message cannot be read,
// the forward goes on with the HTML of the text as typed. An error means
// the session cannot go on.
func (a *App) renderBody(r *http.Request, f *composeForm, d *compose.Draft, at *attachments, remote bool) (forwarded bool, err error) {
	if !f.Markdown {
		return false, nil
	}
	at.markInline(f.Inline)
	d.Attachments = at.forMessage()
	inline := at.contentIDs()
	d.HTML = compose.MarkdownHTML(f.Body, inline)
	forwarded, err = a.forwardHTML(r, f, d, inline, remote)
	if err == nil {
		return forwarded, nil
	}
	if fl := a.classify(r, err); fl.outcome != showError {
		return false, err
	}
	a.log.Warn("the forwarded message's HTML could not be read", "err", err.Error())
	return false, nil
}
