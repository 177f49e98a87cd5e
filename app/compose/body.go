package compose

import (
	"strings"
	"unicode/utf8"
)

// maxFlowedLine is the longest line (in characters, quote marks and
// stuffing included) written in a format=flowed body, unless a word is
// longer.
const maxFlowedLine = 78

// bodyEncoding is how a text body is written.
type bodyEncoding struct {
	text   string // what to write, "\n" line ends (the CTE writer makes them CRLF)
	flowed bool   // format=flowed
	qp     bool   // quoted-printable, else 7bit
}

// NormaliseBody is the body text WriteTo writes for body: valid UTF-8
// (invalid bytes become U+FFFD), "\n" line ends (from "\r\n" and lone
// "\r") and no NUL (it becomes U+FFFD). A written body reads back, through
// Unflow when it is format=flowed, as exactly this text.
func NormaliseBody(body string) string {
	if !utf8.ValidString(body) {
		body = strings.ToValidUTF8(body, "\uFFFD")
	}
	if strings.ContainsAny(body, "\r\x00") {
		body = strings.NewReplacer("\r\n", "\n", "\r", "\n", "\x00", "\uFFFD").Replace(body)
	}
	return body
}

// encodeBody chooses how to write a body typed as text and prepares it.
//
// The body is written format=flowed (RFC 3676) when that gives the typed
// text back exactly: long lines are soft-broken at spaces so that readers
// without flowed support see lines of at most 78 characters, and flowed
// readers rewrap them. Flowed cannot carry a line that ends in a space
// (the mark of a soft break; the signature separator "-- " is the
// exception) or a quoted line whose marks are not followed by a space
// (">text" and "> text" read the same), so a body with such a line is
// written as is (format=fixed).
//
// The transfer encoding is 7bit when what is written is ASCII without
// control characters, with lines of at most 78 characters and no trailing
// white space but soft breaks; otherwise quoted-printable, which keeps
// non-ASCII text, long unbreakable lines and trailing spaces intact
// through any relay.
func encodeBody(body string) bodyEncoding {
	text := NormaliseBody(body)
	lines := strings.Split(text, "\n")
	enc := bodyEncoding{flowed: canFlow(lines)}
	if enc.flowed {
		var b strings.Builder
		b.Grow(len(text) + len(text)/32)
		for i, l := range lines {
			if i > 0 {
				b.WriteByte('\n')
			}
			flowLine(&b, l)
		}
		enc.text = b.String()
	} else {
		enc.text = text
	}
	enc.qp = needsQP(enc.text, enc.flowed)
	return enc
}

// quoteMarks returns the number of ">" a line starts with.
func quoteMarks(l string) int {
	d := 0
	for d < len(l) && l[d] == '>' {
		d++
	}
	return d
}

// canFlow reports whether lines can be written format=flowed and read back
// unchanged.
func canFlow(lines []string) bool {
	for _, l := range lines {
		d := quoteMarks(l)
		content := l[d:]
		if d > 0 && content != "" {
			if content[0] != ' ' {
				return false
			}
			content = content[1:]
		}
		if strings.HasSuffix(l, " ") && content != "-- " {
			return false
		}
	}
	return true
}

// flowLine writes one typed line as format=flowed lines: quote marks
// followed by a space (the canonical form canFlow requires), or
// space-stuffing at depth 0 for lines starting with a space, ">" or
// "From ", and soft breaks (a trailing space) at spaces to keep lines at
// most maxFlowedLine characters.
func flowLine(b *strings.Builder, l string) {
	d := quoteMarks(l)
	content := l[d:]
	prefix := ""
	if d > 0 {
		prefix = l[:d]
		if content != "" {
			prefix += " "
			content = content[1:]
		}
	}
	width := maxFlowedLine - utf8.RuneCountInString(prefix)
	if d == 0 {
		width-- // room for a stuffing space
	}
	first := true
	for {
		chunk := content
		if longerThan(content, width) {
			if cut := softBreak(content, width); cut > 0 {
				chunk = content[:cut]
			}
		}
		if !first {
			b.WriteByte('\n')
		}
		first = false
		b.WriteString(prefix)
		if d == 0 && (strings.HasPrefix(chunk, " ") || strings.HasPrefix(chunk, ">") || strings.HasPrefix(chunk, "From ")) {
			b.WriteByte(' ')
		}
		b.WriteString(chunk)
		content = content[len(chunk):]
		if content == "" {
			return
		}
	}
}

// longerThan reports whether s has more than n characters, looking at no
// more than n+1 of them.
func longerThan(s string, n int) bool {
	if len(s) <= n {
		return false
	}
	count := 0
	for range s {
		if count++; count > n {
			return true
		}
	}
	return false
}

// softBreak returns where to cut s so that the first piece ends with a
// space, is at most width characters if possible and is not "-- " (which
// would read as a signature separator rather than a soft break), and
// something is left; 0 if there is no such place.
func softBreak(s string, width int) int {
	best := 0
	n := 0
	for i, r := range s {
		n++
		if r != ' ' || i+1 >= len(s) || s[:i+1] == "-- " {
			continue
		}
		if n <= width || best == 0 {
			best = i + 1
		}
		if n >= width && best != 0 {
			break
		}
	}
	return best
}

// needsQP reports whether text must be quoted-printable rather than 7bit:
// it is not ASCII, has control characters or lines longer than 78
// characters, or has trailing white space other than the spaces of flowed
// soft breaks (a relay that strips those only loses the rewrapping).
func needsQP(text string, flowed bool) bool {
	lineLen := 0
	for i := 0; i < len(text); i++ {
		c := text[i]
		switch {
		case c == '\n':
			if i > 0 && (text[i-1] == '\t' || text[i-1] == ' ' && !flowed) {
				return true
			}
			lineLen = 0
			continue
		case c >= 0x80 || c < ' ' && c != '\t' || c == 0x7f:
			return true
		}
		if lineLen++; lineLen > maxFlowedLine {
			return true
		}
	}
	if n := len(text); n > 0 && (text[n-1] == '\t' || text[n-1] == ' ' && !flowed) {
		return true
	}
	return false
}

// Unflow decodes a format=flowed (RFC 3676) text into the text as typed:
// soft-broken lines (ending in a space, other than the signature separator
// "-- ") are joined with the following line of the same quote depth,
// space-stuffing is removed and, with delSp (DelSp=yes), so is the space
// of each soft break. Quoted lines are given as quote marks, a space and
// the text (">> text", or ">>" for an empty one). Line ends become "\n".
//
// A body written by WriteTo with format=flowed reads back as its
// NormaliseBody text; use Unflow to put a saved draft back into the form.
func Unflow(text string, delSp bool) string {
	text = NormaliseBody(text)
	var b strings.Builder
	b.Grow(len(text))
	open := false // a paragraph is being joined
	depth := 0
	first := true
	for _, l := range strings.Split(text, "\n") {
		d := quoteMarks(l)
		rest := strings.TrimPrefix(l[d:], " ")
		soft := strings.HasSuffix(rest, " ") && rest != "-- "
		if open && (d != depth || rest == "-- ") {
			open = false // a depth change or a signature ends the paragraph
		}
		if !open {
			if !first {
				b.WriteByte('\n')
			}
			first = false
			depth = d
			if d > 0 {
				b.WriteString(l[:d])
				if rest != "" {
					b.WriteByte(' ')
				}
			}
		}
		if soft && delSp {
			rest = rest[:len(rest)-1]
		}
		b.WriteString(rest)
		open = soft
	}
	return b.String()
}
