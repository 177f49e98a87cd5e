package compose

import (
	"net/mail"
	"strings"
	"unicode"
	"unicode/utf8"

	"webmail"
)

// maxQuoteBytes bounds the original text put into a reply or forward (and
// the text HTMLToText returns): a huge original still gives a form that
// can be posted back.
const maxQuoteBytes = 512 << 10

// attributionDate is how the original's date is given in a reply's
// attribution line and a forward's header block.
const attributionDate = "Mon, 2 Jan 2006 at 15:04 -0700"

// Original is the message being replied to or forwarded.
type Original struct {
	Envelope   webmail.Envelope // From, ReplyTo, To, Cc, Subject, MessageID, InReplyTo, Date
	References []string         // the References field (identifiers without angle brackets), may be nil
	// Text is the plain text body as written (unflowed, see Unflow, if it
	// was format=flowed), or "" if there is none.
	Text string
	// HTML is the HTML body, or "". It is used, through HTMLToText, when
	// Text is empty.
	HTML string
}

// Reply returns a draft replying to o. me are the person's own addresses,
// lower case. all makes it a reply to all.
//
//   - To is the original's Reply-To, or its From if it has none. If those
//     are all the person's own (a reply to one's own message), To is the
//     original's To instead.
//   - A reply to all adds the original's To and Cc to Cc, without the
//     person's own addresses and without the addresses already in To.
//   - From is the first of the person's own addresses (as given in me) the
//     original was sent to (To, then Cc), for the caller to complete with
//     a name, or nil.
//   - Subject is the original's with reply prefixes ("Re:", "RE:",
//     "Re[2]:", "AW:", "SV:", ...) replaced by one "Re: ".
//   - InReplyTo is the original's Message-ID; References is the original's
//     References (or, without them, its In-Reply-To) followed by its
//     Message-ID, at most 20 of them (the first and the last ones).
//   - Body is two empty lines, an attribution line ("On <date>, <name>
//     wrote:") and the original text quoted with "> " (">" for an empty
//     line, and ">" added to lines already quoted), without its signature.
//
// Names and subjects from the original are cleaned of control characters;
// addresses that cannot be used are left out.
func Reply(o Original, me []string, all bool) Draft {
	env := o.Envelope
	own := map[string]string{} // key → the address as the person has it
	for _, a := range me {
		a = strings.TrimSpace(a)
		if k := addressKey(a); own[k] == "" {
			own[k] = a
		}
	}
	isOwn := func(a *mail.Address) bool { return own[addressKey(a.Address)] != "" }

	var d Draft
	target := env.ReplyTo
	if len(target) == 0 {
		target = env.From
	}
	to := mailAddresses(target)
	if len(to) > 0 && allOwn(to, isOwn) {
		if others := mailAddresses(env.To); len(others) > 0 {
			to = others
		}
	}
	if !allOwn(to, isOwn) {
		d.To = dedupAddresses(to, nil, isOwn)
	} else {
		d.To = dedupAddresses(to, nil, nil) // a message to oneself
	}

	if all {
		seen := map[string]bool{}
		for _, a := range d.To {
			seen[addressKey(a.Address)] = true
		}
		cc := append(mailAddresses(env.To), mailAddresses(env.Cc)...)
		d.Cc = dedupAddresses(cc, seen, isOwn)
	}
	for _, a := range append(mailAddresses(env.To), mailAddresses(env.Cc)...) {
		if mine := own[addressKey(a.Address)]; mine != "" {
			d.From = &mail.Address{Address: mine}
			break
		}
	}

	d.Subject = prefixSubject("Re:", stripReplyPrefixes(oneLine(env.Subject)))

	if id := normMsgID(env.MessageID); validMsgID(id) {
		d.InReplyTo = id
		refs := o.References
		if len(refs) == 0 {
			refs = env.InReplyTo
		}
		d.References = boundReferences(append(append([]string(nil), refs...), id))
	}

	var b strings.Builder
	b.WriteString("\n\n")
	b.WriteString(attribution(env))
	b.WriteByte('\n')
	quote(&b, originalText(o, true))
	d.Body = b.String()
	return d
}

