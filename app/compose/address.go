package compose

import (
	"net/mail"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/idna"
)

// Limits on what one address field may hold.
const (
	// MaxRecipients is the most addresses one field (To, Cc or Bcc) may
	// hold.
	MaxRecipients = 100
	// maxEntryBytes is the longest entry of a list, as typed: a 64-byte
	// local part, "@" and a 255-byte domain, which leaves room for a short
	// name around a long address and a long name around a short one.
	maxEntryBytes = 320
	// maxListBytes bounds the work done on one field, whatever is posted.
	maxListBytes   = 64 << 10
	maxLocalBytes  = 64
	maxDomainBytes = 253
	maxLabelBytes  = 63
)

// AddressError is one entry of an address field that is not a usable
// address. Input is the entry as typed, so that the form can show it again
// and mark it.
type AddressError struct {
	Field   string // the field, as passed to ParseAddressList
	Input   string // the entry as typed, trimmed
	Problem string // what is wrong, as a sentence fragment for the person
}

// Error returns the problem with the field and the input it is about,
// quoted (control characters escaped, so that it is safe to log).
func (e AddressError) Error() string {
	msg := strconv.Quote(e.Input) + " " + e.Problem
	if e.Field != "" {
		msg = e.Field + ": " + msg
	}
	return msg
}

// ParseAddressList parses an address field as typed into a form.
//
// Entries are separated by commas, semicolons or line breaks; empty entries
// (a trailing comma, a blank line) are skipped. An entry is anything net/mail
// reads as one address: "a@example.org", "<a@example.org>", "Name
// <a@example.org>", `"Last, First" <a@example.org>`, "a@example.org (Name)",
// and RFC 2047 encoded names. A group ("Team: a@example.org,
// b@example.org;") gives its members; "mailto:a@example.org" is read the
// same way. A group whose name is a header field name ("Bcc: x@example.org")
// is refused: it is what a header injection attempt looks like.
//
// Every address is checked with EnvelopeAddress: the domain may be an
// internationalised one ("j@bücher.example" is kept as typed, for display,
// and sent as "j@xn--bcher-kva.example"), the local part must be a plain
// ASCII dot-atom, domain literals ("a@[192.0.2.1]") and dotless domains are
// refused. Addresses that appear twice (compared case-insensitively) are
// given once.
//
// Each entry that cannot be used is reported on its own, with its input, so
// that all problems can be shown at once; the usable addresses are returned
// with them. A field holds at most MaxRecipients entries of at most 320
// bytes each.
func ParseAddressList(field, input string) ([]*mail.Address, []AddressError) {
	var (
		addrs []*mail.Address
		errs  []AddressError
		seen  = map[string]bool{}
	)
	if len(input) > maxListBytes {
		return nil, []AddressError{{Field: field, Input: truncate(input, maxEntryBytes), Problem: "is far too long for an address list"}}
	}
	entries := splitAddressList(input)
	for i, e := range entries {
		if i == MaxRecipients {
			var rest []string
			for _, r := range entries[i:] {
				rest = append(rest, r.text)
			}
			errs = append(errs, AddressError{Field: field, Input: strings.Join(rest, ", "),
				Problem: "is more than a field may hold (at most 100 addresses)"})
			break
		}
		if e.problem != "" {
			errs = append(errs, AddressError{Field: field, Input: e.text, Problem: e.problem})
			continue
		}
		a, problem := parseEntry(e.text)
		if problem != "" {
			errs = append(errs, AddressError{Field: field, Input: e.text, Problem: problem})
			continue
		}
		key := addressKey(a.Address)
		if seen[key] {
			continue
		}
		seen[key] = true
		addrs = append(addrs, a)
	}
	return addrs, errs
}

// FormatAddressList formats addresses for an address field of the form,
// for a person to read and edit: "Name <address>", comma separated, names
// and internationalised domains in UTF-8 (not RFC 2047 encoded), names
// quoted when they need it. ParseAddressList reads the result back as the
// same addresses. (net/mail's Address.String encodes non-ASCII names, and
// does so wrongly for names with a backslash.)
func FormatAddressList(l []*mail.Address) string {
	parts := make([]string, 0, len(l))
	for _, a := range l {
		if a == nil {
			continue
		}
		switch name := a.Name; {
		case name == "":
			parts = append(parts, a.Address)
		case isDisplayPhrase(name):
			parts = append(parts, name+" <"+a.Address+">")
		default:
			parts = append(parts, `"`+strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(name)+`" <`+a.Address+">")
		}
	}
	return strings.Join(parts, ", ")
}

// isDisplayPhrase reports whether a name can be written without quotes and
// read back unchanged: words of atext or non-ASCII characters separated by
// single spaces, with nothing that would read as an encoded word.
func isDisplayPhrase(s string) bool {
	if s[0] == ' ' || s[len(s)-1] == ' ' || strings.Contains(s, "  ") || strings.Contains(s, "=?") {
		return false
	}
	for _, r := range s {
		if r != ' ' && (r < utf8.RuneSelf && !isAtext(byte(r)) || r >= utf8.RuneSelf && (isControl(r) || unicode.IsSpace(r))) {
			return false
		}
	}
	return true
}

