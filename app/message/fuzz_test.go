package message

import (
	"bytes"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
)

// fuzzCID maps one content ID, so cid: paths are exercised too.
func fuzzCID(id string) (string, bool) {
	return "data:image/gif;base64,R0lGODlhAQABAAAAACw=", id == "a@b"
}

// visibleText is the text a reader would see in a fragment, with white
// space folded: the measure of "the same content" between two passes.
func visibleText(fragment string) string {
	doc, err := html.Parse(strings.NewReader("<!DOCTYPE html><html><head></head><body>" + fragment + "</body></html>"))
	if err != nil {
		return "<unparsable: " + err.Error() + ">"
	}
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && n.Data == "style" {
			return
		}
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	return strings.Join(strings.FieldsFunc(b.String(), unicode.IsSpace), " ")
}

// FuzzSanitizeHTML checks the sanitiser's invariants on arbitrary input:
// the output, parsed as the frame document, has no forbidden element,
// attribute, URL or CSS (see sanitizedProblems), and sanitising the output
// again is stable: same visible text, still no problems.
func FuzzSanitizeHTML(f *testing.F) {
	for _, s := range []string{
		`<p style="color:red">x</p><img src=x onerror=alert(1)>`,
		`<svg><style><img src=x onerror=alert(1)></style></svg>`,
		`<a href="jav&#x09;ascript:alert(1)">x</a>`,
		`<style>p{background:url(https://t/x)}</style><p class=a>x</p>`,
		`<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>`,
		`<table background="https://t/x"><tr><td style="background:url(cid:a@b)">x`,
		`<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		for _, remote := range []bool{false, true} {
			opt := SanitizeOptions{AllowRemote: remote, CID: fuzzCID}
			s := SanitizeHTML(in, opt)
			if p := sanitizedProblems(s.HTML, remote); len(p) > 0 {
				t.Fatalf("remote=%v: problems %q\ninput:  %q\noutput: %q", remote, p, in, s.HTML)
			}
			again := SanitizeHTML(s.HTML, opt)
			if p := sanitizedProblems(again.HTML, remote); len(p) > 0 {
				t.Fatalf("remote=%v: second pass problems %q\ninput:  %q\noutput: %q", remote, p, s.HTML, again.HTML)
			}
			if a, b := visibleText(s.HTML), visibleText(again.HTML); a != b {
				t.Fatalf("remote=%v: second pass changed the text\nfirst:  %q\nsecond: %q\ninput: %q", remote, a, b, in)
			}
		}
	})
}

// FuzzRender feeds arbitrary bytes to the whole pipeline as a raw message:
// it must not panic or fail, and what it renders must pass the same
// invariants, with safe attachment names.
func FuzzRender(f *testing.F) {
	f.Add([]byte("Content-Type: text/html\r\n\r\n<img src=x onerror=alert(1)>"))
	f.Add([]byte("Content-Type: multipart/alternative; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain; format=flowed\r\n\r\nhi \r\nthere\r\n--b\r\nContent-Type: text/html; charset=koi8-r\r\nContent-Transfer-Encoding: base64\r\n\r\nPGI+eDwvYj4=\r\n--b--\r\n"))
	// Raw 8-bit headers, an undecodable encoded word, a boundary that
	// never appears, forwarded messages nested beyond the bound, headers.
	f.Add([]byte("From: M\xfcller <m@example.net>\r\nSubject: Gr\xfc\xdfe\r\nContent-Type: text/plain; charset=iso-8859-2\r\n\r\nx"))
	f.Add([]byte("Subject: =?x-unknown?q?abc?= =?utf-8?q?Caf=C3=A9?= =?utf-8?b?!!?=\r\n\r\nx"))
	f.Add([]byte("Content-Type: multipart/mixed; boundary=zzz\r\n\r\nno boundary here\r\n"))
	f.Add([]byte("Content-Type: message/rfc822\r\n\r\nSubject: a\r\nContent-Type: message/rfc822\r\n\r\nSubject: b\r\nContent-Type: message/rfc822\r\n\r\nSubject: c\r\nContent-Type: message/rfc822\r\n\r\nSubject: d\r\nContent-Type: text/html\r\n\r\n<script>x</script>"))
	f.Add([]byte("Content-Type: multipart/report; boundary=r\r\n\r\n--r\r\nContent-Type: text/rfc822-headers\r\n\r\nFrom: \xe9 <a@b>\r\nSubject: =?utf-8?q?x?=\r\n--r--\r\n"))
	f.Add([]byte("Content-Type: multipart/related; boundary=r\r\n\r\n--r\r\nContent-Type: text/html\r\n\r\n<img src=cid:a@b>\r\n--r\r\nContent-Type: image/gif\r\nContent-ID: <a@b>\r\nContent-Transfer-Encoding: base64\r\n\r\nR0lGODlhAQABAAAAACw=\r\n--r--\r\n"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		for _, remote := range []bool{false, true} {
			r, err := Render(bytes.NewReader(raw), SanitizeOptions{AllowRemote: remote})
			if err != nil {
				t.Fatalf("Render: %v", err)
			}
			for _, b := range bodies(r.Body) {
				if p := sanitizedProblems(b.HTML.HTML, remote); len(p) > 0 {
					t.Fatalf("remote=%v: HTML problems %q\noutput: %q", remote, p, b.HTML.HTML)
				}
				if p := sanitizedProblems(b.TextHTML, false); len(p) > 0 {
					t.Fatalf("text problems %q\noutput: %q", p, b.TextHTML)
				}
				for _, p := range append(b.Layout.Inline, b.Layout.Downloads()...) {
					name := p.DownloadName()
					if name == "" || strings.ContainsAny(name, "/\\\"<>") || strings.HasPrefix(name, ".") {
						t.Fatalf("unsafe download name %q", name)
					}
				}
			}
			for _, s := range []string{r.Subject, r.From} {
				if !utf8.ValidString(s) {
					t.Fatalf("header text is not UTF-8: %q", s)
				}
			}
		}
	})
}
