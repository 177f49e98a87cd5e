package webmail

import (
	"errors"
	"testing"
)

func TestMessageRefRoundTrip(t *testing.T) {
	t.Parallel()
	for _, ref := range []MessageRef{
		{Mailbox: "INBOX", Validity: 1, UID: 1},
		{Mailbox: "Projects/Website", Validity: 4294967295, UID: 4294967295},
		{Mailbox: "Ärger & Co. 100%", Validity: 7, UID: 42},
		{Mailbox: "a b/c?d#e", Validity: 0, UID: 3},
	} {
		s := ref.String()
		got, err := ParseMessageRef(s)
		if err != nil || got != ref {
			t.Errorf("%+v: written %q, read back %+v, %v", ref, s, got, err)
		}
	}
}

func TestParseMessageRefRefuses(t *testing.T) {
	t.Parallel()
	for _, s := range []string{
		"", "INBOX", "INBOX/1", "INBOX/1/0", "INBOX/x/1", "INBOX/1/x", "INBOX/-1/2", "INBOX/1/4294967296",
		"a/b/1/2", "%zz/1/2", "/1/2", "IN%0ABOX/1/2",
	} {
		if ref, err := ParseMessageRef(s); !errors.Is(err, ErrBadRef) {
			t.Errorf("%q read as %+v, %v; want ErrBadRef", s, ref, err)
		}
	}
	if s := (MessageRef{Mailbox: "INBOX", Validity: 1}).String(); s != "" {
		t.Errorf("an address without a UID is written %q, want \"\"", s)
	}
}

// FuzzParseMessageRef: whatever a form or URL carries, the parser never
// panics, and what it accepts it writes back the same.
func FuzzParseMessageRef(f *testing.F) {
	for _, s := range []string{"INBOX/1/2", "Projects%2FWebsite/3/4", "%C3%84/1/1", "a/b/c", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ref, err := ParseMessageRef(s)
		if err != nil {
			return
		}
		again, err := ParseMessageRef(ref.String())
		if err != nil || again != ref {
			t.Fatalf("%q read as %+v, written %q, read back %+v, %v", s, ref, ref.String(), again, err)
		}
	})
}
