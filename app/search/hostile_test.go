package search

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/emersion/go-imap/v2"
	"github.com/google/go-cmp/cmp"
)

// diffCriteria is cmp.Diff(want, got) for criteria of any depth: go-cmp
// takes exponential time on deeply nested Or chains, so those are compared
// (and shown) as printed values.
func diffCriteria(want, got imap.SearchCriteria) string {
	w, g := fmt.Sprintf("%+v", want), fmt.Sprintf("%+v", got)
	if w == g {
		return ""
	}
	if measure(want).depth <= 3 && measure(got).depth <= 3 {
		return cmp.Diff(want, got)
	}
	return "-" + w + "\n+" + g
}

// shape measures criteria: how many values they hold, how deep they nest,
// and the first problem with a value (a control character, a quote, bad
// UTF-8), if any.
type shape struct {
	leaves, depth int
	problem       string
}

func measure(c imap.SearchCriteria) shape {
	var s shape
	var walk func(c imap.SearchCriteria, depth int)
	value := func(v string) {
		s.leaves++
		switch {
		case s.problem != "":
		case v == "":
			s.problem = "an empty value"
		case !utf8.ValidString(v):
			s.problem = "a value that is not UTF-8: " + v
		case strings.ContainsFunc(v, unicode.IsControl):
			s.problem = "a control character in " + v
		case strings.Contains(v, `"`):
			s.problem = "a quote in " + v
		}
	}
	walk = func(c imap.SearchCriteria, depth int) {
		s.depth = max(s.depth, depth)
		if len(c.SeqNum)+len(c.UID) > 0 || c.ModSeq != nil || !c.Since.IsZero() || !c.Before.IsZero() {
			s.problem = "a field Parse never sets"
		}
		for _, h := range c.Header {
			value(h.Key)
			s.leaves--
			value(h.Value)
		}
		for _, v := range c.Text {
			value(v)
		}
		for _, v := range c.Body {
			value(v)
		}
		for _, t := range []bool{
			!c.SentSince.IsZero(), !c.SentBefore.IsZero(), c.Larger != 0, c.Smaller != 0,
		} {
			if t {
				s.leaves++
			}
		}
		s.leaves += len(c.Flag) + len(c.NotFlag)
		for _, n := range c.Not {
			walk(n, depth+1)
		}
		for _, o := range c.Or {
			walk(o[0], depth+1)
			walk(o[1], depth+1)
		}
	}
	walk(c, 0)
	return s
}

// checkBounded fails if a parsed query exceeds the limits: at most
// MaxTerms terms, each at most two values (has:attachment, on:) and at most
// two levels deep (-has:attachment), one more level per parentheses, and
// values that are safe text.
func checkBounded(t *testing.T, in string, q Query) {
	t.Helper()
	terms := len(q.terms)
	s := measure(q.Criteria)
	if terms > MaxTerms || s.leaves > 2*MaxTerms || s.depth > MaxTerms+MaxDepth+2 {
		t.Errorf("Parse(%.80q): %d terms, %d values, depth %d", in, terms, s.leaves, s.depth)
	}
	if s.problem != "" {
		t.Errorf("Parse(%.80q): %s", in, s.problem)
	}
}

var hostileQueries = []string{
	"a\r\nb LOGOUT",
	"a\nA1 LOGOUT",
	"a\rb",
	`x" OR ALL`,
	`"x\" OR ALL"`,
	`from:"x\" ALL"`,
	"x\x00 ALL",
	"\x00",
	"{5}\r\nhello",
	"{5+}",
	"{0}",
	"~{3}",
	`a) OR (ALL`,
	`) ALL (`,
	"* OK [ALERT] hi",
	"A1 LOGOUT",
	`subject:"\"`,
	`\" ALL \"`,
	`C:\ OR \\`,
	`from:"a\" OR from:"b`,
	"NIL",
	`"" ALL`,
	"é\u00a0ü\u2028ß\u3000東京",
	"\u202eevil\u202c",
	"\xc0\x80",
	"\xed\xa0\x80",
	"\x1b]0;title\x07",
	strings.Repeat("NOT ", 124) + "a",
	strings.Repeat("-", 499) + "a",
	strings.TrimSuffix(strings.Repeat("a OR ", MaxTerms), " OR "),
	strings.Repeat("a OR ", MaxTerms) + "a",
	strings.Repeat(`"`, 499),
	strings.Repeat(`"`, 500),
	strings.Repeat("a", 1<<20),
	strings.Repeat("a ", 10000),
	strings.Repeat("a ", 250),
	strings.Repeat("has:attachment ", 20),
	strings.Repeat("-has:attachment ", 20),
	"size>1024G size<1",
	"before:1000 after:9998",
	strings.Repeat("-(a OR ", MaxDepth) + "b" + strings.Repeat(")", MaxDepth),
	strings.Repeat("(", MaxDepth) + strings.Repeat("a OR ", MaxTerms-1) + "a" + strings.Repeat(")", MaxDepth),
}

// TestHostileQueries checks that hostile queries are refused with an Error
// or give bounded criteria whose values arrive at a real IMAP server
// exactly as parsed, leaving the connection usable.
func TestHostileQueries(t *testing.T) {
	t.Parallel()
	for _, caps := range []imap.CapSet{
		{imap.CapIMAP4rev1: {}, imap.CapIMAP4rev2: {}},
		{imap.CapIMAP4rev1: {}},
	} {
		p := newIMAPPeer(t, caps)
		p.append(t, testMailbox[0].raw, nil)
		if _, err := p.c.Select("INBOX", nil).Wait(); err != nil {
			t.Fatal(err)
		}
		for _, in := range hostileQueries {
			q, err := Parse(in, testNow)
			if err != nil {
				var e *Error
				if !errors.As(err, &e) || e.Msg == "" || e.Pos < 0 || e.Pos > len(in) {
					t.Errorf("Parse(%.80q): error %#v", in, err)
				}
				continue
			}
			checkBounded(t, in, q)
			_, decoded := p.search(t, q.Criteria)
			if diff := diffCriteria(q.Criteria, decoded); diff != "" {
				t.Errorf("%.80q: server decoded other criteria (-sent +decoded):\n%s", in, diff)
			}
			if err := p.c.Noop().Wait(); err != nil {
				t.Fatalf("after %.80q: NOOP: %v", in, err)
			}
		}
		if _, err := p.c.Select("INBOX", nil).Wait(); err != nil {
			t.Fatalf("the session did not survive: %v", err)
		}
	}
}

// TestHostileRefused names the queries that must be refused, and why.
func TestHostileRefused(t *testing.T) {
	t.Parallel()
	for in, msg := range map[string]string{
		"a\r\nb LOGOUT":                   "the search cannot contain a line break",
		`x" OR ALL`:                       "a quote is not closed",
		`"x\" OR ALL"`:                    "a quote is not closed",
		"x\x00 ALL":                       "the search contains an invisible control character (U+0000); remove it",
		"\xc0\x80":                        "the search has bytes that are not text (UTF-8)",
		"\xed\xa0\x80":                    "the search has bytes that are not text (UTF-8)",
		strings.Repeat("a", 1<<20):        "the search is too long: at most 500 bytes",
		strings.Repeat("a ", 10000):       "the search is too long: at most 500 bytes",
		strings.Repeat("a ", 250):         "the search has too many terms: at most 20",
		strings.Repeat("a OR ", 20) + "a": "the search has too many terms: at most 20",
	} {
		_, err := Parse(in, testNow)
		if err == nil || err.Error() != msg {
			t.Errorf("Parse(%.40q) = %v, want %q", in, err, msg)
		}
	}
}
