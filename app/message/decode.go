package message

import (
	"bufio"
	"bytes"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/emersion/go-message/charset"
	htmlcharset "golang.org/x/net/html/charset"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
)

// DecodeBinary undoes a Content-Transfer-Encoding while streaming. Base64
// and quoted-printable are decoded leniently: characters that do not
// belong are skipped, never an error, so a damaged or truncated part still
// gives everything that can be read. 7bit, 8bit, binary and unknown
// encodings are passed through unchanged. Errors from r are passed on.
func DecodeBinary(r io.Reader, encoding string) io.Reader {
	switch strings.ToLower(strings.TrimSpace(encoding)) {
	case "base64":
		return &base64Reader{r: r}
	case "quoted-printable":
		return &qpReader{r: r}
	}
	return r
}

// DecodeText decodes a text part: it undoes the transfer encoding, converts
// the charset to UTF-8 and normalises line ends to "\n". At most limit
// bytes of text are returned (limit <= 0 means no limit); truncated reports
// that there was more.
//
// Decoding is best effort and never hides the body: a missing charset is
// guessed (a <meta> charset for HTML, else UTF-8 if the text is valid UTF-8,
// else windows-1252, as is ISO-8859-1 as in browsers); an unknown charset is
// read as UTF-8; invalid bytes become U+FFFD. The error is only for a failing
// reader, and the text read until then is returned with it.
func DecodeText(r io.Reader, p Part, limit int64) (text string, truncated bool, err error) {
	return decodeText(r, p, limit, 64<<10, false)
}

// decodeText is DecodeText with a buffer of bufSize bytes, which is also
// how far it looks ahead to guess a charset.
func decodeText(r io.Reader, p Part, limit int64, bufSize int, cut bool) (text string, truncated bool, err error) {
	br := bufio.NewReaderSize(DecodeBinary(r, p.Encoding), bufSize)
	dec := textDecoder(br, p, cut)
	src := io.Reader(dec)
	if limit > 0 {
		src = io.LimitReader(dec, limit+1)
	}
	var b strings.Builder
	// A copy buffer of the reader's size: io.Copy's own is 32 KB, more
	// than a row's snippet needs fifty times a page.
	_, err = io.CopyBuffer(&b, src, make([]byte, min(bufSize, 32<<10)))
	out := b.String()
	if limit > 0 && int64(len(out)) > limit {
		truncated = true
		out = out[:limit]
		// Do not end inside a UTF-8 sequence.
		for i := 0; i < utf8.UTFMax && len(out) > 0; i++ {
			if r, size := utf8.DecodeLastRuneInString(out); r != utf8.RuneError || size != 1 {
				break
			}
			out = out[:len(out)-1]
		}
	}
	return normaliseText(out), truncated, err
}

// textDecoder picks the charset decoder for a part; cut says the part
// was cut short (a row's snippet: its fetch ends where its byte count
// does, inside a letter perhaps).
func textDecoder(br *bufio.Reader, p Part, cut bool) io.Reader {
	name := strings.ToLower(strings.Trim(strings.TrimSpace(p.Params["charset"]), `"'`))
	switch name {
	case "", "us-ascii", "ascii", "utf-8", "utf8", "unknown-8bit", "x-unknown", "unknown", "default":
		// Unlabelled (or labelled with something that means "whatever"):
		// an HTML part may say it in a <meta>, otherwise guess between
		// UTF-8 and windows-1252 from the first bytes.
		peek, err := br.Peek(br.Size()) // io.EOF: all of it is here
		if name == "" && p.Type == "text/html" {
			if enc, n, _ := htmlcharset.DetermineEncoding(peek, "text/html"); n != "windows-1252" && n != "replacement" && enc != nil && enc != encoding.Replacement {
				return enc.NewDecoder().Reader(br)
			}
		}
		if err == io.EOF && utf8.Valid(peek) {
			return br // all of it, valid: nothing to decode
		}
		if name == "utf-8" || name == "utf8" || validUTF8Prefix(peek, err == nil || cut) {
			return unicode.UTF8.NewDecoder().Reader(br)
		}
		return charmap.Windows1252.NewDecoder().Reader(br)
	}
	if latin1Labels[name] {
		// As in browsers: mail labelled ISO-8859-1 routinely has
		// windows-1252 punctuation (curly quotes, dashes, euro).
		return charmap.Windows1252.NewDecoder().Reader(br)
	}
	if r, err := charset.Reader(name, br); err == nil {
		return r
	}
	// An unknown charset: read as UTF-8, invalid bytes replaced.
	return unicode.UTF8.NewDecoder().Reader(br)
}

var latin1Labels = map[string]bool{
	"iso-8859-1": true, "iso8859-1": true, "iso_8859-1": true, "iso_8859-1:1987": true,
	"latin1": true, "l1": true, "cp819": true, "ibm819": true, "iso-ir-100": true,
	"csisolatin1": true, "iso88591": true, "8859-1": true,
}

// validUTF8Prefix reports whether b is valid UTF-8; if more input follows
// b, a sequence cut at the end is allowed.
func validUTF8Prefix(b []byte, more bool) bool {
	if utf8.Valid(b) {
		return true
	}
	if !more {
		return false
	}
	for i := 1; i < utf8.UTFMax && i <= len(b); i++ {
		if tail := b[len(b)-i:]; utf8.RuneStart(tail[0]) {
			return !utf8.FullRune(tail) && utf8.Valid(b[:len(b)-i])
		}
	}
	return false
}

