package message

import (
	"bytes"
	"os"
	"strings"
	"testing"
)

// BenchmarkSanitizeNewsletter sanitises a 33 kB table-layout newsletter with
// a style sheet, inline styles and remote images.
func BenchmarkSanitizeNewsletter(b *testing.B) {
	in := readNewsletter(b)
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		SanitizeHTML(in, SanitizeOptions{})
	}
}

// BenchmarkRenderNewsletter runs the whole pipeline on a newsletter message
// (quoted-printable HTML, flowed text, an inline cid: image).
func BenchmarkRenderNewsletter(b *testing.B) {
	raw, err := os.ReadFile("testdata/messages/newsletter.eml")
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Render(bytes.NewReader(raw), SanitizeOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkTextToHTML converts a long quoted, linked plain-text reply.
func BenchmarkTextToHTML(b *testing.B) {
	para := "Hello, see https://example.com/some/path?x=1 and mailto:bob@example.org for details.\n" +
		"> Quoted line with more text, and a <tag> & an ampersand.\n>> Deeper quote.\n\n"
	in := strings.Repeat(para, 500)
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		TextToHTML(in, false, false)
	}
}