// listEntry is one entry of an address list, as typed, or a part of the
// input that was refused as a whole.
type listEntry struct {
	text    string
	problem string
}

// splitAddressList cuts a typed address list into entries. Separators
// inside quoted strings, comments, angle brackets and domain literals do not
// count; a line break always ends an entry, so that an unclosed quote or
// bracket spoils one line only. A group's name is dropped; a group named
// like a header field is returned as one refused entry.
func splitAddressList(s string) []listEntry {
	var (
		out                   []listEntry
		start                 int
		quote, angle, literal bool
		comment               int
		headerGroup           = -1 // start of a header-like group being skipped
		headerName            string
	)
	emit := func(end int) {
		if headerGroup >= 0 {
			return
		}
		if t := strings.TrimSpace(s[start:end]); t != "" {
			out = append(out, listEntry{text: t})
		}
	}
	endHeaderGroup := func(end int) {
		if headerGroup < 0 {
			return
		}
		out = append(out, listEntry{text: strings.TrimSpace(s[headerGroup:end]),
			problem: `looks like a header field ("` + headerName + `:"), not an address`})
		headerGroup = -1
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\r' || c == '\n' {
			emit(i)
			endHeaderGroup(i)
			start = i + 1
			quote, angle, literal, comment = false, false, false, 0
			continue
		}
		switch {
		case quote:
			if c == '\\' && i+1 < len(s) && s[i+1] != '\r' && s[i+1] != '\n' {
				i++
			} else if c == '"' {
				quote = false
			}
			continue
		case comment > 0:
			switch c {
			case '\\':
				if i+1 < len(s) && s[i+1] != '\r' && s[i+1] != '\n' {
					i++
				}
			case '(':
				comment++
			case ')':
				comment--
			}
			continue
		case literal:
			if c == ']' {
				literal = false
			}
			continue
		}
		switch c {
		case '"':
			quote = true
		case '(':
			comment = 1
		case '[':
			literal = true
		case '<':
			angle = true
		case '>':
			angle = false
		case ',':
			if !angle {
				emit(i)
				start = i + 1
			}
		case ';':
			if !angle {
				emit(i)
				endHeaderGroup(i)
				start = i + 1
			}
		case ':':
			if angle {
				continue
			}
			name := strings.TrimSpace(s[start:i])
			if name == "" || strings.ContainsAny(name, "@<>") {
				continue // not a group; the entry will be refused
			}
			if headerGroup < 0 && isHeaderName(name) {
				headerGroup, headerName = start, name
			}
			start = i + 1
		}
	}
	emit(len(s))
	endHeaderGroup(len(s))
	return out
}

// isHeaderName reports whether a group name is the name of a message header
// field, which in an address field means someone tries to add a header.
func isHeaderName(name string) bool {
	name = strings.ToLower(name)
	switch name {
	case "to", "cc", "bcc", "from", "sender", "reply-to", "subject", "date",
		"message-id", "in-reply-to", "references", "return-path", "received",
		"mime-version", "comments", "keywords", "disposition-notification-to",
		"return-receipt-to", "errors-to", "dkim-signature", "authentication-results":
		return true
	}
	for _, p := range []string{"content-", "resent-", "x-", "list-", "arc-"} {
		if strings.HasPrefix(name, p) && len(name) > len(p) && !strings.ContainsAny(name, " \t") {
			return true
		}
	}
	return false
}

// parseEntry parses one entry of an address list and checks the address.
func parseEntry(entry string) (*mail.Address, string) {
	if len(entry) > maxEntryBytes {
		return nil, "is too long for an address (at most 320 bytes)"
	}
	if err := CheckHeaderText("", entry); err != nil {
		return nil, err.(FieldError).Problem
	}
	if !strings.Contains(entry, "@") {
		return nil, "is not an e-mail address (there is no @)"
	}
	a, err := mail.ParseAddress(entry)
	if err != nil && strings.Contains(entry, "(") {
		// net/mail refuses some comments ("(Bob) bob@example.org"): read
		// the entry without them, the comments becoming the name.
		bare, comments := stripComments(entry)
		if b, err2 := mail.ParseAddress(bare); err2 == nil {
			a, err = b, nil
			if a.Name == "" {
				a.Name = strings.Join(strings.Fields(comments), " ")
			}
		}
	}
	if err != nil {
		return nil, syntaxProblem(entry)
	}
	if _, problem := envelopeAddress(a.Address); problem != "" {
		return nil, problem
	}
	if err := CheckHeaderText("", a.Name); err != nil {
		return nil, "has a name that " + err.(FieldError).Problem
	}
	a.Name = strings.Join(strings.Fields(a.Name), " ")
	return a, ""
}

