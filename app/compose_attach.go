package app

import (
	"errors"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"webmail"

	"github.com/emersion/go-imap/v2"

	"webmail/app/compose"
	"webmail/app/mail"
	"webmail/app/message"
	"webmail/views"
)

// A message being written gets its attachments from four places: parts
// of the draft it was saved as ("d:2"), parts of the message it forwards
// ("f:3"), content a page carried back because no mailbox could hold it,
// and new uploads. collectAttachments is the one place that turns a
// compose form's into a message's, for sending, saving a draft and the
// resume after a login alike.

// attachment is one file of a message being written.
type attachment struct {
	name, typ string
	label     string // the name shown: made safe (no bidi tricks)
	// size is the decoded size: known for a file, estimated for a part of
	// a message until it is written, then counted.
	size int64
	ref  string  // its keep value while a message in the mailbox holds it
	file *upload // or its content, on this server for this request only
	open func() (io.ReadCloser, error)
	cid  string // the Content-ID of an image the HTML shows inline
}

// attachments are a compose form's files, resolved.
type attachments struct {
	list []attachment
	// lost counts keep values that name nothing any more: the draft or
	// the forwarded message was deleted or changed elsewhere, or the form
	// named a part that is not an attachment.
	lost int
}

// collectAttachments resolves f's attachments, in order: the kept ones as
// the form lists them, then the new uploads. Parts of messages are looked
// up in their message's structure, and streamed from IMAP (on a long
// loan, never whole in memory) each time the message is written. It asks
// the mail server only when the form keeps parts, and only once per
// request.
func (a *App) collectAttachments(r *http.Request, f *composeForm) (*attachments, error) {
	if f.att != nil {
		return f.att, nil
	}
	at := &attachments{}
	sources := map[byte]*partSource{}
	for _, k := range f.Keep {
		if k.ref == "" {
			continue
		}
		kind, _, ok := splitKeep(k.ref)
		if !ok {
			continue
		}
		if sources[kind] == nil {
			s := &partSource{}
			var err error
			switch kind {
			case 'd':
				s.ref, err = webmail.ParseMessageRef(f.Draft)
			case 'f':
				s.ref, err = webmail.ParseMessageRef(f.ForwardOf)
			}
			s.ok = err == nil
			sources[kind] = s
		}
	}
	needed := false
	for _, s := range sources {
		needed = needed || s.ok
	}
	if needed {
		conn, release, err := a.conn(r)
		if err != nil {
			return nil, err
		}
		for _, s := range sources {
			if !s.ok {
				continue
			}
			msg, err := conn.Message(r.Context(), s.ref)
			switch {
			case errors.Is(err, mail.ErrNotFound):
				s.ok = false
			case err != nil:
				release()
				return nil, err
			default:
				s.parts = attachableParts(msg.Structure)
			}
		}
		release()
	}
	acct := accountFrom(r)
	ctx := r.Context()
	for _, k := range f.Keep {
		if k.data != nil {
			at.list = append(at.list, fileAttachment(k.data))
			continue
		}
		kind, section, ok := splitKeep(k.ref)
		s := sources[kind]
		var part *message.Part
		if ok && s != nil && s.ok {
			for i := range s.parts {
				if s.parts[i].Section() == section {
					part = &s.parts[i]
					break
				}
			}
		}
		if part == nil {
			at.lost++
			continue
		}
		p, ref := *part, s.ref
		name := p.OriginalName
		if name == "" {
			name = p.DownloadName()
		}
		at.list = append(at.list, attachment{
			name: name, label: p.DownloadName(), typ: p.Type, size: decodedSize(p), ref: k.ref,
			open: func() (io.ReadCloser, error) { return a.streamPart(ctx, acct, ref, p) },
		})
	}
	for i := range f.Uploads {
		at.list = append(at.list, fileAttachment(&f.Uploads[i]))
	}
	f.att = at
	return at, nil
}

// partSource is a message whose parts a form keeps.
type partSource struct {
	ref   webmail.MessageRef
	ok    bool // the form names it, and it is there
	parts []message.Part
}

func fileAttachment(u *upload) attachment {
	return attachment{name: u.Name, label: fileLabel(u.Name), typ: u.Type, size: u.Size, file: u, open: openFile(u.Path)}
}

// fileLabel is the name a file is shown by.
func fileLabel(name string) string {
	if name = message.SafeFilename(name); name == "" {
		return "attachment"
	}
	return name
}

func openFile(path string) func() (io.ReadCloser, error) {
	return func() (io.ReadCloser, error) { return os.Open(path) }
}

// splitKeep reads a keep value that names a part: "d:2", "f:1.3".
func splitKeep(v string) (kind byte, section string, ok bool) {
	if len(v) < 3 || v[1] != ':' || v[0] != 'd' && v[0] != 'f' {
		return 0, "", false
	}
	section = v[2:]
	if len(section) > 64 || strings.Trim(section, "0123456789.") != "" || strings.Contains(section, "..") {
		return 0, "", false
	}
	return v[0], section, true
}

