package message

import (
	"bytes"
	"io"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-message/charset"

	"webmail"
)

// Part is one leaf of a message's MIME structure.
type Part struct {
	Path []int // IMAP section path; [1] for the body of a single-part message
	// Specifier is "TEXT" for the whole body text of a message (or of
	// the attached message at Path) whose multipart structure could not
	// be read, shown as plain text; "" for an ordinary part.
	Specifier string
	Type      string            // lower-case "text/plain", "image/png", ...
	Params    map[string]string // lower-case keys: charset, format, delsp, name ...
	Encoding  string            // lower-case transfer encoding
	Size      int64             // encoded size in bytes as reported by the server
	ContentID string            // without angle brackets
	Filename  string            // decoded file name, already passed through SafeFilename ("" if none)
	// OriginalName is the decoded file name as the message gives it, not
	// made safe: for attaching the part to a new message, whose writer
	// cleans names its own way, never for a download.
	OriginalName string
	Disposition  string // "attachment", "inline" or ""
}

// Section returns the IMAP section specifier of the part, such as "1.2"
// or "2.TEXT".
func (p Part) Section() string {
	s := make([]string, len(p.Path), len(p.Path)+1)
	for i, n := range p.Path {
		s[i] = strconv.Itoa(n)
	}
	if p.Specifier != "" {
		s = append(s, p.Specifier)
	}
	return strings.Join(s, ".")
}

// Flowed reports whether a text/plain part is format=flowed (RFC 3676) and
// whether it has delsp=yes, the two arguments TextToHTML wants.
func (p Part) Flowed() (flowed, delSp bool) {
	return strings.EqualFold(p.Params["format"], "flowed"), strings.EqualFold(p.Params["delsp"], "yes")
}

// DownloadName returns a safe file name to offer for the part: its own
// name, or one made from its type ("message.eml", "attachment.pdf", ...).
// An attached message always ends in ".eml".
func (p Part) DownloadName() string {
	name := p.Filename
	if name == "" {
		if p.Type == "message/rfc822" || p.Type == "message/global" {
			return "message.eml"
		}
		return "attachment" + extensionOf(p.Type)
	}
	if (p.Type == "message/rfc822" || p.Type == "message/global") && !strings.HasSuffix(strings.ToLower(name), ".eml") {
		name += ".eml"
	}
	return SafeFilename(name)
}

var extensions = map[string]string{
	"application/pdf": ".pdf", "application/zip": ".zip", "application/json": ".json",
	"application/pgp-signature": ".asc", "application/pgp-keys": ".asc",
	"application/pkcs7-signature": ".p7s", "application/x-pkcs7-signature": ".p7s",
	"image/png": ".png", "image/jpeg": ".jpg", "image/gif": ".gif", "image/webp": ".webp",
	"image/bmp": ".bmp", "image/svg+xml": ".svg", "text/plain": ".txt", "text/html": ".html",
	"text/calendar": ".ics", "text/csv": ".csv", "message/delivery-status": ".txt",
	"text/rfc822-headers": ".txt", "message/rfc822-headers": ".txt",
}

func extensionOf(typ string) string { return extensions[typ] }

// Layout is what a reader needs to know about a message's MIME structure:
// which parts to show as the body and which to offer for download.
type Layout struct {
	// Text and HTML are the best text/plain and text/html bodies (nil if
	// none). From a multipart/alternative both are set; nested multiparts
	// are followed; of several body parts in a multipart/mixed the first
	// displayable one is the body and the others are attachments.
	Text, HTML *Part
	// Inline are image parts with a Content-ID that the HTML body may show
	// through cid: URLs (multipart/related). After sanitising, call
	// ResolveInline so that those it did not show become attachments.
	Inline []Part
	// Attachments is everything else a person would download, in message
	// order: attached files, attached text parts, attached messages
	// (message/rfc822 beyond what Messages shows, offered as .eml),
	// images that are not inline.
	Attachments []Part
	// Messages are the attached messages shown inline, in message order:
	// forwarded mail (message/rfc822, with its own layout) and headers
	// (text/rfc822-headers, as in bounces). At most MaxAttached in all,
	// nested at most MaxAttachedDepth deep; the others are Attachments.
	Messages []Attached
}

