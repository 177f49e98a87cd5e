package compose

import (
	"bytes"
	"io"
	"net/mail"
	"slices"
	"strings"
	"testing"
)

// FuzzParseAddressList checks that parsing any input does not panic and
// that every address it accepts has no line break or control character,
// can be sent (EnvelopeAddress), is written (formatAddress) in a form
// net/mail reads back as the same name and address, and is shown
// (FormatAddressList) in a form ParseAddressList reads back the same.
func FuzzParseAddressList(f *testing.F) {
	for _, s := range []string{
		"bob@example.net",
		`"Builder, Bob" <bob@example.net>, carol@example.com; Team: a@example.net, b@example.net;`,
		"Jürgen <j@bücher.example>\nmailto:x@例え.jp",
		"a@b.example\r\nBcc: evil@attacker.example",
		"(Bob) bob@example.net, bob@example.net (Bob)",
		"=?utf-8?q?x=0D=0Ay?= <a@b.example>",
		`"unclosed <a@b.example>, <c@d.example`,
		"a@[192.0.2.1], ü@example.net, x@-y.example",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		addrs, errs := ParseAddressList("to", in)
		if len(addrs) > MaxRecipients {
			t.Fatalf("%d addresses", len(addrs))
		}
		seen := map[string]bool{}
		for _, a := range addrs {
			if err := CheckHeaderText("", a.Name+a.Address); err != nil {
				t.Fatalf("accepted %q <%q>: %v", a.Name, a.Address, err)
			}
			if !strings.Contains(a.Name, `\`) { // net/mail encodes those wrongly
				again, err := mail.ParseAddress(a.String())
				if err != nil {
					t.Fatalf("net/mail cannot read %q back: %v", a.String(), err)
				}
				if again.Name != a.Name || again.Address != a.Address {
					t.Fatalf("read back %q <%q> as %q <%q>", a.Name, a.Address, again.Name, again.Address)
				}
			}
			wire, err := EnvelopeAddress(a.Address)
			if err != nil {
				t.Fatalf("accepted %q: %v", a.Address, err)
			}
			for i := 0; i < len(wire); i++ {
				if wire[i] <= ' ' || wire[i] >= 0x7f {
					t.Fatalf("envelope address %q", wire)
				}
			}
			if seen[strings.ToLower(wire)] {
				t.Fatalf("%q twice", wire)
			}
			seen[strings.ToLower(wire)] = true
			formatted, err := formatAddress(a)
			if err != nil {
				t.Fatalf("formatAddress(%q): %v", a, err)
			}
			parsed, err := mail.ParseAddress(formatted)
			if err != nil {
				t.Fatalf("net/mail cannot read %q: %v", formatted, err)
			}
			if parsed.Name != a.Name || parsed.Address != wire {
				t.Fatalf("%q read as %q <%q>, want %q <%q>", formatted, parsed.Name, parsed.Address, a.Name, wire)
			}
		}
		for _, e := range errs {
			if e.Field != "to" || e.Problem == "" || e.Input == "" {
				t.Fatalf("error %#v", e)
			}
		}
		shown := FormatAddressList(addrs)
		again, errs := ParseAddressList("to", shown)
		if len(errs) > 0 || !slices.EqualFunc(addrs, again, func(a, b *mail.Address) bool { return *a == *b }) {
			t.Fatalf("%q read back as %q, %v", shown, FormatAddressList(again), errs)
		}
	})
}

// FuzzWriteTo writes drafts with arbitrary subjects, names, file names,
// content types and bodies: the output always parses with go-message, has
// exactly the expected header fields, only ASCII lines of at most 998
// bytes, and gives back the subject, names and body (as NormaliseBody
// gives it) and the attachment.
func FuzzWriteTo(f *testing.F) {
	f.Add("Lunch", "Alice Example", "Shall we?\n", "notes.txt", "text/plain")
	f.Add("Grüße – 会议 🎉", "Jürgen \"J\" Müller, Jr.", "Grüße\r\n> quoted\r\n-- \r\nsig", "Übersicht März.pdf", "application/pdf")
	f.Add("x\r\nBcc: evil@attacker.example", "a\nb", "From here\n.\n", "a\r\nb.txt", "text/plain\r\nBcc: x")
	f.Add(" =?utf-8?q?x?= ", "=?utf-8?q?x?=", strings.Repeat("word ", 40)+"end", "", "")
	f.Add(strings.Repeat("long", 40), strings.Repeat("n", 80), "trailing \nspace\t\n", "../../etc/passwd", "multipart/mixed")
	f.Fuzz(func(t *testing.T, subject, name, body, filename, contentType string) {
		content := []byte(subject + body)
		d := &Draft{
			From:       &mail.Address{Name: name, Address: "alice@example.org"},
			To:         []*mail.Address{{Name: name, Address: "bob@example.net"}, {Address: "carol@example.com"}},
			Bcc:        []*mail.Address{{Name: subject, Address: "dan@example.com"}},
			Subject:    subject,
			Body:       body,
			InReplyTo:  name,
			References: []string{subject, "a@b"},
			Date:       testDate,
			MessageID:  filename,
			Attachments: []Attachment{{Filename: filename, ContentType: contentType, Open: func() (io.ReadCloser, error) {
				return io.NopCloser(bytes.NewReader(content)), nil
			}}},
		}
		var b bytes.Buffer
		if _, err := d.WriteTo(&b, true); err != nil {
			t.Fatalf("WriteTo: %v", err)
		}
		raw := b.Bytes()
		for l := range strings.SplitSeq(string(raw), "\r\n") {
			if len(l) > 998 {
				t.Fatalf("line of %d bytes", len(l))
			}
			for i := 0; i < len(l); i++ {
				if l[i] >= 0x80 || l[i] < ' ' && l[i] != '\t' {
					t.Fatalf("not ASCII: %q", l)
				}
			}
		}
		got := parseWritten(t, raw)

		keys := []string{"Date", "From", "To", "Bcc", "Subject", "Message-Id"}
		if validMsgID(normMsgID(name)) {
			keys = append(keys, "In-Reply-To")
		}
		keys = append(keys, "References", "Mime-Version", "Content-Type")
		if !slices.Equal(keys, got.Keys) {
			t.Fatalf("keys %q, want %q\n%s", got.Keys, keys, raw)
		}

		subject, name = truncate(subject, maxHeaderTextBytes), truncate(name, maxHeaderTextBytes)
		want := cleanText(name) + "|"
		if got.From[0] != want+"alice@example.org" || got.To[0] != want+"bob@example.net" || got.To[1] != "|carol@example.com" ||
			got.Bcc[0] != cleanText(subject)+"|dan@example.com" {
			t.Fatalf("addresses %q %q %q, want name %q", got.From, got.To, got.Bcc, cleanText(name))
		}
		if got.Subject != cleanText(subject) {
			t.Fatalf("subject %q, want %q", got.Subject, cleanText(subject))
		}
		if got.Text != NormaliseBody(body) {
			t.Fatalf("body %q, want %q\nwire %q", got.Text, NormaliseBody(body), got.Wire)
		}
		if len(got.Attachments) != 1 || got.Attachments[0].Filename != cleanFilename(filename) ||
			got.Attachments[0].SHA256 != sha256Hex(string(content)) || got.Attachments[0].ContentType != cleanContentType(contentType) {
			t.Fatalf("attachments %+v, want %q %q", got.Attachments, cleanFilename(filename), cleanContentType(contentType))
		}
		if got.MessageID != d.MessageID || !validMsgID(got.MessageID) {
			t.Fatalf("Message-ID %q, draft %q", got.MessageID, d.MessageID)
		}
	})
}
