package message

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestTextToHTML(t *testing.T) {
	t.Parallel()
	const (
		web  = `target="_blank" rel="noopener noreferrer nofollow"`
		open = `<div class="text">`
	)
	for _, tc := range []struct {
		name          string
		in            string
		flowed, delSp bool
		want          string
	}{
		{name: "escaping", in: `<b>"bold" & 'x'</b>`, want: open + `&lt;b&gt;&#34;bold&#34; &amp; &#39;x&#39;&lt;/b&gt;</div>`},
		{name: "line ends", in: "a\r\nb\rc\n", want: open + "a\nb\nc</div>"},
		{name: "link", in: "see https://example.com/a?b=1&c=2 now",
			want: open + `see <a href="https://example.com/a?b=1&amp;c=2" ` + web + `>https://example.com/a?b=1&amp;c=2</a> now</div>`},
		{name: "trailing punctuation", in: "(https://example.com/x). https://example.com/y, https://example.com/z!? 'https://example.com/q'",
			want: open + `(<a href="https://example.com/x" ` + web + `>https://example.com/x</a>). ` +
				`<a href="https://example.com/y" ` + web + `>https://example.com/y</a>, ` +
				`<a href="https://example.com/z" ` + web + `>https://example.com/z</a>!? ` +
				`&#39;<a href="https://example.com/q" ` + web + `>https://example.com/q</a>&#39;</div>`},
		{name: "balanced parentheses kept", in: "https://en.wikipedia.org/wiki/Go_(programming_language)",
			want: open + `<a href="https://en.wikipedia.org/wiki/Go_(programming_language)" ` + web + `>https://en.wikipedia.org/wiki/Go_(programming_language)</a></div>`},
		{name: "angle brackets end a URL", in: "<https://example.com/a>",
			want: open + `&lt;<a href="https://example.com/a" ` + web + `>https://example.com/a</a>&gt;</div>`},
		{name: "quote in URL cannot break out", in: `https://example.com/"onmouseover="alert(1)`,
			want: open + `<a href="https://example.com/" ` + web + `>https://example.com/</a>&#34;onmouseover=&#34;alert(1)</div>`},
		{name: "mailto", in: "write to mailto:bob@example.com.",
			want: open + `write to <a class="mailto" href="mailto:bob@example.com">mailto:bob@example.com</a>.</div>`},
		{name: "mailto without address", in: "mailto:nobody", want: open + `mailto:nobody</div>`},
		{name: "refused schemes", in: "javascript:alert(1) JavaScript:alert(2) data:text/html,<b>x</b> vbscript:x file:///etc/passwd ftp://example.com/",
			want: open + `javascript:alert(1) JavaScript:alert(2) data:text/html,&lt;b&gt;x&lt;/b&gt; vbscript:x file:///etc/passwd ftp://example.com/</div>`},
		{name: "scheme glued to a word", in: "xhttps://example.com/", want: open + `xhttps://example.com/</div>`},
		{name: "no host", in: "https:// and http://", want: open + `https:// and http://</div>`},
		{name: "quotes by depth", in: "hi\n> one\n>> two\n> > two too\n> one again\nback",
			want: open + `hi<blockquote class="q q1">one<blockquote class="q q2">two` + "\n" + `two too</blockquote>one again</blockquote>back</div>`},
		{name: "quote at the end", in: "a\n> b", want: open + `a<blockquote class="q q1">b</blockquote></div>`},
		{name: "signature", in: "body\n-- \nBob\nhttps://bob.example/",
			want: open + "body" + `<div class="sig">-- ` + "\nBob\n" + `<a href="https://bob.example/" ` + web + `>https://bob.example/</a></div></div>`},
		{name: "signature ends at a quote", in: "x\n-- \nBob\n> quoted",
			want: open + "x" + `<div class="sig">-- ` + "\nBob</div>" + `<blockquote class="q q1">quoted</blockquote></div>`},
		{name: "double dash is not a signature", in: "a\n--\nb", want: open + "a\n--\nb</div>"},
		{name: "flowed", in: "This is a \nflowed paragraph.\nFixed line.\n", flowed: true,
			want: open + "This is a flowed paragraph.\nFixed line.</div>"},
		{name: "flowed delsp", in: "Japanese \ntext joined\n", flowed: true, delSp: true,
			want: open + "Japanesetext joined</div>"},
		{name: "flowed space-stuffing", in: " From here\n >not a quote\n", flowed: true,
			want: open + "From here\n&gt;not a quote</div>"},
		{name: "flowed quotes", in: "> quoted \n> soft\n>> deeper \n>> too\n> back\n", flowed: true,
			want: open + `<blockquote class="q q1">quoted soft<blockquote class="q q2">deeper too</blockquote>back</blockquote></div>`},
		{name: "flowed signature not joined", in: "text \n-- \nsig\n", flowed: true,
			want: open + `text <div class="sig">-- ` + "\nsig</div></div>"},
		{name: "flowed depth change ends a paragraph", in: "> a \nb\n", flowed: true,
			want: open + `<blockquote class="q q1">a </blockquote>b</div>`},
		{name: "deep quotes capped", in: ">>>>>>>>>>>>>>>>>>>>>>>>>x",
			want: open + repeat(`<blockquote class="q q%d">`, 16) + "x" + repeatPlain("</blockquote>", 16) + "</div>"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := TextToHTML(tc.in, tc.flowed, tc.delSp)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			if p := sanitizedProblems(got, false); len(p) > 0 {
				t.Errorf("problems: %v", p)
			}
		})
	}
}

func repeat(format string, n int) string {
	s := ""
	for i := 1; i <= n; i++ {
		s += fmt.Sprintf(format, i)
	}
	return s
}

func repeatPlain(s string, n int) string {
	out := ""
	for i := 0; i < n; i++ {
		out += s
	}
	return out
}