// Forward returns a draft forwarding o: Subject "Fwd: " and the original's
// subject (without earlier forward prefixes), and a body of two empty
// lines, a "---------- Forwarded message ----------" block giving the
// original's From, Date, Subject, To and Cc, an empty line and the original
// text. The recipients and attachments are for the caller to add.
func Forward(o Original) Draft {
	env := o.Envelope
	var d Draft
	d.Subject = prefixSubject("Fwd:", stripForwardPrefixes(oneLine(env.Subject)))
	var b strings.Builder
	b.WriteString("\n\n" + forwardMarker + "\n")
	line := func(key, value string) {
		if value != "" {
			b.WriteString(key + ": " + value + "\n")
		}
	}
	line("From", displayList(env.From))
	if !env.Date.IsZero() {
		line("Date", env.Date.Format(attributionDate))
	}
	line("Subject", oneLine(env.Subject))
	line("To", displayList(env.To))
	line("Cc", displayList(env.Cc))
	b.WriteByte('\n')
	text := originalText(o, false)
	b.WriteString(text)
	if text != "" && !strings.HasSuffix(text, "\n") {
		b.WriteByte('\n')
	}
	d.Body = b.String()
	return d
}

// forwardMarker is the line that starts the forwarded block of a forward.
const forwardMarker = "---------- Forwarded message ----------"

// SplitForward splits the body of a forward (see Forward), as the person
// left it, at its forwarded block: note is what they wrote above it,
// header the block's lines up to the first empty one (the marker, From,
// Date, ...). ok is false when the marker line is no longer there.
func SplitForward(body string) (note string, header []string, ok bool) {
	body = NormaliseBody(body)
	i := strings.Index(body, "\n"+forwardMarker+"\n")
	switch {
	case i >= 0:
		note, body = body[:i], body[i+1:]
	case strings.HasPrefix(body, forwardMarker+"\n"):
	default:
		return "", nil, false
	}
	for l := range strings.SplitSeq(body, "\n") {
		if strings.TrimSpace(l) == "" {
			break
		}
		header = append(header, l)
	}
	return note, header, true
}

// prefixSubject puts prefix before a subject, cutting the subject so that
// the result passes Validate.
func prefixSubject(prefix, subject string) string {
	if subject == "" {
		return prefix
	}
	if room := maxSubjectRunes - utf8.RuneCountInString(prefix) - 1; longerThan(subject, room) {
		subject = subject[:runesLen(subject, room)]
	}
	return prefix + " " + strings.TrimSpace(subject)
}

// mailAddresses converts envelope addresses, leaving out group markers and
// addresses that cannot be used; names are cleaned.
func mailAddresses(l []webmail.Address) []*mail.Address {
	var out []*mail.Address
	for _, a := range l {
		if a.Mailbox == "" || a.Host == "" {
			continue
		}
		addr := a.Mailbox + "@" + a.Host
		if _, problem := envelopeAddress(addr); problem != "" {
			continue
		}
		out = append(out, &mail.Address{Name: oneLine(a.Name), Address: addr})
	}
	return out
}

// dedupAddresses returns l without duplicates, addresses in seen and, if
// skip is not nil, addresses skip reports; seen is updated.
func dedupAddresses(l []*mail.Address, seen map[string]bool, skip func(*mail.Address) bool) []*mail.Address {
	if seen == nil {
		seen = map[string]bool{}
	}
	var out []*mail.Address
	for _, a := range l {
		k := addressKey(a.Address)
		if seen[k] || skip != nil && skip(a) {
			continue
		}
		seen[k] = true
		out = append(out, a)
	}
	return out
}

func allOwn(l []*mail.Address, isOwn func(*mail.Address) bool) bool {
	for _, a := range l {
		if !isOwn(a) {
			return false
		}
	}
	return true
}

// displayList formats envelope addresses for reading: "Name <addr>" or
// "addr", comma separated.
func displayList(l []webmail.Address) string {
	var parts []string
	for _, a := range l {
		if a.Mailbox == "" {
			continue
		}
		addr := oneLine(a.Addr())
		if name := oneLine(a.Name); name != "" {
			parts = append(parts, name+" <"+addr+">")
		} else {
			parts = append(parts, addr)
		}
	}
	return strings.Join(parts, ", ")
}

// attribution returns the line introducing a quote: "On <date>, <name>
// wrote:", with the sender's name, or address if it has none.
func attribution(env webmail.Envelope) string {
	who := "someone"
	for _, a := range env.From {
		if a.Mailbox == "" {
			continue
		}
		if who = oneLine(a.Name); who == "" {
			who = oneLine(a.Addr())
		}
		break
	}
	if env.Date.IsZero() {
		return who + " wrote:"
	}
	return "On " + env.Date.Format(attributionDate) + ", " + who + " wrote:"
}

