package compose

import (
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestHTMLToText(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, in, want string
	}{
		{"empty", "", ""},
		{"text", "Hello, world", "Hello, world"},
		{"entities", "a &amp; b &lt;c&gt; &quot;d&quot; &eacute; &#x1F600; &nbsp;x", `a & b <c> "d" é 😀 x`},
		{"white space collapsed", "  a \n\t b  <b> c </b>  ", "a b c"},
		{"br", "a<br>b<br/><br />c", "a\nb\n\nc"},
		{"many br give one empty line", "a<br><br><br><br>b", "a\n\nb"},
		{"paragraphs", "<p>one</p><p>two</p>three", "one\n\ntwo\n\nthree"},
		{"divs", "<div>one</div><div><div>two</div></div>", "one\ntwo"},
		{"headings", "<h1>Title</h1>text", "Title\n\ntext"},
		{"list", "<ul><li>a</li><li>b<ul><li>c</li></ul></li></ul>after", "- a\n- b\n  - c\n\nafter"},
		{"ordered list", "<ol><li>a<li>b</ol>", "1. a\n2. b"},
		{"paragraphs in list items", "<ul><li><p>a</p></li><li><div><p>b</p><p>c</p></div></li></ul>", "- a\n\n- b\n\nc"},
		{"link", `see <a href="https://example.com/x?a=1&amp;b=2">the page</a>.`, "see the page <https://example.com/x?a=1&b=2>."},
		{"link with its URL as text", `<a href="https://example.com/">https://example.com/</a>`, "https://example.com/"},
		{"mailto", `<a href="mailto:a@example.com">a@example.com</a> <a href="mailto:b@example.com">Bob</a>`, "a@example.com Bob <mailto:b@example.com>"},
		{"unsafe links", `<a href="javascript:alert(1)">x</a> <a href="data:text/html,x">y</a> <a href="https://e.com/a b">z</a>`, "x y z"},
		{"image link without alt", `<a href="https://example.com/"><img src="x.png"></a>text`, "text"},
		{"image alt", `<img alt="Logo">text <img alt=" ">`, "Logo text"},
		{"table", "<table><tr><td>a</td><td>b</td></tr><tr><td>c</td><td>d</td></tr></table>after", "a b\nc d\n\nafter"},
		{"blockquote", "<p>I agree.</p><blockquote>You said<blockquote>deeper</blockquote>this</blockquote>ok", "I agree.\n\n> You said\n>\n>> deeper\n>\n> this\n\nok"},
		{"pre", "<pre>  a  b\n    c</pre>d", "  a  b\n    c\n\nd"},
		{"skipped elements", "<head><title>T</title><style>p{}</style></head><body><script>x()</script><noscript>n</noscript><template>t</template><svg><text>s</text></svg>visible</body>", "visible"},
		{"unclosed head", "<head><title>T</title><body>visible", "visible"},
		{"hidden preview", `<div style="display: none; max-height:0">preview</div><span hidden>h</span><div>shown</div>`, "shown"},
		{"signature separator", "Thanks<br>-- <br>Bob", "Thanks\n-- \nBob"},
		{"control characters", "a\x00b\x1bc\u200bd", "abcd"},
		{"comments", "a<!-- b -->c", "ac"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tc.want, HTMLToText(tc.in)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestHTMLToTextNewsletter(t *testing.T) {
	t.Parallel()
	in, err := os.ReadFile("testdata/newsletter.html")
	if err != nil {
		t.Fatal(err)
	}
	want := `The Weekly Garden <https://garden.example/?utm_source=newsletter> View in browser <https://garden.example/web?id=42>

Spring is here!

Dear gardener,
the tulips are out & the bees are busy.

This week:

- Pruning roses
- Sowing tomatoes
  1. indoors
  2. in a greenhouse

Shop now → <https://garden.example/shop> https://garden.example/tips

> “A garden is a grand teacher.”
> — Gertrude Jekyll

Write to us: hello@garden.example

Unsubscribe | Unsubscribe properly <https://garden.example/unsubscribe?u=1&l=2>`
	if diff := cmp.Diff(want, HTMLToText(string(in))); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestHTMLToTextHostile checks that hostile input gives bounded output.
// (A blow-up in time shows as a test that does not finish;
// BenchmarkHTMLToTextNewsletter measures the ordinary cost.)
func TestHTMLToTextHostile(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		in   string
	}{
		{"deep divs", strings.Repeat("<div>", 200000) + "x" + strings.Repeat("</div>", 200000)},
		{"deep lists", strings.Repeat("<ul><li>", 100000) + "x"},
		{"deep quotes", strings.Repeat("<blockquote>", 100000) + "x"},
		{"deep links", strings.Repeat(`<a href="https://example.com/">a`, 100000)},
		{"deep tables", strings.Repeat("<table><tr><td>", 100000) + "x"},
		{"deep formatting", strings.Repeat("<b><i><font>", 100000) + "x"},
		{"huge text", strings.Repeat("word ", 4<<20)},
		{"huge pre", "<pre>" + strings.Repeat("line\n", 2<<20)},
		{"many paragraphs", strings.Repeat("<p>p</p>", 1<<20)},
		{"many breaks", strings.Repeat("<br>", 1<<20) + "x"},
		{"huge attribute", `<a href="https://example.com/` + strings.Repeat("a", 8<<20) + `">x</a>`},
		{"unclosed script", "<script>" + strings.Repeat("x", 1<<20)},
		{"nested quote marks", strings.Repeat("<blockquote><p>", 30) + "deep"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			out := HTMLToText(tc.in)
			if len(out) > maxQuoteBytes+64 {
				t.Errorf("output of %d bytes", len(out))
			}
			for _, l := range strings.Split(out, "\n") {
				if marks := len(l) - len(strings.TrimLeft(l, ">")); marks > maxQuoteMarks {
					t.Fatalf("%d quote marks", marks)
				}
				if indent := len(l) - len(strings.TrimLeft(l, " ")); indent > 2*maxListIndent {
					t.Fatalf("indent of %d", indent)
				}
			}
		})
	}
}

func BenchmarkHTMLToTextNewsletter(b *testing.B) {
	in, err := os.ReadFile("testdata/newsletter.html")
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		HTMLToText(string(in))
	}
}
