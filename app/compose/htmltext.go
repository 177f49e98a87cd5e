package compose

import (
	"strconv"
	"strings"
	"unicode"

	"golang.org/x/net/html"
)

// Bounds on the structure HTMLToText reflects in its output.
const (
	maxListIndent   = 8    // nesting levels of lists that indent
	maxListStack    = 64   // nesting levels of lists tracked
	maxQuoteMarks   = 16   // nesting levels of blockquote marked
	maxLinkURLBytes = 2048 // longer URLs are not written out
)

// HTMLToText converts an HTML body into plain text, for quoting an
// original that has no text part. It reads the HTML with the
// golang.org/x/net/html tokenizer (one pass, no tree, so deep nesting
// costs nothing) and writes:
//
//   - text with entities decoded and white space collapsed (kept in
//     <pre>), without control characters;
//   - line breaks for <br> and around block elements (div, tr, li, ...),
//     an empty line around paragraphs, headings, lists and tables;
//   - "- " before items of unordered lists and "1. ", "2. ", ... in
//     ordered ones, indented by nesting;
//   - "> " before lines in a <blockquote>, so quoting them again gives
//     ">> ";
//   - links as "text <url>" (only http, https and mailto URLs; the URL
//     alone when it is the text) and images as their alt text;
//   - nothing of head, script, style, template, noscript, iframe, object,
//     svg, math and select, nor of div, span and table elements hidden
//     with a hidden attribute or display:none (newsletter previews);
//   - a line "--" as the signature separator "-- ".
//
// The result is at most about 512 KiB; longer text ends with "[…]".
func HTMLToText(s string) string {
	if s == "" {
		return ""
	}
	z := html.NewTokenizer(strings.NewReader(s))
	t := textBuilder{limit: maxQuoteBytes}
	var (
		skip      string // element whose content is skipped
		skipDepth int
		pre       int
		lists     []listLevel
		listExtra int // list levels beyond maxListStack
		quote     int
		link      = -1 // where the text of the open link starts
		href      string
	)
	endLink := func() {
		if link < 0 {
			return
		}
		text := strings.TrimSpace(strings.TrimLeft(strings.TrimSpace(t.b.String()[link:]), ">"))
		if text != "" && text != href && "mailto:"+text != href {
			t.space = true
			t.word("<" + href + ">")
		}
		link, href = -1, ""
	}
	for !t.full {
		tt := z.Next()
		if tt == html.ErrorToken {
			break
		}
		switch tt {
		case html.TextToken:
			if skip == "" {
				t.text(string(z.Text()), pre > 0)
			}
			continue
		case html.StartTagToken, html.SelfClosingTagToken, html.EndTagToken:
		default:
			continue
		}
		nameBytes, hasAttr := z.TagName()
		name := string(nameBytes)
		start := tt != html.EndTagToken
		if skip != "" {
			switch {
			case skip == "head" && name == "body" && start:
				skip = ""
			case name == skip && tt == html.StartTagToken:
				skipDepth++
				continue
			case name == skip && tt == html.EndTagToken:
				if skipDepth--; skipDepth == 0 {
					skip = ""
				}
				continue
			default:
				continue
			}
		}
		if tt == html.StartTagToken && hasAttr && (name == "div" || name == "span" || name == "table") && hidden(z) {
			skip, skipDepth = name, 1
			continue
		}
		switch name {
		case "head", "script", "style", "title", "template", "noscript", "iframe", "noembed",
			"noframes", "object", "svg", "math", "select", "textarea":
			if tt == html.StartTagToken {
				skip, skipDepth = name, 1
			}
		case "br":
			t.br()
		case "p", "h1", "h2", "h3", "h4", "h5", "h6", "table", "dl", "figure", "hr", "address":
			t.newline(2)
		case "pre":
			t.newline(2)
			if tt == html.StartTagToken {
				pre++
			} else if tt == html.EndTagToken && pre > 0 {
				pre--
			}
		case "blockquote":
			t.newline(2)
			if tt == html.StartTagToken {
				quote++
			} else if tt == html.EndTagToken && quote > 0 {
				quote--
			}
			t.quote = min(quote, maxQuoteMarks)
		case "ul", "ol":
			outer := len(lists)+listExtra == 0
			switch {
			case tt == html.SelfClosingTagToken:
			case start && len(lists) < maxListStack:
				lists = append(lists, listLevel{ordered: name == "ol"})
			case start:
				listExtra++
			case listExtra > 0:
				listExtra--
			case len(lists) > 0:
				lists = lists[:len(lists)-1]
			}
			if outer || len(lists)+listExtra == 0 {
				t.newline(2) // around a list, not around a nested one
			} else {
				t.newline(1)
			}
		case "li":
			t.newline(1)
			if tt == html.StartTagToken {
				marker := "- "
				depth := len(lists) + listExtra
				if len(lists) > 0 && listExtra == 0 && lists[len(lists)-1].ordered {
					lists[len(lists)-1].n++
					marker = strconv.Itoa(lists[len(lists)-1].n) + ". "
				}
				t.marker(strings.Repeat("  ", min(max(depth-1, 0), maxListIndent)) + marker)
			}
		case "div", "tr", "dt", "dd", "section", "article", "header", "footer", "nav", "aside",
			"main", "form", "fieldset", "caption", "figcaption", "details", "summary", "center",
			"legend", "option":
			t.newline(1)
		case "td", "th":
			t.space = t.space || !t.lineStart()
		case "a":
			endLink()
			if tt == html.StartTagToken && hasAttr {
				if u := linkURL(attr(z, "href")); u != "" {
					link, href = t.b.Len(), u
				}
			}
		case "img":
			if alt := strings.TrimSpace(attr(z, "alt")); alt != "" && start {
				t.space = t.space || !t.lineStart()
				t.text(alt, false)
				t.space = !t.lineStart()
			}
		}
	}
	endLink()
	return t.String()
}

