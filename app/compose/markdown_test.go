package compose

import (
	"strings"
	"testing"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"webmail/app/message"
)

func TestMarkdownHTML(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, in      string
		want, notWant []string
	}{
		{name: "emphasis", in: "**bold** and *it*", want: []string{"<strong>bold</strong>", "<em>it</em>"}},
		{name: "line breaks kept", in: "one\ntwo", want: []string{"one<br>\ntwo", "<p>"}},
		{name: "list", in: "- a\n- b", want: []string{"<ul>", "<li>a</li>"}},
		{name: "numbered list", in: "1. first\n2. second", want: []string{"<ol>", "<li>first</li>"}},
		{name: "quote", in: "> said\n\nreply", want: []string{"<blockquote>", "said"}},
		{name: "heading", in: "# Title", want: []string{"<h1>Title</h1>"}},
		{name: "autolink", in: "see https://example.org/a?b=1 now", want: []string{`<a href="https://example.org/a?b=1" target="_blank" rel="noopener noreferrer nofollow">`}},
		{name: "mail address", in: "write to ann@example.org", want: []string{`href="mailto:ann@example.org"`}},
		{name: "table", in: "| a | b |\n|---|--:|\n| 1 | 2 |", want: []string{"<table>", "<td>1</td>", `align="right"`}},
		{name: "strikethrough", in: "~~gone~~", want: []string{"<del>gone</del>"}},
		{name: "fenced code", in: "```\nx := 1\n```", want: []string{"<pre><code>x := 1"}},

		// Plain text stays what it was.
		{name: "signature is no heading", in: "Regards\n-- \nAnn", want: []string{"Regards<br>", "--<br>", "Ann"}, notWant: []string{"<h2", "<h1"}},
		{name: "underline is no heading", in: "Title\n=====", notWant: []string{"<h1"}},
		{name: "indented text is kept", in: "    indented", want: []string{"indented"}},
		{name: "reference lines stay", in: "see [1]\n\n[1]: https://example.org/x", want: []string{"[1]:", `href="https://example.org/x"`}},
		{name: "dashes under text are no table", in: "a\n---\nb", notWant: []string{"<table", "<h2"}},
		{name: "tags are text", in: "a <b>bold</b> claim", want: []string{"a &lt;b&gt;bold&lt;/b&gt; claim"}, notWant: []string{"<b>"}},
		{name: "star in an address", in: "mail a*b@example.org", notWant: []string{"<em>"}},
		{name: "snake_case", in: "call my_func_name", want: []string{"my_func_name"}, notWant: []string{"<em>"}},

		// Hostile input.
		{name: "script", in: "<script>alert(1)</script>", want: []string{"&lt;script&gt;"}},
		{name: "html block", in: "<div onclick=\"x()\">\n<img src=x onerror=alert(1)>\n</div>", want: []string{"&lt;img src=x onerror=alert(1)&gt;"}},
		{name: "javascript link", in: "[click](javascript:alert(1))", want: []string{"click"}, notWant: []string{"javascript"}},
		{name: "javascript autolink", in: "<javascript:alert(1)>"},
		{name: "entity-hidden javascript", in: "[x](jav&#x09;ascript:alert(1))", notWant: []string{"ascript:"}},
		{name: "data link", in: "[x](data:text/html;base64,PHNjcmlwdD4=)", notWant: []string{"data:"}},
		{name: "remote image", in: "![pixel](https://tracker.example/p.gif)", notWant: []string{"tracker.example"}},
		{name: "link title", in: `[x](https://example.org "t\" onmouseover=\"alert(1)")`, want: []string{`href="https://example.org"`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := MarkdownHTML(tc.in, nil)
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("MarkdownHTML(%q) = %q, want it to contain %q", tc.in, got, w)
				}
			}
			for _, w := range tc.notWant {
				if strings.Contains(got, w) {
					t.Errorf("MarkdownHTML(%q) = %q, want no %q", tc.in, got, w)
				}
			}
			checkInert(t, got)
		})
	}
}

