package views

import (
	"context"
	"fmt"
	"io"
	"testing"
	"time"

	"golang.org/x/text/language"

	"webmail"
	"webmail/views/locale"
)

// BenchmarkMailboxFor: what each htmx target costs to render for a page
// of 50 rows. The list is a fragment of the whole page (templ renders the
// page and keeps the fragment), so it costs about what the page costs.
func BenchmarkMailboxFor(b *testing.B) {
	now := time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)
	page := &webmail.Page{Mailbox: "INBOX", UIDValidity: 1, Total: 300, Number: 1, Pages: 6}
	for i := range webmail.PageSize {
		page.Messages = append(page.Messages, webmail.Summary{
			UID: webmail.UID(300 - i), From: webmail.Address{Name: "Ann Example", Mailbox: "ann", Host: "example.net"},
			Subject: fmt.Sprintf("Message number %d about the plans", i), Date: now.Add(-time.Duration(i) * time.Hour), Size: 4000,
		})
	}
	p := MailboxParams{View: ScreenList, Now: now, Place: Place{Mailbox: "INBOX", Page: 1}, List: page,
		Folders: []webmail.Folder{{Name: "INBOX", Label: "INBOX", Role: webmail.RoleInbox, Total: 300, Unseen: 3}},
		Current: webmail.Folder{Name: "INBOX", Label: "INBOX", Role: webmail.RoleInbox}}
	for _, t := range []Target{TargetPage, TargetMain, TargetList} {
		name := string(t)
		if name == "" {
			name = "page"
		}
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := MailboxFor(p, t).Render(context.Background(), io.Discard); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	// The page in Arabic: its own digits, plurals and dates.
	ar := locale.With(context.Background(), locale.For(language.Arabic))
	b.Run("page-ar", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := MailboxFor(p, TargetPage).Render(ar, io.Discard); err != nil {
				b.Fatal(err)
			}
		}
	})
}
