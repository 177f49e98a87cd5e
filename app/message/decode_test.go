package message

import (
	"bytes"
	"encoding/base64"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/google/go-cmp/cmp"
)

func TestDecodeText(t *testing.T) {
	t.Parallel()
	textPart := func(charset, enc string) Part {
		p := Part{Type: "text/plain", Encoding: enc, Params: map[string]string{}}
		if charset != "" {
			p.Params["charset"] = charset
		}
		return p
	}
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	for _, tc := range []struct {
		name string
		in   string
		part Part
		want string
	}{
		{"utf-8", "caf\xc3\xa9\r\nline", textPart("utf-8", "8bit"), "café\nline"},
		{"iso-8859-1", "Caf\xe9 na\xefve", textPart("ISO-8859-1", "8bit"), "Café naïve"},
		{"iso-8859-1 with windows-1252 punctuation", "\x93hi\x94", textPart("iso-8859-1", "8bit"), "“hi”"},
		{"windows-1252", "\x80 \x93quoted\x94 \x91x\x92 \x96 \x85", textPart("windows-1252", "8bit"), "€ “quoted” ‘x’ – …"},
		{"shift_jis", "\x93\xfa\x96\x7b\x8c\xea", textPart("Shift_JIS", "8bit"), "日本語"},
		{"koi8-r", "\xf0\xd2\xc9\xd7\xc5\xd4", textPart("koi8-r", "8bit"), "Привет"},
		{"iso-2022-jp", "\x1b$BF|K\\8l\x1b(B", textPart("iso-2022-jp", "7bit"), "日本語"},
		{"gb2312", "\xd6\xd0\xce\xc4", textPart("gb2312", "8bit"), "中文"},
		{"quoted charset", "\xe9", textPart(`"ISO-8859-1"`, "8bit"), "é"},
		{"quoted-printable", "Caf=E9 soft=\r\nbreak =3D=3d tail   \r\nx=\r\n", textPart("iso-8859-1", "quoted-printable"), "Café softbreak == tail\nx"},
		{"quoted-printable utf-8", "=E2=82=AC=20", textPart("utf-8", "Quoted-Printable"), "€ "},
		{"quoted-printable lenient", "a=zz b= c\x1b=4", textPart("utf-8", "quoted-printable"), "a=zz b= c\x1b=4"},
		{"base64", b64("héllo\r\nworld"), textPart("utf-8", "base64"), "héllo\nworld"},
		{"base64 folded", "aMOp\r\nbGxv\r\n", textPart("utf-8", "BASE64"), "héllo"},
		{"base64 garbage", "aM!!Op bG\x00xv*==junk", textPart("utf-8", "base64"), "héllo\uFFFD\uFFFD\uFFFD"},
		{"base64 without padding", "aMOpbGw", textPart("utf-8", "base64"), "héll"},
		{"unknown charset", "caf\xc3\xa9 \xe9", textPart("x-no-such-charset", "8bit"), "café \uFFFD"},
		{"unlabelled utf-8", "caf\xc3\xa9", textPart("", "8bit"), "café"},
		{"unlabelled latin-1 guessed", "caf\xe9", textPart("", "8bit"), "café"},
		{"us-ascii with 8-bit bytes", "caf\xe9", textPart("us-ascii", "8bit"), "café"},
		{"html meta charset", "<meta charset=\"koi8-r\"><p>\xf0\xd2\xc9\xd7\xc5\xd4", Part{Type: "text/html", Encoding: "8bit", Params: map[string]string{}},
			"<meta charset=\"koi8-r\"><p>Привет"},
		{"html meta naming a replacement encoding ignored", "<meta charset=iso-2022-kr><p>hi", Part{Type: "text/html", Encoding: "8bit", Params: map[string]string{}},
			"<meta charset=iso-2022-kr><p>hi"},
		{"NUL replaced", "a\x00b", textPart("utf-8", "8bit"), "a\uFFFDb"},
		{"utf-16 with BOM", "\xff\xfeh\x00i\x00", textPart("utf-16", "binary"), "hi"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, truncated, err := DecodeText(iotest.HalfReader(strings.NewReader(tc.in)), tc.part, 0)
			if err != nil {
				t.Fatal(err)
			}
			if truncated {
				t.Errorf("truncated without a limit")
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestDecodeTextLimit(t *testing.T) {
	t.Parallel()
	p := Part{Type: "text/plain", Encoding: "8bit", Params: map[string]string{"charset": "utf-8"}}
	for _, tc := range []struct {
		in        string
		limit     int64
		want      string
		truncated bool
	}{
		{"hello", 5, "hello", false},
		{"hello!", 5, "hello", true},
		{"日本語", 4, "日", true}, // no cut inside a character
		{"日本語", 2, "", true},
		{"abc", -1, "abc", false},
	} {
		got, truncated, err := DecodeText(strings.NewReader(tc.in), p, tc.limit)
		if err != nil {
			t.Fatal(err)
		}
		if got != tc.want || truncated != tc.truncated {
			t.Errorf("DecodeText(%q, %d) = %q, %v; want %q, %v", tc.in, tc.limit, got, truncated, tc.want, tc.truncated)
		}
	}
	// The limit is on the decoded text, not on the input.
	latin := strings.Repeat("\xe9", 10)
	got, truncated, _ := DecodeText(strings.NewReader(latin), Part{Encoding: "8bit", Params: map[string]string{"charset": "iso-8859-1"}}, 7)
	if got != "ééé" || !truncated {
		t.Errorf("latin-1 limit: %q, %v", got, truncated)
	}
}

func TestDecodeTextReaderError(t *testing.T) {
	t.Parallel()
	boom := errors.New("connection lost")
	r := io.MultiReader(strings.NewReader("partial text"), iotest.ErrReader(boom))
	got, _, err := DecodeText(r, Part{Encoding: "7bit", Params: map[string]string{}}, 0)
	if !errors.Is(err, boom) {
		t.Errorf("err = %v, want %v", err, boom)
	}
	if got != "partial text" {
		t.Errorf("text = %q", got)
	}
}

func TestDecodeBinary(t *testing.T) {
	t.Parallel()
	data := make([]byte, 200<<10)
	for i := range data {
		data[i] = byte(i * 7)
	}
	enc := base64.StdEncoding.EncodeToString(data)
	var folded strings.Builder
	for i := 0; i < len(enc); i += 76 {
		folded.WriteString(enc[i:min(i+76, len(enc))])
		folded.WriteString("\r\n")
	}
	for _, tc := range []struct {
		name, enc, in string
		want          []byte
	}{
		{"base64 folded, byte by byte", "base64", folded.String(), data},
		{"base64 concatenated blocks", "base64", "YQ==Yg==", []byte("ab")},
		{"base64 url-safe alphabet", "base64", "-_-_", []byte{0xfb, 0xff, 0xbf}},
		{"qp binary", "quoted-printable", "=00=FF=0D=0A\r\nx", []byte{0, 0xff, '\r', '\n', '\r', '\n', 'x'}},
		{"qp very long line", "quoted-printable", strings.Repeat("ab=3D", 30000), bytes.Repeat([]byte("ab="), 30000)},
		{"qp soft break at the end", "quoted-printable", "abc=", []byte("abc")},
		{"7bit passes through", "7bit", "a\r\nb", []byte("a\r\nb")},
		{"unknown encoding passes through", "x-uuencode", "begin 644", []byte("begin 644")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := io.ReadAll(DecodeBinary(iotest.OneByteReader(strings.NewReader(tc.in)), tc.enc))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, tc.want) {
				t.Errorf("got %d bytes %q..., want %d bytes %q...", len(got), got[:min(len(got), 20)], len(tc.want), tc.want[:min(len(tc.want), 20)])
			}
		})
	}
	if err := iotest.TestReader(DecodeBinary(strings.NewReader(enc), "base64"), data); err != nil {
		t.Errorf("base64 reader: %v", err)
	}
	qp := strings.Repeat("line with =E9 and a soft =\r\nbreak\r\n", 1000)
	want, _ := io.ReadAll(DecodeBinary(strings.NewReader(qp), "quoted-printable"))
	if err := iotest.TestReader(DecodeBinary(strings.NewReader(qp), "quoted-printable"), want); err != nil {
		t.Errorf("qp reader: %v", err)
	}
}
