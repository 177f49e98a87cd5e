package compose

import (
	"bytes"
	"errors"
	"io"
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

var testDate = time.Date(2025, 3, 14, 9, 26, 53, 0, time.FixedZone("", 3600))

// baseDraft is a valid draft for tests to change.
func baseDraft() *Draft {
	return &Draft{
		From:      &mail.Address{Name: "Alice Example", Address: "alice@example.org"},
		To:        []*mail.Address{{Name: "Bob", Address: "bob@example.net"}},
		Subject:   "Lunch",
		Body:      "Shall we?\n",
		Date:      testDate,
		MessageID: "m1@example.org",
	}
}

func TestWriteToHeaders(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		edit    func(*Draft)
		withBcc bool
		want    written
	}{
		{
			name: "minimal",
			want: written{
				Keys: []string{"Date", "From", "To", "Subject", "Message-Id", "Mime-Version", "Content-Type", "Content-Transfer-Encoding"},
				From: []string{"Alice Example|alice@example.org"}, To: []string{"Bob|bob@example.net"},
				Subject: "Lunch", Date: "Fri, 14 Mar 2025 09:26:53 +0100", MessageID: "m1@example.org",
				Text: "Shall we?\n",
			},
		},
		{
			name: "all fields, Bcc kept for the Sent copy",
			edit: func(d *Draft) {
				d.Cc = []*mail.Address{{Address: "carol@example.com"}, {Name: "Smith, Dan", Address: "dan@example.com"}}
				d.Bcc = []*mail.Address{{Name: "Eve", Address: "eve@example.com"}}
				d.InReplyTo = "parent@example.net"
				d.References = []string{"root@example.net", "<parent@example.net>"}
			},
			withBcc: true,
			want: written{
				Keys: []string{"Date", "From", "To", "Cc", "Bcc", "Subject", "Message-Id", "In-Reply-To", "References", "Mime-Version", "Content-Type", "Content-Transfer-Encoding"},
				From: []string{"Alice Example|alice@example.org"}, To: []string{"Bob|bob@example.net"},
				Cc:      []string{"|carol@example.com", "Smith, Dan|dan@example.com"},
				Bcc:     []string{"Eve|eve@example.com"},
				Subject: "Lunch", Date: "Fri, 14 Mar 2025 09:26:53 +0100", MessageID: "m1@example.org",
				InReplyTo: []string{"parent@example.net"}, References: []string{"root@example.net", "parent@example.net"},
				Text: "Shall we?\n",
			},
		},
		{
			name: "Bcc left out for SMTP",
			edit: func(d *Draft) {
				d.Bcc = []*mail.Address{{Name: "Eve", Address: "eve@example.com"}}
			},
			want: written{
				Keys: []string{"Date", "From", "To", "Subject", "Message-Id", "Mime-Version", "Content-Type", "Content-Transfer-Encoding"},
				From: []string{"Alice Example|alice@example.org"}, To: []string{"Bob|bob@example.net"},
				Subject: "Lunch", Date: "Fri, 14 Mar 2025 09:26:53 +0100", MessageID: "m1@example.org",
				Text: "Shall we?\n",
			},
		},
		{
			name: "non-ASCII names and subject, IDN domains",
			edit: func(d *Draft) {
				d.From = &mail.Address{Name: "Jürgen Müller", Address: "j@bücher.example"}
				d.To = []*mail.Address{{Name: "Zoë \"Z\" O'Neil (work)", Address: "zoe@Straße.example"}, {Name: "李雷", Address: "li@例え.jp"}}
				d.Subject = "Grüße – 会议 🎉"
				d.MessageID = ""
			},
			want: written{
				Keys:    []string{"Date", "From", "To", "Subject", "Message-Id", "Mime-Version", "Content-Type", "Content-Transfer-Encoding"},
				From:    []string{"Jürgen Müller|j@xn--bcher-kva.example"},
				To:      []string{"Zoë \"Z\" O'Neil (work)|zoe@xn--strae-oqa.example", "李雷|li@xn--r8jz45g.jp"},
				Subject: "Grüße – 会议 🎉", Date: "Fri, 14 Mar 2025 09:26:53 +0100", MessageID: "<generated>@xn--bcher-kva.example",
				Text: "Shall we?\n",
			},
		},
		{
			name: "names that need quoting or encoding",
			edit: func(d *Draft) {
				d.To = []*mail.Address{
					{Name: `Back\slash "Quote"`, Address: "a@example.net"},
					{Name: "=?utf-8?q?not_encoded?=", Address: "b@example.net"},
					{Name: "  spaced   out ", Address: "c@example.net"},
					{Name: "tab\there", Address: "d@example.net"},
					{Name: strings.Repeat("x", 90), Address: "e@example.net"},
				}
			},
			want: written{
				Keys: []string{"Date", "From", "To", "Subject", "Message-Id", "Mime-Version", "Content-Type", "Content-Transfer-Encoding"},
				From: []string{"Alice Example|alice@example.org"},
				To: []string{`Back\slash "Quote"|a@example.net`, "=?utf-8?q?not_encoded?=|b@example.net", "  spaced   out |c@example.net",
					"tab\there|d@example.net", strings.Repeat("x", 90) + "|e@example.net"},
				Subject: "Lunch", Date: "Fri, 14 Mar 2025 09:26:53 +0100", MessageID: "m1@example.org",
				Text: "Shall we?\n",
			},
		},
		{
			name: "subjects that need encoding to read back unchanged",
			edit: func(d *Draft) { d.Subject = " =?utf-8?q?x?=  two  spaces\tand a tab " },
			want: written{
				Keys: []string{"Date", "From", "To", "Subject", "Message-Id", "Mime-Version", "Content-Type", "Content-Transfer-Encoding"},
				From: []string{"Alice Example|alice@example.org"}, To: []string{"Bob|bob@example.net"},
				Subject: " =?utf-8?q?x?=  two  spaces\tand a tab ", Date: "Fri, 14 Mar 2025 09:26:53 +0100", MessageID: "m1@example.org",
				Text: "Shall we?\n",
			},
		},
		{
			name: "long subject folds and reads back",
			edit: func(d *Draft) { d.Subject = strings.Repeat("word ", 60) + "end" },
			want: written{
				Keys: []string{"Date", "From", "To", "Subject", "Message-Id", "Mime-Version", "Content-Type", "Content-Transfer-Encoding"},
				From: []string{"Alice Example|alice@example.org"}, To: []string{"Bob|bob@example.net"},
				Subject: strings.Repeat("word ", 60) + "end", Date: "Fri, 14 Mar 2025 09:26:53 +0100", MessageID: "m1@example.org",
				Text: "Shall we?\n",
			},
		},
		{
			name: "References bounded, invalid identifiers left out",
			edit: func(d *Draft) {
				for i := range 30 {
					d.References = append(d.References, "r"+string(rune('a'+i%26))+strings.Repeat("x", i/26)+"@example.net")
				}
				d.References = append(d.References, "not an id", "ra@example.net")
				d.InReplyTo = "no-at-sign"
			},
			want: written{
				Keys: []string{"Date", "From", "To", "Subject", "Message-Id", "References", "Mime-Version", "Content-Type", "Content-Transfer-Encoding"},
				From: []string{"Alice Example|alice@example.org"}, To: []string{"Bob|bob@example.net"},
				Subject: "Lunch", Date: "Fri, 14 Mar 2025 09:26:53 +0100", MessageID: "m1@example.org",
				References: []string{"ra@example.net", "rl@example.net", "rm@example.net", "rn@example.net", "ro@example.net",
					"rp@example.net", "rq@example.net", "rr@example.net", "rs@example.net", "rt@example.net", "ru@example.net",
					"rv@example.net", "rw@example.net", "rx@example.net", "ry@example.net", "rz@example.net", "rax@example.net",
					"rbx@example.net", "rcx@example.net", "rdx@example.net"},
				Text: "Shall we?\n",
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			d := baseDraft()
			if tc.edit != nil {
				tc.edit(d)
			}
			raw := writeDraft(t, d, tc.withBcc)
			got := parseWritten(t, raw)
			if strings.HasPrefix(tc.want.MessageID, "<generated>") {
				domain := strings.TrimPrefix(tc.want.MessageID, "<generated>")
				if !strings.HasSuffix(got.MessageID, domain) || len(got.MessageID) < len(domain)+20 || got.MessageID != d.MessageID {
					t.Errorf("Message-ID %q, draft %q: want a random one @%s", got.MessageID, d.MessageID, domain)
				}
				tc.want.MessageID = got.MessageID
			}
			if diff := cmp.Diff(tc.want, got, cmpopts.IgnoreFields(written{}, "TextType", "TextCTE", "Wire")); diff != "" {
				t.Errorf("(-want +got):\n%s\n%s", diff, raw)
			}
			for _, l := range strings.Split(string(raw), "\r\n") {
				if len(l) > 78 {
					t.Errorf("line of %d characters: %q", len(l), l)
				}
				for i := 0; i < len(l); i++ {
					if l[i] >= 0x80 || l[i] < ' ' && l[i] != '\t' {
						t.Fatalf("not ASCII: %q", l)
					}
				}
			}
			if strings.Contains(strings.ReplaceAll(string(raw), "\r\n", ""), "\n") || strings.Contains(strings.ReplaceAll(string(raw), "\r\n", ""), "\r") {
				t.Errorf("bare CR or LF in\n%q", raw)
			}
		})
	}
}

