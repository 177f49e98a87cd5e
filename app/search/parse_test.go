package search

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/google/go-cmp/cmp"
)

// testNow is "now" in every test: Sunday 15 March 2026, midday.
var testNow = time.Date(2026, 3, 15, 12, 0, 0, 0, time.UTC)

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func text(s ...string) imap.SearchCriteria { return imap.SearchCriteria{Text: s} }

func hdr(key, value string) imap.SearchCriteria {
	return imap.SearchCriteria{Header: []imap.SearchCriteriaHeaderField{{Key: key, Value: value}}}
}

func not(c imap.SearchCriteria) imap.SearchCriteria {
	return imap.SearchCriteria{Not: []imap.SearchCriteria{c}}
}

func or(a, b imap.SearchCriteria) imap.SearchCriteria {
	return imap.SearchCriteria{Or: [][2]imap.SearchCriteria{{a, b}}}
}

func TestParse(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		in    string
		now   time.Time // testNow if zero
		want  imap.SearchCriteria
		canon string // the input if empty
	}{
		// Text.
		{name: "word", in: "hello", want: text("hello")},
		{name: "words are ANDed", in: "hello world", want: text("hello", "world")},
		{name: "phrase", in: `"hello world"`, want: text("hello world")},
		{name: "phrase of one word loses its quotes", in: `"hello"`, want: text("hello"), canon: "hello"},
		{name: "non-ASCII", in: "Привет 東京", want: text("Привет", "東京")},
		{name: "extra spaces", in: "  a   b  ", want: text("a", "b"), canon: "a b"},
		{name: "ideographic space separates", in: "a\u3000b", want: text("a", "b"), canon: "a b"},
		{name: "apostrophe", in: "don't", want: text("don't")},
		{name: "backslash is ordinary", in: `C:\path\x`, want: text(`C:\path\x`)},
		{name: "quotes inside a word", in: `x"a b"y`, want: text("xa by"), canon: `"xa by"`},
		{name: "unknown operator is a word", in: "re:meeting", want: text("re:meeting")},
		{name: "URL is a word", in: "https://example.com/a?b=c", want: text("https://example.com/a?b=c")},
		{name: "quoted operator is a word", in: `"from:alice"`, want: text("from:alice")},
		{name: "quoted OR is a word", in: `a "OR" b`, want: text("a", "OR", "b")},
		{name: "lower-case or is a word", in: "a or b", want: text("a", "or", "b")},
		{name: "quoted dash", in: `"-"`, want: text("-")},
		{name: "quoted size", in: `"size>1M"`, want: text("size>1M")},
		{name: "colon first is a word", in: ":from", want: text(":from")},
		{name: "blank", in: "", want: imap.SearchCriteria{}},
		{name: "only spaces", in: "   ", want: imap.SearchCriteria{}, canon: ""},

		// Headers and body.
		{name: "from", in: "from:alice", want: hdr("From", "alice")},
		{name: "from phrase", in: `from:"Alice Smith"`, want: hdr("From", "Alice Smith")},
		{name: "from address", in: "from:alice@example.com", want: hdr("From", "alice@example.com")},
		{name: "operator case", in: "FROM:Alice", want: hdr("From", "Alice"), canon: "from:Alice"},
		{name: "to", in: "to:bob", want: hdr("To", "bob")},
		{name: "cc", in: "cc:carol", want: hdr("Cc", "carol")},
		{name: "subject", in: `subject:"March invoice"`, want: hdr("Subject", "March invoice")},
		{name: "subject with colon", in: "subject:re:x", want: hdr("Subject", "re:x")},
		{name: "subject non-ASCII", in: "subject:Проверка", want: hdr("Subject", "Проверка")},
		{name: "body", in: "body:noon", want: imap.SearchCriteria{Body: []string{"noon"}}},
		{name: "body quote in the middle", in: `body:a"b c"`, want: imap.SearchCriteria{Body: []string{"ab c"}}, canon: `body:"ab c"`},
		{name: "value starting with dash", in: "from:-x", want: hdr("From", "-x")},
		{
			name: "several headers",
			in:   "from:alice to:bob subject:lunch",
			want: imap.SearchCriteria{Header: []imap.SearchCriteriaHeaderField{
				{Key: "From", Value: "alice"}, {Key: "To", Value: "bob"}, {Key: "Subject", Value: "lunch"},
			}},
		},

		// Flags and attachments.
		{name: "is:unread", in: "is:unread", want: imap.SearchCriteria{NotFlag: []imap.Flag{imap.FlagSeen}}},
		{name: "is:read", in: "is:read", want: imap.SearchCriteria{Flag: []imap.Flag{imap.FlagSeen}}},
		{name: "is:flagged", in: "is:flagged", want: imap.SearchCriteria{Flag: []imap.Flag{imap.FlagFlagged}}},
		{name: "is:unflagged", in: "is:unflagged", want: imap.SearchCriteria{NotFlag: []imap.Flag{imap.FlagFlagged}}},
		{name: "is:answered", in: "is:answered", want: imap.SearchCriteria{Flag: []imap.Flag{imap.FlagAnswered}}},
		{name: "is:unanswered", in: "is:unanswered", want: imap.SearchCriteria{NotFlag: []imap.Flag{imap.FlagAnswered}}},
		{name: "is: case", in: "IS:Unread", want: imap.SearchCriteria{NotFlag: []imap.Flag{imap.FlagSeen}}, canon: "is:unread"},
		{
			name: "two flags",
			in:   "is:read is:flagged",
			want: imap.SearchCriteria{Flag: []imap.Flag{imap.FlagSeen, imap.FlagFlagged}},
		},
		{name: "has:attachment", in: "has:attachment", want: AttachmentCriteria()},
		{name: "has:attachments", in: "has:Attachments", want: AttachmentCriteria(), canon: "has:attachment"},

		// Dates.
		{name: "before day", in: "before:2026-03-14", want: imap.SearchCriteria{SentBefore: day(2026, 3, 14)}},
		{name: "after day is exclusive", in: "after:2026-03-14", want: imap.SearchCriteria{SentSince: day(2026, 3, 15)}},
		{name: "since day is inclusive", in: "since:2026-03-14", want: imap.SearchCriteria{SentSince: day(2026, 3, 14)}},
		{name: "on day", in: "on:2026-03-14", want: imap.SearchCriteria{SentSince: day(2026, 3, 14), SentBefore: day(2026, 3, 15)}},
		{name: "before month", in: "before:2026-03", want: imap.SearchCriteria{SentBefore: day(2026, 3, 1)}},
		{name: "after month", in: "after:2026-03", want: imap.SearchCriteria{SentSince: day(2026, 4, 1)}},
		{name: "on month", in: "on:2026-02", want: imap.SearchCriteria{SentSince: day(2026, 2, 1), SentBefore: day(2026, 3, 1)}},
		{name: "after December", in: "after:2025-12", want: imap.SearchCriteria{SentSince: day(2026, 1, 1)}},
		{name: "before year", in: "before:2026", want: imap.SearchCriteria{SentBefore: day(2026, 1, 1)}},
		{name: "after year", in: "after:2025", want: imap.SearchCriteria{SentSince: day(2026, 1, 1)}},
		{name: "on year", in: "on:2025", want: imap.SearchCriteria{SentSince: day(2025, 1, 1), SentBefore: day(2026, 1, 1)}},
		{name: "leap day", in: "on:2024-02-29", want: imap.SearchCriteria{SentSince: day(2024, 2, 29), SentBefore: day(2024, 3, 1)}},
		{name: "today", in: "on:today", want: imap.SearchCriteria{SentSince: day(2026, 3, 15), SentBefore: day(2026, 3, 16)}},
		{name: "since today", in: "since:Today", want: imap.SearchCriteria{SentSince: day(2026, 3, 15)}, canon: "since:today"},
		{name: "yesterday", in: "on:yesterday", want: imap.SearchCriteria{SentSince: day(2026, 3, 14), SentBefore: day(2026, 3, 15)}},
		{name: "after 7d is the last 7 days", in: "after:7d", want: imap.SearchCriteria{SentSince: day(2026, 3, 9)}},
		{name: "since 7d", in: "since:7d", want: imap.SearchCriteria{SentSince: day(2026, 3, 8)}},
		{name: "before 2w", in: "before:2w", want: imap.SearchCriteria{SentBefore: day(2026, 3, 1)}},
		{name: "on 3m", in: "on:3m", want: imap.SearchCriteria{SentSince: day(2025, 12, 15), SentBefore: day(2025, 12, 16)}},
		{name: "after 1y", in: "after:1y", want: imap.SearchCriteria{SentSince: day(2025, 3, 16)}},
		{name: "relative leading zeros", in: "after:007D", want: imap.SearchCriteria{SentSince: day(2026, 3, 9)}, canon: "after:7d"},
		{name: "0d is today", in: "on:0d", want: imap.SearchCriteria{SentSince: day(2026, 3, 15), SentBefore: day(2026, 3, 16)}},
		{
			name: "months back clamp to the month's end",
			in:   "on:3m",
			now:  time.Date(2026, 5, 31, 23, 0, 0, 0, time.UTC),
			want: imap.SearchCriteria{SentSince: day(2026, 2, 28), SentBefore: day(2026, 3, 1)},
		},
		{
			name: "years back from 29 February",
			in:   "on:1y",
			now:  time.Date(2024, 2, 29, 8, 0, 0, 0, time.UTC),
			want: imap.SearchCriteria{SentSince: day(2023, 2, 28), SentBefore: day(2023, 3, 1)},
		},
		{
			name: "today is in now's location",
			in:   "on:today",
			now:  time.Date(2026, 3, 15, 23, 30, 0, 0, time.FixedZone("UTC-5", -5*3600)),
			want: imap.SearchCriteria{SentSince: day(2026, 3, 15), SentBefore: day(2026, 3, 16)},
		},
		{
			name: "range",
			in:   "since:2026-01 before:2026-03",
			want: imap.SearchCriteria{SentSince: day(2026, 1, 1), SentBefore: day(2026, 3, 1)},
		},
		{
			name: "dates intersect",
			in:   "after:2026-01 after:2025 before:2026-06 before:2027",
			want: imap.SearchCriteria{SentSince: day(2026, 2, 1), SentBefore: day(2026, 6, 1)},
		},

		// Sizes.
		{name: "size>", in: "size>1M", want: imap.SearchCriteria{Larger: 1 << 20}},
		{name: "size<", in: "size<500k", want: imap.SearchCriteria{Smaller: 500 << 10}, canon: "size<500K"},
		{name: "size bytes", in: "size>1024", want: imap.SearchCriteria{Larger: 1024}},
		{name: "size GB", in: "SIZE>2gb", want: imap.SearchCriteria{Larger: 2 << 30}, canon: "size>2G"},
		{name: "size range", in: "size>1M size<2M", want: imap.SearchCriteria{Larger: 1 << 20, Smaller: 2 << 20}},
		{name: "sizes intersect", in: "size<2M size>1M size<3M size>512K", want: imap.SearchCriteria{Larger: 1 << 20, Smaller: 2 << 20}},

		// NOT.
		{name: "-word", in: "-newsletter", want: not(text("newsletter"))},
		{name: "NOT word", in: "NOT newsletter", want: not(text("newsletter")), canon: "-newsletter"},
		{name: "-phrase", in: `-"weekly deals"`, want: not(text("weekly deals"))},
		{name: "-from", in: "-from:alice", want: not(hdr("From", "alice"))},
		{name: "-is:unread", in: "-is:unread", want: not(imap.SearchCriteria{NotFlag: []imap.Flag{imap.FlagSeen}})},
		{name: "-has:attachment", in: "-has:attachment", want: not(AttachmentCriteria())},
		{name: "-after", in: "-after:2026-03", want: not(imap.SearchCriteria{SentSince: day(2026, 4, 1)})},
		{name: "NOT -word cancels", in: "NOT -word", want: text("word"), canon: "word"},
		{name: "NOT NOT cancels", in: "NOT NOT word", want: text("word"), canon: "word"},
		{name: "double dash", in: "--foo", want: not(text("-foo"))},
		{name: "NOT of a dash word", in: "NOT --foo", want: text("-foo"), canon: `"-foo"`},
		{name: "-OR", in: "-OR", want: not(text("OR"))},
		{name: "dash inside a word", in: "e-mail", want: text("e-mail")},

		// Parentheses.
		{name: "one term in parentheses", in: "(from:x)", want: hdr("From", "x"), canon: "from:x"},
		{name: "nested, one term", in: "((a))", want: text("a"), canon: "a"},
		{name: "group of OR", in: "(from:alice OR from:bob) is:unread", want: imap.SearchCriteria{
			NotFlag: []imap.Flag{imap.FlagSeen},
			Or:      [][2]imap.SearchCriteria{{hdr("From", "alice"), hdr("From", "bob")}},
		}},
		{name: "OR of a group", in: "a OR (b c)", want: or(text("a"), text("b", "c"))},
		{name: "negated group", in: "-(a b)", want: not(text("a", "b"))},
		{name: "NOT group", in: "NOT (a b)", want: not(text("a", "b")), canon: "-(a b)"},
		{name: "spaced parentheses", in: "( a b )", want: text("a", "b"), canon: "(a b)"},
		{name: "group OR group", in: "(a b) OR (c d)", want: or(text("a", "b"), text("c", "d"))},
		{name: "negated term in a group", in: "(a -b)", want: imap.SearchCriteria{Text: []string{"a"}, Not: []imap.SearchCriteria{text("b")}}},
		{name: "quoted parentheses are words", in: `"(a)"`, want: text("(a)")},
		{name: "a word ending in a quoted parenthesis", in: `x")"`, want: text("x)"), canon: `"x)"`},
		{name: "parenthesis inside a word", in: "f(x", want: text("f(x")},
		{
			name: "mixed",
			in:   "invoice -from:shop is:unread -spam",
			want: imap.SearchCriteria{
				Text:    []string{"invoice"},
				NotFlag: []imap.Flag{imap.FlagSeen},
				Not:     []imap.SearchCriteria{hdr("From", "shop"), text("spam")},
			},
		},

		// OR.
		{name: "OR", in: "a OR b", want: or(text("a"), text("b"))},
		{name: "OR chain", in: "a OR b OR c", want: or(text("a"), or(text("b"), text("c")))},
		{
			name: "OR binds tighter than AND",
			in:   "from:alice OR from:bob is:unread",
			want: imap.SearchCriteria{
				NotFlag: []imap.Flag{imap.FlagSeen},
				Or:      [][2]imap.SearchCriteria{{hdr("From", "alice"), hdr("From", "bob")}},
			},
		},
		{name: "NOT binds tighter than OR", in: "NOT a OR b", want: or(not(text("a")), text("b")), canon: "-a OR b"},
		{name: "OR NOT", in: "a OR NOT b", want: or(text("a"), not(text("b"))), canon: "a OR -b"},
		{
			name: "two ORs",
			in:   "a OR b c OR d",
			want: imap.SearchCriteria{Or: [][2]imap.SearchCriteria{
				{text("a"), text("b")}, {text("c"), text("d")},
			}},
		},
		{
			name: "OR with has:attachment",
			in:   "has:attachment OR size>1M x",
			want: imap.SearchCriteria{
				Text: []string{"x"},
				Or:   [][2]imap.SearchCriteria{{AttachmentCriteria(), {Larger: 1 << 20}}},
			},
		},
		{
			name: "has:attachment and OR keep their order",
			in:   "a OR b has:attachment",
			want: imap.SearchCriteria{Or: [][2]imap.SearchCriteria{
				{text("a"), text("b")}, AttachmentCriteria().Or[0],
			}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			now := tt.now
			if now.IsZero() {
				now = testNow
			}
			q, err := Parse(tt.in, now)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.in, err)
			}
			if diff := cmp.Diff(tt.want, q.Criteria); diff != "" {
				t.Errorf("Parse(%q) criteria (-want +got):\n%s", tt.in, diff)
			}
			canon := tt.canon
			if canon == "" && strings.TrimSpace(tt.in) != "" {
				canon = tt.in
			}
			if got := q.String(); got != canon {
				t.Errorf("Parse(%q).String() = %q, want %q", tt.in, got, canon)
			}
			if q.IsZero() != (canon == "") {
				t.Errorf("Parse(%q).IsZero() = %v", tt.in, q.IsZero())
			}
			again, err := Parse(q.String(), now)
			if err != nil {
				t.Fatalf("Parse(String() = %q): %v", q.String(), err)
			}
			if diff := cmp.Diff(q.Criteria, again.Criteria); diff != "" {
				t.Errorf("re-parsed %q (-first +again):\n%s", q.String(), diff)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	t.Parallel()
	dateMsg := " needs a date like 2026-03-14 (or 2026-03, 2026, today, yesterday, 7d, 2w, 3m, 1y)"
	tests := []struct {
		name string
		in   string
		pos  int
		msg  string
	}{
		{"unclosed quote", `"abc`, 0, "a quote is not closed"},
		{"unclosed quote later", `a b "c d`, 4, "a quote is not closed"},
		{"unclosed quote in a value", `from:"Alice`, 5, "a quote is not closed"},
		{"third quote", `"a" "b`, 4, "a quote is not closed"},
		{"empty from", "from:", 0, `from: needs a name or address, like from:alice or from:"Alice Smith"`},
		{"empty quoted from", `x from:""`, 2, `from: needs a name or address, like from:alice or from:"Alice Smith"`},
		{"empty to", "to:", 0, `to: needs a name or address, like to:bob or to:"Bob Jones"`},
		{"empty subject", "subject:", 0, `subject: needs words, like subject:invoice or subject:"March invoice"`},
		{"empty body", "body:", 0, `body: needs words, like body:invoice or body:"see you"`},
		{"empty quotes", `a ""`, 2, `empty quotes "": put words between them`},
		{"negated empty quotes", `-""`, 0, `empty quotes "": put words between them`},
		{"lone dash", "a - b", 2, "- needs a word right after it, like -newsletter"},
		{"is:", "is:", 0, "is: can be is:unread, is:read, is:flagged, is:unflagged, is:answered or is:unanswered"},
		{"is:unknown", "is:important", 0, "is: can be is:unread, is:read, is:flagged, is:unflagged, is:answered or is:unanswered"},
		{"has:unknown", "has:pdf", 0, "has: can only be has:attachment"},
		{"after word", "after:tomorrow", 0, "after:" + dateMsg},
		{"after empty", "after:", 0, "after:" + dateMsg},
		{"before unit", "before:3x", 0, "before:" + dateMsg},
		{"on slashes", "on:2026/03/14", 0, "on:" + dateMsg},
		{"short month", "on:2026-3-14", 0, "on:" + dateMsg},
		{"five digit count", "after:12345d", 0, "after:" + dateMsg},
		{"since sign", "since:-7d", 0, "since:" + dateMsg},
		{"30 February", "on:2026-02-30", 0, "on: 2026-02-30 is not a date in the calendar"},
		{"month 13", "after:2026-13", 0, "after: 2026-13 is not a date in the calendar"},
		{"month 0", "after:2026-00-10", 0, "after: 2026-00-10 is not a date in the calendar"},
		{"year 9999", "after:9999", 0, "after: 9999 is out of range (years 1000 to 9998)"},
		{"year 999", "before:0999-01-01", 0, "before: 0999-01-01 is out of range (years 1000 to 9998)"},
		{"far back", "after:9999y", 0, "after: 9999y is out of range (years 1000 to 9998)"},
		{"size no number", "size>", 0, "size> needs a size like 500K, 2M or 1G"},
		{"size zero", "size<0", 0, "size< needs a size like 500K, 2M or 1G"},
		{"size unit", "size>1T", 0, "size> needs a size like 500K, 2M or 1G"},
		{"size decimal", "size>1.5M", 0, "size> needs a size like 500K, 2M or 1G"},
		{"size too big", "size>1025G", 0, "size>: 1025G is too big (at most 1024G)"},
		{"size too many digits", "size>123456789012345", 0, "size> needs a size like 500K, 2M or 1G"},
		{"OR first", "OR a", 0, "OR needs a search term on each side, like from:alice OR from:bob"},
		{"OR last", "a OR", 2, "OR needs a search term on each side, like from:alice OR from:bob"},
		{"OR OR", "a OR OR b", 5, "OR needs a search term on each side, like from:alice OR from:bob"},
		{"NOT OR", "a NOT OR b", 6, "OR needs a search term on each side, like from:alice OR from:bob"},
		{"NOT last", "a NOT", 2, "NOT needs a search term after it, like NOT newsletter"},
		{"NOT NOT last", "NOT NOT", 0, "NOT needs a search term after it, like NOT newsletter"},
		{"CR LF", "a\r\nb", 1, "the search cannot contain a line break"},
		{"LF", "a\nb", 1, "the search cannot contain a line break"},
		{"tab", "a\tb", 1, "the search cannot contain a tab; use spaces"},
		{"NUL", "ab\x00", 2, "the search contains an invisible control character (U+0000); remove it"},
		{"NUL in quotes", `"a` + "\x00" + `"`, 2, "the search contains an invisible control character (U+0000); remove it"},
		{"DEL", "\x7f", 0, "the search contains an invisible control character (U+007F); remove it"},
		{"C1", "a\u0085", 1, "the search contains an invisible control character (U+0085); remove it"},
		{"ESC", "\x1b[31m", 0, "the search contains an invisible control character (U+001B); remove it"},
		{"not UTF-8", "ab\xff", 2, "the search has bytes that are not text (UTF-8)"},
		{"truncated UTF-8", "\xd0", 0, "the search has bytes that are not text (UTF-8)"},
		{"too long", strings.Repeat("a", MaxBytes+1), MaxBytes, "the search is too long: at most 500 bytes"},
		{"unclosed parenthesis", "(a b", 0, `a "(" is not closed`},
		{"unclosed inner parenthesis", "(a (b)", 0, `a "(" is not closed`},
		{"stray closing parenthesis", "a b)", 3, `a ")" closes no "("; to search for it, put it in quotes`},
		{"empty parentheses", "a ()", 2, "empty parentheses: put search terms between them, like (from:alice OR from:bob)"},
		{"OR at the end of a group", "(a OR) b", 3, "OR needs a search term on each side, like from:alice OR from:bob"},
		{"OR at the start of a group", "(OR a)", 1, "OR needs a search term on each side, like from:alice OR from:bob"},
		{"too deep", strings.Repeat("(", MaxDepth+1) + "a" + strings.Repeat(")", MaxDepth+1), MaxDepth, "the search has parentheses too deep inside each other: at most 10"},
		{"too many terms", strings.Repeat("a ", MaxTerms) + "b", 2 * MaxTerms, "the search has too many terms: at most 20"},
		{"too many in an OR chain", strings.Repeat("a OR ", MaxTerms) + "b", 5 * MaxTerms, "the search has too many terms: at most 20"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			q, err := Parse(tt.in, testNow)
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("Parse(%q) = %q, %v; want an *Error", tt.in, q.String(), err)
			}
			if diff := cmp.Diff(&Error{Pos: tt.pos, Msg: tt.msg}, e); diff != "" {
				t.Errorf("Parse(%q) error (-want +got):\n%s", tt.in, diff)
			}
			if err.Error() != tt.msg {
				t.Errorf("Error() = %q, want %q", err.Error(), tt.msg)
			}
			if diff := cmp.Diff(Query{}, q, cmp.AllowUnexported(Query{})); diff != "" {
				t.Errorf("Parse(%q) returned a query with its error (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

func TestParseLimitsAccepted(t *testing.T) {
	t.Parallel()
	// Exactly at both limits is fine.
	in := strings.TrimSpace(strings.Repeat("abcdefghijklmnopqrstuvwx ", MaxTerms))
	if len(in) > MaxBytes {
		t.Fatal("test input too long")
	}
	q, err := Parse(in, testNow)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(q.Criteria.Text); n != MaxTerms {
		t.Errorf("%d terms, want %d", n, MaxTerms)
	}
	in = `"` + strings.Repeat("x", MaxBytes-2) + `"`
	q, err = Parse(in, testNow)
	if err != nil {
		t.Fatal(err)
	}
	if got := q.String(); got != strings.Repeat("x", MaxBytes-2) {
		t.Errorf("String() = %q", got)
	}
	// OR, NOT and - are not terms.
	in = strings.TrimSpace(strings.Repeat("NOT a OR -b ", MaxTerms/2))
	if _, err := Parse(in, testNow); err != nil {
		t.Errorf("Parse(%q): %v", in, err)
	}
}

// TestReplacementCharacter checks that U+FFFD typed as text is not taken
// for invalid UTF-8.
func TestReplacementCharacter(t *testing.T) {
	t.Parallel()
	q, err := Parse("a\uFFFDb", testNow)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(text("a\uFFFDb"), q.Criteria); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestQueriesShareNothing checks that changing one query's criteria does
// not change another's.
func TestQueriesShareNothing(t *testing.T) {
	t.Parallel()
	a, _ := Parse("is:unread", testNow)
	b, _ := Parse("is:unread", testNow)
	a.Criteria.NotFlag[0] = "x"
	if b.Criteria.NotFlag[0] != imap.FlagSeen {
		t.Error("two queries share the flag slice")
	}
	c, _ := Parse("has:attachment", testNow)
	c.Criteria.Or[0][0].Header[0].Value = "x"
	if diff := cmp.Diff(AttachmentCriteria(), func() imap.SearchCriteria { q, _ := Parse("has:attachment", testNow); return q.Criteria }()); diff != "" {
		t.Errorf("has:attachment changed (-want +got):\n%s", diff)
	}
}
