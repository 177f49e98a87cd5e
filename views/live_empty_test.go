package views

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"webmail"
)

// TestLiveUpdateClearsEmptyState: the first mail into an empty folder
// takes its empty state away; the partial's target is what the empty
// list shows.
func TestLiveUpdateClearsEmptyState(t *testing.T) {
	now := time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)
	folder := webmail.Folder{Name: "INBOX", Label: "INBOX", Role: webmail.RoleInbox}
	empty := MailboxParams{View: ScreenList, Now: now, Place: Place{Mailbox: "INBOX", Page: 1}, Current: folder,
		Folders: []webmail.Folder{folder}, List: &webmail.Page{Mailbox: "INBOX", UIDValidity: 1, Number: 1, Pages: 1}}
	var page bytes.Buffer
	if err := MailboxPage(empty).Render(context.Background(), &page); err != nil {
		t.Fatal(err)
	}
	doc, err := goquery.NewDocumentFromReader(&page)
	if err != nil {
		t.Fatal(err)
	}

	update := LiveParams{MailboxParams: empty}
	list := *empty.List
	list.Messages = []webmail.Summary{{UID: 1, Subject: "First", Date: now}}
	update.List = &list
	var live bytes.Buffer
	if err := LiveUpdate(update).Render(context.Background(), &live); err != nil {
		t.Fatal(err)
	}
	partials, err := goquery.NewDocumentFromReader(&live)
	if err != nil {
		t.Fatal(err)
	}
	target, ok := partials.Find(`hx-partial[hx-swap=delete]`).First().Attr("hx-target")
	if !ok {
		t.Fatal("no partial takes the empty state away")
	}
	if n := doc.Find(target).Length(); n != 1 {
		t.Errorf("the partial's target %q matches %d elements of the empty list, want its empty state", target, n)
	}
}