// TestWriteToHugeHeaderText checks that a huge subject or name, which
// Validate refuses, is cut rather than encoded whole.
func TestWriteToHugeHeaderText(t *testing.T) {
	t.Parallel()
	d := baseDraft()
	d.Subject = strings.Repeat("many words ", 100000)
	d.To[0].Name = strings.Repeat("ü", 100000)
	got := parseWritten(t, writeDraft(t, d, false))
	if got.Subject != d.Subject[:2048] || got.To[0] != strings.Repeat("ü", 1024)+"|bob@example.net" {
		t.Errorf("subject of %d bytes, To %.40q", len(got.Subject), got.To)
	}
}

func TestWriteToKeepsDateAndMessageID(t *testing.T) {
	t.Parallel()
	d := baseDraft()
	d.Date, d.MessageID = time.Time{}, ""
	d.Bcc = []*mail.Address{{Address: "eve@example.com"}}
	smtp := parseWritten(t, writeDraft(t, d, false))
	sent := parseWritten(t, writeDraft(t, d, true))
	if smtp.MessageID == "" || smtp.MessageID != sent.MessageID || smtp.Date != sent.Date {
		t.Errorf("the two copies differ: %q %q, %q %q", smtp.MessageID, sent.MessageID, smtp.Date, sent.Date)
	}
	if d.Date.IsZero() || d.MessageID != smtp.MessageID {
		t.Errorf("draft not updated: %v %q", d.Date, d.MessageID)
	}
	if len(smtp.Bcc) != 0 || len(sent.Bcc) != 1 {
		t.Errorf("Bcc: SMTP copy %q, Sent copy %q", smtp.Bcc, sent.Bcc)
	}
}

