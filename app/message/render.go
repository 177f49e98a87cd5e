package message

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"io"
	"net/http"
	"strings"
	"unicode"

	"github.com/emersion/go-imap/v2"
	gomessage "github.com/emersion/go-message"
	"github.com/emersion/go-message/mail"
	"github.com/emersion/go-message/textproto"
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
	Layout        Layout // with ResolveInline already applied
	TextHTML      string // TextToHTML of Layout.Text ("" if none)
	HTML          Sanitized
	Truncated     bool // a body was longer than MaxTextSize and was cut
}

// Render is the whole pipeline from a complete raw MIME message, as used by
// tests, fuzzing and golden files. The live app fetches the BODYSTRUCTURE
// and the parts it needs from IMAP and calls the same functions: Render
// builds the imap.BodyStructure a server would send (with go-message),
// then uses LayoutOf, DecodeText, TextToHTML, SanitizeHTML and
// ResolveInline. Unless opt.CID is set, cid: images are mapped to the
// message's own inline parts with ImageDataURI.
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
	bs := t.build(h, body, nil, 0)
	out := &Rendered{
		Subject: headerText(h, "Subject"),
		From:    fromText(h),
		Layout:  LayoutOf(bs),
	}

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
	return out, nil
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

func (t *mimeTree) build(h textproto.Header, body []byte, path []int, depth int) imap.BodyStructure {
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
				bs.Children = append(bs.Children, t.build(part.Header, b, childPath(path, i), depth+1))
			}
		}
		if len(bs.Children) > 0 {
			bs.Extended = &imap.BodyStructureMultiPartExt{Params: params, Disposition: disposition(mh)}
			return bs
		}
		// No part could be read (no boundary, no delimiter line): show
		// the raw body as text rather than nothing.
		typ, sub, params = "text", "plain", nil
	}
	if path == nil {
		path = []int{1}
	}
	t.bodies[sectionOf(path)] = body
	return &imap.BodyStructureSinglePart{
		Type:     typ,
		Subtype:  sub,
		Params:   params,
		ID:       mh.Get("Content-Id"),
		Encoding: mh.Get("Content-Transfer-Encoding"),
		Size:     uint32(min(len(body), 1<<31)),
		Extended: &imap.BodyStructureSinglePartExt{Disposition: disposition(mh)},
	}
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

func headerText(h textproto.Header, key string) string {
	mh := gomessage.Header{Header: h}
	v, err := mh.Text(key)
	if err != nil {
		v = h.Get(key)
	}
	return cleanHeaderText(v)
}

func fromText(h textproto.Header) string {
	mh := mail.Header{Header: gomessage.Header{Header: h}}
	list, err := mh.AddressList("From")
	if err != nil || len(list) == 0 {
		return headerText(h, "From")
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