// Attached is a message attached to another and shown inline.
type Attached struct {
	// Part is the message/rfc822 part (downloaded whole as .eml) or, with
	// HeadersOnly, the text/rfc822-headers part to fetch and parse with
	// ParseHeaders.
	Part        Part
	HeadersOnly bool
	// Envelope is the attached message's header as the server gives it
	// in the BODYSTRUCTURE, decoded (unset with HeadersOnly).
	Envelope webmail.Envelope
	Layout   Layout // the attached message's own parts
}

// Limits on the attached messages a layout shows inline.
const (
	MaxAttachedDepth = 3  // a forward of a forward of a forward
	MaxAttached      = 10 // in one message, however nested
)

// Find returns the part at path anywhere in the layout, attached messages
// included: the parts a person may download.
func (l Layout) Find(path []int) (Part, bool) {
	for _, p := range l.Attachments {
		if slices.Equal(p.Path, path) {
			return p, true
		}
	}
	for _, p := range l.Inline {
		if slices.Equal(p.Path, path) {
			return p, true
		}
	}
	for _, p := range []*Part{l.Text, l.HTML} {
		if p != nil && p.Specifier == "" && slices.Equal(p.Path, path) {
			return *p, true
		}
	}
	for _, m := range l.Messages {
		if slices.Equal(m.Part.Path, path) {
			return m.Part, true
		}
		if p, ok := m.Layout.Find(path); ok {
			return p, true
		}
	}
	return Part{}, false
}

// FindMessage returns the attached message (not HeadersOnly) whose part
// has the given section, such as "2" or "2.3".
func (l *Layout) FindMessage(section string) (*Attached, bool) {
	for i := range l.Messages {
		m := &l.Messages[i]
		if m.Part.Section() == section && !m.HeadersOnly {
			return m, true
		}
		if f, ok := m.Layout.FindMessage(section); ok {
			return f, true
		}
	}
	return nil, false
}

// Downloads are the parts another message can attach: the attachments
// and, whole, the attached messages (not their parts).
func (l Layout) Downloads() []Part {
	out := slices.Clone(l.Attachments)
	for _, m := range l.Messages {
		out = append(out, m.Part)
	}
	return out
}

// maxLayoutDepth bounds how deep LayoutOf follows nested multiparts;
// anything deeper is listed as attachments.
const maxLayoutDepth = 32

// LayoutOf sorts the leaves of a body structure (as fetched with BODYSTRUCTURE,
// preferably extended) into bodies, inline images, attachments and
// attached messages.
func LayoutOf(bs imap.BodyStructure) Layout {
	w := &layoutWalk{}
	return w.message(bs, nil, 0)
}

// layoutWalk counts the attached messages shown inline.
type layoutWalk struct{ attached int }

// message lays out the body of a message (the top one, or the one
// attached at path) at attached-message depth msgDepth.
func (w *layoutWalk) message(bs imap.BodyStructure, path []int, msgDepth int) Layout {
	var l Layout
	switch b := bs.(type) {
	case *imap.BodyStructureSinglePart:
		if b != nil {
			l = w.layoutOf(b, childPath(path, 0), 0, msgDepth)
		}
	case *imap.BodyStructureMultiPart:
		if b == nil {
			break
		}
		if unreadMultipart(b) {
			// The boundary never appears (servers then give one empty
			// part, or none): show the whole body as text, not nothing.
			l.Text = &Part{Path: path, Specifier: "TEXT", Type: "text/plain", Params: map[string]string{}, Encoding: "7bit"}
			break
		}
		l = w.layoutOf(b, path, 0, msgDepth)
	}
	if l.HTML == nil && len(l.Inline) > 0 {
		l.Attachments = append(l.Inline, l.Attachments...)
		l.Inline = nil
	}
	return l
}