func TestWriteToBody(t *testing.T) {
	t.Parallel()
	const (
		flowed = "text/plain; charset=utf-8; format=flowed"
		fixed  = "text/plain; charset=utf-8"
		qp     = "quoted-printable"
		bit7   = "7bit"
	)
	long := "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua."
	for _, tc := range []struct {
		name, body string
		typ, cte   string
	}{
		{"empty", "", flowed, bit7},
		{"one line, no final newline", "Hello", flowed, bit7},
		{"CRLF line ends", "one\r\ntwo\r\n\r\nthree\r\n", flowed, bit7},
		{"lone CR", "one\rtwo", flowed, bit7},
		{"long paragraph is soft-broken", long + " " + long + "\n", flowed, bit7},
		{"non-ASCII", "Grüße aus Köln – 東京 🎉\n", flowed, qp},
		{"long non-ASCII paragraph", strings.Repeat("Übermäßig lange Zeile ", 20) + "Ende\n", flowed, qp},
		{"long unbreakable line", "see https://example.com/" + strings.Repeat("a", 200) + " now\n", flowed, qp},
		{"From and signature", "From here on\nFrom: not a header\n-- \nAlice\n", flowed, bit7},
		{"leading spaces and quote-like lines", " indented\n  more\n>not stuffed in typed text?\n", fixed, bit7},
		{"canonical quotes", "On Monday Bob wrote:\n> Hi\n>> older\n>\n> " + long + "\n> > spaced marks\n>   indented quote\n", flowed, bit7},
		{"quoted signature separator", "> -- \n> sig\n", flowed, bit7},
		{"trailing spaces", "line with trailing space \nand tab\t\nend  ", fixed, qp},
		{"trailing space on an empty quote", "> \nx\n", fixed, qp},
		{"signature separator inside a long line", "-- " + long + " -- " + long, flowed, bit7},
		{"dots", ".\n..\n. x\n", flowed, bit7},
		{"only newlines", "\n\n\n", flowed, bit7},
		{"tabs", "a\tb\n\tc\n", flowed, bit7},
		{"control characters", "bell\a escape\x1b[31m\n", flowed, qp},
		{"NUL and invalid UTF-8", "a\x00b \xff\xfe c\n", flowed, qp},
		{"equals signs", "a=b =3D =\n", flowed, bit7},
		{"runs of spaces in a long line", strings.Repeat("word      ", 20) + "end", flowed, bit7},
		{"a line of spaces", "    \n", fixed, qp},
		{"long line of quote marks", strings.Repeat(">", 100) + " x\n", flowed, qp},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			d := baseDraft()
			d.Body = tc.body
			raw := writeDraft(t, d, false)
			got := parseWritten(t, raw)
			if diff := cmp.Diff(NormaliseBody(tc.body), got.Text); diff != "" {
				t.Errorf("body (-want +got):\n%s\nwire: %q", diff, got.Wire)
			}
			if got.TextType != tc.typ || got.TextCTE != tc.cte {
				t.Errorf("Content-Type %q, encoding %q; want %q, %q", got.TextType, got.TextCTE, tc.typ, tc.cte)
			}
			if tc.typ == flowed {
				for _, l := range strings.Split(got.Wire, "\r\n") {
					if n := len([]rune(l)); n > 78 && strings.Contains(strings.TrimRight(l, " "), " ") && !strings.Contains(tc.name, "unbreakable") && !strings.Contains(tc.name, "quote marks") {
						t.Errorf("flowed line of %d characters: %q", n, l)
					}
				}
			}
			// The same text through a multipart message.
			d.Attachments = []Attachment{{Filename: "a.txt", Open: func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader("x")), nil }}}
			got = parseWritten(t, writeDraft(t, d, false))
			if diff := cmp.Diff(NormaliseBody(tc.body), got.Text); diff != "" {
				t.Errorf("multipart body (-want +got):\n%s", diff)
			}
		})
	}
}