// listLevel is one open list.
type listLevel struct {
	ordered bool
	n       int
}

// hidden reports whether the current tag has a hidden attribute or a
// display:none style, as newsletters' preheaders do; it reads the
// tag's attributes.
func hidden(z *html.Tokenizer) bool {
	for {
		k, v, more := z.TagAttr()
		switch string(k) {
		case "hidden":
			return true
		case "style":
			style := strings.ToLower(strings.Join(strings.Fields(string(v)), ""))
			if strings.HasPrefix(style, "display:none") || strings.Contains(style, ";display:none") {
				return true
			}
		}
		if !more {
			return false
		}
	}
}

// attr returns the value of the named attribute of the current tag.
func attr(z *html.Tokenizer, name string) string {
	for {
		k, v, more := z.TagAttr()
		if string(k) == name {
			return string(v)
		}
		if !more {
			return ""
		}
	}
}

// linkURL returns a link's URL if it is worth writing: http, https or
// mailto, without characters that would break "<url>", not too long.
func linkURL(href string) string {
	href = strings.TrimSpace(strings.NewReplacer("\t", "", "\n", "", "\r", "").Replace(href))
	lower := strings.ToLower(href)
	if !strings.HasPrefix(lower, "http://") && !strings.HasPrefix(lower, "https://") && !strings.HasPrefix(lower, "mailto:") {
		return ""
	}
	if len(href) > maxLinkURLBytes || strings.ContainsFunc(href, func(r rune) bool {
		return r <= ' ' || r == '<' || r == '>' || r == '"' || unicode.IsControl(r) || unicode.IsSpace(r)
	}) {
		return ""
	}
	return href
}

// textBuilder writes text with collapsed white space, line breaks asked
// for by elements (at most one empty line in a row) and quote marks.
type textBuilder struct {
	b       strings.Builder
	limit   int
	full    bool
	nl      int  // line breaks to write before the next text (0, 1 or 2)
	nlQuote int  // the least quote depth since line breaks were asked for
	space   bool // a space to write before the next text on the line
	quote   int  // blockquote depth
	begun   bool // the current line's quote marks are written
	hasText bool // the current line has text (not only marks and a list marker)
	marked  bool // the current line starts with a list marker
}