// unreadMultipart reports whether a multipart has nothing in it: no part,
// or only an empty one, which is what servers make of a body whose
// boundary never appears.
func unreadMultipart(b *imap.BodyStructureMultiPart) bool {
	switch len(b.Children) {
	case 0:
		return true
	case 1:
		leaf, ok := b.Children[0].(*imap.BodyStructureSinglePart)
		return ok && leaf != nil && leaf.Size == 0 && strings.EqualFold(leaf.Type, "text")
	}
	return false
}

func childPath(path []int, i int) []int {
	p := make([]int, len(path)+1)
	copy(p, path)
	p[len(path)] = i + 1
	return p
}

func (w *layoutWalk) layoutOf(bs imap.BodyStructure, path []int, depth, msgDepth int) Layout {
	var l Layout
	switch bs := bs.(type) {
	case *imap.BodyStructureSinglePart:
		p := partOf(bs, path)
		switch {
		case w.inline(bs, p, msgDepth):
			w.attached++
			m := Attached{Part: p}
			if p.Type == "text/rfc822-headers" || p.Type == "message/rfc822-headers" {
				m.HeadersOnly = true
			} else {
				inner := bs.MessageRFC822
				DecodeEnvelope(inner.Envelope, inner.BodyStructure)
				m.Envelope = Envelope(inner.Envelope)
				m.Layout = w.message(inner.BodyStructure, path, msgDepth+1)
			}
			l.Messages = append(l.Messages, m)
		case p.Disposition == "attachment":
			l.Attachments = append(l.Attachments, p)
		case p.Type == "text/plain":
			l.Text = &p
		case p.Type == "text/html":
			l.HTML = &p
		default:
			l.Attachments = append(l.Attachments, p)
		}
	case *imap.BodyStructureMultiPart:
		if bs == nil {
			break
		}
		if depth >= maxLayoutDepth {
			allLeaves(bs, path, &l, false)
			break
		}
		switch strings.ToLower(bs.Subtype) {
		case "alternative":
			for i, c := range bs.Children {
				cp := childPath(path, i)
				if leaf, ok := c.(*imap.BodyStructureSinglePart); ok && leaf != nil {
					p := partOf(leaf, cp)
					if strings.HasPrefix(p.Type, "text/") && p.Type != "text/plain" && p.Type != "text/html" && p.Type != "text/calendar" {
						// Other renderings of the same text
						// (text/enriched, text/watch-html, ...).
						continue
					}
				}
				cl := w.layoutOf(c, cp, depth+1, msgDepth)
				// The last alternative is the preferred one.
				if cl.HTML != nil {
					l.HTML = cl.HTML
				}
				if cl.Text != nil {
					l.Text = cl.Text
				}
				l.Inline = append(l.Inline, cl.Inline...)
				l.Attachments = append(l.Attachments, cl.Attachments...)
				l.Messages = append(l.Messages, cl.Messages...)
			}
		case "related":
			root := 0
			if bs.Extended != nil {
				if start := trimCID(bs.Extended.Params["start"]); start != "" {
					for i, c := range bs.Children {
						if leaf, ok := c.(*imap.BodyStructureSinglePart); ok && leaf != nil && strings.EqualFold(trimCID(leaf.ID), start) {
							root = i
							break
						}
					}
				}
			}
			for i, c := range bs.Children {
				cp := childPath(path, i)
				if i == root {
					cl := w.layoutOf(c, cp, depth+1, msgDepth)
					l.Text, l.HTML = cl.Text, cl.HTML
					l.Inline = append(l.Inline, cl.Inline...)
					l.Attachments = append(l.Attachments, cl.Attachments...)
					l.Messages = append(l.Messages, cl.Messages...)
					continue
				}
				allLeaves(c, cp, &l, true)
			}
		default: // mixed, signed, report, digest, parallel, unknown
			for i, c := range bs.Children {
				cl := w.layoutOf(c, childPath(path, i), depth+1, msgDepth)
				if l.Text == nil && l.HTML == nil {
					l.Text, l.HTML = cl.Text, cl.HTML
				} else {
					for _, b := range []*Part{cl.Text, cl.HTML} {
						if b != nil {
							l.Attachments = append(l.Attachments, *b)
						}
					}
				}
				l.Inline = append(l.Inline, cl.Inline...)
				l.Attachments = append(l.Attachments, cl.Attachments...)
				l.Messages = append(l.Messages, cl.Messages...)
			}
		}
	}
	return l
}

