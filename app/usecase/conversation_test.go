package usecase_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"webmail"
	"webmail/app/usecase"
)

// threadMessage is a message of a thread: id answers parent (none when
// "").
func threadMessage(id, parent, subject string, minute int) string {
	refs := ""
	if parent != "" {
		refs = fmt.Sprintf("In-Reply-To: <%s>\r\nReferences: <%s>\r\n", parent, parent)
	}
	return fmt.Sprintf("From: Ann <ann@example.net>\r\nTo: me@example.org\r\nSubject: %s\r\nDate: Mon, 02 Mar 2026 %02d:%02d:00 +0000\r\nMessage-ID: <%s>\r\n%s\r\nHello.\r\n",
		subject, 10+minute/60, minute%60, id, refs)
}

// TestConversationWhole: on Dovecot, a conversation is the server's whole
// thread (UID THREAD), also when its messages fall on different pages of
// the list, with the person's reply filed in Sent; the list counts
// conversations, and says so.
func TestConversationWhole(t *testing.T) {
	t.Parallel()
	m := dovecotMailbox(t)
	ctx := context.Background()
	m.putRaw(t, "INBOX", threadMessage("root@example.net", "", "Plans", 0))
	var fillers []string
	for i := range 60 {
		fillers = append(fillers, threadMessage(fmt.Sprintf("filler%d@example.net", i), "", fmt.Sprintf("Filler %d", i), 1+i))
	}
	m.putRaw(t, "INBOX", fillers...)
	last := m.putRaw(t, "INBOX", threadMessage("answer@example.net", "root@example.net", "Re: Plans", 90))[0]
	sent := m.folderByRole(t, webmail.RoleSent)
	m.putRaw(t, sent, threadMessage("mine@example.org", "root@example.net", "Re: Plans", 45), threadMessage("other@example.org", "", "Elsewhere", 46))

	// The plain list: the answer on page 1, the message it answers on page 2.
	if got := m.list(t, "INBOX").Page.Messages[0].Subject; got != "Re: Plans" {
		t.Fatalf("newest message %q", got)
	}

	threads, sorts := m.commands.count("thread"), m.commands.count("sort")
	conv, err := m.svc.Conversation(ctx, m.acct, last, usecase.ListQuery{Mailbox: "INBOX", Page: 1, Threads: true})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, msg := range conv.Messages {
		got = append(got, msg.Ref.Mailbox+": "+msg.MessageID)
	}
	want := []string{"INBOX: root@example.net", sent + ": mine@example.org", "INBOX: answer@example.net"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("conversation (-want +got):\n%s", diff)
	}
	if n := m.commands.count("thread") - threads; n != 1 {
		t.Errorf("%d THREAD commands for the conversation, want 1", n)
	}
	if n := m.commands.count("sort") - sorts; n != 0 {
		t.Errorf("%d SORT commands for the conversation, want none", n)
	}

	l, err := m.svc.List(ctx, m.acct, usecase.ListQuery{Mailbox: "INBOX", Page: 1, Threads: true}, false)
	if err != nil {
		t.Fatal(err)
	}
	if !l.ConversationsCounted || l.Page.Total != 61 || len(l.Conversations[0].Messages) != 2 {
		t.Errorf("threaded list: counted %v, total %d, newest conversation of %d messages; want conversations, 61, 2",
			l.ConversationsCounted, l.Page.Total, len(l.Conversations[0].Messages))
	}
}

// TestConversationExpandsWhatItMarksRead: opening a conversation expands
// its unread messages, at most usecase.MaxExpanded, and marks those read:
// the others stay unread.
func TestConversationExpandsWhatItMarksRead(t *testing.T) {
	t.Parallel()
	eachServer(t, func(t *testing.T, m *mailbox) {
		ctx := context.Background()
		raws := []string{threadMessage("r@example.net", "", "Long", 0)}
		for i := 1; i <= usecase.MaxExpanded+2; i++ {
			raws = append(raws, threadMessage(fmt.Sprintf("r%d@example.net", i), "r@example.net", "Re: Long", i))
		}
		refs := m.putRaw(t, "INBOX", raws...)
		conv, err := m.svc.Conversation(ctx, m.acct, refs[len(refs)-1], usecase.ListQuery{Mailbox: "INBOX", Page: 1, Threads: true})
		if err != nil {
			t.Fatal(err)
		}
		read := conv.ToMarkRead("INBOX")
		if len(conv.Messages) != len(raws) || len(read.UIDs) != usecase.MaxExpanded {
			t.Fatalf("%d messages, %d to mark read; want %d, %d", len(conv.Messages), len(read.UIDs), len(raws), usecase.MaxExpanded)
		}
		for i := range conv.Messages {
			if conv.Expanded[i] != (i < usecase.MaxExpanded) {
				t.Errorf("message %d expanded: %v", i, conv.Expanded[i])
			}
		}
	})
}
