package demo

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"hash/fnv"
	"io"
	"mime"
	"mime/quotedprintable"
	"strings"
	"time"

	"github.com/emersion/go-message"
	"github.com/emersion/go-message/mail"
	"github.com/emersion/go-message/textproto"
)

// person is a sender or recipient of generated mail.
type person struct {
	Name, Addr string
	Zone       int // UTC offset, in minutes, of the Date headers this person writes
}

func (p person) address() *mail.Address { return &mail.Address{Name: p.Name, Address: p.Addr} }

func (p person) location() *time.Location { return time.FixedZone("", p.Zone*60) }

func addresses(l []person) []*mail.Address {
	addrs := make([]*mail.Address, len(l))
	for i, p := range l {
		addrs[i] = p.address()
	}
	return addrs
}

// envelope is the top-level header of a generated message.
type envelope struct {
	From       person
	To, Cc     []person
	Subject    string
	Charset    legacyCharset // if set, Subject (and an ISO-8859-1 From name) are encoded in it
	Date       time.Time
	ID         string // Message-ID, without angle brackets
	InReplyTo  string
	References []string
	Extra      [][2]string // further fields, e.g. List-Id, in order
}

// header returns the envelope fields followed by the body's MIME fields.
//
// textproto writes fields in the reverse order of their insertion, so they
// are inserted bottom-up to read like a real message: From, To, …, then the
// MIME fields.
func (env *envelope) header(body *entity, boundary func() string) (mail.Header, error) {
	h := mail.Header{Header: body.header(boundary)}
	h.Set("MIME-Version", "1.0")
	for i := len(env.Extra) - 1; i >= 0; i-- {
		h.Add(env.Extra[i][0], env.Extra[i][1])
	}
	if len(env.References) > 0 {
		h.SetMsgIDList("References", env.References)
	}
	if env.InReplyTo != "" {
		h.SetMsgIDList("In-Reply-To", []string{env.InReplyTo})
	}
	h.SetMessageID(env.ID)
	h.SetDate(env.Date.In(env.From.location()))
	switch {
	case env.Charset != "":
		subject, err := env.Charset.encodedWord(env.Subject)
		if err != nil {
			return h, err
		}
		h.Set("Subject", subject)
	case env.Subject != "":
		h.SetSubject(env.Subject)
	}
	if len(env.Cc) > 0 {
		h.SetAddressList("Cc", addresses(env.Cc))
	}
	h.SetAddressList("To", addresses(env.To))
	// The From name stays in UTF-8 except in ISO-8859-1, which Go decodes
	// natively: go-imap's server builds ENVELOPE with go-message, which drops
	// an address whose encoded-word charset is not registered (registering
	// them takes go-message/charset, thus golang.org/x/text).
	if env.Charset != latin1 {
		h.SetAddressList("From", []*mail.Address{env.From.address()})
		return h, nil
	}
	name, err := env.Charset.encodedWord(env.From.Name)
	if err != nil {
		return h, err
	}
	h.Set("From", fmt.Sprintf("%s <%s>", name, env.From.Addr))
	return h, nil
}

// encodedWord encodes s as an RFC 2047 encoded-word in the charset. (mime
// and go-message only encode UTF-8 words: encode the bytes first, then let
// mime make the word.)
func (c legacyCharset) encodedWord(s string) (string, error) {
	b, err := c.encode(s)
	if err != nil {
		return "", err
	}
	if c == shiftJIS || c == koi8r {
		return mime.BEncoding.Encode(string(c), string(b)), nil
	}
	return mime.QEncoding.Encode(string(c), string(b)), nil
}

// entity is a MIME entity: a leaf with a body, or a multipart with parts.
type entity struct {
	mediaType string
	params    map[string]string
	fields    [][2]string // fields after Content-Type, in order
	body      []byte      // leaf content, in the charset named by params, CRLF line breaks
	parts     []*entity
}

func textPart(s string) *entity {
	return &entity{mediaType: "text/plain", params: map[string]string{"charset": "utf-8"}, body: []byte(crlf(s))}
}

// flowedPart is a format=flowed (RFC 3676) text: lines ending with a space
// are soft breaks within a paragraph.
func flowedPart(s string) *entity {
	e := textPart(s)
	e.params["format"] = "flowed"
	return e
}

func htmlPart(s string) *entity {
	return &entity{mediaType: "text/html", params: map[string]string{"charset": "utf-8"}, body: []byte(crlf(s))}
}

// legacyPart is a text part in a non-UTF-8 charset.
func legacyPart(mediaType string, cs legacyCharset, s string) *entity {
	return &entity{mediaType: mediaType, params: map[string]string{"charset": string(cs)}, body: []byte(cs.mustEncode(crlf(s)))}
}

func multipart(subtype string, parts ...*entity) *entity {
	e := &entity{mediaType: "multipart/" + subtype, params: map[string]string{}, parts: parts}
	if subtype == "related" {
		e.params["type"] = parts[0].mediaType
	}
	return e
}

