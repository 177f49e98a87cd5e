package message

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"io"
	"net/http"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/emersion/go-imap/v2"
	gomessage "github.com/emersion/go-message"
	"github.com/emersion/go-message/mail"
	"github.com/emersion/go-message/textproto"

	"webmail"
)

// Limits used by Render.
const (
	// MaxTextSize is the most text Render decodes from a body part.
	MaxTextSize = 4 << 20
	// MaxInlineImageSize is the largest decoded image Render inlines for
	// a cid: reference.
	MaxInlineImageSize = 8 << 20

	maxRenderInput = 64 << 20
	maxMIMEDepth   = 32
	maxMIMEParts   = 1000
)

// Rendered is a whole message made ready to show.
type Rendered struct {
	Subject, From string // decoded header text (plain text, not HTML)
	Body
}

// Body is what is shown of a message's (or an attached message's) parts.
type Body struct {
	Layout    Layout // with ResolveInline already applied
	TextHTML  string // TextToHTML of Layout.Text ("" if none)
	HTML      Sanitized
	Truncated bool // a body was longer than MaxTextSize and was cut
	// Attached are the messages of Layout.Messages, rendered.
	Attached []RenderedAttached
}

// RenderedAttached is an attached message made ready to show.
type RenderedAttached struct {
	Envelope webmail.Envelope // from its header (for HeadersOnly, the parsed part)
	Body
}

// Render is the whole pipeline from a complete raw MIME message, as used by
// tests, fuzzing and golden files. The live app fetches the BODYSTRUCTURE
// and the parts it needs from IMAP and calls the same functions: Render
// builds the imap.BodyStructure a server would send (with go-message),
// then uses LayoutOf, DecodeText, TextToHTML, SanitizeHTML and
// ResolveInline, for the message and each attached message it shows
// (ParseHeaders for text/rfc822-headers). Unless opt.CID is set, cid:
// images are mapped to the message's own inline parts with ImageDataURI.
//
// Damaged messages give whatever can be read; the error is only for r.
func Render(r io.Reader, opt SanitizeOptions) (*Rendered, error) {
	raw, err := io.ReadAll(io.LimitReader(r, maxRenderInput))
	if err != nil {
		return nil, err
	}
	br := bufio.NewReader(bytes.NewReader(raw))
	h, _ := textproto.ReadHeader(br) // a damaged header: keep what was read
	body, _ := io.ReadAll(br)

	t := &mimeTree{bodies: map[string][]byte{}}
	bs := t.build(h, body, nil, 0, true)
	cs := BodyCharset(bs)
	out := &Rendered{
		Subject: headerText(h, "Subject", cs),
		From:    fromText(h, cs),
	}
	out.Body = t.render(LayoutOf(bs), opt)
	return out, nil
}

// render shows one layout's bodies and, in turn, its attached messages.
func (t *mimeTree) render(l Layout, opt SanitizeOptions) Body {
	out := Body{Layout: l}
	if p := out.Layout.Text; p != nil {
		text, cut, _ := DecodeText(bytes.NewReader(t.bodies[p.Section()]), *p, MaxTextSize)
		flowed, delSp := p.Flowed()
		out.TextHTML = TextToHTML(text, flowed, delSp)
		out.Truncated = out.Truncated || cut
	}
	if p := out.Layout.HTML; p != nil {
		text, cut, _ := DecodeText(bytes.NewReader(t.bodies[p.Section()]), *p, MaxTextSize)
		out.Truncated = out.Truncated || cut
		o := opt
		if o.CID == nil {
			layout := out.Layout
			o.CID = func(id string) (string, bool) {
				part, ok := layout.InlinePart(id)
				if !ok {
					return "", false
				}
				dec := DecodeBinary(bytes.NewReader(t.bodies[part.Section()]), part.Encoding)
				data, err := io.ReadAll(io.LimitReader(dec, MaxInlineImageSize+1))
				if err != nil || len(data) > MaxInlineImageSize {
					return "", false
				}
				return ImageDataURI(data)
			}
		}
		out.HTML = SanitizeHTML(text, o)
		out.Layout.ResolveInline(out.HTML.CIDs)
	}
	for _, m := range l.Messages {
		ra := RenderedAttached{Envelope: m.Envelope}
		if m.HeadersOnly {
			ra.Envelope = ParseHeaders(t.bodies[m.Part.Section()], "")
		} else {
			ra.Body = t.render(m.Layout, opt)
		}
		out.Attached = append(out.Attached, ra)
	}
	return out
}

// ImageDataURI makes a base64 data: URI of an image for the CID mapper of
// SanitizeOptions. The type is sniffed from the bytes, not taken from the
// message; only raster image types are accepted (no SVG).
func ImageDataURI(data []byte) (string, bool) {
	typ := http.DetectContentType(data)
	switch typ {
	case "image/png", "image/gif", "image/jpeg", "image/webp", "image/bmp", "image/x-icon", "image/avif":
	default:
		return "", false
	}
	return "data:" + typ + ";base64," + base64.StdEncoding.EncodeToString(data), true
}

// mimeTree builds the body structure of a message the way an IMAP server
// would and keeps each leaf's raw (still transfer-encoded) body, which is
// what BODY[section] returns.
type mimeTree struct {
	bodies map[string][]byte
	parts  int
}

