package compose

import (
	"errors"
	"net/mail"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseAddressList(t *testing.T) {
	t.Parallel()
	type addr = mail.Address
	for _, tc := range []struct {
		name     string
		in       string
		want     []*addr
		wantErrs []AddressError // Field is always "to"
		envelope []string       // if set, the wire form of want
	}{
		{name: "empty", in: "", want: nil},
		{name: "only separators", in: " , ;\n\r\n,, ", want: nil},
		{name: "bare", in: "bob@example.net", want: []*addr{{Address: "bob@example.net"}}},
		{name: "angle brackets", in: "<bob@example.net>", want: []*addr{{Address: "bob@example.net"}}},
		{name: "name", in: "Bob Builder <bob@example.net>", want: []*addr{{Name: "Bob Builder", Address: "bob@example.net"}}},
		{name: "quoted name with comma and quotes", in: `"Builder, Bob \"The\"" <bob@example.net>, carol@example.com`,
			want: []*addr{{Name: `Builder, Bob "The"`, Address: "bob@example.net"}, {Address: "carol@example.com"}}},
		{name: "quoted name with semicolon and colon", in: `"a; b: c" <a@example.net>`, want: []*addr{{Name: "a; b: c", Address: "a@example.net"}}},
		{name: "comment after", in: "bob@example.net (Bob, at work)", want: []*addr{{Name: "Bob, at work", Address: "bob@example.net"}}},
		{name: "comment before", in: "(Bob) bob@example.net", want: []*addr{{Name: "Bob", Address: "bob@example.net"}}},
		{name: "comment with the name kept", in: "Bob <bob@example.net> (work)", want: []*addr{{Name: "Bob", Address: "bob@example.net"}}},
		{name: "encoded name", in: "=?utf-8?q?J=C3=BCrgen?= <j@example.de>", want: []*addr{{Name: "Jürgen", Address: "j@example.de"}}},
		{name: "IDN", in: "Jürgen <j@bücher.example>, x@ＥＸＡＭＰＬＥ.org", want: []*addr{{Name: "Jürgen", Address: "j@bücher.example"}, {Address: "x@ＥＸＡＭＰＬＥ.org"}},
			envelope: []string{"j@xn--bcher-kva.example", "x@example.org"}},
		{name: "A-label domain", in: "j@xn--bcher-kva.example", want: []*addr{{Address: "j@xn--bcher-kva.example"}}},
		{name: "group", in: "Team: a@example.net, Bob <b@example.net>; c@example.com",
			want: []*addr{{Address: "a@example.net"}, {Name: "Bob", Address: "b@example.net"}, {Address: "c@example.com"}}},
		{name: "empty group", in: "Undisclosed recipients:;", want: nil},
		{name: "mailto", in: "mailto:bob@example.net", want: []*addr{{Address: "bob@example.net"}}},
		{name: "trailing separators and newlines", in: "a@example.net,\r\nb@example.net;\n\nc@example.net,;",
			want: []*addr{{Address: "a@example.net"}, {Address: "b@example.net"}, {Address: "c@example.net"}}},
		{name: "duplicates", in: "a@example.net, A <A@EXAMPLE.NET>, a@Example.net", want: []*addr{{Address: "a@example.net"}}},
		{name: "IDN duplicates", in: "j@bücher.example, j@xn--bcher-kva.example", want: []*addr{{Address: "j@bücher.example"}}},
		{name: "white space in names collapsed", in: "  Bob\t  Builder   <bob@example.net> ", want: []*addr{{Name: "Bob Builder", Address: "bob@example.net"}}},
		{
			name: "several invalid entries, each reported",
			in:   "a@example.net, bob, <c@>, Carol <carol@example.com>, d@localhost, \"unclosed <e@example.net>\nf@example.net",
			want: []*addr{{Address: "a@example.net"}, {Name: "Carol", Address: "carol@example.com"}, {Address: "f@example.net"}},
			wantErrs: []AddressError{
				{Input: "bob", Problem: "is not an e-mail address (there is no @)"},
				{Input: "<c@>", Problem: "is not a valid address"},
				{Input: "d@localhost", Problem: "has a domain without a dot (like example.org)"},
				{Input: "\"unclosed <e@example.net>", Problem: "has an unclosed quote"},
			},
		},
		{
			name: "addresses that cannot be sent",
			in:   "ü@example.net, a@[192.0.2.1], a@-x.example, a@x..example, \"a b\"@example.net, .a@example.net, a@exa_mple.net",
			wantErrs: []AddressError{
				{Input: "ü@example.net", Problem: "has non-ASCII characters before the @, which cannot be sent"},
				{Input: "a@[192.0.2.1]", Problem: "uses an IP address literal as domain, which is not supported"},
				{Input: "a@-x.example", Problem: "has an invalid domain"},
				{Input: "a@x..example", Problem: "is not a valid address"},
				{Input: "\"a b\"@example.net", Problem: "has characters before the @ that cannot be sent"},
				{Input: ".a@example.net", Problem: "is not a valid address"},
				{Input: "a@exa_mple.net", Problem: "has an invalid domain"},
			},
		},
		{
			name:     "header injection with CRLF",
			in:       "a@b.example\r\nBcc: evil@attacker.example",
			want:     []*addr{{Address: "a@b.example"}},
			wantErrs: []AddressError{{Input: "Bcc: evil@attacker.example", Problem: `looks like a header field ("Bcc:"), not an address`}},
		},
		{
			name:     "header injection with LF and several addresses",
			in:       "a@b.example\nbcc: evil@attacker.example, other@attacker.example\nc@d.example",
			want:     []*addr{{Address: "a@b.example"}, {Address: "c@d.example"}},
			wantErrs: []AddressError{{Input: "bcc: evil@attacker.example, other@attacker.example", Problem: `looks like a header field ("bcc:"), not an address`}},
		},
		{
			name:     "header injection in an encoded name",
			in:       "=?utf-8?q?x=0D=0ABcc=3A_evil=40attacker.example?= <a@b.example>",
			wantErrs: []AddressError{{Input: "=?utf-8?q?x=0D=0ABcc=3A_evil=40attacker.example?= <a@b.example>", Problem: "has a name that contains a line break, which a header cannot hold"}},
		},
		{
			name: "syntax problems",
			in:   "<a@example.net, b@example.net c@example.net\n(x a@example.net",
			wantErrs: []AddressError{
				{Input: "<a@example.net, b@example.net c@example.net", Problem: "has a < without >"},
				{Input: "(x a@example.net", Problem: "has an unclosed parenthesis"},
			},
		},
		{
			name:     "two addresses without a comma",
			in:       "a@example.net b@example.net",
			wantErrs: []AddressError{{Input: "a@example.net b@example.net", Problem: "is not one address (more than one @; separate addresses with commas)"}},
		},
		{
			name:     "control characters",
			in:       "a@b.example\x00, Bob\x1b <b@b.example>",
			wantErrs: []AddressError{{Input: "a@b.example\x00", Problem: "contains a NUL character"}, {Input: "Bob\x1b <b@b.example>", Problem: "contains a control character (U+001B)"}},
		},
		{
			name:     "too long",
			in:       "a@" + strings.Repeat("b", 320) + ".example",
			wantErrs: []AddressError{{Input: "a@" + strings.Repeat("b", 320) + ".example", Problem: "is too long for an address (at most 320 bytes)"}},
		},
		{
			name:     "long label",
			in:       "a@" + strings.Repeat("b", 64) + ".example",
			wantErrs: []AddressError{{Input: "a@" + strings.Repeat("b", 64) + ".example", Problem: "has an invalid domain"}},
		},
		{
			name:     "long local part",
			in:       strings.Repeat("a", 65) + "@example.net",
			wantErrs: []AddressError{{Input: strings.Repeat("a", 65) + "@example.net", Problem: "has too long a name before the @ (at most 64 bytes)"}},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, errs := ParseAddressList("to", tc.in)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("addresses (-want +got):\n%s", diff)
			}
			for i := range tc.wantErrs {
				tc.wantErrs[i].Field = "to"
			}
			if diff := cmp.Diff(tc.wantErrs, errs); diff != "" {
				t.Errorf("errors (-want +got):\n%s", diff)
			}
			if tc.envelope != nil {
				if diff := cmp.Diff(tc.envelope, Recipients(&Draft{To: got})); diff != "" {
					t.Errorf("envelope (-want +got):\n%s", diff)
				}
			}
		})
	}
}