func attachment(mediaType, filename string, data []byte) *entity {
	disp := formatParams("attachment", map[string]string{"filename": filename, "size": fmt.Sprint(len(data))})
	return &entity{
		mediaType: mediaType,
		params:    map[string]string{"name": filename},
		fields:    [][2]string{{"Content-Disposition", disp}},
		body:      data,
	}
}

// inlineImage is an image of a multipart/related, referenced as cid:<cid>.
func inlineImage(mediaType, filename, cid string, data []byte) *entity {
	return &entity{
		mediaType: mediaType,
		params:    map[string]string{"name": filename},
		fields: [][2]string{
			{"Content-Disposition", formatParams("inline", map[string]string{"filename": filename})},
			{"Content-Id", "<" + cid + ">"},
		},
		body: data,
	}
}

// formatParams formats a Content-Disposition value. Unlike go-message,
// which encodes non-ASCII parameters as RFC 2047 words (and does so for the
// Content-Type name parameter here), it uses RFC 2231 (filename*=...),
// like Thunderbird, so that both encodings occur.
func formatParams(value string, params map[string]string) string {
	return mime.FormatMediaType(value, params)
}

// transferEncoding picks the Content-Transfer-Encoding: 7bit for short-lined
// ASCII text, quoted-printable for other text, base64 for the rest (and for
// Shift_JIS text, as Japanese mailers do).
func (e *entity) transferEncoding() string {
	if !strings.HasPrefix(e.mediaType, "text/") || e.params["charset"] == string(shiftJIS) {
		return "base64"
	}
	for _, line := range strings.Split(string(e.body), "\n") {
		if len(line) > 76 || strings.ContainsFunc(line, func(r rune) bool { return r >= 0x80 }) {
			return "quoted-printable"
		}
	}
	return "7bit"
}

// header returns the entity's MIME fields; boundary names multiparts.
func (e *entity) header(boundary func() string) message.Header {
	params := e.params
	var cte string
	if e.parts != nil {
		params = map[string]string{"boundary": boundary()}
		for k, v := range e.params {
			params[k] = v
		}
	} else {
		cte = e.transferEncoding()
	}
	// Inserted bottom-up, see envelope.header.
	var h message.Header
	for i := len(e.fields) - 1; i >= 0; i-- {
		h.Add(e.fields[i][0], e.fields[i][1])
	}
	if cte != "" {
		h.Set("Content-Transfer-Encoding", cte)
	}
	h.SetContentType(e.mediaType, params)
	return h
}

// render writes a message with go-message's textproto. (go-message's
// mail.Writer picks random boundaries and message.Writer refuses non-UTF-8
// charsets.) Boundaries derive from the Message-ID, so rendering is
// deterministic.
func render(env envelope, body *entity) ([]byte, error) {
	sum := fnv.New32a()
	sum.Write([]byte(env.ID))
	var n int
	boundary := func() string {
		n++
		return fmt.Sprintf("=_demo_%08x_%d", sum.Sum32(), n)
	}

	h, err := env.header(body, boundary)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	buf.Grow(body.size())
	if err := textproto.WriteHeader(&buf, h.Header.Header); err != nil {
		return nil, err
	}
	if err := body.writeBody(&buf, h.Header, boundary); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// size estimates the encoded size of e, header included.
func (e *entity) size() int {
	n := 1024 + len(e.body)*4/3
	for _, p := range e.parts {
		n += p.size()
	}
	return n
}

// writeBody writes the body of e, whose header h has been written already.
func (e *entity) writeBody(w io.Writer, h message.Header, boundary func() string) error {
	if e.parts == nil {
		return encodeBody(w, h.Get("Content-Transfer-Encoding"), e.body)
	}
	_, params, err := h.ContentType()
	if err != nil {
		return err
	}
	mw := textproto.NewMultipartWriter(w)
	if err := mw.SetBoundary(params["boundary"]); err != nil {
		return err
	}
	for _, p := range e.parts {
		ph := p.header(boundary)
		pw, err := mw.CreatePart(ph.Header)
		if err != nil {
			return err
		}
		if err := p.writeBody(pw, ph, boundary); err != nil {
			return err
		}
	}
	return mw.Close()
}

func encodeBody(w io.Writer, cte string, body []byte) error {
	switch cte {
	case "base64":
		// 57 bytes make a 76-character line.
		var line [78]byte
		for len(body) > 0 {
			n := min(len(body), 57)
			m := base64.StdEncoding.EncodedLen(n)
			base64.StdEncoding.Encode(line[:], body[:n])
			line[m], line[m+1] = '\r', '\n'
			if _, err := w.Write(line[:m+2]); err != nil {
				return err
			}
			body = body[n:]
		}
		return nil
	case "quoted-printable":
		qp := quotedprintable.NewWriter(w) // writes CRLF line breaks
		if _, err := qp.Write(body); err != nil {
			return err
		}
		return qp.Close()
	default:
		_, err := w.Write(body)
		return err
	}
}

// crlf converts LF line breaks to CRLF.
func crlf(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\n", "\r\n")
}