// lineStart reports whether the next text starts a line.
func (t *textBuilder) lineStart() bool {
	return !t.hasText || t.nl > 0
}

// newline asks for n line breaks (1: a new line, 2: an empty line) before
// the next text.
func (t *textBuilder) newline(n int) {
	if t.marked && !t.hasText && t.nl == 0 {
		return // a block at the start of a list item stays on the marker's line
	}
	if t.b.Len() > 0 {
		t.noteQuote()
		t.nl = max(t.nl, n)
		t.space = false
	}
}

// noteQuote keeps the quote depth an empty line is written with: the
// outer one, when a quote starts or ends.
func (t *textBuilder) noteQuote() {
	if t.nl == 0 {
		t.nlQuote = t.quote
	} else {
		t.nlQuote = min(t.nlQuote, t.quote)
	}
}

// br asks for a line break; two in a row give an empty line.
func (t *textBuilder) br() {
	if t.b.Len() > 0 {
		t.noteQuote()
		t.nl = min(t.nl+1, 2)
		t.space = false
	}
}

// flush writes pending line breaks and the quote marks of a new line.
func (t *textBuilder) flush() {
	if t.nl > 0 {
		t.b.WriteByte('\n')
		if t.nl > 1 {
			t.b.WriteString(strings.Repeat(">", min(t.nlQuote, t.quote)) + "\n")
		}
		t.nl, t.begun, t.hasText, t.marked = 0, false, false, false
	}
	if !t.begun {
		if t.quote > 0 {
			t.b.WriteString(strings.Repeat(">", t.quote) + " ")
		}
		t.begun = true
	}
}

// marker starts a list item line with its marker.
func (t *textBuilder) marker(m string) {
	t.flush()
	t.b.WriteString(m)
	t.space, t.marked = false, true
	t.check()
}

// word writes s as it is, after pending line breaks or space.
func (t *textBuilder) word(s string) {
	t.flush()
	if t.space && t.hasText {
		t.b.WriteByte(' ')
	}
	t.space = false
	t.b.WriteString(s)
	t.hasText = true
	t.check()
}

// text writes text, collapsing white space unless pre.
func (t *textBuilder) text(s string, pre bool) {
	for _, r := range s {
		switch {
		case r == '\n' && pre:
			t.br()
			continue
		case unicode.IsSpace(r) && !pre:
			if !t.lineStart() {
				t.space = true
			}
			continue
		case r == '\t' || r == ' ':
			// Kept in <pre>.
		case unicode.IsControl(r) || r == '\u2028' || r == '\u2029' || r == '\uFEFF' || r == '\u200B' || r == '\u00AD' || r == '\u034F':
			continue // controls and invisible characters (used to pad previews)
		}
		t.flush()
		if t.space && t.hasText {
			t.b.WriteByte(' ')
		}
		t.space = false
		t.b.WriteRune(r)
		t.hasText = true
		if t.check(); t.full {
			return
		}
	}
}

// check notes when the output reached its limit.
func (t *textBuilder) check() {
	if t.b.Len() >= t.limit {
		t.full = true
	}
}

// String returns the text without trailing white space on lines (but for
// the signature separator "-- ") and without empty lines at the end.
func (t *textBuilder) String() string {
	lines := strings.Split(t.b.String(), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRightFunc(l, unicode.IsSpace)
		if lines[i] == "--" {
			lines[i] = "-- " // the signature separator, its space lost in HTML
		}
	}
	for len(lines) > 0 && strings.Trim(lines[len(lines)-1], ">") == "" {
		lines = lines[:len(lines)-1]
	}
	if t.full {
		lines = append(lines, "[…]")
	}
	return strings.Join(lines, "\n")
}
