package usecase_test

import (
	"context"
	"errors"
	netmail "net/mail"
	"slices"
	"testing"

	"webmail"
	"webmail/app/compose"
	"webmail/app/mail"
	"webmail/app/usecase"
)

func draft(m *mailbox, subject string) *compose.Draft {
	me := &netmail.Address{Address: m.acct.Auth.Login}
	return &compose.Draft{From: me, To: []*netmail.Address{me}, Subject: subject, Body: "Hello.\n"}
}

// TestSend: the message goes out, a copy is filed in Sent, the message
// answered is marked so, and the draft it was written in is gone.
func TestSend(t *testing.T) {
	t.Parallel()
	m := demoMailbox(t)
	ctx := context.Background()
	original := m.put(t, "INBOX", "question")[0]
	d := draft(m, "Re: question")
	earlier, err := m.svc.SaveDraft(ctx, m.acct, d, webmail.MessageRef{})
	if err != nil {
		t.Fatal(err)
	}
	drafts := m.folderByRole(t, webmail.RoleDrafts)
	if earlier.Mailbox != drafts || earlier.UID == 0 || !slices.Contains(m.subjects(t, drafts), "Re: question") {
		t.Fatalf("saved draft at %v; Drafts holds %q", earlier, m.subjects(t, drafts))
	}
	sent, err := m.svc.Send(ctx, m.acct, usecase.Outgoing{Draft: draft(m, "Re: question"), SMTP: m.smtp, Auth: m.smtpAuth, ReplyOf: original, Replaces: earlier})
	if err != nil || sent.NotFiled != nil {
		t.Fatalf("send: %+v, %v", sent, err)
	}
	if !slices.Contains(m.subjects(t, m.folderByRole(t, webmail.RoleSent)), "Re: question") {
		t.Error("no copy in Sent")
	}
	if !slices.Contains(m.subjects(t, "INBOX"), "Re: question") {
		t.Error("the message did not arrive")
	}
	if !m.summary(t, original).Answered {
		t.Error("the original is not marked answered")
	}
	if slices.Contains(m.subjects(t, drafts), "Re: question") {
		t.Error("the draft is still in Drafts")
	}
}

// TestSendRefusedLosesNothing: a send the SMTP server refuses (wrong SMTP
// login) files nothing and marks nothing.
func TestSendRefusedLosesNothing(t *testing.T) {
	t.Parallel()
	m := demoMailbox(t)
	ctx := context.Background()
	original := m.put(t, "INBOX", "question")[0]
	wrong := m.smtpAuth
	wrong.Password += "-wrong"
	_, err := m.svc.Send(ctx, m.acct, usecase.Outgoing{Draft: draft(m, "Re: question"), SMTP: m.smtp, Auth: wrong, ReplyOf: original})
	if !errors.Is(err, mail.ErrSMTPAuth) {
		t.Fatalf("send with a wrong SMTP password: %v, want ErrSMTPAuth", err)
	}
	if got := m.subjects(t, m.folderByRole(t, webmail.RoleSent)); len(got) != 0 {
		t.Errorf("Sent holds %q after a refused send", got)
	}
	if m.summary(t, original).Answered {
		t.Error("the original is marked answered after a refused send")
	}
}

// TestSaveDraftReplacesEarlier: saving again replaces the earlier version,
// which is removed only once the new one is stored.
func TestSaveDraftReplacesEarlier(t *testing.T) {
	t.Parallel()
	eachServer(t, func(t *testing.T, m *mailbox) {
		ctx := context.Background()
		first, err := m.svc.SaveDraft(ctx, m.acct, draft(m, "plans v1"), webmail.MessageRef{})
		if err != nil {
			t.Fatal(err)
		}
		second, err := m.svc.SaveDraft(ctx, m.acct, draft(m, "plans v2"), first)
		if err != nil {
			t.Fatal(err)
		}
		if second == first || second.UID == 0 {
			t.Errorf("the second version is at %v, the first was at %v", second, first)
		}
		got := m.subjects(t, m.folderByRole(t, webmail.RoleDrafts))
		if !slices.Equal(got, []string{"plans v2"}) {
			t.Errorf("Drafts holds %q, want only the second version", got)
		}
	})
}
