package app

import (
	"net/http"

	"webmail/app/compose"
	"webmail/app/message"
)

// previewCompose shows the compose form again with the body as it will be
// read (POST /compose/preview): the Markdown rendered and sanitised as it
// will be sent, or the plain text. Everything typed comes back, and the
// attachments too: new files wait in Drafts, as when a send fails (see
// comeBack). Nothing is checked or sent.
func (a *App) previewCompose(w http.ResponseWriter, r *http.Request) error {
	f, err := readComposeForm(w, r, a.maxUpload())
	if err != nil {
		return errorf(http.StatusBadRequest, tr(r, "ErrMessageUnreadable"), err)
	}
	defer f.cleanup()
	if err := a.showPreview(w, r, f); err != nil {
		a.fail(w, r, carrying(err, f))
	}
	return nil
}

// showPreview renders f with its preview; an error means the session
// cannot go on.
func (a *App) showPreview(w http.ResponseWriter, r *http.Request, f *composeForm) error {
	f.refuseDamaged(r) // quietly: the person is looking at the form
	p := a.composeParams(r, f.ComposeForm, tr(r, "NewMessage"))
	d, _ := a.draftFrom(r, f) // addresses are checked when sending
	status := http.StatusOK
	if f.TooLarge {
		p.FieldErrors["attachments"] = a.tooLargeText(r)
		status = http.StatusRequestEntityTooLarge
	}
	at, err := a.collectAttachments(r, f)
	if err != nil {
		fl := a.classify(r, err)
		if fl.outcome != showError {
			return err
		}
		p.Error = tr(r, "ErrKeptUnreadable", "Reason", fl.msg)
		return a.comeBack(w, r, f, d, p, fl.status, false)
	}
	if at.lost > 0 {
		p.Error = lostText(r, at.lost)
	}
	d.Attachments = at.forMessage()
	forwarded, err := a.renderBody(r, f, d, at, false)
	if err != nil {
		return err
	}
	switch {
	case forwarded:
		p.Preview = d.HTML
	case f.Markdown:
		// The page cannot show cid: URLs: the inline images are shown
		// from their content.
		p.Preview = compose.MarkdownPreview(f.Body, at.previewCID())
	default:
		p.Preview = message.TextToHTML(compose.NormaliseBody(d.Body), false, false)
	}
	return a.comeBack(w, r, f, d, p, status, false)
}
