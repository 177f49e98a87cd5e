package app

import (
	"net/http"
	"strings"

	"webmail/app/smtpcred"
	"webmail/views"
)

// composeForm is a posted compose form: the fields as typed, the
// attachments already given, and new uploads spooled to temporary files
// (never held in memory).
type composeForm struct {
	views.ComposeForm
	// SaveOnly is set when the form was posted to save a draft, not to send.
	SaveOnly bool
	// smtpPassword is typed for this send only: never rendered back, and
	// wiped by cleanup.
	smtpPassword []byte
	// opened is the SMTP credential opened from the browser's sealed blob
	// for this send; cleanup wipes it too.
	opened   smtpcred.Credential
	SMTPBlob string
	// Keep are the attachments the form already held, in order: parts of
	// the draft or of the forwarded message, or content the page carried.
	Keep     []keep
	Uploads  []upload
	TooLarge bool // the new files passed the limit and were dropped
	// att are the message's attachments once collectAttachments resolved
	// them (compose_attach.go).
	att *attachments
	// dropped names the files a sign-in button could not carry back, for
	// the form to ask for again.
	dropped string
}

// cleanup removes the spooled files and wipes the SMTP password.
func (f *composeForm) cleanup() {
	clear(f.smtpPassword)
	f.opened.Wipe()
	for _, k := range f.Keep {
		k.data.remove()
	}
	for i := range f.Uploads {
		f.Uploads[i].remove()
	}
}

// formatMarkdown is the "format" field's value for a Markdown body; any
// other value, or none, is plain text.
const formatMarkdown = "markdown"

// maxInline bounds the inline image markers a form may carry.
const maxInline = 100

// readComposeForm reads a compose form as a stream (readStreamedForm).
// Every field but the file input comes before it in the form, so when
// the uploads pass maxUpload what was typed is still all there.
func readComposeForm(w http.ResponseWriter, r *http.Request, maxUpload int64) (*composeForm, error) {
	sf, err := readStreamedForm(w, r, streamSpec{secret: "smtp_password", keep: "keep", files: "attachments", maxFiles: maxUpload})
	if err != nil {
		return nil, err
	}
	f := &composeForm{smtpPassword: sf.secret, Keep: sf.keeps, Uploads: sf.uploads, TooLarge: sf.tooLarge}
	for k, v := range sf.values {
		f.set(k, strings.Join(v, ", "))
	}
	for _, m := range sf.values["inline"] {
		if len(f.Inline) < maxInline && len(m) <= 512 {
			f.Inline = append(f.Inline, m)
		}
	}
	return f, nil
}

func (f *composeForm) set(name, value string) {
	switch name {
	case "from":
		f.From = value
	case "to":
		f.To = value
	case "cc":
		f.Cc = value
	case "bcc":
		f.Bcc = value
	case "subject":
		f.Subject = value
	case "body":
		f.Body = value
	case "format":
		f.Markdown = value == formatMarkdown
	case "in_reply_to":
		f.InReplyTo = value
	case "references":
		f.References = value
	case "reply_of":
		f.ReplyOf = value
	case "forward_of":
		f.ForwardOf = value
	case "draft":
		f.Draft = value
	case "smtp_login":
		f.SMTPLogin = value
	case "smtp_blob":
		f.SMTPBlob = value
	}
}
