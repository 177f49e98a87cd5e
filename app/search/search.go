package search

import (
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/emersion/go-imap/v2"
)

// Limits on one query.
const (
	MaxBytes = 500 // input length
	MaxTerms = 20  // words, phrases and operator terms
	MaxDepth = 10  // parentheses inside parentheses
)

// Query is a parsed search: the criteria for IMAP SEARCH and a normalised
// text form.
type Query struct {
	Criteria imap.SearchCriteria

	terms []term // ANDed, except where a term is joined to the one before by OR
}

// IsZero reports whether the query has no terms (the input was blank). Its
// criteria match every message.
func (q Query) IsZero() bool { return len(q.terms) == 0 }

// String returns the canonical form of the query, for showing back in the
// search box. It is never longer than the input Parse was given.
func (q Query) String() string {
	var b strings.Builder
	writeTerms(&b, q.terms)
	return b.String()
}

// writeTerms writes terms as the query language does: side by side, or
// joined by OR.
func writeTerms(b *strings.Builder, terms []term) {
	for i, t := range terms {
		switch {
		case t.or:
			b.WriteString(" OR ")
		case i > 0:
			b.WriteByte(' ')
		}
		if t.group == nil {
			b.WriteString(t.String())
			continue
		}
		if t.neg {
			b.WriteByte('-')
		}
		b.WriteByte('(')
		writeTerms(b, t.group)
		b.WriteByte(')')
	}
}

// Error is a query that cannot be parsed. Msg is written for the person
// who typed the query; Pos is the byte offset in the input of the problem.
type Error struct {
	Pos int
	Msg string
}

func (e *Error) Error() string { return e.Msg }

func errorf(pos int, format string, args ...any) *Error {
	return &Error{Pos: pos, Msg: fmt.Sprintf(format, args...)}
}

// level is a run of terms being read: the whole query, or the inside of
// parentheses.
type level struct {
	terms  []term
	or     int  // position of an OR waiting for its right side
	not    int  // position of the first NOT waiting for its term
	negate bool // odd number of NOTs waiting
	// Of parentheses: where they open, and whether the group is negated
	// and joined by OR to the term before it.
	open      int
	neg, orOf bool
}

func newLevel() *level { return &level{or: -1, not: -1, open: -1} }

// add appends t to the level, with the OR and NOT waiting for it.
func (l *level) add(t term) {
	t.neg = t.neg != l.negate
	t.or = l.or >= 0
	l.terms = append(l.terms, t)
	l.or, l.not, l.negate = -1, -1, false
}

// finish reports an OR or NOT left without its term.
func (l *level) finish() error {
	if l.or >= 0 {
		return errorf(l.or, "OR needs a search term on each side, like from:alice OR from:bob")
	}
	if l.not >= 0 {
		return errorf(l.not, "NOT needs a search term after it, like NOT newsletter")
	}
	return nil
}

// Parse parses a search box query. now gives today's date for relative
// dates (today, yesterday, 7d, ...), in now's location. Blank input gives
// the zero Query. A problem is reported as an *Error.
func Parse(input string, now time.Time) (Query, error) {
	if err := check(input); err != nil {
		return Query{}, err
	}
	toks, err := scan(input)
	if err != nil {
		return Query{}, err
	}
	y, m, d := now.Date()
	today := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)

	// Parentheses are read with a stack of levels, not by recursion.
	stack := []*level{newLevel()}
	words := 0
	for _, tk := range toks {
		opens, core, closes := parens(tk)
		for _, o := range opens {
			if len(stack) > MaxDepth {
				return Query{}, errorf(o.pos, "the search has parentheses too deep inside each other: at most %d", MaxDepth)
			}
			outer := stack[len(stack)-1]
			l := newLevel()
			l.open, l.neg, l.orOf = o.pos, o.neg != outer.negate, outer.or >= 0
			outer.or, outer.not, outer.negate = -1, -1, false
			stack = append(stack, l)
		}
		if core != nil {
			l := stack[len(stack)-1]
			if !core.quoted && core.text == "OR" {
				if len(l.terms) == 0 || l.or >= 0 || l.not >= 0 {
					return Query{}, errorf(core.pos, "OR needs a search term on each side, like from:alice OR from:bob")
				}
				l.or = core.pos
			} else if !core.quoted && core.text == "NOT" {
				if l.not < 0 {
					l.not = core.pos
				}
				l.negate = !l.negate
			} else {
				if words == MaxTerms {
					return Query{}, errorf(core.pos, "the search has too many terms: at most %d", MaxTerms)
				}
				words++
				t, err := parseTerm(*core, today)
				if err != nil {
					return Query{}, err
				}
				l.add(t)
			}
		}
		for _, pos := range closes {
			if len(stack) == 1 {
				return Query{}, errorf(pos, `a ")" closes no "("; to search for it, put it in quotes`)
			}
			l := stack[len(stack)-1]
			if err := l.finish(); err != nil {
				return Query{}, err
			}
			if len(l.terms) == 0 {
				return Query{}, errorf(l.open, "empty parentheses: put search terms between them, like (from:alice OR from:bob)")
			}
			stack = stack[:len(stack)-1]
			outer := stack[len(stack)-1]
			g := term{group: l.terms, crit: build(l.terms)}
			if len(l.terms) == 1 { // (a) is a
				g = l.terms[0]
			}
			g.neg, g.or = g.neg != l.neg, l.orOf
			outer.terms = append(outer.terms, g)
		}
	}
	if len(stack) > 1 {
		return Query{}, errorf(stack[len(stack)-1].open, `a "(" is not closed`)
	}
	top := stack[0]
	if err := top.finish(); err != nil {
		return Query{}, err
	}
	q := Query{terms: top.terms}
	q.Criteria = build(q.terms)
	return q, nil
}

