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
// gone (the text then is the forward). remote keeps the original's remote
// images, for the recipient's own program to load or block as it would
// the original's; a preview blocks them.
func (a *App) forwardHTML(r *http.Request, f *composeForm, d *compose.Draft, remote bool) error {
	if !f.Markdown || f.ForwardOf == "" {
		return nil
	}
	note, header, ok := compose.SplitForward(f.Body)
	ref, err := webmail.ParseMessageRef(f.ForwardOf)
	if !ok || err != nil {
		return nil
	}
	conn, release, err := a.conn(r)
	if err != nil {
		return err
	}
	defer release()
	ctx := r.Context()
	msg, err := conn.Message(ctx, ref)
	if errors.Is(err, mail.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	l := message.LayoutOf(msg.Structure)
	if l.HTML == nil {
		return nil
	}
	bodies, err := conn.Sections(ctx, ref, []message.Part{*l.HTML}, bodyLimit)
	if err != nil {
		return err
	}
	original, _, _ := message.DecodeText(bytes.NewReader(bodies[0]), *l.HTML, bodyLimit)
	d.HTML = compose.ForwardHTML(note, header, original, message.SanitizeOptions{AllowRemote: remote})
	return nil
}

// withForwardHTML is forwardHTML for a form being sent, saved or
// previewed: when the original cannot be read, the forward goes on with
// the HTML of the text as typed. An error means the session cannot go on.
func (a *App) withForwardHTML(r *http.Request, f *composeForm, d *compose.Draft, remote bool) error {
	err := a.forwardHTML(r, f, d, remote)
	if err == nil {
		return nil
	}
	if fl := a.classify(r, err); fl.outcome != showError {
		return err
	}
	a.log.Warn("the forwarded message's HTML could not be read", "err", err.Error())
	return nil
}
