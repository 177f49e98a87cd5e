package usecase_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"webmail"
	"webmail/app/mail"
	"webmail/app/usecase"
)

// TestActFlagsAndReads: flagging, unflagging, marking read and unread show
// in the list and in the folder's unread count.
func TestActFlagsAndReads(t *testing.T) {
	t.Parallel()
	eachServer(t, func(t *testing.T, m *mailbox) {
		ctx := context.Background()
		refs := m.put(t, "INBOX", "one", "two", "three")
		sel := selection(refs[:2]...)
		for _, tc := range []struct {
			verb   usecase.Verb
			notice string
			check  func(webmail.Summary) bool
		}{
			{usecase.Flag, "2 messages flagged.", func(s webmail.Summary) bool { return s.Flagged }},
			{usecase.Unflag, "2 messages unflagged.", func(s webmail.Summary) bool { return !s.Flagged }},
			{usecase.MarkRead, "2 messages marked read.", func(s webmail.Summary) bool { return s.Seen }},
			{usecase.MarkUnread, "2 messages marked unread.", func(s webmail.Summary) bool { return !s.Seen }},
		} {
			out, err := m.svc.Act(ctx, m.acct, usecase.Action{Verb: tc.verb, Messages: sel})
			if err != nil {
				t.Fatalf("%s: %v", tc.verb, err)
			}
			if english(out.Notice) != tc.notice || out.Undo != nil {
				t.Errorf("%s: outcome %+v, want notice %q and no undo", tc.verb, out, tc.notice)
			}
			for _, r := range refs[:2] {
				if s := m.summary(t, r); !tc.check(s) {
					t.Errorf("%s: %q has flags %+v", tc.verb, s.Subject, s.Flags)
				}
			}
			if s := m.summary(t, refs[2]); s.Flagged || s.Seen {
				t.Errorf("%s: the unselected message changed too: %+v", tc.verb, s.Flags)
			}
			if tc.verb == usecase.MarkRead {
				if f, _ := webmail.FindFolder(m.list(t, "INBOX").Folders, "INBOX"); f.Unseen != 1 {
					t.Errorf("after marking 2 of 3 read, the Inbox counts %d unread, want 1", f.Unseen)
				}
			}
		}
	})
}

// TestActMovesAndUndoes: archive, junk, move and delete take messages
// where they belong, and undo brings them back, until its time is up.
func TestActMovesAndUndoes(t *testing.T) {
	t.Parallel()
	eachServer(t, func(t *testing.T, m *mailbox) {
		ctx := context.Background()
		archive, junk, trash := m.folderByRole(t, webmail.RoleArchive), m.folderByRole(t, webmail.RoleJunk), m.folderByRole(t, webmail.RoleTrash)
		for _, tc := range []struct {
			verb   usecase.Verb
			dest   string
			to     string
			notice string
		}{
			{usecase.Archive, "", archive, "1 message archived."},
			{usecase.Junk, "", junk, "1 message marked as junk."},
			{usecase.Delete, "", trash, "1 message moved to Trash."},
			{usecase.Move, archive, archive, "1 message moved to Archive."},
		} {
			ref := m.put(t, "INBOX", "to "+string(tc.verb))[0]
			out, err := m.svc.Act(ctx, m.acct, usecase.Action{Verb: tc.verb, Messages: ref.Selection(), Dest: tc.dest})
			if err != nil {
				t.Fatalf("%s: %v", tc.verb, err)
			}
			if english(out.Notice) != tc.notice {
				t.Errorf("%s: notice %q, want %q", tc.verb, english(out.Notice), tc.notice)
			}
			if !slices.Contains(m.subjects(t, tc.to), "to "+string(tc.verb)) || slices.Contains(m.subjects(t, "INBOX"), "to "+string(tc.verb)) {
				t.Fatalf("%s: the message is not (only) in %s", tc.verb, tc.to)
			}
			if out.Undo == nil || out.Undo.Back != "INBOX" || out.Undo.Moved.Mailbox != tc.to || len(out.Undo.Moved.UIDs) != 1 {
				t.Fatalf("%s: undo %+v", tc.verb, out.Undo)
			}
			notice, err := m.svc.Undo(ctx, m.acct, *out.Undo)
			if err != nil || english(notice) != "Undone: 1 message is back." {
				t.Fatalf("%s: undo: %q, %v", tc.verb, english(notice), err)
			}
			if !slices.Contains(m.subjects(t, "INBOX"), "to "+string(tc.verb)) {
				t.Errorf("%s: undone, but the message is not back in the Inbox", tc.verb)
			}
			// Again: the message is no longer there to move back.
			notice, err = m.svc.Undo(ctx, m.acct, *out.Undo)
			if err != nil || english(notice) != "Nothing to undo: 1 message was no longer where the action put it." {
				t.Errorf("%s: second undo: %q, %v", tc.verb, english(notice), err)
			}
		}

		// Too late: nothing moves, and the notice says where they are.
		ref := m.put(t, "INBOX", "late")[0]
		out, err := m.svc.Act(ctx, m.acct, usecase.Action{Verb: usecase.Archive, Messages: ref.Selection()})
		if err != nil {
			t.Fatal(err)
		}
		m.clock.t = m.clock.t.Add(usecase.UndoWindow + time.Second)
		notice, err := m.svc.Undo(ctx, m.acct, *out.Undo)
		if err != nil || english(notice) != "Too late to undo; the messages are in Archive." {
			t.Errorf("late undo: %q, %v", notice, err)
		}
		if slices.Contains(m.subjects(t, "INBOX"), "late") {
			t.Error("a late undo moved the message back")
		}
	})
}