// open is a "(" (or "-(") that starts a token.
type open struct {
	pos int
	neg bool
}

// parens splits the parentheses off a token: the "(" and "-(" it starts
// with and the ")" it ends with, outside quotes. What is left is the
// word, or nil when nothing is.
func parens(tk token) (opens []open, core *token, closes []int) {
	for {
		switch {
		case tk.bare >= 1 && tk.text[0] == '(':
			opens = append(opens, open{pos: tk.pos})
			tk.pos, tk.text, tk.bare = tk.pos+1, tk.text[1:], tk.bare-1
		case tk.bare >= 2 && tk.text[:2] == "-(":
			opens = append(opens, open{pos: tk.pos, neg: true})
			tk.pos, tk.text, tk.bare = tk.pos+2, tk.text[2:], tk.bare-2
		default:
			goto tail
		}
	}
tail:
	tail := min(tk.tail, len(tk.text))
	n := 0
	for n < tail && tk.text[len(tk.text)-1-n] == ')' {
		n++
	}
	for i := n - 1; i >= 0; i-- {
		closes = append(closes, tk.end-1-i)
	}
	tk.text = tk.text[:len(tk.text)-n]
	tk.tail = tail - n
	tk.bare = min(tk.bare, len(tk.text))
	if tk.text == "" && !tk.quoted {
		return opens, nil, closes
	}
	return opens, &tk, closes
}

// check refuses input that is too long, not UTF-8 or has control
// characters.
func check(s string) error {
	if len(s) > MaxBytes {
		return errorf(MaxBytes, "the search is too long: at most %d bytes", MaxBytes)
	}
	for i, r := range s {
		switch {
		case r == utf8.RuneError && !strings.HasPrefix(s[i:], "\uFFFD"):
			return errorf(i, "the search has bytes that are not text (UTF-8)")
		case r == '\r' || r == '\n':
			return errorf(i, "the search cannot contain a line break")
		case r == '\t':
			return errorf(i, "the search cannot contain a tab; use spaces")
		case unicode.IsControl(r):
			return errorf(i, "the search contains an invisible control character (U+%04X); remove it", r)
		}
	}
	return nil
}

// token is a run of input up to white space outside quotes.
type token struct {
	pos    int    // byte offset in the input
	end    int    // byte offset of the input just after it
	text   string // quotes removed
	bare   int    // length of text before the first quote
	tail   int    // length of text after the last quote
	quoted bool   // there were quotes
}

// scan splits checked input into tokens.
func scan(s string) ([]token, error) {
	var toks []token
	i := 0
	for i < len(s) {
		r, n := utf8.DecodeRuneInString(s[i:])
		if unicode.IsSpace(r) {
			i += n
			continue
		}
		tk := token{pos: i}
		var b []byte // the text once there are quotes; until then s[tk.pos:i]
		for i < len(s) {
			r, n := utf8.DecodeRuneInString(s[i:])
			if unicode.IsSpace(r) {
				break
			}
			if r != '"' {
				if tk.quoted {
					b = append(b, s[i:i+n]...)
					tk.tail += n
				}
				i += n
				continue
			}
			if !tk.quoted {
				tk.quoted, tk.bare = true, i-tk.pos
				b = append(b, s[tk.pos:i]...)
			}
			end := strings.IndexByte(s[i+1:], '"')
			if end < 0 {
				return nil, errorf(i, "a quote is not closed")
			}
			b = append(b, s[i+1:i+1+end]...)
			i += end + 2
			tk.tail = 0
		}
		if tk.quoted {
			tk.text = string(b)
		} else {
			tk.text = s[tk.pos:i]
			tk.bare = len(tk.text)
			tk.tail = len(tk.text)
		}
		tk.end = i
		toks = append(toks, tk)
	}
	return toks, nil
}

