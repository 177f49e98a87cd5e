package message

import (
	"html"
	"net/url"
	"regexp"
	"strconv"
	"strings"
)

// maxQuoteDepth caps the nesting of quote blocks written out.
const maxQuoteDepth = 16

type textLine struct {
	depth int
	text  string
	sig   bool
}

// TextToHTML turns a text/plain body into safe HTML: a
// <div class="text"> (to be styled white-space: pre-wrap) in which all text
// is escaped.
//
//   - With flowed set (format=flowed, RFC 3676), soft-broken lines are
//     joined, space-stuffing is undone and, with delSp (delsp=yes), the
//     space before each soft break is removed.
//   - Lines starting with ">" become nested <blockquote class="q qN">
//     blocks, N being the depth (1, 2, ...).
//   - A signature, from a "-- " line to the end or to the next quote, is
//     wrapped in <div class="sig">.
//   - http, https and mailto URLs become links; nothing else does
//     (javascript:, data:, vbscript:, ... stay text). Trailing punctuation
//     and unbalanced closing brackets are left out of a link. Web links get
//     target="_blank" rel="noopener noreferrer nofollow"; mailto links get
//     class="mailto" for the app to point at its compose page.
func TextToHTML(text string, flowed, delSp bool) string {
	text = normaliseText(text)
	text = strings.TrimSuffix(text, "\n")
	raw := strings.Split(text, "\n")
	var lines []textLine
	if flowed {
		lines = unflow(raw, delSp)
	} else {
		lines = make([]textLine, 0, len(raw))
		for _, l := range raw {
			d, rest := quoteDepth(l, true)
			lines = append(lines, textLine{depth: d, text: rest})
		}
	}
	// Mark the signature.
	inSig := false
	for i := range lines {
		l := &lines[i]
		switch {
		case l.depth == 0 && l.text == "-- ":
			inSig = true
		case l.depth > 0:
			inSig = false
		}
		l.sig = inSig && l.depth == 0
	}

	var b strings.Builder
	b.Grow(len(text) + len(text)/8 + 32)
	b.WriteString(`<div class="text">`)
	depth, sig := 0, false
	first := true
	for _, l := range lines {
		d := min(l.depth, maxQuoteDepth)
		boundary := false
		if sig && (!l.sig || d != 0) {
			b.WriteString("</div>")
			sig, boundary = false, true
		}
		for depth > d {
			b.WriteString("</blockquote>")
			depth--
			boundary = true
		}
		for depth < d {
			depth++
			b.WriteString(`<blockquote class="q q` + strconv.Itoa(depth) + `">`)
			boundary = true
		}
		if l.sig && !sig {
			b.WriteString(`<div class="sig">`)
			sig, boundary = true, true
		}
		if !first && !boundary {
			b.WriteByte('\n')
		}
		first = false
		writeLinked(&b, l.text)
	}
	if sig {
		b.WriteString("</div>")
	}
	for ; depth > 0; depth-- {
		b.WriteString("</blockquote>")
	}
	b.WriteString("</div>")
	return b.String()
}

// quoteDepth counts the quote marks at the start of a line and returns the
// rest. With loose set (ordinary text), spaces between marks are allowed
// ("> > x") and one space after the marks is removed.
func quoteDepth(l string, loose bool) (int, string) {
	d := 0
	i := 0
	for i < len(l) {
		if l[i] == '>' {
			d++
			i++
			continue
		}
		if loose && d > 0 && l[i] == ' ' && i+1 < len(l) && l[i+1] == '>' {
			i++
			continue
		}
		break
	}
	rest := l[i:]
	if loose && d > 0 {
		rest = strings.TrimPrefix(rest, " ")
	}
	return d, rest
}

// unflow applies RFC 3676: a line ending in a space (other than the
// signature separator "-- ") continues on the next line of the same quote
// depth; the signature separator always starts a line of its own.
func unflow(raw []string, delSp bool) []textLine {
	var out []textLine
	var cur strings.Builder // text of the paragraph being joined
	curDepth, open := 0, false
	flush := func() {
		if open {
			out = append(out, textLine{depth: curDepth, text: cur.String()})
			cur.Reset()
		}
	}
	for _, l := range raw {
		d, rest := quoteDepth(l, false)
		rest = strings.TrimPrefix(rest, " ") // space-stuffing
		soft := strings.HasSuffix(rest, " ") && rest != "-- "
		if soft && delSp {
			rest = rest[:len(rest)-1]
		}
		if open && (curDepth != d || rest == "-- ") {
			flush()
			open = false
		}
		if !open {
			curDepth = d
		}
		cur.WriteString(rest)
		open = true
		if !soft {
			flush()
			open = false
		}
	}
	flush()
	return out
}

var linkPattern = regexp.MustCompile(`(?i)\b(?:https?://|mailto:)[^\s\p{Z}\p{Cc}<>"]+`)

// writeLinked writes s escaped, with web and mailto URLs as links.
func writeLinked(b *strings.Builder, s string) {
	for s != "" {
		loc := linkPattern.FindStringIndex(s)
		if loc == nil {
			b.WriteString(html.EscapeString(s))
			return
		}
		start, end := loc[0], trimURLEnd(s[loc[0]:loc[1]])+loc[0]
		b.WriteString(html.EscapeString(s[:start]))
		text := s[start:end]
		if a, ok := linkTag(text); ok {
			b.WriteString(a)
			b.WriteString(html.EscapeString(text))
			b.WriteString("</a>")
		} else {
			b.WriteString(html.EscapeString(text))
		}
		s = s[end:]
	}
}

// trimURLEnd returns the length of u without trailing punctuation and
// unbalanced closing brackets.
func trimURLEnd(u string) int {
	open := map[byte]int{'(': 0, '[': 0, '{': 0}
	closed := map[byte]int{')': 0, ']': 0, '}': 0}
	for i := 0; i < len(u); i++ {
		switch c := u[i]; c {
		case '(', '[', '{':
			open[c]++
		case ')', ']', '}':
			closed[c]++
		}
	}
	match := map[byte]byte{')': '(', ']': '[', '}': '{'}
	n := len(u)
	for n > 0 {
		c := u[n-1]
		switch {
		case strings.IndexByte(".,;:!?'*", c) >= 0:
		case (c == ')' || c == ']' || c == '}') && open[match[c]] < closed[c]:
			closed[c]--
		default:
			return n
		}
		n--
	}
	return 0
}

// linkTag returns the opening <a> tag for a URL found in text.
func linkTag(text string) (string, bool) {
	u := classifyURL(text)
	switch u.kind {
	case urlRemote:
		return `<a href="` + html.EscapeString(u.clean) + `" target="_blank" rel="noopener noreferrer nofollow">`, true
	case urlMailto:
		addr, err := url.Parse(u.clean)
		if err != nil || !strings.Contains(addr.Opaque, "@") {
			return "", false
		}
		return `<a class="mailto" href="` + html.EscapeString(u.clean) + `">`, true
	}
	return "", false
}
