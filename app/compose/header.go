package compose

import (
	"errors"
	"fmt"
	"mime"
	"net/mail"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits on header fields.
const (
	// maxSubjectRunes is the longest subject Validate accepts.
	maxSubjectRunes = 500
	// maxMsgIDBytes is the longest message identifier written; real ones
	// are well under 100 bytes.
	maxMsgIDBytes = 250
	// maxReferences is how many message identifiers a References field
	// keeps: the first (the thread's root) and the latest ones.
	maxReferences = 20
	// maxFilenameBytes is the longest attachment file name written; it
	// keeps the Content-Disposition line under 998 bytes even when every
	// byte is percent-encoded.
	maxFilenameBytes = 200
	// maxWordBytes is the longest word written as is in a header: a
	// longer one could not be folded without changing it.
	maxWordBytes = 60
	// maxHeaderTextBytes is where WriteTo cuts a subject or a name.
	maxHeaderTextBytes = 2048
	// maxEncodedWordPayload keeps an RFC 2047 encoded word ("=?utf-8?q?",
	// payload, "?=") at 66 characters, so that it fits a folded line.
	maxEncodedWordPayload = 54
)

// FieldError is a problem with one field of a draft, for the form to show
// next to the field.
type FieldError struct {
	Field   string // the form field: "from", "to", "cc", "bcc", "subject", ...
	Problem string // what is wrong, as a sentence fragment
}

// Error returns the field and the problem.
func (e FieldError) Error() string {
	if e.Field == "" {
		return e.Problem
	}
	return e.Field + ": " + e.Problem
}

// CheckHeaderText checks text that will go into a header field (a subject,
// a name): it must be valid UTF-8 without line breaks (CR, LF, U+2028,
// U+2029), NUL or other control characters; TAB is allowed. The error is a
// FieldError naming field.
func CheckHeaderText(field, value string) error {
	for i, r := range value {
		var problem string
		switch {
		case r == utf8.RuneError && !strings.HasPrefix(value[i:], "\uFFFD"):
			problem = "is not valid UTF-8 text"
		case r == '\r' || r == '\n' || r == '\u2028' || r == '\u2029' || r == '\u0085':
			problem = "contains a line break, which a header cannot hold"
		case r == 0:
			problem = "contains a NUL character"
		case isControl(r):
			problem = fmt.Sprintf("contains a control character (U+%04X)", r)
		default:
			continue
		}
		return FieldError{Field: field, Problem: problem}
	}
	return nil
}

// isControl reports whether r may not appear in header text: C0 and C1
// controls (other than TAB), DEL and the Unicode line and paragraph
// separators.
func isControl(r rune) bool {
	return r != '\t' && unicode.IsControl(r) || r == '\u2028' || r == '\u2029'
}

// cleanText makes text safe for a header whatever it holds: invalid UTF-8
// becomes U+FFFD and every character CheckHeaderText refuses becomes a
// space. Text that passes CheckHeaderText is returned unchanged.
func cleanText(s string) string {
	if CheckHeaderText("", s) == nil {
		return s
	}
	s = strings.ToValidUTF8(s, "\uFFFD")
	return strings.Map(func(r rune) rune {
		if isControl(r) {
			return ' '
		}
		return r
	}, s)
}

// oneLine cleans text from a received message for a one-line use (a name in
// an attribution line, a subject): control characters become spaces and
// runs of white space one space.
func oneLine(s string) string {
	return strings.Join(strings.Fields(cleanText(s)), " ")
}

// isPlainText reports whether s can be written in a header as is and read
// back unchanged: printable ASCII, words of at most maxWordBytes separated
// by single spaces, and nothing a reader would take for an RFC 2047 encoded
// word. Folding (at the spaces) and unfolding keep such text.
func isPlainText(s string) bool {
	if s == "" {
		return true
	}
	if s[0] == ' ' || s[len(s)-1] == ' ' || strings.Contains(s, "  ") || strings.Contains(s, "=?") {
		return false
	}
	word := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < ' ' || c > '~' {
			return false
		}
		if c == ' ' {
			word = 0
			continue
		}
		if word++; word > maxWordBytes {
			return false
		}
	}
	return true
}

// encodeWords encodes s as RFC 2047 "Q" encoded words of at most 66
// characters, separated by spaces. Only letters, digits and "!*+-/" are
// left as they are, which is safe in every place an encoded word may
// appear (RFC 2047 section 5); words are cut between characters.
func encodeWords(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	payload := 0
	open := false
	for _, r := range s {
		var buf [utf8.UTFMax]byte
		n := utf8.EncodeRune(buf[:], r)
		size := 0
		for _, c := range buf[:n] {
			if qSafe(c) || c == ' ' {
				size++
			} else {
				size += 3
			}
		}
		if open && payload+size > maxEncodedWordPayload {
			b.WriteString("?= ")
			open = false
		}
		if !open {
			b.WriteString("=?utf-8?q?")
			open, payload = true, 0
		}
		for _, c := range buf[:n] {
			switch {
			case c == ' ':
				b.WriteByte('_')
			case qSafe(c):
				b.WriteByte(c)
			default:
				b.WriteByte('=')
				b.WriteByte(hex[c>>4])
				b.WriteByte(hex[c&15])
			}
		}
		payload += size
	}
	if open {
		b.WriteString("?=")
	}
	return b.String()
}