// build returns the structure of a part (root: of a whole message, or of
// the message attached at path) and keeps its leaves' bodies.
func (t *mimeTree) build(h textproto.Header, body []byte, path []int, depth int, root bool) imap.BodyStructure {
	mh := gomessage.Header{Header: h}
	mt, params, _ := mh.ContentType()
	typ, sub, _ := strings.Cut(mt, "/")
	t.parts++
	if strings.EqualFold(strings.TrimSpace(typ), "multipart") && depth < maxMIMEDepth && t.parts < maxMIMEParts {
		bs := &imap.BodyStructureMultiPart{Subtype: sub}
		if params["boundary"] != "" {
			mr := textproto.NewMultipartReader(bytes.NewReader(body), params["boundary"])
			for i := 0; t.parts < maxMIMEParts; i++ {
				part, err := mr.NextPart()
				if part == nil || err != nil {
					break
				}
				b, _ := io.ReadAll(part) // a truncated part: keep what is there
				bs.Children = append(bs.Children, t.build(part.Header, b, childPath(path, i), depth+1, false))
			}
		}
		if len(bs.Children) > 0 {
			bs.Extended = &imap.BodyStructureMultiPartExt{Params: params, Disposition: disposition(mh)}
			return bs
		}
		if root {
			// No part could be read (no boundary, no delimiter line):
			// as Dovecot does, one empty text part; the body text is
			// BODY[TEXT], which LayoutOf shows instead.
			t.bodies[Part{Path: path, Specifier: "TEXT"}.Section()] = body
			bs.Children = []imap.BodyStructure{&imap.BodyStructureSinglePart{Type: "text", Subtype: "plain", Params: map[string]string{"charset": "us-ascii"}, Encoding: "7bit"}}
			bs.Extended = &imap.BodyStructureMultiPartExt{Params: params, Disposition: disposition(mh)}
			return bs
		}
		// A part inside: show the raw body as text rather than nothing.
		typ, sub, params = "text", "plain", nil
	}
	if root {
		path = childPath(path, 0)
	}
	t.bodies[sectionOf(path)] = body
	leaf := &imap.BodyStructureSinglePart{
		Type:     typ,
		Subtype:  sub,
		Params:   params,
		ID:       mh.Get("Content-Id"),
		Encoding: mh.Get("Content-Transfer-Encoding"),
		Size:     uint32(min(len(body), 1<<31)),
		Extended: &imap.BodyStructureSinglePartExt{Disposition: disposition(mh)},
	}
	enc := strings.ToLower(strings.TrimSpace(leaf.Encoding))
	if strings.EqualFold(strings.TrimSpace(typ), "message") && strings.EqualFold(strings.TrimSpace(sub), "rfc822") &&
		(enc == "" || enc == "7bit" || enc == "8bit" || enc == "binary") && depth < maxMIMEDepth && t.parts < maxMIMEParts {
		// Servers parse an attached message (unless it is encoded):
		// its envelope and structure; its parts are path.1, path.2...
		ibr := bufio.NewReader(bytes.NewReader(body))
		ih, _ := textproto.ReadHeader(ibr)
		ibody, _ := io.ReadAll(ibr)
		leaf.MessageRFC822 = &imap.BodyStructureMessageRFC822{
			Envelope:      envelopeOf(ih),
			BodyStructure: t.build(ih, ibody, path, depth+1, true),
		}
	}
	return leaf
}

func sectionOf(path []int) string { return Part{Path: path}.Section() }

func disposition(h gomessage.Header) *imap.BodyStructureDisposition {
	d, params, _ := h.ContentDisposition()
	if d == "" {
		return nil
	}
	if i := strings.IndexAny(d, "; \t"); i >= 0 {
		d = d[:i] // unparsable parameters: go-message returned the whole field
	}
	return &imap.BodyStructureDisposition{Value: d, Params: params}
}

// headerText decodes a header field the way the live app gets it from an
// IMAP ENVELOPE: encoded words each on its own, then raw 8-bit text by
// best guess (HeaderUTF8 with the body's charset cs).
func headerText(h textproto.Header, key, cs string) string {
	v, _ := wordDecoder.DecodeHeader(h.Get(key))
	return cleanHeaderText(HeaderUTF8(v, cs))
}

func fromText(h textproto.Header, cs string) string {
	raw := h.Get("From")
	if !utf8.ValidString(raw) {
		return headerText(h, "From", cs) // net/mail refuses 8-bit names
	}
	mh := mail.Header{Header: gomessage.Header{Header: h}}
	list, err := mh.AddressList("From")
	if err != nil || len(list) == 0 {
		return headerText(h, "From", cs)
	}
	s := make([]string, len(list))
	for i, a := range list {
		if a.Name != "" {
			s[i] = a.Name + " <" + a.Address + ">"
		} else {
			s[i] = a.Address
		}
	}
	return cleanHeaderText(strings.Join(s, ", "))
}

// cleanHeaderText removes control characters and bidirectional overrides
// from header text and folds white space.
func cleanHeaderText(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	var b strings.Builder
	space := false
	for _, r := range s {
		switch {
		case unicode.IsSpace(r) || unicode.IsControl(r):
			if !space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = true
			continue
		case (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069):
			continue
		}
		space = false
		b.WriteRune(r)
	}
	return strings.TrimSpace(b.String())
}