func TestUnflow(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, in string
		delSp    bool
		want     string
	}{
		{"soft breaks joined", "This is \r\nflowed.\r\nFixed.\r\n", false, "This is flowed.\nFixed.\n"},
		{"space-stuffing removed", " From x\r\n >y\r\n  two\r\n", false, "From x\n>y\n two\n"},
		{"quotes", "> a \r\n> b\r\n>> c \r\n>> d\r\n>\r\n", false, "> a b\n>> c d\n>\n"},
		{"depth change ends a paragraph", "> a \r\nb\r\n", false, "> a \nb\n"},
		{"signature separator is not soft", "text \r\n-- \r\nsig\r\n", false, "text \n-- \nsig\n"},
		{"delsp", "Japa \r\nnese\r\n", true, "Japanese\n"},
		{"quoted line without space after the marks", ">x\r\n", false, "> x\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tc.want, Unflow(tc.in, tc.delSp)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestWriteToAttachments(t *testing.T) {
	t.Parallel()
	small := Attachment{Filename: "notes.txt", ContentType: "text/plain; charset=utf-8", Open: func() (io.ReadCloser, error) {
		return io.NopCloser(strings.NewReader("line one\r\nline two\n")), nil
	}}
	umlaut, umlautHash := noiseAttachment(`C:\Users\jürgen\Übersicht – März "final".pdf`, "application/PDF", 100<<10, 1)
	big, bigHash := noiseAttachment("big.bin", "", 5<<20, 2)
	empty := Attachment{Filename: "", ContentType: "image/png", Open: func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader("")), nil }}
	odd, oddHash := noiseAttachment("   .hidden  file\t.tar.gz", "multipart/mixed; boundary=x", 1000, 3)
	// Text files as browsers upload them: no charset. UTF-8 ones are
	// labelled, so a reader does not show "Ã¼" for "ü"; a Latin-1 one is
	// not mislabelled.
	utf8CSV := Attachment{Filename: "prices.csv", ContentType: "text/csv", Open: openString("Käse;3,50 €\n")}
	latin1 := Attachment{Filename: "old.txt", ContentType: "text/plain", Open: openString("M\xfcller\n")}

	d := baseDraft()
	d.Body = "See the attached files.\n"
	d.Attachments = []Attachment{small, umlaut, big, empty, odd, utf8CSV, latin1}
	raw := writeDraft(t, d, false)
	got := parseWritten(t, raw)
	want := []writtenAttachment{
		{Filename: "notes.txt", ContentType: "text/plain", Charset: "utf-8", Size: 19, SHA256: sha256Hex("line one\r\nline two\n")},
		{Filename: `Übersicht – März "final".pdf`, ContentType: "application/pdf", Size: 100 << 10, SHA256: umlautHash},
		{Filename: "big.bin", ContentType: "application/octet-stream", Size: 5 << 20, SHA256: bigHash},
		{Filename: "attachment", ContentType: "image/png", Size: 0, SHA256: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
		{Filename: ".hidden file .tar.gz", ContentType: "application/octet-stream", Size: 1000, SHA256: oddHash},
		{Filename: "prices.csv", ContentType: "text/csv", Charset: "utf-8", Size: 15, SHA256: sha256Hex("Käse;3,50 €\n")},
		{Filename: "old.txt", ContentType: "text/plain", Size: 7, SHA256: sha256Hex("M\xfcller\n")},
	}
	if diff := cmp.Diff(want, got.Attachments); diff != "" {
		t.Errorf("attachments (-want +got):\n%s", diff)
	}
	if got.Text != d.Body {
		t.Errorf("text %q", got.Text)
	}
	if diff := cmp.Diff([]string{"Date", "From", "To", "Subject", "Message-Id", "Mime-Version", "Content-Type"}, got.Keys); diff != "" {
		t.Errorf("keys (-want +got):\n%s", diff)
	}
	for _, l := range strings.Split(string(raw), "\r\n") {
		if len(l) > 998 {
			t.Errorf("line of %d bytes", len(l))
		}
	}
	if !bytes.Contains(raw, []byte(`filename*=utf-8''%C3%9Cbersicht%20%E2%80%93%20M%C3%A4rz%20%22final%22.pdf`)) {
		t.Errorf("the non-ASCII file name is not RFC 2231 encoded:\n%s", raw[:2000])
	}
}

