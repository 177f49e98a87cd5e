package compose

import (
	"bytes"
	"crypto/rand"
	"html"
	"reflect"
	"strconv"
	"strings"
	"sync"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	gmhtml "github.com/yuin/goldmark/renderer/html"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"

	"webmail/app/message"
)

// markdown is the Markdown a body is read as: CommonMark with GFM
// autolinks, tables and strikethrough, every line break kept, and without
// the constructs that turn plain text into something its writer did not
// mean:
//
//   - no raw HTML: "<b>" is text, shown as typed (goldmark would otherwise
//     drop it);
//   - no setext headings: a line of "-" or "=" under text (the signature
//     separator "-- " among them) does not make the line above a heading;
//   - no link reference definitions: a line "[1]: https://…" (as in
//     quoted newsletters) stays in the text rather than vanish;
//   - tables only with pipes: a line of dashes under a line of text (a
//     signature separator "-- " again) makes no table, as GFM would.
//
// ATX headings ("# Title"), lists, quotes ("> "), emphasis, code spans,
// fenced and indented code, links, tables ("| a | b |") and thematic
// breaks ("---" alone) are Markdown.
var markdown = sync.OnceValue(func() goldmark.Markdown {
	left := map[reflect.Type]bool{
		reflect.TypeOf(parser.NewSetextHeadingParser()): true,
		reflect.TypeOf(parser.NewHTMLBlockParser()):     true,
		reflect.TypeOf(parser.NewRawHTMLParser()):       true,
	}
	keep := func(in []util.PrioritizedValue) []util.PrioritizedValue {
		var out []util.PrioritizedValue
		for _, v := range in {
			if !left[reflect.TypeOf(v.Value)] {
				out = append(out, v)
			}
		}
		return out
	}
	p := parser.NewParser(
		parser.WithBlockParsers(keep(parser.DefaultBlockParsers())...),
		parser.WithInlineParsers(keep(parser.DefaultInlineParsers())...),
		// No link reference definitions: "[1]: https://…" under a text
		// stays there. The table extension's parts, its paragraph
		// transformer behind pipeTables.
		parser.WithParagraphTransformers(util.Prioritized(pipeTables{extension.NewTableParagraphTransformer()}, 200)),
		parser.WithASTTransformers(util.Prioritized(extension.NewTableASTTransformer(), 0)),
	)
	return goldmark.New(
		goldmark.WithParser(p),
		goldmark.WithExtensions(extension.Linkify, extension.Strikethrough),
		goldmark.WithRendererOptions(
			gmhtml.WithHardWraps(),
			renderer.WithNodeRenderers(util.Prioritized(extension.NewTableHTMLRenderer(extension.WithTableCellAlignMethod(extension.TableCellAlignAttribute)), 500)),
		),
	)
})

// pipeTables makes a table of a paragraph only when its delimiter row
// ("|---|:--|") has a pipe: GFM also reads "Regards" over "-- " as a
// table of one column.
type pipeTables struct{ parser.ParagraphTransformer }

func (p pipeTables) Transform(node *ast.Paragraph, reader text.Reader, pc parser.Context) {
	lines := node.Lines()
	for i := 1; i < lines.Len(); i++ {
		seg := lines.At(i)
		l := seg.Value(reader.Source())
		if len(bytes.Trim(l, "-:| \t\r\n")) == 0 && bytes.IndexByte(l, '-') >= 0 {
			if bytes.IndexByte(l, '|') < 0 {
				return
			}
			break
		}
	}
	p.ParagraphTransformer.Transform(node, reader, pc)
}

// MarkdownHTML renders a body typed as Markdown into HTML and sanitises it
// with the policy incoming mail is shown with (message.SanitizeHTML):
// whatever the text holds, the result has only allow-listed elements,
// attributes and URLs. Remote images are not kept, as they are not in
// mail being read. Images whose src is "cid:" and one of inline, the
// content IDs of the images the message carries (see
// Attachment.ContentID), are kept as such; other cid: images are dropped.
func MarkdownHTML(body string, inline []string) string {
	return sanitizeWithCIDs(renderMarkdown(body), inline)
}

// MarkdownPreview is MarkdownHTML for showing in the webmail's own page:
// cid: images are shown through cid, which maps a content ID to a data:
// URI (see message.SanitizeOptions).
func MarkdownPreview(body string, cid func(contentID string) (string, bool)) string {
	return message.SanitizeHTML(renderMarkdown(body), message.SanitizeOptions{CID: cid}).HTML
}

// renderMarkdown is the HTML goldmark makes of body, not yet sanitised.
func renderMarkdown(body string) string {
	var b bytes.Buffer
	b.Grow(len(body) + len(body)/4)
	if err := markdown().Convert([]byte(NormaliseBody(body)), &b); err != nil {
		// Rendering into a buffer does not fail; if it ever did, the
		// text is still sent as typed, and the HTML is its text.
		return message.TextToHTML(body, false, false)
	}
	return b.String()
}

// sanitizeWithCIDs is message.SanitizeHTML keeping cid: images of inline.
// The sanitiser shows cid: images as data: URIs it is given; each of
// inline is given a placeholder (a fresh random word, which no text can
// foresee) that is then put back as its cid: URL.
func sanitizeWithCIDs(in string, inline []string) string {
	if len(inline) == 0 {
		return message.SanitizeHTML(in, message.SanitizeOptions{}).HTML
	}
	nonce := strings.ReplaceAll(rand.Text(), "=", "")
	index := map[string]int{}
	for i, id := range inline {
		if ValidContentID(id) {
			index[id] = i
		}
	}
	placeholder := func(i int) string {
		return "data:image/png;base64,Cid" + nonce + "N" + strconv.Itoa(i) + "E"
	}
	out := message.SanitizeHTML(in, message.SanitizeOptions{CID: func(id string) (string, bool) {
		i, ok := index[id]
		if !ok {
			return "", false
		}
		return placeholder(i), true
	}}).HTML
	pairs := make([]string, 0, 2*len(index))
	for id, i := range index {
		pairs = append(pairs, `src="`+placeholder(i)+`"`, `src="cid:`+id+`"`)
	}
	return strings.NewReplacer(pairs...).Replace(out)
}

// ValidContentID reports whether id may be a Content-ID the webmail
// writes and a cid: URL refers to as it is: "word@domain" of letters,
// digits, dots, hyphens and underscores, at most 128 characters.
func ValidContentID(id string) bool {
	left, right, ok := strings.Cut(id, "@")
	if !ok || len(id) > 128 || left == "" || right == "" {
		return false
	}
	for _, c := range left + right {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// ForwardHTML is the HTML of a forward that keeps the forwarded message's
// own HTML, as Gmail and Fastmail forward: note (the person's Markdown,
// see SplitForward) rendered by MarkdownHTML with its inline images, the
// forwarded block's header
// lines, then original, the forwarded message's HTML body, sanitised
// here. Each piece is sanitised on its own, so the original's style sheet
// and markup stay as they are shown when it is read.
func ForwardHTML(note string, inline, header []string, original string, opt message.SanitizeOptions) string {
	var b strings.Builder
	b.WriteString(MarkdownHTML(note, inline))
	b.WriteString("<div class=\"forwarded\"><p>")
	for i, l := range header {
		if i > 0 {
			b.WriteString("<br>\n")
		}
		b.WriteString(html.EscapeString(l))
	}
	b.WriteString("</p>\n")
	b.WriteString(message.SanitizeHTML(original, opt).HTML)
	b.WriteString("</div>")
	return b.String()
}