// inline reports whether a leaf is an attached message (or header) to
// show inline rather than only to offer for download.
func (w *layoutWalk) inline(bs *imap.BodyStructureSinglePart, p Part, msgDepth int) bool {
	if msgDepth >= MaxAttachedDepth || w.attached >= MaxAttached {
		return false
	}
	switch p.Type {
	case "text/rfc822-headers", "message/rfc822-headers":
		return true
	case "message/rfc822", "message/global":
		return bs.MessageRFC822 != nil && bs.MessageRFC822.BodyStructure != nil
	}
	return false
}

// allLeaves lists every leaf under bs as an attachment, or as inline if
// inline is set and the leaf is an image with a Content-ID. It walks with
// its own stack, so no nesting is too deep.
func allLeaves(bs imap.BodyStructure, path []int, l *Layout, inline bool) {
	type item struct {
		bs   imap.BodyStructure
		path []int
	}
	stack := []item{{bs, path}}
	for len(stack) > 0 {
		it := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		switch bs := it.bs.(type) {
		case *imap.BodyStructureSinglePart:
			if bs == nil {
				continue
			}
			p := partOf(bs, it.path)
			if inline && p.ContentID != "" && strings.HasPrefix(p.Type, "image/") {
				l.Inline = append(l.Inline, p)
			} else {
				l.Attachments = append(l.Attachments, p)
			}
		case *imap.BodyStructureMultiPart:
			if bs == nil {
				continue
			}
			for i := len(bs.Children) - 1; i >= 0; i-- {
				stack = append(stack, item{bs.Children[i], childPath(it.path, i)})
			}
		}
	}
}

// ResolveInline moves the inline parts whose content ID is not in used
// (Sanitized.CIDs) to the attachments, so that an image the HTML did not
// show can still be downloaded.
func (l *Layout) ResolveInline(used []string) {
	kept := l.Inline[:0:0]
	var moved []Part
	for _, p := range l.Inline {
		found := false
		for _, u := range used {
			if strings.EqualFold(u, p.ContentID) {
				found = true
				break
			}
		}
		if found {
			kept = append(kept, p)
		} else {
			moved = append(moved, p)
		}
	}
	l.Inline = kept
	l.Attachments = append(moved, l.Attachments...)
}

// InlinePart finds the inline part with the given content ID (compared
// without regard to case).
func (l Layout) InlinePart(contentID string) (Part, bool) {
	contentID = trimCID(contentID)
	for _, p := range l.Inline {
		if strings.EqualFold(p.ContentID, contentID) {
			return p, true
		}
	}
	return Part{}, false
}

func trimCID(s string) string {
	s = strings.TrimSpace(s)
	s = strings.TrimPrefix(s, "<")
	s = strings.TrimSuffix(s, ">")
	return strings.TrimSpace(s)
}

func partOf(bs *imap.BodyStructureSinglePart, path []int) Part {
	p := Part{
		Path:      path,
		Type:      mediaType(bs.Type, bs.Subtype),
		Params:    normaliseParams(bs.Params),
		Encoding:  strings.ToLower(strings.TrimSpace(bs.Encoding)),
		Size:      int64(bs.Size),
		ContentID: trimCID(bs.ID),
	}
	if p.Encoding == "" {
		p.Encoding = "7bit"
	}
	var name string
	if d := bs.Disposition(); d != nil {
		switch v := strings.ToLower(strings.TrimSpace(d.Value)); v {
		case "inline", "":
			p.Disposition = v
		default:
			// RFC 2183: unknown dispositions are treated as attachment.
			p.Disposition = "attachment"
		}
		name = normaliseParams(d.Params)["filename"]
	}
	if name == "" {
		name = p.Params["name"]
	}
	if name != "" {
		p.OriginalName = decodeWords(name)
		p.Filename = SafeFilename(p.OriginalName)
	}
	return p
}