// checkInert parses out as a browser would and fails on anything active:
// script or style elements, event handler attributes, URLs other than
// http, https and mailto.
func checkInert(t *testing.T, out string) {
	t.Helper()
	nodes, err := html.ParseFragment(strings.NewReader(out), &html.Node{Type: html.ElementNode, Data: "body", DataAtom: atom.Body})
	if err != nil {
		t.Fatal(err)
	}
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			switch n.Data {
			case "script", "style", "iframe", "object", "embed", "form", "svg", "math", "link", "meta":
				t.Errorf("<%s> in %q", n.Data, out)
			}
			for _, a := range n.Attr {
				k := strings.ToLower(a.Key)
				if strings.HasPrefix(k, "on") || k == "style" && strings.Contains(a.Val, "url(") {
					t.Errorf("attribute %s=%q in %q", a.Key, a.Val, out)
				}
				if (k == "href" || k == "src") && !strings.HasPrefix(a.Val, "https://") && !strings.HasPrefix(a.Val, "http://") && !strings.HasPrefix(a.Val, "mailto:") && !strings.HasPrefix(a.Val, "data:image/") {
					t.Errorf("%s=%q in %q", a.Key, a.Val, out)
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	for _, n := range nodes {
		walk(n)
	}
}

func TestWriteToMarkdown(t *testing.T) {
	t.Parallel()
	typed := "Hello **Bob**,\n\n- one\n- two\n\n<script>x</script>\n"
	t.Run("alternative", func(t *testing.T) {
		t.Parallel()
		d := baseDraft()
		d.Body = typed
		d.HTML = MarkdownHTML(typed, nil)
		raw := writeDraft(t, d, false)
		w := parseWritten(t, raw)
		if w.Text != typed {
			t.Errorf("text part %q, want the Markdown as typed %q", w.Text, typed)
		}
		if !strings.Contains(w.HTML, "<strong>Bob</strong>") || !strings.Contains(w.HTML, "<li>one</li>") || strings.Contains(w.HTML, "<script") {
			t.Errorf("HTML part %q", w.HTML)
		}
		if !strings.Contains(string(raw), "Content-Type: multipart/alternative;") {
			t.Errorf("not multipart/alternative:\n%s", raw)
		}
	})
	t.Run("with attachments", func(t *testing.T) {
		t.Parallel()
		d := baseDraft()
		d.Body = typed
		d.HTML = MarkdownHTML(typed, nil)
		a, sum := noiseAttachment("a.bin", "application/octet-stream", 5000, 1)
		d.Attachments = []Attachment{a}
		raw := writeDraft(t, d, false)
		w := parseWritten(t, raw)
		if w.Text != typed || !strings.Contains(w.HTML, "<strong>Bob</strong>") {
			t.Errorf("text %q, HTML %q", w.Text, w.HTML)
		}
		if len(w.Attachments) != 1 || w.Attachments[0].SHA256 != sum {
			t.Errorf("attachments %+v", w.Attachments)
		}
		s := string(raw)
		if i, j := strings.Index(s, "multipart/mixed"), strings.Index(s, "multipart/alternative"); i < 0 || j < i {
			t.Errorf("want multipart/mixed holding multipart/alternative:\n%s", s)
		}
	})
}

// TestWriteToInlineImages: images the HTML shows by cid: travel in a
// multipart/related with it, the others are attachments; a cid: the
// message does not carry is dropped from the HTML.
func TestWriteToInlineImages(t *testing.T) {
	t.Parallel()
	typed := "Look: ![map](cid:map1@inline.webmail) and ![x](cid:other@example.org)\n"
	d := baseDraft()
	d.Body = typed
	d.HTML = MarkdownHTML(typed, []string{"map1@inline.webmail", "bad id"})
	if !strings.Contains(d.HTML, `src="cid:map1@inline.webmail"`) || strings.Contains(d.HTML, "other@example.org") || strings.Contains(d.HTML, "data:") {
		t.Fatalf("HTML %q, want the carried cid: image only", d.HTML)
	}
	img, _ := noiseAttachment("map.png", "image/png", 3000, 2)
	img.ContentID = "map1@inline.webmail"
	doc, docSum := noiseAttachment("notes.pdf", "application/pdf", 4000, 3)
	for _, tc := range []struct {
		name  string
		atts  []Attachment
		shape []string // the multipart types, in order of appearance
	}{
		{"inline only", []Attachment{img}, []string{"multipart/alternative", "multipart/related"}},
		{"inline and attached", []Attachment{doc, img}, []string{"multipart/mixed", "multipart/alternative", "multipart/related"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := *d
			d.Attachments = tc.atts
			raw := string(writeDraft(t, &d, false))
			at := 0
			for _, typ := range tc.shape {
				i := strings.Index(raw[at:], "Content-Type: "+typ)
				if i < 0 {
					t.Fatalf("no %s after byte %d:\n%s", typ, at, raw)
				}
				at += i
			}
			w := parseWritten(t, []byte(raw))
			if len(w.Inline) != 1 || w.Inline[0] != "<map1@inline.webmail>" {
				t.Errorf("inline parts %q", w.Inline)
			}
			if w.Text != typed || !strings.Contains(w.HTML, `cid:map1@inline.webmail`) {
				t.Errorf("text %q HTML %q", w.Text, w.HTML)
			}
			wantAtt := len(tc.atts) - 1
			if len(w.Attachments) != wantAtt || wantAtt == 1 && w.Attachments[0].SHA256 != docSum {
				t.Errorf("attachments %+v", w.Attachments)
			}
		})
	}
}

// BenchmarkMarkdownRender renders and sanitises a 20 KB Markdown body, as
// a send does once.
func BenchmarkMarkdownRender(b *testing.B) {
	para := "Hello **team**, here is the *plan* for the week, with a link to https://example.org/plan and `code`.\n" +
		"- first item with some words\n- second item, ~~struck~~\n\n> a quoted line from the last message\n\n"
	body := strings.Repeat(para, 20<<10/len(para)+1)[:20<<10]
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		MarkdownHTML(body, nil)
	}
}

func TestSplitForward(t *testing.T) {
	t.Parallel()
	body := Forward(original()).Body
	note, header, ok := SplitForward("Have a look\n" + body)
	if !ok || note != "Have a look\n\n" || len(header) < 3 || header[0] != forwardMarker || !strings.HasPrefix(header[1], "From: ") {
		t.Errorf("SplitForward = %q, %q, %v", note, header, ok)
	}
	if _, _, ok := SplitForward("no block here\n-------- Forwarded --------\n"); ok {
		t.Error("SplitForward found a block that is not there")
	}
	got := ForwardHTML("**Hi**", nil, []string{forwardMarker, "From: <script>x</script>"}, `<p onclick="x()">Original</p><script>y()</script>`, message.SanitizeOptions{})
	if !strings.Contains(got, "<strong>Hi</strong>") || !strings.Contains(got, "From: &lt;script&gt;") || !strings.Contains(got, "<p>Original</p>") {
		t.Errorf("ForwardHTML = %q", got)
	}
	checkInert(t, got)
}
