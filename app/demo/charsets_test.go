package demo

import (
	"fmt"
	"io"
	"strings"
	"testing"
)

// decode converts text in the charset back to UTF-8. It is the inverse of
// encode, for the tests only: the webmail would use go-message/charset.
func (c legacyCharset) decode(b []byte) (string, error) {
	var sb strings.Builder
	for i := 0; i < len(b); i++ {
		x := b[i]
		switch {
		case x < 0x80:
			sb.WriteByte(x)
		case c == latin1 || c == windows1252 && x >= 0xA0:
			sb.WriteRune(rune(x))
		case c == windows1252:
			sb.WriteRune([]rune(windows1252High)[x-0x80])
		case c == koi8r && x >= 0xC0:
			sb.WriteRune([]rune(koi8rLetters)[x-0xC0])
		case c == shiftJIS && i+1 < len(b):
			code := uint16(x)<<8 | uint16(b[i+1])
			r, ok := shiftJISRune(code)
			if !ok {
				return "", fmt.Errorf("unknown Shift_JIS code %#04x", code)
			}
			sb.WriteRune(r)
			i++
		default:
			return "", fmt.Errorf("unknown %s byte %#02x", c, x)
		}
	}
	return sb.String(), nil
}

func shiftJISRune(code uint16) (rune, bool) {
	for r, c := range shiftJISTable {
		if c == code {
			return r, true
		}
	}
	return 0, false
}

// testCharsetReader is a mime.WordDecoder.CharsetReader for the demo's
// legacy charsets. It stands in for go-message/charset.Reader, which needs
// golang.org/x/text (not in go.sum).
func testCharsetReader(label string, input io.Reader) (io.Reader, error) {
	for _, c := range []legacyCharset{latin1, windows1252, koi8r, shiftJIS} {
		if strings.EqualFold(label, string(c)) {
			b, err := io.ReadAll(input)
			if err != nil {
				return nil, err
			}
			s, err := c.decode(b)
			return strings.NewReader(s), err
		}
	}
	return nil, fmt.Errorf("unhandled charset %q", label)
}

func TestLegacyCharsets(t *testing.T) {
	tests := []struct {
		charset legacyCharset
		text    string
		want    string // encoded, if checked
	}{
		{latin1, subjectLatin1, "R\xe9servation confirm\xe9e pour le d\xeener \xe0 Gen\xe8ve"},
		{latin1, bodyLatin1, ""},
		{latin1, hotel.Name, ""},
		{windows1252, subjectWindows1252, "Don\x92t miss it: \x93Spring Sale\x94 \x96 20 \x80 off"},
		{windows1252, bodyWindows1252, ""},
		{koi8r, subjectKOI8R, "\xf0\xd2\xc9\xd7\xc5\xd4 \xc9\xda \xed\xcf\xd3\xcb\xd7\xd9"},
		{koi8r, bodyKOI8R, ""},
		{shiftJIS, subjectShiftJIS, "\x89\xef\x8b\x63\x82\xcc\x8b\x63\x8e\x96\x98\x5e\x82\xc9\x82\xc2\x82\xa2\x82\xc4"},
		{shiftJIS, bodyShiftJIS, ""},
	}
	for _, tt := range tests {
		b, err := tt.charset.encode(tt.text)
		if err != nil {
			t.Errorf("%s: %v", tt.charset, err)
			continue
		}
		if tt.want != "" && string(b) != tt.want {
			t.Errorf("%s encode(%q) = %q, want %q", tt.charset, tt.text, b, tt.want)
		}
		if got, err := tt.charset.decode(b); err != nil || got != tt.text {
			t.Errorf("%s round trip of %q = %q, %v", tt.charset, tt.text, got, err)
		}
	}

	if _, err := koi8r.encode("Ёлка"); err == nil {
		t.Error("KOI8-R encode of a character outside the table succeeded")
	}
	if _, err := windows1252.encode("\uFFFD"); err == nil {
		t.Error("windows-1252 encode of U+FFFD succeeded")
	}
}