// syntaxProblem describes what is wrong with an entry net/mail cannot
// read, in words for the person rather than the parser's.
func syntaxProblem(entry string) string {
	quotes, escaped := 0, false
	for i := 0; i < len(entry); i++ {
		switch {
		case escaped:
			escaped = false
		case entry[i] == '\\':
			escaped = true
		case entry[i] == '"':
			quotes++
		}
	}
	switch {
	case quotes%2 == 1:
		return "has an unclosed quote"
	case strings.Count(entry, "<") > strings.Count(entry, ">"):
		return "has a < without >"
	case strings.Count(entry, "(") > strings.Count(entry, ")"):
		return "has an unclosed parenthesis"
	case strings.Count(entry, "@") > 1 && !strings.ContainsAny(entry, "<\""):
		return "is not one address (more than one @; separate addresses with commas)"
	}
	return "is not a valid address"
}

// stripComments removes the comments from an entry outside quoted strings,
// returning the rest and the comments' text.
func stripComments(s string) (string, string) {
	var rest, comments strings.Builder
	depth, quote := 0, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote:
			rest.WriteByte(c)
			if c == '\\' && i+1 < len(s) {
				i++
				rest.WriteByte(s[i])
			} else if c == '"' {
				quote = false
			}
		case depth > 0:
			switch c {
			case '\\':
				if i+1 < len(s) {
					i++
					comments.WriteByte(s[i])
				}
				continue
			case '(':
				depth++
			case ')':
				depth--
				if depth == 0 {
					comments.WriteByte(' ')
					continue
				}
			}
			comments.WriteByte(c)
		case c == '(':
			depth = 1
			rest.WriteByte(' ')
		default:
			if c == '"' {
				quote = true
			}
			rest.WriteByte(c)
		}
	}
	return rest.String(), comments.String()
}

// EnvelopeAddress returns the form of an address ("local@domain") to use on
// the wire: in the SMTP envelope and in headers, which must be ASCII. An
// internationalised domain is converted to A-labels (UTS #46 lookup
// mapping, so it is also lower-cased); the local part is kept as it is. It
// fails, with a message for the person, for anything Recipients and WriteTo
// would not send: a local part that is not an ASCII dot-atom (quoted and
// non-ASCII local parts), a domain literal, a domain without a dot, an
// invalid IDN and anything too long.
func EnvelopeAddress(addr string) (string, error) {
	a, problem := envelopeAddress(addr)
	if problem != "" {
		return "", AddressError{Field: "address", Input: addr, Problem: problem}
	}
	return a, nil
}

func envelopeAddress(addr string) (string, string) {
	at := strings.LastIndexByte(addr, '@')
	if at < 0 {
		return "", "is not an e-mail address (there is no @)"
	}
	local, domain := addr[:at], addr[at+1:]
	switch {
	case local == "":
		return "", "has nothing before the @"
	case domain == "":
		return "", "has nothing after the @"
	case len(local) > maxLocalBytes:
		return "", "has too long a name before the @ (at most 64 bytes)"
	case !isDotAtom(local):
		for _, r := range local {
			if r >= utf8.RuneSelf {
				return "", "has non-ASCII characters before the @, which cannot be sent"
			}
		}
		return "", "has characters before the @ that cannot be sent"
	case strings.HasPrefix(domain, "["):
		return "", "uses an IP address literal as domain, which is not supported"
	}
	ascii, err := idna.Lookup.ToASCII(domain)
	if err != nil {
		return "", "has an invalid domain"
	}
	if len(ascii) > maxDomainBytes {
		return "", "has too long a domain"
	}
	labels := strings.Split(ascii, ".")
	if len(labels) < 2 {
		return "", "has a domain without a dot (like example.org)"
	}
	for _, l := range labels {
		if l == "" || len(l) > maxLabelBytes || !isLDH(l) {
			return "", "has an invalid domain"
		}
	}
	return local + "@" + ascii, ""
}

// isDotAtom reports whether s is an RFC 5322 dot-atom of ASCII atext.
func isDotAtom(s string) bool {
	if s == "" || s[0] == '.' || s[len(s)-1] == '.' || strings.Contains(s, "..") {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c != '.' && !isAtext(c) {
			return false
		}
	}
	return true
}

// isAtext reports whether c is RFC 5322 atext (ASCII).
func isAtext(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("!#$%&'*+-/=?^_`{|}~", c) >= 0
}

// isLDH reports whether a domain label has only letters, digits and
// hyphens, and neither starts nor ends with a hyphen.
func isLDH(l string) bool {
	if l[0] == '-' || l[len(l)-1] == '-' {
		return false
	}
	for i := 0; i < len(l); i++ {
		c := l[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// addressKey is what two addresses are compared by: the wire form, lower
// case, or the address lower-cased if it has no wire form.
func addressKey(addr string) string {
	if a, problem := envelopeAddress(addr); problem == "" {
		addr = a
	}
	return strings.ToLower(addr)
}

// truncate shortens s to at most n bytes without cutting a UTF-8 sequence.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	s = s[:n]
	for i := 0; i < utf8.UTFMax && len(s) > 0; i++ {
		if r, size := utf8.DecodeLastRuneInString(s); r != utf8.RuneError || size != 1 {
			break
		}
		s = s[:len(s)-1]
	}
	return s
}
