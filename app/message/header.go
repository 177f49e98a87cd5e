package message

import (
	"bufio"
	"bytes"
	"io"
	"mime"
	netmail "net/mail"
	"strings"
	"unicode/utf8"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-message/textproto"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/ianaindex"

	"webmail"
)

// NewWordDecoder returns an RFC 2047 decoder that decodes every encoded
// word on its own and never gives up on a header: a word in an unknown
// charset is read by best guess (UTF-8 if valid, else windows-1252)
// instead of failing the whole header, and a malformed word stays as it
// is while the others are decoded. Give it to the IMAP client, which
// decodes ENVELOPE fields with it.
func NewWordDecoder() *mime.WordDecoder {
	return &mime.WordDecoder{CharsetReader: wordCharsetReader}
}

func wordCharsetReader(name string, r io.Reader) (io.Reader, error) {
	if enc := lookupCharset(name); enc != nil {
		return enc.NewDecoder().Reader(r), nil
	}
	// An unknown charset: the word's bytes are short, read them whole.
	b, err := io.ReadAll(io.LimitReader(r, 64<<10))
	if err != nil {
		return nil, err
	}
	return strings.NewReader(HeaderUTF8(string(b), "")), nil
}

// lookupCharset finds a charset by its MIME or WHATWG name. ISO-8859-1
// and US-ASCII are read as windows-1252, as browsers do: mail labelled
// so routinely has windows-1252 punctuation. It is nil for an unknown
// charset.
func lookupCharset(name string) encoding.Encoding {
	name = strings.ToLower(strings.Trim(strings.TrimSpace(name), `"'`))
	if name == "" {
		return nil
	}
	if latin1Labels[name] {
		return charmap.Windows1252
	}
	if enc, err := htmlindex.Get(name); err == nil && enc != nil && enc != encoding.Replacement {
		return enc
	}
	if enc, err := ianaindex.MIME.Encoding(name); err == nil && enc != nil {
		return enc
	}
	return nil
}

// HeaderUTF8 makes header text valid UTF-8 by best guess. Old mailers put
// raw 8-bit text in headers (From: Müller in Latin-1); IMAP servers pass
// it on as it is. Text that is valid UTF-8 is kept. Otherwise the bytes
// that are not UTF-8 are read in bodyCharset, the charset of the
// message's text (if it is known and not UTF-8 itself), else as
// windows-1252 (a superset of Latin-1 in which every byte is a
// character). With a single-byte bodyCharset only those bytes are
// converted, so text already decoded from encoded words stays as it is;
// a multi-byte one (Shift_JIS, GBK, ...) converts the whole text.
func HeaderUTF8(s, bodyCharset string) string {
	if utf8.ValidString(s) {
		return s
	}
	enc := lookupCharset(bodyCharset)
	switch enc {
	case nil, encoding.Nop:
		enc = charmap.Windows1252
	default:
		if _, single := enc.(*charmap.Charmap); !single && !isUTF8(enc) {
			if d, err := enc.NewDecoder().String(s); err == nil && utf8.ValidString(d) && !strings.ContainsRune(d, utf8.RuneError) {
				return d
			}
			enc = charmap.Windows1252
		}
	}
	if isUTF8(enc) {
		enc = charmap.Windows1252
	}
	dec := enc.NewDecoder()
	var b strings.Builder
	b.Grow(len(s) + len(s)/4)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r != utf8.RuneError || size != 1 {
			b.WriteString(s[i : i+size])
			i += size
			continue
		}
		// A run of bytes that are not UTF-8.
		j := i + 1
		for j < len(s) {
			if r, size := utf8.DecodeRuneInString(s[j:]); r != utf8.RuneError || size != 1 {
				break
			}
			j++
		}
		if d, err := dec.Bytes([]byte(s[i:j])); err == nil && utf8.Valid(d) {
			b.Write(d)
		} else {
			b.WriteString(strings.Repeat("\uFFFD", j-i))
		}
		i = j
	}
	return b.String()
}

func isUTF8(enc encoding.Encoding) bool {
	d, err := enc.NewDecoder().Bytes([]byte("\xc3\xa9"))
	return err == nil && bytes.Equal(d, []byte("\xc3\xa9"))
}

// BodyCharset is the charset of a message's first text part, the best
// guess for raw 8-bit text in its header ("" if none is named).
func BodyCharset(bs imap.BodyStructure) string {
	for depth := 0; depth < maxLayoutDepth; depth++ {
		switch b := bs.(type) {
		case *imap.BodyStructureSinglePart:
			if b == nil || !strings.EqualFold(b.Type, "text") {
				return ""
			}
			return normaliseParams(b.Params)["charset"]
		case *imap.BodyStructureMultiPart:
			if b == nil || len(b.Children) == 0 {
				return ""
			}
			bs = b.Children[0]
		default:
			return ""
		}
	}
	return ""
}