func TestWriteToErrors(t *testing.T) {
	t.Parallel()
	openErr := errors.New("gone")
	for _, tc := range []struct {
		name string
		edit func(*Draft)
		want string
	}{
		{"no sender", func(d *Draft) { d.From = nil }, "no sender"},
		{"invalid sender", func(d *Draft) { d.From.Address = "alice" }, "From"},
		{"invalid recipient", func(d *Draft) { d.To[0].Address = "bob@example.net\r\nBcc: eve@example.com" }, `To: "bob@example.net\r\nBcc: eve@example.com" has characters before the @ that cannot be sent`},
		{"empty recipient", func(d *Draft) { d.Cc = []*mail.Address{nil} }, "Cc: empty address"},
		{"attachment fails to open", func(d *Draft) {
			d.Attachments = []Attachment{{Filename: "x", Open: func() (io.ReadCloser, error) { return nil, openErr }}}
		}, "gone"},
		{"attachment fails to read", func(d *Draft) {
			d.Attachments = []Attachment{{Filename: "x", Open: func() (io.ReadCloser, error) {
				return io.NopCloser(io.MultiReader(strings.NewReader("abc"), errReader{openErr})), nil
			}}}
		}, "gone"},
		{"attachment without content", func(d *Draft) { d.Attachments = []Attachment{{Filename: "x"}} }, "no content"},
		{"too many recipients", func(d *Draft) {
			for range 101 {
				d.Cc = append(d.Cc, &mail.Address{Address: "c@example.com"})
			}
		}, "more than 100"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			d := baseDraft()
			tc.edit(d)
			_, err := d.WriteTo(io.Discard, true)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one about %q", err, tc.want)
			}
		})
	}
	if _, err := baseDraft().WriteTo(errWriter{openErr}, false); !errors.Is(err, openErr) {
		t.Errorf("failing writer: %v", err)
	}
}

