package app

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"os"
	"strings"

	"webmail/app/smtpcred"
	"webmail/views"
)

// composeForm is a posted compose form: the fields as typed, and uploads
// spooled to temporary files (never held in memory).
type composeForm struct {
	views.ComposeForm
	Action string
	// smtpPassword is typed for this send only: never rendered back, and
	// wiped by cleanup.
	smtpPassword []byte
	// opened is the SMTP credential opened from the browser's sealed blob
	// for this send; cleanup wipes it too.
	opened       smtpcred.Credential
	SMTPBlob     string
	Uploads      []upload
	TooLarge     bool
	forwardAdded bool // the original's attachments are in the draft
}

type upload struct {
	Name, Type string
	Path       string
	Size       int64
}

// cleanup removes the spooled uploads and wipes the SMTP password.
func (f *composeForm) cleanup() {
	clear(f.smtpPassword)
	f.opened.Wipe()
	for _, u := range f.Uploads {
		os.Remove(u.Path)
	}
}

const maxFieldBytes = 1 << 20 // one text field (the body) at most

// readComposeForm streams a multipart (or urlencoded) compose form. Text
// fields come first in the form, so when the uploads exceed the limit the
// typed text is still there to show again.
func readComposeForm(r *http.Request, maxUpload int64) (*composeForm, error) {
	f := &composeForm{}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct != "multipart/form-data" {
		pw, err := readSecretForm(nil, r, 4*maxFieldBytes, "smtp_password")
		if err != nil {
			return nil, err
		}
		f.smtpPassword = pw
		for k, v := range r.PostForm {
			f.set(k, strings.Join(v, ", "))
		}
		return f, nil
	}
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, err
	}
	var total int64
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return f, nil
		}
		if err != nil {
			f.cleanup()
			return nil, err
		}
		name := part.FormName()
		if part.FileName() == "" {
			b, err := io.ReadAll(io.LimitReader(part, maxFieldBytes+1))
			if err != nil || len(b) > maxFieldBytes {
				clear(b)
				f.cleanup()
				return nil, fmt.Errorf("compose field %q too large or unreadable", name)
			}
			if name == "smtp_password" {
				clear(f.smtpPassword)
				f.opened.Wipe()
				f.smtpPassword = b // kept as bytes, to be wiped
				continue
			}
			f.set(name, string(b))
			continue
		}
		if name != "attachments" || f.TooLarge {
			io.Copy(io.Discard, part)
			continue
		}
		tmp, err := os.CreateTemp("", "webmail-upload-*")
		if err != nil {
			f.cleanup()
			return nil, err
		}
		n, err := io.Copy(tmp, io.LimitReader(part, maxUpload-total+1))
		tmp.Close()
		u := upload{Name: part.FileName(), Type: part.Header.Get("Content-Type"), Path: tmp.Name(), Size: n}
		f.Uploads = append(f.Uploads, u)
		if err != nil {
			f.cleanup()
			return nil, err
		}
		total += n
		if total > maxUpload {
			f.TooLarge = true
			io.Copy(io.Discard, part)
		}
	}
}

func (f *composeForm) set(name, value string) {
	switch name {
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
	case "action":
		f.Action = value
	}
}
