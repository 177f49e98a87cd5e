package message

import (
	"strings"
	"testing"

	"github.com/emersion/go-imap/v2"
)

func text(sub, charset, enc string) *imap.BodyStructureSinglePart {
	return &imap.BodyStructureSinglePart{Type: "text", Subtype: sub, Params: map[string]string{"charset": charset}, Encoding: enc}
}

func TestSnippet(t *testing.T) {
	alt := &imap.BodyStructureMultiPart{Subtype: "alternative", Children: []imap.BodyStructure{text("plain", "utf-8", "7bit"), text("html", "utf-8", "7bit")},
		Extended: &imap.BodyStructureMultiPartExt{Params: map[string]string{"boundary": "b1"}}}
	htmlFirst := &imap.BodyStructureMultiPart{Subtype: "alternative", Children: []imap.BodyStructure{text("html", "utf-8", "7bit"), text("plain", "utf-8", "7bit")},
		Extended: &imap.BodyStructureMultiPartExt{Params: map[string]string{"boundary": "b1"}}}
	mixed := &imap.BodyStructureMultiPart{Subtype: "mixed", Children: []imap.BodyStructure{alt, &imap.BodyStructureSinglePart{Type: "application", Subtype: "pdf", Encoding: "base64"}},
		Extended: &imap.BodyStructureMultiPartExt{Params: map[string]string{"boundary": "b0"}}}
	altBody := "--b1\r\nContent-Type: text/plain\r\n\r\nThe plain one.\r\n--b1\r\nContent-Type: text/html\r\n\r\n<p>The HTML one.</p>\r\n--b1--\r\n"
	for _, c := range []struct {
		name string
		raw  string
		bs   imap.BodyStructure
		want string
	}{
		{"plain", "Hi Ann,\r\n\r\nThe plans   for\r\nFriday.\r\n", text("plain", "utf-8", "7bit"), "Hi Ann, The plans for Friday."},
		{"quotes, attribution, signature", "Yes, I agree.\r\n\r\nOn Mon, Bob wrote:\r\n> Shall we?\r\n> Yes\r\n-- \r\nAnn\r\n", text("plain", "utf-8", "7bit"), "Yes, I agree."},
		{"quoted-printable latin-1", "Gr=FC=DFe aus K=F6ln=\r\n und so\r\n", text("plain", "iso-8859-1", "quoted-printable"), "Grüße aus Köln und so"},
		{"base64", "SGVsbG8gd29ybGQ=\r\n", text("plain", "utf-8", "base64"), "Hello world"},
		{"html", "<html><head><title>T</title><style>p{color:red}</style></head><body><p>Big&nbsp;news</p><p>today</p></body></html>", text("html", "utf-8", "7bit"), "Big news today"},
		{"alternative: the plain part", altBody, alt, "The plain one."},
		{"alternative, html first: still the plain part", "--b1\r\nContent-Type: text/html\r\n\r\n<p>The HTML one.</p>\r\n--b1\r\nContent-Type: text/plain\r\n\r\nThe plain one.\r\n--b1--\r\n", htmlFirst, "The plain one."},
		{"mixed: its first child, an alternative", altBody, mixed, "The plain one."},
		{"cut short by the fetch", "--b1\r\nContent-Type: text/plain\r\n\r\nThe plain o", alt, "The plain o"},
		{"long: cut at a word", "one two three four five six seven eight nine ten eleven twelve", text("plain", "utf-8", "7bit"), "one two three four five six seven…"},
		{"not text", "%PDF-1.4", &imap.BodyStructureSinglePart{Type: "application", Subtype: "pdf"}, ""},
		{"no boundary", altBody, &imap.BodyStructureMultiPart{Subtype: "mixed", Children: []imap.BodyStructure{&imap.BodyStructureMultiPart{Subtype: "alternative", Children: []imap.BodyStructure{text("plain", "", "7bit")}}}}, ""},
	} {
		// Snippet reads part 1: the body of a single-part message, the
		// first child of a multipart one.
		bs := c.bs
		if c.name == "alternative: the plain part" || c.name == "alternative, html first: still the plain part" || c.name == "cut short by the fetch" {
			bs = &imap.BodyStructureMultiPart{Subtype: "mixed", Children: []imap.BodyStructure{c.bs}}
		}
		if got := Snippet([]byte(c.raw), bs, 40); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}

// TestSnippetCutInsideALetter: the fetch takes the first SnippetBytes
// bytes of the part, which may end inside a letter; unlabelled UTF-8
// stays UTF-8 (not windows-1252's "GrÃ¼ÃŸe").
func TestSnippetCutInsideALetter(t *testing.T) {
	raw := strings.Repeat("Grüße aus Köln. ", 100)[:SnippetBytes-1] + "\xc3"
	if got := Snippet([]byte(raw), text("plain", "", "8bit"), 30); !strings.HasPrefix(got, "Grüße aus Köln. Grüße") {
		t.Errorf("%q", got)
	}
}

// BenchmarkSnippet: one row's snippet from a kilobyte of quoted-printable
// Latin-1 text (the list decodes 50 of them a page).
func BenchmarkSnippet(b *testing.B) {
	raw := []byte(strings.Repeat("Gr=FC=DFe aus K=F6ln, es geht gut. ", 30)[:SnippetBytes])
	bs := text("plain", "iso-8859-1", "quoted-printable")
	b.ReportAllocs()
	for b.Loop() {
		if Snippet(raw, bs, 56) == "" {
			b.Fatal("no snippet")
		}
	}
}