// originalText returns the original's text (or its HTML as text), with
// "\n" line ends, no trailing white space on lines or trailing empty lines,
// without the signature if noSig, and at most about maxQuoteBytes long.
func originalText(o Original, noSig bool) string {
	text := o.Text
	if strings.TrimSpace(text) == "" {
		text = HTMLToText(o.HTML)
	}
	truncated := len(text) > maxQuoteBytes
	text = NormaliseBody(truncate(text, maxQuoteBytes))
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		if l == "-- " {
			if noSig {
				lines = lines[:i]
				break
			}
			continue
		}
		lines[i] = strings.TrimRightFunc(strings.Map(func(r rune) rune {
			if r != '\t' && unicode.IsControl(r) {
				return -1
			}
			return r
		}, l), unicode.IsSpace)
	}
	for len(lines) > 0 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	if truncated {
		lines = append(lines, "[…]")
	}
	return strings.Join(lines, "\n")
}

// quote writes text quoted: "> " before each line, ">" for an empty one or
// before a line that is already quoted.
func quote(b *strings.Builder, text string) {
	if text == "" {
		return
	}
	for l := range strings.SplitSeq(text, "\n") {
		switch {
		case l == "":
			b.WriteString(">\n")
		case l[0] == '>':
			b.WriteString(">" + l + "\n")
		default:
			b.WriteString("> " + l + "\n")
		}
	}
}

// replyPrefixes are the words mail programs put before a subject for a
// reply, lower case: English and Latin "Re", German "AW", Scandinavian "SV",
// Finnish "VS", Dutch "Antw", Polish "Odp", Turkish "Ynt", Italian "Rif",
// Portuguese "Res", French "Réf", Greek "Απ" and "ΣΧΕΤ", Chinese "回复" and
// "答复".
var replyPrefixes = []string{"re", "aw", "sv", "vs", "antw", "antwort", "odp", "ynt", "rif", "res", "réf", "ref", "απ", "σχετ", "回复", "答复", "回覆"}

// forwardPrefixes are the words put before a forwarded message's subject,
// lower case: "Fwd", "Fw", German "WG", French "TR", Spanish "RV", Portuguese
// "Enc".
var forwardPrefixes = []string{"fwd", "fw", "wg", "tr", "rv", "enc"}

// stripReplyPrefixes removes every reply prefix ("Re:", "RE :", "Re[2]:",
// "Re(3):", "AW:", ...) from the start of a subject.
func stripReplyPrefixes(s string) string { return stripPrefixes(s, replyPrefixes) }

// stripForwardPrefixes removes every forward prefix ("Fwd:", "FW:", ...)
// from the start of a subject.
func stripForwardPrefixes(s string) string { return stripPrefixes(s, forwardPrefixes) }

func stripPrefixes(s string, words []string) string {
	for {
		s = strings.TrimSpace(s)
		rest, ok := cutPrefix(s, words)
		if !ok {
			return s
		}
		s = rest
	}
}

// cutPrefix removes one prefix: one of words (any case), an optional
// counter ("[2]", "(2)", "^2"), optional spaces and a colon (ASCII or
// full-width).
func cutPrefix(s string, words []string) (string, bool) {
	for _, w := range words {
		n := runesLen(s, utf8.RuneCountInString(w))
		if n < 0 || !strings.EqualFold(s[:n], w) {
			continue
		}
		rest := s[n:]
		if len(rest) > 0 && (rest[0] == '[' || rest[0] == '(') {
			closing := "]"
			if rest[0] == '(' {
				closing = ")"
			}
			end := strings.Index(rest, closing)
			if end < 2 || !allDigits(rest[1:end]) {
				continue
			}
			rest = rest[end+1:]
		} else if len(rest) > 0 && rest[0] == '^' {
			n := 1
			for n < len(rest) && '0' <= rest[n] && rest[n] <= '9' {
				n++
			}
			if n == 1 {
				continue
			}
			rest = rest[n:]
		}
		rest = strings.TrimLeft(rest, " \t")
		switch {
		case strings.HasPrefix(rest, ":"):
			return rest[1:], true
		case strings.HasPrefix(rest, "："):
			return rest[len("："):], true
		}
	}
	return s, false
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// runesLen returns the length in bytes of the first n characters of s, or
// -1 if s is shorter.
func runesLen(s string, n int) int {
	for i := range s {
		if n == 0 {
			return i
		}
		n--
	}
	if n == 0 {
		return len(s)
	}
	return -1
}
