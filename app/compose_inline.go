package app

import (
	"io"
	"strings"

	"webmail/app/compose"
	"webmail/app/message"
)

// Images pasted or dropped into a Markdown body (assets/app.js) are
// uploaded as attachments of the form, each with a marker, a hidden
// "inline" field "cid name": the Content-ID its "![…](cid:…)" names and
// the file's name. The message then carries them inline, in a
// multipart/related with the HTML. Once saved in Drafts they are parts of
// the draft, which the form keeps as it keeps every attachment, and the
// marker finds them again by name.

// maxInlinePreview bounds an inline image shown in a preview.
const maxInlinePreview = 2 << 20

// markInline gives the attachments the markers name their Content-ID:
// the first attachment of each marker's name that has none yet.
func (at *attachments) markInline(markers []string) {
	for _, m := range markers {
		cid, name, ok := strings.Cut(m, " ")
		if !ok || !compose.ValidContentID(cid) {
			continue
		}
		for i := range at.list {
			if x := &at.list[i]; x.cid == "" && x.name == name && strings.HasPrefix(x.typ, "image/") {
				x.cid = cid
				break
			}
		}
	}
}

// contentIDs are the Content-IDs of the inline images.
func (at *attachments) contentIDs() []string {
	var out []string
	for _, x := range at.list {
		if x.cid != "" {
			out = append(out, x.cid)
		}
	}
	return out
}

// previewCID shows the inline images in a preview, from their content
// as data: URIs (the page cannot load cid: URLs).
func (at *attachments) previewCID() func(string) (string, bool) {
	return func(cid string) (string, bool) {
		for i := range at.list {
			x := &at.list[i]
			if x.cid != cid {
				continue
			}
			rc, err := x.open()
			if err != nil {
				return "", false
			}
			defer rc.Close()
			data, err := io.ReadAll(io.LimitReader(rc, maxInlinePreview+1))
			if err != nil || len(data) > maxInlinePreview {
				return "", false
			}
			return message.ImageDataURI(data)
		}
		return "", false
	}
}
