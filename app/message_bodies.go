package app

import (
	"bytes"
	"context"
	"io"

	"webmail"
	"webmail/app/message"
	"webmail/views"
)

// inlineLimit bounds the cid: images inlined into the HTML bodies of one
// view.
const inlineLimit = 8 << 20

// shownBody is one body the message view shows: the message's own
// (section "") or that of the message attached at section.
type shownBody struct {
	layout  *message.Layout
	section string
	text    *message.Part
	html    *message.Part
	inline  []message.Part // fetched with the HTML
	first   int            // index of its first part in the FETCH
}

// bodyFetch plans the one FETCH of a message view: the bodies it shows,
// the inline images of their HTML and the headers of bounces.
type bodyFetch struct {
	parts       []message.Part
	bodies      []*shownBody
	headers     map[string]int // section of a HeadersOnly part → index in parts
	inlineTotal int64
}

// add plans the body of l: the preferred mode if l has it, else the other.
func (f *bodyFetch) add(l *message.Layout, section string, mode views.BodyMode) *shownBody {
	b := &shownBody{layout: l, section: section, first: len(f.parts)}
	switch {
	case mode == views.BodyHTML && l.HTML != nil:
		b.html = l.HTML
	case l.Text != nil:
		b.text = l.Text
	case l.HTML != nil:
		b.html = l.HTML
	}
	if b.text != nil {
		f.parts = append(f.parts, *b.text)
	}
	if b.html != nil {
		f.parts = append(f.parts, *b.html)
		for _, p := range l.Inline {
			if f.inlineTotal+p.Size <= inlineLimit {
				b.inline = append(b.inline, p)
				f.parts = append(f.parts, p)
				f.inlineTotal += p.Size
			}
		}
	}
	f.bodies = append(f.bodies, b)
	return b
}

// addAttached plans the attached messages of l, however nested.
func (f *bodyFetch) addAttached(l *message.Layout, mode views.BodyMode) {
	for i := range l.Messages {
		m := &l.Messages[i]
		if m.HeadersOnly {
			f.headers[m.Part.Section()] = len(f.parts)
			f.parts = append(f.parts, m.Part)
			continue
		}
		f.add(&m.Layout, m.Part.Section(), mode)
		f.addAttached(&m.Layout, mode)
	}
}

// sanitizeFetched sanitises an HTML body with its inline images, as
// fetched, and makes its mailto: links open this webmail's compose page.
func (a *App) sanitizeFetched(html []byte, part message.Part, inline []message.Part, images [][]byte, remote bool) message.Sanitized {
	text, _, _ := message.DecodeText(bytes.NewReader(html), part, bodyLimit)
	cids := make(map[string]string, len(inline))
	for i, p := range inline {
		var b bytes.Buffer
		if _, err := io.Copy(&b, message.DecodeBinary(bytes.NewReader(images[i]), p.Encoding)); err == nil {
			if uri, ok := message.ImageDataURI(b.Bytes()); ok {
				cids[p.ContentID] = uri
			}
		}
	}
	out := message.SanitizeHTML(text, message.SanitizeOptions{
		AllowRemote: remote,
		CID: func(id string) (string, bool) {
			src, ok := cids[id]
			return src, ok
		},
	})
	out.HTML = composeLinks(out.HTML, a.cfg.PublicURL)
	return out
}

// messageBodies fetches what the message view shows, in one FETCH
// (BODY.PEEK; opening marks read apart): the text (escaped and linked) or
// the sanitised HTML, which is kept briefly for the frame's request; the
// same for each attached message shown inline; and the attachments'
// links.
// Attached messages are shown as HTML where they have it, unless the
// person asked for text (attached is then BodyText).
func (a *App) messageBodies(ctx context.Context, sid string, om *openedMessage, mp *views.MessageShowParams, attached views.BodyMode) error {
	conn, ref := om.conn, om.ref
	f := &bodyFetch{headers: map[string]int{}}
	f.add(&om.layout, "", mp.Mode)
	f.addAttached(&om.layout, attached)
	fetched, err := conn.Sections(ctx, ref, f.parts, bodyLimit)
	if err != nil {
		return err
	}
	shown := map[string]views.AttachedMessage{}
	for _, b := range f.bodies {
		var v views.AttachedMessage
		switch {
		case b.text != nil:
			text, _, err := message.DecodeText(bytes.NewReader(fetched[b.first]), *b.text, bodyLimit)
			if err != nil {
				a.log.Debug("text body decode", "err", err.Error())
			}
			flowed, delSp := b.text.Flowed()
			v.TextHTML = composeLinks(message.TextToHTML(text, flowed, delSp), views.Root(ctx))
			b.layout.ResolveInline(nil) // no HTML shown: inline images are attachments
		case b.html != nil:
			out := a.sanitizeFetched(fetched[b.first], *b.html, b.inline, fetched[b.first+1:b.first+1+len(b.inline)], mp.Remote)
			a.bodies.put(bodyKey{sid: sid, ref: ref, section: b.section, remote: mp.Remote}, out.HTML)
			mp.RemoteFound = mp.RemoteFound || out.RemoteBlocked
			b.layout.ResolveInline(out.CIDs)
			v.FrameURL = views.AttachedBodyURL(ref, b.section, mp.Remote)
		default:
			v.TextHTML = `<p class="muted">This message has no text.</p>`
			b.layout.ResolveInline(nil)
		}
		shown[b.section] = v
	}
	mp.TextHTML = shown[""].TextHTML
	mp.Attachments = attachmentLinks(ref, om.layout.Attachments)
	mp.Attached = attachedViews(ref, om.layout.Messages, shown, f.headers, fetched)
	return nil
}

func attachmentLinks(ref webmail.MessageRef, parts []message.Part) []views.Attachment {
	var out []views.Attachment
	for _, at := range parts {
		out = append(out, attachmentLink(ref, at))
	}
	return out
}

func attachmentLink(ref webmail.MessageRef, at message.Part) views.Attachment {
	a := views.Attachment{Name: at.DownloadName(), Type: at.Type, Size: at.Size, URL: views.PartURL(ref, at.Section())}
	if viewable[at.Type] {
		a.View = views.PartViewURL(ref, at.Section())
		a.Thumbnail = thumbnail(at)
	}
	return a
}

// attachedViews makes the view of each attached message from what was
// fetched for it.
func attachedViews(ref webmail.MessageRef, ms []message.Attached, shown map[string]views.AttachedMessage, headers map[string]int, fetched [][]byte) []views.AttachedMessage {
	var out []views.AttachedMessage
	for _, m := range ms {
		section := m.Part.Section()
		if m.HeadersOnly {
			out = append(out, views.AttachedMessage{HeadersOnly: true, Envelope: message.ParseHeaders(fetched[headers[section]], "")})
			continue
		}
		v := shown[section]
		v.Envelope = m.Envelope
		v.Attachments = attachmentLinks(ref, m.Layout.Attachments)
		v.Download = attachmentLink(ref, m.Part)
		v.Attached = attachedViews(ref, m.Layout.Messages, shown, headers, fetched)
		out = append(out, v)
	}
	return out
}
