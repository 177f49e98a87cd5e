package message

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"golang.org/x/net/html"
)

// forbiddenSelector lists elements that must never be in sanitised output.
const forbiddenSelector = "script, svg, math, iframe, frame, frameset, object, embed, applet, " +
	"form, input, button, textarea, select, option, base, meta, link, noscript, template, " +
	"noembed, noframes, xmp, plaintext, title, video, audio, source, picture, portal, " +
	"param, canvas, area, map, dialog, isindex"

// forbiddenAttrs must never be in sanitised output, on any element.
var forbiddenAttrs = map[string]bool{
	"srcset": true, "background": true, "formaction": true, "action": true,
	"srcdoc": true, "ping": true, "download": true, "http-equiv": true,
	"data": true, "poster": true, "dynsrc": true, "lowsrc": true, "xmlns": true,
	"autofocus": true, "contenteditable": true, "name": true,
}

var (
	// reCSSPieces finds, in order: url("...") with its contents, any other
	// url(, and quoted strings (whose contents are only text).
	reCSSPieces      = regexp.MustCompile(`(?i)url\(\s*"((?:[^"\\]|\\.)*)"\s*\)|url\(|"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'`)
	reForbiddenCSS   = regexp.MustCompile(`(?i)(?:^|[;{\s])(?:position|transform|content|z-index|behavior|inset)\s*:|expression|binding|var\(|env\(|attr\(|image-set|image\(|cross-fade|element\(|@import|@font-face|@namespace|javascript|vbscript|\\`)
	reDataImageCheck = regexp.MustCompile(`^data:image/(png|gif|jpeg|jpg|pjpeg|webp|bmp|avif|x-icon|vnd\.microsoft\.icon);base64,[A-Za-z0-9+/=]+$`)
)

// urlForCheck reads an attribute URL the way a browser's URL parser would
// start to (independently of the code under test).
func urlForCheck(v string) string {
	v = strings.TrimFunc(v, func(r rune) bool { return r <= ' ' })
	v = strings.NewReplacer("\t", "", "\n", "", "\r", "").Replace(v)
	return strings.ToLower(v)
}

// sanitizedProblems parses a fragment as the app's frame document would
// (inside <body>, scripting disabled as in a sandbox without
// allow-scripts) and lists everything in it that must not be there. It is
// the invariant of the corpus tests and of the fuzzers.
func sanitizedProblems(fragment string, remote bool) []string {
	var problems []string
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }

	if strings.Contains(strings.ToLower(fragment), "<script") {
		bad("raw <script in output")
	}
	doc, err := html.ParseWithOptions(strings.NewReader("<!DOCTYPE html><html><head></head><body>"+fragment+"</body></html>"),
		html.ParseOptionEnableScripting(false))
	if err != nil {
		return []string{"parse: " + err.Error()}
	}
	q := goquery.NewDocumentFromNode(doc)
	q.Find(forbiddenSelector).Each(func(_ int, s *goquery.Selection) {
		bad("forbidden element <%s>", goquery.NodeName(s))
	})
	checkCSS := func(where, css string) {
		rest := reCSSPieces.ReplaceAllStringFunc(css, func(m string) string {
			switch {
			case strings.HasPrefix(m, `"`) || strings.HasPrefix(m, "'"):
				return `""`
			case strings.EqualFold(m, "url("):
				bad("%s: unquoted or unclosed url( in %q", where, css)
				return ""
			}
			u := strings.ToLower(reCSSPieces.FindStringSubmatch(m)[1])
			switch {
			case reDataImageCheck.MatchString(u):
			case remote && (strings.HasPrefix(u, "https://") || strings.HasPrefix(u, "http://")) && !strings.ContainsAny(u, `"'()\ `):
			default:
				bad("%s: url %q not allowed", where, u)
			}
			return ""
		})
		if m := reForbiddenCSS.FindString(rest); m != "" {
			bad("%s: forbidden CSS %q in %q", where, m, css)
		}
	}
	q.Find("*").Each(func(_ int, s *goquery.Selection) {
		n := s.Get(0)
		name := goquery.NodeName(s)
		if n.Namespace != "" {
			bad("foreign element <%s %s>", n.Namespace, name)
		}
		for _, a := range n.Attr {
			key := strings.ToLower(a.Key)
			switch {
			case a.Namespace != "":
				bad("<%s> namespaced attribute %s:%s", name, a.Namespace, a.Key)
			case strings.HasPrefix(key, "on"):
				bad("<%s> event handler %s=%q", name, a.Key, a.Val)
			case forbiddenAttrs[key]:
				bad("<%s> forbidden attribute %s=%q", name, a.Key, a.Val)
			case key == "href":
				u := urlForCheck(a.Val)
				if !(strings.HasPrefix(u, "https://") || strings.HasPrefix(u, "http://") || strings.HasPrefix(u, "mailto:")) || name != "a" {
					bad("<%s> href %q", name, a.Val)
				}
			case key == "src":
				u := urlForCheck(a.Val)
				ok := reDataImageCheck.MatchString(strings.TrimSpace(a.Val))
				if remote && (strings.HasPrefix(u, "https://") || strings.HasPrefix(u, "http://")) {
					ok = true
				}
				if !ok || name != "img" {
					bad("<%s> src %q", name, a.Val)
				}
			case key == "target":
				if a.Val != "_blank" {
					bad("<%s> target=%q", name, a.Val)
				}
			case key == "style":
				checkCSS("style attribute", a.Val)
			}
		}
		if name == "a" {
			if href, ok := s.Attr("href"); ok {
				u := urlForCheck(href)
				if strings.HasPrefix(u, "http") {
					if rel, _ := s.Attr("rel"); !strings.Contains(rel, "noopener") || !strings.Contains(rel, "noreferrer") {
						bad("<a href=%q> without rel=noopener noreferrer", href)
					}
					if t, _ := s.Attr("target"); t != "_blank" {
						bad("<a href=%q> without target=_blank", href)
					}
				}
			}
		}
	})
	q.Find("style").Each(func(_ int, s *goquery.Selection) {
		css := s.Text()
		if strings.Contains(css, "<") {
			bad("style element contains <: %q", css)
		}
		checkCSS("style element", css)
	})
	return problems
}