func TestParseAddressListLimits(t *testing.T) {
	t.Parallel()
	var entries []string
	for i := range 105 {
		entries = append(entries, "user"+strings.Repeat("x", i%7)+string(rune('a'+i%26))+"@d"+strings.Repeat("y", i/26)+".example")
	}
	got, errs := ParseAddressList("cc", strings.Join(entries, ", "))
	if len(got) != MaxRecipients {
		t.Errorf("%d addresses, want %d", len(got), MaxRecipients)
	}
	want := []AddressError{{Field: "cc", Input: strings.Join(entries[100:], ", "), Problem: "is more than a field may hold (at most 100 addresses)"}}
	if diff := cmp.Diff(want, errs); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}

	got, errs = ParseAddressList("cc", strings.Repeat("a@b.example, ", 10000))
	if len(got) != 0 || len(errs) != 1 || errs[0].Problem != "is far too long for an address list" {
		t.Errorf("huge input: %v, %v", got, errs)
	}
}

func TestEnvelopeAddress(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in, want, problem string
	}{
		{in: "j@bücher.example", want: "j@xn--bcher-kva.example"},
		{in: "J.Doe+tag@EXAMPLE.Org", want: "J.Doe+tag@example.org"},
		{in: "a@ＥＸＡＭＰＬＥ.org", want: "a@example.org"},
		{in: "x@例え.jp", want: "x@xn--r8jz45g.jp"},
		{in: "x@xn--bcher-kva.example", want: "x@xn--bcher-kva.example"},
		{in: "x@xn--zz.example", problem: "has an invalid domain"},
		{in: "x@bad domain.example", problem: "has an invalid domain"},
		{in: "x@example", problem: "has a domain without a dot (like example.org)"},
		{in: "x@example.org.", problem: "has an invalid domain"},
		{in: "@example.org", problem: "has nothing before the @"},
		{in: "x@", problem: "has nothing after the @"},
		{in: "x", problem: "is not an e-mail address (there is no @)"},
		{in: "x y@example.org", problem: "has characters before the @ that cannot be sent"},
		{in: "x@example.org\r\nBcc: y@example.org", problem: "has characters before the @ that cannot be sent"},
		{in: "x@example.org\r\n", problem: "has an invalid domain"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			t.Parallel()
			got, err := EnvelopeAddress(tc.in)
			var ae AddressError
			problem := ""
			if errors.As(err, &ae) {
				problem = ae.Problem
			} else if err != nil {
				t.Fatalf("error of type %T", err)
			}
			if got != tc.want || problem != tc.problem {
				t.Errorf("EnvelopeAddress(%q) = %q, %q; want %q, %q", tc.in, got, problem, tc.want, tc.problem)
			}
		})
	}
}