// attachableParts are the parts of a message that another one can attach:
// what the message view offers for download, inline images included
// (they are shown nowhere in a plain-text message) and attached messages
// whole.
func attachableParts(bs imap.BodyStructure) []message.Part {
	l := message.LayoutOf(bs)
	l.ResolveInline(nil)
	return l.Downloads()
}

// decodedSize estimates a part's size once decoded: base64 writes 57
// bytes in a line of 78.
func decodedSize(p message.Part) int64 {
	if p.Encoding == "base64" {
		return p.Size * 57 / 78
	}
	return p.Size
}

// forMessage returns the attachments for compose.Draft. Each counts the
// bytes it gives each time it is written, so that the form can show the
// size of a part exactly once the message was.
func (at *attachments) forMessage() []compose.Attachment {
	out := make([]compose.Attachment, 0, len(at.list))
	for i := range at.list {
		x := &at.list[i]
		out = append(out, compose.Attachment{Filename: x.name, ContentType: x.typ, ContentID: x.cid, Open: func() (io.ReadCloser, error) {
			rc, err := x.open()
			if err != nil {
				return nil, err
			}
			x.size = 0
			return &countingReader{ReadCloser: rc, n: &x.size}, nil
		}})
	}
	return out
}

type countingReader struct {
	io.ReadCloser
	n *int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.ReadCloser.Read(p)
	*c.n += int64(n)
	return n, err
}

// hasNew reports whether any attachment is held by no mailbox yet: a new
// upload or content the page carried.
func (at *attachments) hasNew() bool {
	for _, x := range at.list {
		if x.file != nil {
			return true
		}
	}
	return false
}

// kept lists the attachments for the form as they are: parts by their
// keep values, files carried in the page.
func (at *attachments) kept() []views.KeptAttachment {
	out := make([]views.KeptAttachment, 0, len(at.list))
	for _, x := range at.list {
		k := views.KeptAttachment{Value: x.ref, Name: x.label, Size: x.size}
		if x.file != nil {
			k.Content = carried(*x.file)
		}
		out = append(out, k)
	}
	return out
}

// keptInDraft lists the attachments as parts of the draft they were just
// written into, with html when it has an HTML body. compose.Draft.WriteTo
// puts the text (or the text and the HTML) first and then the attachments
// in order, so the i-th of them is part i+2; the inline images, i-th
// among them, are after the HTML in the multipart/related that is the
// second alternative: part 1.2.(i+2) with attachments, 2.(i+2) without.
// No need to ask the server for the structure of what it just stored.
func (at *attachments) keptInDraft(html bool) []views.KeptAttachment {
	related := "2."
	for _, x := range at.list {
		if !html || !compose.ValidContentID(x.cid) {
			related = "1.2."
			break
		}
	}
	out := make([]views.KeptAttachment, 0, len(at.list))
	attached, inline := 0, 0
	for _, x := range at.list {
		var section string
		if html && compose.ValidContentID(x.cid) {
			section = related + strconv.Itoa(inline+2)
			inline++
		} else {
			section = strconv.Itoa(attached + 2)
			attached++
		}
		out = append(out, views.KeptAttachment{Value: "d:" + section, Name: x.label, Size: x.size})
	}
	return out
}

// carried writes u as a keep value that carries its content.
func carried(u upload) func(io.Writer) error {
	return func(w io.Writer) error { return writeCarried(w, u) }
}

// keptAsPosted lists a form's attachments when they could not be resolved
// (the mail server could not say what the draft holds): parts by their
// keep values under a plain name, files carried in the page.
func keptAsPosted(r *http.Request, f *composeForm) []views.KeptAttachment {
	var out []views.KeptAttachment
	for _, k := range f.Keep {
		switch {
		case k.data != nil:
			out = append(out, views.KeptAttachment{Content: carried(*k.data), Name: fileLabel(k.data.Name), Size: k.data.Size})
		case strings.HasPrefix(k.ref, "d:"):
			out = append(out, views.KeptAttachment{Value: k.ref, Name: tr(r, "AttachmentOfDraft")})
		case strings.HasPrefix(k.ref, "f:"):
			out = append(out, views.KeptAttachment{Value: k.ref, Name: tr(r, "AttachmentOfForward")})
		}
	}
	for _, u := range f.Uploads {
		out = append(out, views.KeptAttachment{Content: carried(u), Name: fileLabel(u.Name), Size: u.Size})
	}
	return out
}

// keptFor lists f's attachments for the form, resolved if they were.
func keptFor(r *http.Request, f *composeForm) []views.KeptAttachment {
	if f.att != nil {
		return f.att.kept()
	}
	return keptAsPosted(r, f)
}