// qSafe reports whether c may stand for itself in an encoded word in a
// phrase.
func qSafe(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("!*+-/", c) >= 0
}

// headerText formats unstructured text (a subject) for a header field:
// as is when that reads back unchanged, else as encoded words. Characters
// CheckHeaderText refuses become spaces; text is cut at
// maxHeaderTextBytes.
func headerText(s string) string {
	s = cleanText(truncate(s, maxHeaderTextBytes))
	if isPlainText(s) {
		return s
	}
	return encodeWords(s)
}

// formatAddress formats an address for a header field: the name (as atoms,
// a quoted string or encoded words, cleaned and cut like headerText's
// text) and the wire form of the address.
func formatAddress(a *mail.Address) (string, error) {
	if a == nil {
		return "", errors.New("empty address")
	}
	addr, problem := envelopeAddress(a.Address)
	if problem != "" {
		return "", AddressError{Input: a.Address, Problem: problem}
	}
	name := cleanText(truncate(a.Name, maxHeaderTextBytes))
	switch {
	case name == "":
		return addr, nil
	case !isPlainText(name):
		name = encodeWords(name)
	case !isAtomPhrase(name):
		name = `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(name) + `"`
	}
	return name + " <" + addr + ">", nil
}

// formatAddressList formats addresses for a header field.
func formatAddressList(l []*mail.Address) (string, error) {
	parts := make([]string, 0, len(l))
	for _, a := range l {
		s, err := formatAddress(a)
		if err != nil {
			return "", err
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, ", "), nil
}

// isAtomPhrase reports whether s is atoms separated by spaces, which a
// display name may be without quotes.
func isAtomPhrase(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] != ' ' && !isAtext(s[i]) {
			return false
		}
	}
	return true
}

// normMsgID trims white space and angle brackets from a message
// identifier.
func normMsgID(id string) string {
	id = strings.TrimSpace(id)
	if strings.HasPrefix(id, "<") && strings.HasSuffix(id, ">") {
		id = id[1 : len(id)-1]
	}
	return id
}

// validMsgID reports whether id (without angle brackets) is an RFC 5322
// msg-id of ASCII: atext and dots, "@", then atext and dots or a domain
// literal.
func validMsgID(id string) bool {
	if len(id) > maxMsgIDBytes {
		return false
	}
	at := strings.IndexByte(id, '@')
	if at <= 0 || at == len(id)-1 {
		return false
	}
	left, right := id[:at], id[at+1:]
	for i := 0; i < len(left); i++ {
		if left[i] != '.' && !isAtext(left[i]) {
			return false
		}
	}
	if right[0] == '[' {
		if len(right) < 2 || right[len(right)-1] != ']' {
			return false
		}
		for i := 1; i < len(right)-1; i++ {
			if c := right[i]; c < '!' || c > '~' || c == '[' || c == ']' || c == '\\' {
				return false
			}
		}
		return true
	}
	for i := 0; i < len(right); i++ {
		if right[i] != '.' && !isAtext(right[i]) {
			return false
		}
	}
	return true
}

// boundReferences returns the valid message identifiers of ids, each once,
// keeping the first and the last ones if there are more than
// maxReferences.
func boundReferences(ids []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, id := range ids {
		id = normMsgID(id)
		if !validMsgID(id) || seen[id] {
			continue
		}
		seen[id] = true
		out = append(out, id)
	}
	if len(out) > maxReferences {
		out = append(out[:1], out[len(out)-(maxReferences-1):]...)
	}
	return out
}

// cleanContentType reduces an uploaded file's content type to a safe
// "type/subtype", lower case, without parameters. Anything unparsable,
// and multipart and message types (which may not be base64 encoded), give
// "application/octet-stream".
func cleanContentType(ct string) string {
	const fallback = "application/octet-stream"
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return fallback
	}
	typ, sub, ok := strings.Cut(strings.ToLower(mt), "/")
	if !ok || !isTypeToken(typ) || !isTypeToken(sub) || typ == "multipart" || typ == "message" {
		return fallback
	}
	return typ + "/" + sub
}

// isTypeToken reports whether s is a plain media type or subtype name
// (RFC 6838 restricted-name).
func isTypeToken(s string) bool {
	if s == "" || len(s) > 127 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || i > 0 && strings.IndexByte("!#$&-^_.+", c) >= 0) {
			return false
		}
	}
	return true
}

// cleanFilename makes an uploaded file's name safe to write: the last path
// element, without control characters or bidirectional overrides and
// isolates (which can disguise "gpj.exe" as "exe.jpg"), white space
// collapsed, at most maxFilenameBytes long (keeping the extension). It
// returns "attachment" if nothing is left.
func cleanFilename(name string) string {
	name = strings.ToValidUTF8(name, "\uFFFD")
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.Map(func(r rune) rune {
		switch {
		case isControl(r), '\u202A' <= r && r <= '\u202E', '\u2066' <= r && r <= '\u2069', r == '\u200E', r == '\u200F':
			return ' '
		}
		return r
	}, name)
	name = strings.Join(strings.Fields(name), " ")
	if len(name) > maxFilenameBytes {
		ext := ""
		if i := strings.LastIndexByte(name, '.'); i > 0 && len(name)-i <= 16 {
			ext = name[i:]
		}
		name = strings.TrimSpace(truncate(name, maxFilenameBytes-len(ext))) + ext
	}
	if name == "" || name == "." || name == ".." {
		return "attachment"
	}
	return name
}