func TestCheckHeaderText(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in, problem string
	}{
		{in: "Hello, wörld 🎉"},
		{in: "tab\tis fine"},
		{in: ""},
		{in: "a\r\nBcc: x@example.org", problem: "contains a line break, which a header cannot hold"},
		{in: "a\nb", problem: "contains a line break, which a header cannot hold"},
		{in: "a\rb", problem: "contains a line break, which a header cannot hold"},
		{in: "a\u2028b", problem: "contains a line break, which a header cannot hold"},
		{in: "a\u0085b", problem: "contains a line break, which a header cannot hold"},
		{in: "a\x00b", problem: "contains a NUL character"},
		{in: "a\x7fb", problem: "contains a control character (U+007F)"},
		{in: "a\u009bb", problem: "contains a control character (U+009B)"},
		{in: "a\xffb", problem: "is not valid UTF-8 text"},
		{in: "a\uFFFDb"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			t.Parallel()
			err := CheckHeaderText("subject", tc.in)
			if tc.problem == "" {
				if err != nil {
					t.Errorf("error %v", err)
				}
				return
			}
			want := FieldError{Field: "subject", Problem: tc.problem}
			if err != want {
				t.Errorf("error %#v, want %#v", err, want)
			}
			if !strings.HasPrefix(err.Error(), "subject: ") {
				t.Errorf("message %q does not name the field", err)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		edit func(*Draft)
		want []FieldError
	}{
		{name: "valid", edit: func(*Draft) {}},
		{name: "only Bcc", edit: func(d *Draft) { d.To, d.Bcc = nil, d.To }},
		{name: "no recipient", edit: func(d *Draft) { d.To = nil }, want: []FieldError{{"to", "needs at least one recipient"}}},
		{name: "no sender", edit: func(d *Draft) { d.From = nil }, want: []FieldError{{"from", "is missing"}}},
		{name: "invalid addresses", edit: func(d *Draft) {
			d.From.Address = "alice@localhost"
			d.Cc = []*mail.Address{{Address: "x"}, nil}
		}, want: []FieldError{
			{"from", `"alice@localhost" has a domain without a dot (like example.org)`},
			{"cc", `"x" is not an e-mail address (there is no @)`},
			{"cc", "has an empty address"},
		}},
		{name: "header text", edit: func(d *Draft) {
			d.From.Name = "A\nB"
			d.Bcc = []*mail.Address{{Name: "x\x00", Address: "x@example.org"}}
			d.Subject = "s\r\n"
		}, want: []FieldError{
			{"from", `the name of "alice@example.org" contains a line break, which a header cannot hold`},
			{"bcc", `the name of "x@example.org" contains a NUL character`},
			{"subject", "contains a line break, which a header cannot hold"},
		}},
		{name: "long subject", edit: func(d *Draft) { d.Subject = strings.Repeat("ä", 501) },
			want: []FieldError{{"subject", "is too long (at most 500 characters)"}}},
		{name: "subject of 500 characters", edit: func(d *Draft) { d.Subject = strings.Repeat("ä", 500) }},
		{name: "too many recipients", edit: func(d *Draft) {
			for range 101 {
				d.To = append(d.To, &mail.Address{Address: "x@example.org"})
			}
		}, want: []FieldError{{"to", "has 102 addresses; at most 100 are allowed"}}},
		{name: "message identifiers", edit: func(d *Draft) {
			d.InReplyTo = "<ok@example.org>"
			d.References = []string{"ok@example.org", "bad", "worse"}
			d.MessageID = "a b@example.org"
		}, want: []FieldError{
			{"references", "holds an invalid message identifier"},
			{"message-id", "is not a valid message identifier"},
		}},
		{name: "invalid In-Reply-To", edit: func(d *Draft) { d.InReplyTo = "x" }, want: []FieldError{{"in-reply-to", "is not a valid message identifier"}}},
		{name: "attachment without content", edit: func(d *Draft) { d.Attachments = []Attachment{{Filename: "a/b.pdf"}} },
			want: []FieldError{{"attachments", `"b.pdf" has no content`}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			d := baseDraft()
			tc.edit(d)
			if diff := cmp.Diff(tc.want, d.Validate()); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestRecipients(t *testing.T) {
	t.Parallel()
	d := &Draft{
		To:  []*mail.Address{{Name: "Jürgen", Address: "j@bücher.example"}, {Address: "Bob@Example.net"}},
		Cc:  []*mail.Address{{Address: "j@XN--BCHER-KVA.example"}, {Address: "carol@example.com"}, {Address: "bad"}, nil},
		Bcc: []*mail.Address{{Address: "bob@example.NET"}, {Address: "dave@example.com"}},
	}
	want := []string{"j@xn--bcher-kva.example", "Bob@example.net", "carol@example.com", "dave@example.com"}
	if diff := cmp.Diff(want, Recipients(d)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestFormatAddress(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, addr, want string
	}{
		{"", "a@example.org", "a@example.org"},
		{"Bob Builder", "a@example.org", "Bob Builder <a@example.org>"},
		{"Builder, Bob", "a@example.org", `"Builder, Bob" <a@example.org>`},
		{`a"b\c`, "a@example.org", `"a\"b\\c" <a@example.org>`},
		{"Jürgen", "j@bücher.example", "=?utf-8?q?J=C3=BCrgen?= <j@xn--bcher-kva.example>"},
		{"a\r\nBcc: x@y.example", "a@example.org", "=?utf-8?q?a__Bcc=3A_x=40y=2Eexample?= <a@example.org>"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := formatAddress(&mail.Address{Name: tc.name, Address: tc.addr})
			if err != nil || got != tc.want {
				t.Errorf("got %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

func TestFormatAddressList(t *testing.T) {
	t.Parallel()
	l := []*mail.Address{
		{Address: "a@example.net"},
		{Name: "Bob Builder", Address: "bob@example.net"},
		{Name: "Jürgen", Address: "j@bücher.example"},
		{Name: "Builder, Bob", Address: "b2@example.net"},
		{Name: `back\slash "q" ×`, Address: "c@example.net"},
		{Name: "=?utf-8?q?x?=", Address: "d@example.net"},
		{Name: "Dr. Who", Address: "who@example.net"},
		nil,
	}
	want := `a@example.net, Bob Builder <bob@example.net>, Jürgen <j@bücher.example>, "Builder, Bob" <b2@example.net>, ` +
		`"back\\slash \"q\" ×" <c@example.net>, "=?utf-8?q?x?=" <d@example.net>, "Dr. Who" <who@example.net>`
	got := FormatAddressList(l)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	back, errs := ParseAddressList("to", got)
	if diff := cmp.Diff(l[:len(l)-1], back); diff != "" || errs != nil {
		t.Errorf("read back (-want +got):\n%s\n%v", diff, errs)
	}
}