// DecodeEnvelope makes the text of an ENVELOPE, as the IMAP client
// decoded it, valid UTF-8 (HeaderUTF8 with the message's body charset).
// It changes e in place.
func DecodeEnvelope(e *imap.Envelope, bs imap.BodyStructure) {
	if e != nil && needsHeaderFix(e) {
		fixEnvelope(e, BodyCharset(bs))
	}
}

func fixEnvelope(e *imap.Envelope, cs string) {
	e.Subject = HeaderUTF8(e.Subject, cs)
	for _, l := range [][]imap.Address{e.From, e.Sender, e.ReplyTo, e.To, e.Cc, e.Bcc} {
		for i := range l {
			l[i].Name = HeaderUTF8(l[i].Name, cs)
			l[i].Mailbox = HeaderUTF8(l[i].Mailbox, cs)
			l[i].Host = HeaderUTF8(l[i].Host, cs)
		}
	}
}

func needsHeaderFix(e *imap.Envelope) bool {
	if !utf8.ValidString(e.Subject) {
		return true
	}
	for _, l := range [][]imap.Address{e.From, e.Sender, e.ReplyTo, e.To, e.Cc, e.Bcc} {
		for _, a := range l {
			if !utf8.ValidString(a.Name) || !utf8.ValidString(a.Mailbox) || !utf8.ValidString(a.Host) {
				return true
			}
		}
	}
	return false
}

// Envelope converts an IMAP envelope to the webmail's, flattening address
// groups: their start and end markers are dropped, their members kept.
// An address with a name only (a field envelopeOf could not parse) is
// kept.
func Envelope(e *imap.Envelope) webmail.Envelope {
	if e == nil {
		return webmail.Envelope{}
	}
	return webmail.Envelope{
		Date: e.Date, Subject: e.Subject,
		From: addresses(e.From), Sender: addresses(e.Sender), ReplyTo: addresses(e.ReplyTo),
		To: addresses(e.To), Cc: addresses(e.Cc), Bcc: addresses(e.Bcc),
		InReplyTo: e.InReplyTo, MessageID: e.MessageID,
	}
}

func addresses(l []imap.Address) []webmail.Address {
	var out []webmail.Address
	for _, a := range l {
		if a.IsGroupStart() || a.IsGroupEnd() && a.Name == "" {
			continue // a group's markers; a name alone is a header that did not parse
		}
		out = append(out, webmail.Address{Name: a.Name, Mailbox: a.Mailbox, Host: a.Host})
	}
	return out
}

// maxHeaderBlock bounds the header block ParseHeaders reads.
const maxHeaderBlock = 256 << 10

// ParseHeaders reads a header block (a text/rfc822-headers part, as in
// a bounce) into an envelope, decoded as the server's ENVELOPE would be
// (see DecodeEnvelope); bodyCharset is the best guess for raw 8-bit text.
func ParseHeaders(raw []byte, bodyCharset string) webmail.Envelope {
	if len(raw) > maxHeaderBlock {
		raw = raw[:maxHeaderBlock]
	}
	h, _ := textproto.ReadHeader(bufio.NewReader(io.MultiReader(bytes.NewReader(raw), strings.NewReader("\r\n\r\n"))))
	e := envelopeOf(h)
	if needsHeaderFix(e) {
		fixEnvelope(e, bodyCharset)
	}
	return Envelope(e)
}

// envelopeOf builds the envelope of a header as an IMAP server and client
// would: encoded words decoded (each on its own), raw 8-bit text left as
// it is, addresses parsed; an address list that does not parse becomes
// one address whose name is the field's text.
func envelopeOf(h textproto.Header) *imap.Envelope {
	e := &imap.Envelope{}
	e.Subject, _ = wordDecoder.DecodeHeader(h.Get("Subject"))
	e.Date, _ = netmail.ParseDate(h.Get("Date"))
	for _, f := range []struct {
		key string
		out *[]imap.Address
	}{{"From", &e.From}, {"Sender", &e.Sender}, {"Reply-To", &e.ReplyTo}, {"To", &e.To}, {"Cc", &e.Cc}, {"Bcc", &e.Bcc}} {
		raw := strings.TrimSpace(h.Get(f.key))
		if raw == "" {
			continue
		}
		list, err := (&netmail.AddressParser{WordDecoder: wordDecoder}).ParseList(raw)
		if err != nil {
			name, _ := wordDecoder.DecodeHeader(raw)
			*f.out = []imap.Address{{Name: name}}
			continue
		}
		for _, a := range list {
			mbox, host, _ := strings.Cut(a.Address, "@")
			*f.out = append(*f.out, imap.Address{Name: a.Name, Mailbox: mbox, Host: host})
		}
	}
	if f := strings.Fields(h.Get("Message-Id")); len(f) > 0 {
		e.MessageID = strings.Trim(f[0], "<>")
	}
	return e
}