type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }

type errWriter struct{ err error }

func (w errWriter) Write([]byte) (int, error) { return 0, w.err }

// TestHeaderInjection tries a line break in every value that goes into the
// header: each is refused by Validate or neutralised, and the message
// parsed back has exactly the expected fields.
func TestHeaderInjection(t *testing.T) {
	t.Parallel()
	const evil = "evil@attacker.example"
	std := []string{"Date", "From", "To", "Subject", "Message-Id", "Mime-Version", "Content-Type", "Content-Transfer-Encoding"}
	multipart := []string{"Date", "From", "To", "Subject", "Message-Id", "Mime-Version", "Content-Type"}
	for _, brk := range []string{"\r\n", "\n", "\r", "\r\n\r\n", "\u2028", "\x00", "\r\n "} {
		inj := "x" + brk + "Bcc: " + evil
		for _, tc := range []struct {
			field    string // what Validate reports, "" if the value is neutralised
			edit     func(*Draft)
			withBcc  bool
			wantKeys []string
		}{
			{"from", func(d *Draft) { d.From.Name = inj }, false, std},
			{"to", func(d *Draft) { d.To[0].Name = inj }, false, std},
			{"cc", func(d *Draft) { d.Cc = []*mail.Address{{Name: inj, Address: "c@example.com"}} }, false,
				[]string{"Date", "From", "To", "Cc", "Subject", "Message-Id", "Mime-Version", "Content-Type", "Content-Transfer-Encoding"}},
			{"bcc", func(d *Draft) { d.Bcc = []*mail.Address{{Name: inj, Address: "b@example.com"}} }, true,
				[]string{"Date", "From", "To", "Bcc", "Subject", "Message-Id", "Mime-Version", "Content-Type", "Content-Transfer-Encoding"}},
			{"subject", func(d *Draft) { d.Subject = inj }, false, std},
			{"in-reply-to", func(d *Draft) { d.InReplyTo = "a@b" + brk + "Bcc: " + evil }, false, std},
			{"references", func(d *Draft) { d.References = []string{"a@b" + brk + "Bcc: " + evil} }, false, std},
			{"message-id", func(d *Draft) { d.MessageID = "a@b" + brk + "Bcc: " + evil }, false, std},
			{"", func(d *Draft) { // attachment file name
				d.Attachments = []Attachment{{Filename: inj + ".pdf", ContentType: "application/pdf", Open: openString("x")}}
			}, false, multipart},
			{"", func(d *Draft) { // attachment content type
				d.Attachments = []Attachment{{Filename: "a.pdf", ContentType: "application/pdf" + brk + "Bcc: " + evil, Open: openString("x")}}
			}, false, multipart},
		} {
			t.Run(tc.field+"/"+strings.ReplaceAll(strings.ReplaceAll(brk, "\r", "CR"), "\n", "LF"), func(t *testing.T) {
				t.Parallel()
				d := baseDraft()
				tc.edit(d)
				var fields []string
				for _, e := range d.Validate() {
					fields = append(fields, e.Field)
				}
				if tc.field != "" && !strings.Contains(strings.Join(fields, " "), tc.field) {
					t.Errorf("Validate did not report %s: %v", tc.field, d.Validate())
				}
				raw := writeDraft(t, d, tc.withBcc)
				got := parseWritten(t, raw)
				if diff := cmp.Diff(tc.wantKeys, got.Keys); diff != "" {
					t.Errorf("header keys (-want +got):\n%s\n%s", diff, raw)
				}
				for _, part := range [][]string{got.From, got.To, got.Cc, got.Bcc} {
					for _, a := range part {
						if strings.HasSuffix(a, "|"+evil) {
							t.Errorf("%s became a recipient", evil)
						}
					}
				}
				for _, r := range Recipients(d) {
					if r == evil {
						t.Errorf("%s is an envelope recipient", evil)
					}
				}
				for _, a := range got.Attachments {
					if strings.ContainsAny(a.Filename, "\r\n\x00") || strings.ContainsAny(a.ContentType, "\r\n ;") {
						t.Errorf("attachment %q %q", a.Filename, a.ContentType)
					}
				}
			})
		}
	}
}

