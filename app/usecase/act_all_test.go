package usecase_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"webmail"
	"webmail/app/usecase"
)

// TestActOnAll: "select all N messages in this folder" flags every message
// of the folder, beyond the page; a search narrows it; moving them all is
// asked about first, then done.
func TestActOnAll(t *testing.T) {
	t.Parallel()
	eachServer(t, func(t *testing.T, m *mailbox) {
		ctx := context.Background()
		var subjects []string
		for i := range 2*webmail.PageSize + 10 {
			s := fmt.Sprintf("bulk%d", i)
			if i%10 == 0 {
				s = fmt.Sprintf("tenth%d", i)
			}
			subjects = append(subjects, s)
		}
		refs := m.put(t, "INBOX", subjects...)
		sel := webmail.Selection{Mailbox: "INBOX", Validity: refs[0].Validity}
		flagged := func() int {
			l, err := m.svc.List(ctx, m.acct, usecase.ListQuery{Mailbox: "INBOX", Page: 1, Search: "is:flagged"}, false)
			if err != nil {
				t.Fatal(err)
			}
			return int(l.Page.Total)
		}

		out, err := m.svc.Act(ctx, m.acct, usecase.Action{Verb: usecase.Flag, Messages: sel, All: true, Search: "subject:tenth"})
		if err != nil || english(out.Notice) != "11 messages flagged." {
			t.Fatalf("flag all matching: %+v, %v", out, err)
		}
		if got := flagged(); got != 11 {
			t.Errorf("%d flagged, want the 11 that match", got)
		}
		searches := m.commands.count("search")
		out, err = m.svc.Act(ctx, m.acct, usecase.Action{Verb: usecase.Flag, Messages: sel, All: true})
		if err != nil || english(out.Notice) != "110 messages flagged." {
			t.Fatalf("flag all: %+v, %v", out, err)
		}
		if n := m.commands.count("search") - searches; n != 1 {
			t.Errorf("flag all sent %d searches, want one: the UIDs it counts are the ones it flags", n)
		}
		if got := flagged(); got != len(subjects) {
			t.Errorf("%d flagged, want all %d", got, len(subjects))
		}
		if _, err := m.svc.Act(ctx, m.acct, usecase.Action{Verb: usecase.Unflag, Messages: sel, All: true}); err != nil {
			t.Fatal(err)
		}
		if got := flagged(); got != 0 {
			t.Errorf("%d flagged after unflagging all", got)
		}

		archive := m.folderByRole(t, webmail.RoleArchive)
		out, err = m.svc.Act(ctx, m.acct, usecase.Action{Verb: usecase.Archive, Messages: sel, All: true})
		if err != nil || !out.NeedsConfirm || !strings.Contains(english(out.Question), "all 110 messages in this folder") {
			t.Fatalf("archive all, unconfirmed: %+v, %v; want a question", out, err)
		}
		if got := len(m.subjects(t, archive)); got != 0 {
			t.Fatalf("%d archived before the answer", got)
		}
		out, err = m.svc.Act(ctx, m.acct, usecase.Action{Verb: usecase.Archive, Messages: sel, All: true, Confirmed: true})
		if err != nil || english(out.Notice) != "110 messages archived." {
			t.Fatalf("archive all: %+v, %v", out, err)
		}
		if l := m.list(t, "INBOX"); l.Page.Total != 0 {
			t.Errorf("INBOX holds %d after archiving all", l.Page.Total)
		}
		if l := m.list(t, archive); l.Page.Total != uint32(len(subjects)) {
			t.Errorf("Archive holds %d, want %d", l.Page.Total, len(subjects))
		}
	})
}