// TestActDeletesForGoodOnlyWhenConfirmed: in Trash, Delete asks first and
// then removes exactly the selected message.
func TestActDeletesForGoodOnlyWhenConfirmed(t *testing.T) {
	t.Parallel()
	eachServer(t, func(t *testing.T, m *mailbox) {
		ctx := context.Background()
		trash := m.folderByRole(t, webmail.RoleTrash)
		refs := m.put(t, trash, "keep", "remove")
		act := usecase.Action{Verb: usecase.Delete, Messages: refs[1].Selection()}
		out, err := m.svc.Act(ctx, m.acct, act)
		if err != nil || !out.NeedsConfirm {
			t.Fatalf("unconfirmed delete in Trash: %+v, %v; want a question", out, err)
		}
		if got := m.subjects(t, trash); len(got) != 2 {
			t.Fatalf("something was deleted before confirming: %q", got)
		}
		act.Confirmed = true
		if out, err = m.svc.Act(ctx, m.acct, act); err != nil || english(out.Notice) != "1 message deleted for good." {
			t.Fatalf("confirmed delete: %+v, %v", out, err)
		}
		if diff := cmp.Diff([]string{"keep"}, m.subjects(t, trash)); diff != "" {
			t.Errorf("Trash after deleting for good (-want +got):\n%s", diff)
		}
	})
}

// TestActRefuses: what cannot be done says why, with the field at fault,
// and changes nothing.
func TestActRefuses(t *testing.T) {
	t.Parallel()
	eachServer(t, func(t *testing.T, m *mailbox) {
		ctx := context.Background()
		ref := m.put(t, "INBOX", "stays")[0]
		stale := ref.Selection()
		stale.Validity++
		for _, tc := range []struct {
			name  string
			act   usecase.Action
			code  webmail.ErrorCode
			field string
			err   error
		}{
			{"no message", usecase.Action{Verb: usecase.Flag, Messages: webmail.Selection{Mailbox: "INBOX", Validity: ref.Validity}}, webmail.EInvalid, "uid", nil},
			{"no such folder", usecase.Action{Verb: usecase.Move, Messages: ref.Selection(), Dest: "Nope"}, webmail.EInvalid, "dest", nil},
			{"no folder named", usecase.Action{Verb: usecase.Move, Messages: ref.Selection()}, webmail.EInvalid, "dest", nil},
			{"unknown verb", usecase.Action{Verb: "burn", Messages: ref.Selection()}, webmail.EInvalid, "", nil},
			{"stale UIDVALIDITY", usecase.Action{Verb: usecase.Archive, Messages: stale}, "", "", mail.ErrNotFound},
		} {
			_, err := m.svc.Act(ctx, m.acct, tc.act)
			if tc.err != nil {
				if !errors.Is(err, tc.err) {
					t.Errorf("%s: %v, want %v", tc.name, err, tc.err)
				}
				continue
			}
			e := webmail.ErrorOf(err)
			if e == nil || e.Code != tc.code || e.Message == "" || (tc.field != "" && e.Fields[tc.field] == "") {
				t.Errorf("%s: %v, want a %s error on %q", tc.name, err, tc.code, tc.field)
			}
		}
		if s := m.summary(t, ref); s.Flagged || !slices.Contains(m.subjects(t, "INBOX"), "stays") {
			t.Errorf("a refused action changed the message: %+v", s)
		}
	})
}

// TestActOnMessageOpensNext: moving the open message away opens the next
// older one in the list's order, else the next newer one, else none;
// flagging stays on it.
func TestActOnMessageOpensNext(t *testing.T) {
	t.Parallel()
	eachServer(t, func(t *testing.T, m *mailbox) {
		ctx := context.Background()
		refs := m.put(t, "INBOX", "b-oldest", "c-middle", "a-newest")
		plain := usecase.ListQuery{Mailbox: "INBOX", Page: 1}
		act := func(verb usecase.Verb, ref webmail.MessageRef, q usecase.ListQuery) webmail.MessageRef {
			t.Helper()
			_, next, err := m.svc.ActOnMessage(ctx, m.acct, usecase.Action{Verb: verb, Messages: ref.Selection()}, q)
			if err != nil {
				t.Fatalf("%s %v: %v", verb, ref, err)
			}
			return next
		}
		bySubject := plain
		bySubject.Sort = "subject"
		searches := m.commands.count("search", "sort", "fetch")
		if next := act(usecase.Flag, refs[1], bySubject); next != refs[1] {
			t.Errorf("after flagging, next is %v, want the same message", next)
		}
		// The message stays, so there is no next one to look for: no
		// list of the sorted folder is fetched.
		if n := m.commands.count("search", "sort", "fetch") - searches; n > 1 {
			t.Errorf("flagging the open message sent %d SEARCH/SORT/FETCH commands, want at most 1 (the flag's own)", n)
		}
		// By subject A–Z the middle one ("c-middle") is last: its next
		// "older" is none, so the next newer one opens.
		if next := act(usecase.Archive, refs[1], bySubject); next != refs[0] {
			t.Errorf("archiving the last by subject opens %v, want %v (b-oldest)", next, refs[0])
		}
		// Newest first: archiving the newest opens the next older.
		if next := act(usecase.Archive, refs[2], plain); next != refs[0] {
			t.Errorf("archiving the newest opens %v, want %v", next, refs[0])
		}
		if next := act(usecase.Archive, refs[0], plain); !next.IsZero() {
			t.Errorf("archiving the last message opens %v, want the list", next)
		}
	})
}