func openString(s string) func() (io.ReadCloser, error) {
	return func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(s)), nil }
}

// TestWriteToStreamsAttachments checks that writing a 25 MB attachment
// does not hold it in memory. It is not parallel: the heap is the whole
// program's.
func TestWriteToStreamsAttachments(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 25 MB")
	}
	d := baseDraft()
	att, _ := noiseAttachment("big.bin", "application/octet-stream", 25<<20, 7)
	d.Attachments = []Attachment{att}
	var n int64
	growth := peakHeapGrowth(func() {
		var err error
		if n, err = d.WriteTo(io.Discard, false); err != nil {
			t.Error(err)
		}
	})
	if n < 25<<20*4/3 {
		t.Errorf("wrote %d bytes", n)
	}
	t.Logf("peak heap growth %.1f MB", float64(growth)/(1<<20))
	if growth > 8<<20 {
		t.Errorf("heap grew by %.1f MB while writing a 25 MB attachment", float64(growth)/(1<<20))
	}
}

// BenchmarkWriteToLargeAttachment writes a message with a 25 MB attachment
// and reports the peak heap growth during each write ("peak-heap-MB", the
// largest over all iterations).
func BenchmarkWriteToLargeAttachment(b *testing.B) {
	const size = 25 << 20
	d := baseDraft()
	d.Body = strings.Repeat("Some text for the body of the message. ", 100)
	att, _ := noiseAttachment("big.bin", "application/octet-stream", size, 7)
	d.Attachments = []Attachment{att}
	b.SetBytes(size)
	b.ReportAllocs()
	var peak uint64
	for b.Loop() {
		peak = max(peak, peakHeapGrowth(func() {
			if _, err := d.WriteTo(io.Discard, false); err != nil {
				b.Fatal(err)
			}
		}))
	}
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
}

// BenchmarkWriteToText writes a text-only reply with a quoted original.
func BenchmarkWriteToText(b *testing.B) {
	d := baseDraft()
	d.Body = "Thanks!\n\nOn Monday Bob wrote:\n" + strings.Repeat("> Quoted text with a few words, and some non-ASCII: Grüße. Long enough to be soft-broken when flowed, certainly.\n", 200)
	var buf bytes.Buffer
	b.ReportAllocs()
	for b.Loop() {
		buf.Reset()
		if _, err := d.WriteTo(&buf, false); err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes(int64(buf.Len()))
}
