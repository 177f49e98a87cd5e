package message

import (
	"bytes"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-message/textproto"
	"golang.org/x/net/html"
)

// SnippetSection is the start of a message's first part, fetched with the
// list rows (BODY.PEEK[1]<0.SnippetBytes>) so that a row can show a line
// of the text: the same FETCH, no extra round trip. For a single-part
// message part 1 is its body; for a multipart one, its first child.
const SnippetBytes = 1024

// Snippet is one line of a message's text for the list: raw is the start
// of the message's first part (SnippetSection), bs the message's
// structure, fetched together. It undoes the transfer encoding and the
// charset, takes a multipart's plain text child (or its HTML, tags
// stripped), leaves out quoted lines, attributions and the signature, and
// returns at most limit bytes of text on one line, "" if there is none.
// Best effort: a part cut short by the fetch gives what it has.
func Snippet(raw []byte, bs imap.BodyStructure, limit int) string {
	var first imap.BodyStructure = bs
	if mp, ok := bs.(*imap.BodyStructureMultiPart); ok {
		if len(mp.Children) == 0 {
			return ""
		}
		first = mp.Children[0]
	}
	return clip(snippetText(raw, first, 0, len(raw) >= SnippetBytes), limit)
}

func snippetText(raw []byte, bs imap.BodyStructure, depth int, cut bool) string {
	switch bs := bs.(type) {
	case *imap.BodyStructureSinglePart:
		p := partOf(bs, nil)
		if p.Type != "text/plain" && p.Type != "text/html" {
			return ""
		}
		text, _, _ := decodeText(bytes.NewReader(raw), p, 4*SnippetBytes, 2*SnippetBytes, cut)
		if cut {
			text = strings.TrimRight(text, "\uFFFD") // a letter cut by the fetch
		}
		if p.Type == "text/html" {
			text = htmlText(text)
		}
		return plainLine(text)
	case *imap.BodyStructureMultiPart:
		if depth > 3 || bs.Extended == nil {
			return ""
		}
		boundary := normaliseParams(bs.Extended.Params)["boundary"]
		if boundary == "" {
			return ""
		}
		// The child to show: the plain text of an alternative, else
		// the first child.
		want := 0
		if strings.EqualFold(bs.Subtype, "alternative") {
			for i, c := range bs.Children {
				if s, ok := c.(*imap.BodyStructureSinglePart); ok && strings.EqualFold(s.Type, "text") && strings.EqualFold(s.Subtype, "plain") {
					want = i
					break
				}
			}
		}
		if want >= len(bs.Children) {
			return ""
		}
		mr := textproto.NewMultipartReader(bytes.NewReader(raw), boundary)
		for i := 0; i <= want; i++ {
			part, err := mr.NextPart()
			if err != nil {
				return ""
			}
			if i == want {
				body, _ := io.ReadAll(part) // cut short by the fetch: what there is
				return snippetText(body, bs.Children[want], depth+1, cut)
			}
		}
	}
	return ""
}

// htmlText is the text of an HTML document, without its head, styles and
// scripts.
func htmlText(s string) string {
	var b strings.Builder
	z := html.NewTokenizer(strings.NewReader(s))
	skip := 0
	for {
		switch z.Next() {
		case html.ErrorToken:
			return b.String()
		case html.TextToken:
			if skip == 0 {
				b.Write(z.Text())
			}
		case html.StartTagToken:
			name, _ := z.TagName()
			switch string(name) {
			case "style", "script", "head", "title", "blockquote":
				skip++
			case "br", "p", "div", "tr", "li", "td", "h1", "h2", "h3":
				b.WriteByte('\n')
			}
		case html.EndTagToken:
			name, _ := z.TagName()
			switch string(name) {
			case "style", "script", "head", "title", "blockquote":
				if skip > 0 {
					skip--
				}
			}
		}
	}
}

// plainLine joins the lines a reader would see first: no quoted lines,
// no "… wrote:" attribution, nothing from the signature on.
func plainLine(text string) string {
	var b strings.Builder
	for line := range strings.SplitSeq(text, "\n") {
		t := strings.TrimSpace(line)
		if line == "-- " || line == "--" {
			break
		}
		if strings.HasPrefix(t, ">") || strings.HasSuffix(t, "wrote:") || strings.HasSuffix(t, "schrieb:") || strings.HasSuffix(t, "a écrit :") {
			continue
		}
		if t != "" {
			b.WriteString(t)
			b.WriteByte(' ')
		}
	}
	return collapseSpace(b.String())
}

// collapseSpace is s with each run of white space made one space, and
// none at the ends.
func collapseSpace(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		if unicode.IsSpace(r) {
			space = b.Len() > 0
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	return b.String()
}

// clip cuts s to at most limit bytes, at a word if one ends near the
// limit, with an ellipsis when cut.
func clip(s string, limit int) string {
	if len(s) <= limit {
		return s
	}
	cut := limit - len("…")
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	if i := strings.LastIndexByte(s[:cut], ' '); i > cut*3/4 {
		cut = i
	}
	return strings.TrimRightFunc(s[:cut], unicode.IsSpace) + "…"
}