// term is one word, phrase or operator term, in canonical form.
type term struct {
	// group holds the terms inside parentheses; crit is then what they
	// match together.
	group []term
	or    bool // joined to the term before by OR
	neg   bool
	op    string // "" for text, "from", ..., "size>", "size<"
	val   string
	crit  imap.SearchCriteria // what the term matches, not negated
}

// criteria returns what the term matches, negated if it is.
func (t term) criteria() imap.SearchCriteria {
	if t.neg {
		return imap.SearchCriteria{Not: []imap.SearchCriteria{t.crit}}
	}
	return t.crit
}

// String writes the term unquoted when that reads back the same, else with
// the value quoted. Values never contain a double quote.
func (t term) String() string {
	prefix := ""
	if t.neg {
		prefix = "-"
	}
	sep := ""
	switch {
	case t.op == "":
	case strings.HasPrefix(t.op, "size"):
	default:
		sep = ":"
	}
	bare := prefix + t.op + sep + t.val
	switch t.op {
	case "", "from", "to", "cc", "subject", "body":
		// Free text: it may look like something else or need quotes.
	default:
		return bare // a canonical value: a keyword, date or size
	}
	if bare != "OR" && bare != "NOT" && !parenthesised(bare) &&
		strings.IndexFunc(bare, func(r rune) bool { return r == '"' || unicode.IsSpace(r) }) < 0 {
		if u, err := parseTerm(token{text: bare, bare: len(bare)}, time.Time{}); err == nil &&
			u.neg == t.neg && u.op == t.op && u.val == t.val {
			return bare
		}
	}
	return prefix + t.op + sep + `"` + t.val + `"`
}

// parenthesised reports whether a word would read as opening or closing
// parentheses unless quoted.
func parenthesised(w string) bool {
	return strings.HasPrefix(w, "(") || strings.HasPrefix(w, "-(") || strings.HasSuffix(w, ")")
}

// operators maps an operator name (lower case) to its parser.
var operators = map[string]func(op, val string, today time.Time) (term, error){
	"from":    header("From", "a name or address, like from:alice or from:\"Alice Smith\""),
	"to":      header("To", "a name or address, like to:bob or to:\"Bob Jones\""),
	"cc":      header("Cc", "a name or address, like cc:carol or cc:\"Carol White\""),
	"subject": header("Subject", "words, like subject:invoice or subject:\"March invoice\""),
	"body":    body,
	"is":      is,
	"has":     has,
	"before":  date,
	"after":   date,
	"on":      date,
	"since":   date,
}

// parseTerm reads one token that is not OR or NOT. today is only used for
// dates.
func parseTerm(tk token, today time.Time) (term, error) {
	text, bare := tk.text, tk.bare
	neg := false
	if bare > 0 && text[0] == '-' {
		neg, text, bare = true, text[1:], bare-1
		if text == "" && !tk.quoted {
			return term{}, errorf(tk.pos, "- needs a word right after it, like -newsletter")
		}
	}
	var t term
	var err error
	if i := strings.IndexByte(text[:bare], ':'); i > 0 && operators[asciiLower(text[:i])] != nil {
		op := asciiLower(text[:i])
		t, err = operators[op](op, text[i+1:], today)
	} else if bare >= 5 && asciiLower(text[:4]) == "size" && (text[4] == '>' || text[4] == '<') {
		t, err = size(text[:5], text[5:])
	} else if text == "" {
		err = fmt.Errorf(`empty quotes "": put words between them`)
	} else {
		t = term{val: text, crit: imap.SearchCriteria{Text: []string{text}}}
	}
	if err != nil {
		return term{}, &Error{Pos: tk.pos, Msg: err.Error()}
	}
	t.neg = neg
	return t, nil
}

func header(key, example string) func(op, val string, _ time.Time) (term, error) {
	return func(op, val string, _ time.Time) (term, error) {
		if val == "" {
			return term{}, fmt.Errorf("%s: needs %s", op, example)
		}
		return term{op: op, val: val, crit: imap.SearchCriteria{
			Header: []imap.SearchCriteriaHeaderField{{Key: key, Value: val}},
		}}, nil
	}
}