// TestCheckerCatches makes sure the invariant checker itself notices what it
// is meant to notice, so a passing corpus means something.
func TestCheckerCatches(t *testing.T) {
	t.Parallel()
	for _, bad := range []string{
		`<script>alert(1)</script>`,
		`<img src=x onerror=alert(1)>`,
		`<a href="jav&#x09;ascript:alert(1)">x</a>`,
		`<a href="/relative">x</a>`,
		`<a href="https://x.example/">no rel</a>`,
		`<img src="https://tracker.example/p.gif">`,
		`<img src="data:image/svg+xml;base64,AAAA">`,
		`<div style="position:fixed">x</div>`,
		`<div style="color:red; position: absolute">x</div>`,
		`<div style="background:url(https://tracker.example/x.png)">x</div>`,
		`<div style="background:url(&quot;https://tracker.example/x.png&quot;)">x</div>`,
		`<style>p{background:url(data:image/png;base64,AAAA)}</style>`,
		`<style>@import "x.css";</style>`,
		`<style>p{width:expression(alert(1))}</style>`,
		`<svg></svg>`,
		`<math></math>`,
		`<form></form>`,
		`<base href="https://x/">`,
		`<meta http-equiv="refresh" content="0">`,
		`<iframe></iframe>`,
		`<table><tr><td background="https://tracker.example/x.png">x</td></tr></table>`,
		`<img srcset="https://tracker.example/x.png 2x">`,
		`<a href="https://x.example/" target="_top" rel="noopener noreferrer">x</a>`,
	} {
		if len(sanitizedProblems(bad, false)) == 0 {
			t.Errorf("no problem found in %q", bad)
		}
	}
	for _, good := range []string{
		`<p style="color: red; background-position: top">x</p>`,
		`<style>.m_content:hover{text-transform:uppercase;font-family:"position: fixed"}</style>`,
		`<a href="https://x.example/" target="_blank" rel="noopener noreferrer nofollow">x</a>`,
		`<img src="data:image/png;base64,iVBORw0KGgo=">`,
		`<table><tr><td style="background-image:url(&quot;data:image/png;base64,AAAA&quot;)">x</td></tr></table>`,
	} {
		if p := sanitizedProblems(good, false); len(p) != 0 {
			t.Errorf("problems in %q: %v", good, p)
		}
	}
	if p := sanitizedProblems(`<img src="https://x.example/a.png"><div style="background:url(&quot;https://x.example/b.png&quot;)">`, true); len(p) != 0 {
		t.Errorf("remote allowed: %v", p)
	}
}