// normaliseText makes text safe to handle: valid UTF-8, "\n" line ends, no
// NUL.
func normaliseText(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	if strings.ContainsAny(s, "\r\x00") {
		s = strings.NewReplacer("\r\n", "\n", "\r", "\n", "\x00", "\uFFFD").Replace(s)
	}
	return s
}

// base64Reader decodes base64 leniently: characters outside the alphabet
// are skipped, "=" ends a quantum (so concatenated padded blocks work), and
// an incomplete quantum at the end gives the bytes it can.
type base64Reader struct {
	r    io.Reader
	in   [4096]byte
	dec  [3*4096/4 + 3]byte // decoded bytes of one read of in, reused
	out  []byte             // what of dec is not read yet
	quad [4]byte
	nq   int
	err  error
}

var base64Value = func() (t [256]int8) {
	for i := range t {
		t[i] = -1
	}
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	for i := 0; i < len(alphabet); i++ {
		t[alphabet[i]] = int8(i)
	}
	// URL-safe variants, seen in the wild.
	t['-'] = 62
	t['_'] = 63
	return t
}()

func (d *base64Reader) Read(p []byte) (int, error) {
	for len(d.out) == 0 {
		if d.err != nil {
			return 0, d.err
		}
		n, err := d.r.Read(d.in[:])
		buf := d.dec[:0]
		for _, c := range d.in[:n] {
			if c == '=' {
				buf = d.flush(buf)
				continue
			}
			v := base64Value[c]
			if v < 0 {
				continue
			}
			d.quad[d.nq] = byte(v)
			d.nq++
			if d.nq == 4 {
				buf = d.flush(buf)
			}
		}
		if err != nil {
			buf = d.flush(buf)
			d.err = err
		}
		d.out = buf
	}
	n := copy(p, d.out)
	d.out = d.out[n:]
	return n, nil
}

// flush appends the bytes of the current (possibly partial) quantum.
func (d *base64Reader) flush(buf []byte) []byte {
	q := d.quad
	switch d.nq {
	case 4:
		buf = append(buf, q[0]<<2|q[1]>>4, q[1]<<4|q[2]>>2, q[2]<<6|q[3])
	case 3:
		buf = append(buf, q[0]<<2|q[1]>>4, q[1]<<4|q[2]>>2)
	case 2:
		buf = append(buf, q[0]<<2|q[1]>>4)
	}
	d.nq = 0
	return buf
}

// qpReader decodes quoted-printable leniently: "=XX" (either case) is a
// byte, "=" at the end of a line is a soft break, any other "=" is kept as
// is, trailing white space before a line break is dropped, and control
// characters pass through.
type qpReader struct {
	r   io.Reader
	in  [4096]byte
	buf []byte // input not decoded yet
	dec []byte // decoded bytes, reused
	out []byte // what of dec is not read yet
	err error
}

// maxQPLine is how much of a line without a line break is held before
// decoding part of it.
const maxQPLine = 64 << 10

func (q *qpReader) Read(p []byte) (int, error) {
	for len(q.out) == 0 {
		if i := bytes.IndexByte(q.buf, '\n'); i >= 0 {
			q.dec = decodeQP(q.dec[:0], q.buf[:i+1], true)
			q.out = q.dec
			q.buf = q.buf[i+1:]
			continue
		}
		if q.err != nil {
			if len(q.buf) > 0 {
				q.dec = decodeQP(q.dec[:0], q.buf, true)
				q.out = q.dec
				q.buf = nil
				continue
			}
			return 0, q.err
		}
		if len(q.buf) > maxQPLine {
			// Keep a possibly unfinished "=XX" for later.
			cut := len(q.buf) - 2
			if q.buf[cut-1] == '=' {
				cut--
			} else if q.buf[cut-2] == '=' {
				cut -= 2
			}
			q.dec = decodeQP(q.dec[:0], q.buf[:cut], false)
			q.out = q.dec
			q.buf = append(q.buf[:0], q.buf[cut:]...)
			continue
		}
		n, err := q.r.Read(q.in[:])
		q.buf = append(q.buf, q.in[:n]...)
		q.err = err
	}
	n := copy(p, q.out)
	q.out = q.out[n:]
	return n, nil
}

func decodeQP(dst, line []byte, whole bool) []byte {
	eol := ""
	if whole {
		switch {
		case len(line) >= 2 && line[len(line)-2] == '\r' && line[len(line)-1] == '\n':
			eol = "\r\n"
		case len(line) >= 1 && line[len(line)-1] == '\n':
			eol = "\n"
		}
		line = line[:len(line)-len(eol)]
		// Transport padding.
		for len(line) > 0 && (line[len(line)-1] == ' ' || line[len(line)-1] == '\t') {
			line = line[:len(line)-1]
		}
		if len(line) > 0 && line[len(line)-1] == '=' {
			line = line[:len(line)-1]
			eol = "" // soft line break
		}
	}
	for i := 0; i < len(line); i++ {
		c := line[i]
		if c == '=' && i+2 < len(line) && isHexByte(line[i+1]) && isHexByte(line[i+2]) {
			dst = append(dst, byte(hexVal(rune(line[i+1]))<<4|hexVal(rune(line[i+2]))))
			i += 2
			continue
		}
		dst = append(dst, c)
	}
	return append(dst, eol...)
}

func isHexByte(c byte) bool { return isCSSHex(rune(c)) }
