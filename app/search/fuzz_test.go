package search

import (
	"errors"
	"testing"
)

// FuzzParse checks Parse on arbitrary input: it never panics; it returns
// an *Error with a message and a position inside the input, or criteria
// within the limits whose canonical form is no longer than the input and
// parses back to the same criteria and the same form.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"invoice -from:shop is:unread",
		`from:"Alice Smith" OR to:bob subject:"re: lunch" has:attachment`,
		"after:7d before:2026-03 on:yesterday since:2026 size>1M size<500k",
		"NOT NOT -a OR --b OR \"-c\" re:meeting \"OR\" or",
		"a\r\nb LOGOUT",
		`"x\" OR ALL"`,
		`x"a b"y from:a"b c" -"" "`,
		"Привет\u3000東京 e-mail C:\\path",
		`(from:a OR -(to:b "c)")) NOT (x) f(x :-)`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		q, err := Parse(in, testNow)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Msg == "" || e.Pos < 0 || e.Pos > len(in) {
				t.Fatalf("Parse(%q): error %#v", in, err)
			}
			if !q.IsZero() {
				t.Fatalf("Parse(%q): a query with the error", in)
			}
			return
		}
		checkBounded(t, in, q)
		s := q.String()
		if len(s) > len(in) {
			t.Fatalf("Parse(%q).String() = %q is longer", in, s)
		}
		again, err := Parse(s, testNow)
		if err != nil {
			t.Fatalf("Parse(%q).String() = %q does not parse: %v", in, s, err)
		}
		if diff := diffCriteria(q.Criteria, again.Criteria); diff != "" {
			t.Fatalf("Parse(%q).String() = %q parses differently (-first +again):\n%s", in, s, diff)
		}
		if s2 := again.String(); s2 != s {
			t.Fatalf("canonical form not stable: %q → %q → %q", in, s, s2)
		}
	})
}