func body(op, val string, _ time.Time) (term, error) {
	if val == "" {
		return term{}, fmt.Errorf("body: needs words, like body:invoice or body:\"see you\"")
	}
	return term{op: op, val: val, crit: imap.SearchCriteria{Body: []string{val}}}, nil
}

// flagTerms are the values of is:.
var flagTerms = map[string]imap.SearchCriteria{
	"unread":     {NotFlag: []imap.Flag{imap.FlagSeen}},
	"read":       {Flag: []imap.Flag{imap.FlagSeen}},
	"flagged":    {Flag: []imap.Flag{imap.FlagFlagged}},
	"unflagged":  {NotFlag: []imap.Flag{imap.FlagFlagged}},
	"answered":   {Flag: []imap.Flag{imap.FlagAnswered}},
	"unanswered": {NotFlag: []imap.Flag{imap.FlagAnswered}},
}

func is(op, val string, _ time.Time) (term, error) {
	v := asciiLower(val)
	c, ok := flagTerms[v]
	if !ok {
		return term{}, fmt.Errorf("is: can be is:unread, is:read, is:flagged, is:unflagged, is:answered or is:unanswered")
	}
	// A copy, so that no two queries share a slice.
	c.Flag, c.NotFlag = append([]imap.Flag(nil), c.Flag...), append([]imap.Flag(nil), c.NotFlag...)
	return term{op: op, val: v, crit: c}, nil
}

// AttachmentCriteria is what has:attachment searches for: a top-level
// Content-Type of multipart/mixed or a Content-Disposition of attachment.
// IMAP has no attachment search; see the package documentation.
func AttachmentCriteria() imap.SearchCriteria {
	return imap.SearchCriteria{Or: [][2]imap.SearchCriteria{{
		{Header: []imap.SearchCriteriaHeaderField{{Key: "Content-Type", Value: "multipart/mixed"}}},
		{Header: []imap.SearchCriteriaHeaderField{{Key: "Content-Disposition", Value: "attachment"}}},
	}}}
}

func has(op, val string, _ time.Time) (term, error) {
	switch asciiLower(val) {
	case "attachment", "attachments":
		return term{op: op, val: "attachment", crit: AttachmentCriteria()}, nil
	}
	return term{}, fmt.Errorf("has: can only be has:attachment")
}

// build ANDs the terms into one criteria, flat where it can be. Terms
// joined by OR become a chain nested to the right: a OR (b OR c).
func build(terms []term) imap.SearchCriteria {
	var c imap.SearchCriteria
	for i := 0; i < len(terms); {
		j := i + 1 // terms[i:j] are joined by OR
		for j < len(terms) && terms[j].or {
			j++
		}
		if j == i+1 {
			and(&c, terms[i].criteria())
			i = j
			continue
		}
		alt := terms[j-1].criteria()
		for k := j - 2; k > i; k-- {
			alt = imap.SearchCriteria{Or: [][2]imap.SearchCriteria{{terms[k].criteria(), alt}}}
		}
		c.Or = append(c.Or, [2]imap.SearchCriteria{terms[i].criteria(), alt})
		i = j
	}
	return c
}

// and adds x to c. It is imap.SearchCriteria.And for the fields a term
// sets, without that method's loss of Smaller when x has none.
func and(c *imap.SearchCriteria, x imap.SearchCriteria) {
	if c.SentSince.IsZero() || x.SentSince.After(c.SentSince) {
		c.SentSince = x.SentSince
	}
	if c.SentBefore.IsZero() || !x.SentBefore.IsZero() && x.SentBefore.Before(c.SentBefore) {
		c.SentBefore = x.SentBefore
	}
	c.Header = append(c.Header, x.Header...)
	c.Body = append(c.Body, x.Body...)
	c.Text = append(c.Text, x.Text...)
	c.Flag = append(c.Flag, x.Flag...)
	c.NotFlag = append(c.NotFlag, x.NotFlag...)
	c.Larger = max(c.Larger, x.Larger)
	if c.Smaller == 0 || x.Smaller != 0 && x.Smaller < c.Smaller {
		c.Smaller = x.Smaller
	}
	c.Not = append(c.Not, x.Not...)
	c.Or = append(c.Or, x.Or...)
}

// asciiLower lower-cases ASCII letters only, so that no other letter folds
// into an operator name.
func asciiLower(s string) string {
	for i := 0; i < len(s); i++ {
		if 'A' <= s[i] && s[i] <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if 'A' <= b[j] && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}