func mediaType(typ, sub string) string {
	typ = strings.ToLower(strings.TrimSpace(typ))
	sub = strings.ToLower(strings.TrimSpace(sub))
	if i := strings.IndexAny(sub, "; \t\r\n"); i >= 0 {
		sub = sub[:i]
	}
	if typ == "" && sub == "" {
		return "text/plain"
	}
	if !isToken(typ) || !isToken(sub) {
		return "application/octet-stream"
	}
	return typ + "/" + sub
}

func isToken(s string) bool {
	if s == "" || len(s) > 127 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`()<>@,;:\"/[]?=`, c) >= 0 {
			return false
		}
	}
	return true
}

var wordDecoder = NewWordDecoder()

// decodeWords decodes RFC 2047 encoded words, which many mailers put in
// file names even though RFC 2047 does not allow it there.
func decodeWords(s string) string {
	if !strings.Contains(s, "=?") {
		return s
	}
	if d, err := wordDecoder.DecodeHeader(s); err == nil {
		return d
	}
	return s
}

// maxParamLen bounds a reassembled RFC 2231 parameter.
const maxParamLen = 8 << 10

// normaliseParams lower-cases parameter names and reassembles RFC 2231
// parameters (name*=charset'lang'value, name*0*=..., name*1=...) that a server
// passed on undecoded.
func normaliseParams(in map[string]string) map[string]string {
	if len(in) == 0 {
		return map[string]string{}
	}
	out := make(map[string]string, len(in))
	type segment struct {
		n       int
		value   string
		encoded bool
	}
	var ext map[string][]segment
	for k, v := range in {
		k = strings.ToLower(strings.TrimSpace(k))
		base, rest, star := strings.Cut(k, "*")
		if !star {
			if _, done := out[k]; !done {
				out[k] = v
			}
			continue
		}
		if ext == nil {
			ext = map[string][]segment{}
		}
		seg := segment{value: v}
		switch {
		case rest == "":
			seg.encoded = true
		default:
			num, enc := strings.CutSuffix(rest, "*")
			n, err := strconv.Atoi(num)
			if err != nil || n < 0 || n > 999 {
				continue
			}
			seg.n, seg.encoded = n, enc
		}
		ext[base] = append(ext[base], seg)
	}
	for base, segs := range ext {
		sort.Slice(segs, func(i, j int) bool { return segs[i].n < segs[j].n })
		var raw bytes.Buffer
		cs := ""
		for i, s := range segs {
			if s.n != i {
				break // a gap: keep what came before it
			}
			v := s.value
			if s.encoded {
				if i == 0 {
					// charset'language'value
					parts := strings.SplitN(v, "'", 3)
					if len(parts) == 3 {
						cs, v = parts[0], parts[2]
					}
				}
				if d, err := url.PathUnescape(v); err == nil {
					v = d
				}
			}
			raw.WriteString(v)
			if raw.Len() > maxParamLen {
				raw.Truncate(maxParamLen)
				break
			}
		}
		out[base] = decodeCharset(cs, raw.Bytes())
	}
	return out
}

func decodeCharset(cs string, b []byte) string {
	cs = strings.ToLower(strings.TrimSpace(cs))
	if cs != "" && cs != "utf-8" && cs != "us-ascii" {
		if r, err := charset.Reader(cs, bytes.NewReader(b)); err == nil {
			if d, err := io.ReadAll(io.LimitReader(r, 4*maxParamLen)); err == nil {
				return strings.ToValidUTF8(string(d), "\uFFFD")
			}
		}
	}
	return strings.ToValidUTF8(string(b), "\uFFFD")
}
