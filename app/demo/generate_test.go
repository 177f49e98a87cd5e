package demo

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
)

func newTestGenerator(now time.Time) *generator {
	return &generator{rng: rand.New(rand.NewPCG(seed, seed)), now: now, me: person{"Demo User", "demo@example.org", 0}}
}

func TestSmallInboxKeepsNotableMessages(t *testing.T) {
	g := newTestGenerator(testNow())
	g.inbox(1)
	if g.err != nil {
		t.Fatal(g.err)
	}
	n := g.count(folderInbox)
	if n < 20 || n > 40 {
		t.Errorf("INBOX with size 1 has %d messages, want just the notable ones", n)
	}
}

// TestDatesNearMidnight checks that "today" stays in the past when the
// anchor is just after midnight.
func TestDatesNearMidnight(t *testing.T) {
	now := time.Date(2026, time.January, 1, 0, 2, 0, 0, time.UTC)
	g := newTestGenerator(now)
	g.inbox(300)
	g.otherFolders()
	if g.err != nil {
		t.Fatal(g.err)
	}
	today := 0
	for _, m := range g.msgs {
		if m.date.After(now) {
			t.Errorf("%s message dated %v, after %v", m.folder, m.date, now)
		}
		if m.date.Year() == 2026 {
			today++
		}
	}
	if today < 3 {
		t.Errorf("%d messages today, want some", today)
	}
}

func TestRenderedMessages(t *testing.T) {
	g := newTestGenerator(testNow())
	g.inbox(300)
	g.otherFolders()
	if g.err != nil {
		t.Fatal(g.err)
	}
	ids := make(map[string]bool)
	idRE := regexp.MustCompile(`(?m)^Message-Id: <([^>]+)>\r$`)
	for i, m := range g.msgs {
		header, _, ok := bytes.Cut(m.raw, []byte("\r\n\r\n"))
		if !ok {
			t.Fatalf("message %d has no header/body separator", i)
		}
		for _, line := range strings.Split(string(header), "\r\n") {
			if len(line) > 998 {
				t.Errorf("message %d: header line of %d characters", i, len(line))
			}
		}
		if bytes.Contains(bytes.ReplaceAll(m.raw, []byte("\r\n"), nil), []byte("\n")) {
			t.Errorf("message %d has bare LF line breaks", i)
		}
		match := idRE.FindSubmatch(header)
		if match == nil || ids[string(match[1])] {
			t.Errorf("message %d: missing or duplicate Message-ID %q", i, match)
			continue
		}
		ids[string(match[1])] = true
		for _, field := range []string{"From: ", "Date: ", "Mime-Version: 1.0", "Content-Type: "} {
			if !bytes.Contains(header, []byte("\r\n"+field)) && !bytes.HasPrefix(header, []byte(field)) {
				t.Errorf("message %d lacks %q", i, field)
			}
		}
		if m.folder == folderDrafts && !slices.Contains(m.flags, imap.FlagDraft) {
			t.Errorf("draft %d lacks \\Draft", i)
		}
	}
}

func TestFlow(t *testing.T) {
	text := "Short line.\n\n" + strings.Repeat("word ", 40) + "end.\n> " + strings.Repeat("quoted ", 20) + "end.\n-- \nSig\n"
	got := flow(text, 72)
	for _, line := range strings.Split(strings.TrimSuffix(got, "\n"), "\n") {
		if len(line) > 72 {
			t.Errorf("line of %d characters: %q", len(line), line)
		}
	}
	// Unflowing (joining soft breaks) restores the paragraphs.
	var unflowed strings.Builder
	for line := range strings.Lines(got) {
		line = strings.TrimSuffix(line, "\n")
		if strings.HasPrefix(line, "> ") && strings.HasSuffix(unflowed.String(), " ") {
			line = strings.TrimPrefix(line, "> ")
		}
		unflowed.WriteString(line)
		if !strings.HasSuffix(line, " ") || line == "-- " {
			unflowed.WriteString("\n")
		}
	}
	if unflowed.String() != text {
		t.Errorf("unflowed text:\n%q\nwant:\n%q", unflowed.String(), text)
	}
}

// TestInvoicePDF checks the PDF's cross-reference table, which readers
// use to find the objects.
func TestInvoicePDF(t *testing.T) {
	pdf := invoicePDF([]string{"Title", "A (parenthesised) line", `back\slash`})
	xref := bytes.LastIndex(pdf, []byte("\nxref\n")) + 1
	startxref := regexp.MustCompile(`startxref\n(\d+)\n%%EOF\n$`).FindSubmatch(pdf)
	if startxref == nil || string(startxref[1]) != strconv.Itoa(xref) {
		t.Fatalf("startxref %q does not point at the xref table at %d", startxref, xref)
	}
	entries := regexp.MustCompile(`(\d{10}) 00000 n \n`).FindAllSubmatch(pdf[xref:], -1)
	if len(entries) != 5 {
		t.Fatalf("%d xref entries, want 5", len(entries))
	}
	for i, e := range entries {
		off, _ := strconv.Atoi(string(e[1]))
		if want := fmt.Sprintf("%d 0 obj\n", i+1); !bytes.HasPrefix(pdf[off:], []byte(want)) {
			t.Errorf("xref entry %d points at %q, want %q", i+1, pdf[off:min(off+10, len(pdf))], want)
		}
	}
	if !bytes.Contains(pdf, []byte(`(A \(parenthesised\) line) Tj`)) || !bytes.Contains(pdf, []byte(`(back\\slash) Tj`)) {
		t.Errorf("PDF strings not escaped:\n%s", pdf)
	}
}
