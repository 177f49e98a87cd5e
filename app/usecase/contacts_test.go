package usecase_test

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"webmail"
	"webmail/app/mail"
	"webmail/app/usecase"
)

// appendRaw appends messages made of these header lines to folder.
func (m *mailbox) appendRaw(t *testing.T, folder string, headers ...string) {
	t.Helper()
	ctx := context.Background()
	err := m.pool.Do(ctx, m.acct, folder, func(c *mail.Conn) error {
		for i, h := range headers {
			raw := fmt.Appendf(nil, "%s\r\nSubject: n%d\r\nMessage-ID: <c%d@example.net>\r\n\r\nHello.\r\n", h, i, i)
			if _, err := c.Append(ctx, folder, nil, time.Date(2026, 3, 2, 10, 0, i%60, 0, time.UTC), int64(len(raw)), bytes.NewReader(raw)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestCorrespondents(t *testing.T) {
	eachServer(t, func(t *testing.T, m *mailbox) {
		self := m.acct.Auth.Login
		sent := m.folderByRole(t, webmail.RoleSent)
		// On the demo server, the oldest message of Sent falls outside
		// the newest RecentMessages: its recipient is not looked at.
		// (Dovecot takes 30 ms an APPEND: it gets two messages.)
		filler := usecase.RecentMessages - 2
		headers := []string{"From: " + self + "\r\nTo: Old Friend <old@example.net>"}
		if m.name == "dovecot" {
			filler, headers = 1, nil
		}
		for range filler {
			headers = append(headers, "From: "+self+"\r\nTo: Ann <ann@example.net>")
		}
		headers = append(headers, "From: "+self+"\r\nTo: Bob <bob@example.net>, "+self+"\r\nCc: carol@example.net\r\nBcc: Dan <dan@example.net>")
		headers = append(headers, "From: "+self+"\r\nTo: ann@example.net")
		m.appendRaw(t, sent, headers...)
		m.appendRaw(t, "INBOX",
			"From: Eve <eve@example.net>\r\nReply-To: Eve's List <list@example.net>\r\nTo: "+self,
			"From: Bob Other <BOB@example.net>\r\nTo: "+self,
			"From: "+self+"\r\nTo: "+self)

		before := m.commands.count("fetch", "select")
		got, err := m.svc.Correspondents(context.Background(), m.acct, self)
		if err != nil {
			t.Fatal(err)
		}
		want := []webmail.Contact{
			{Name: "Ann", Email: "ann@example.net", Count: 2 * (filler + 1)},
			{Name: "Bob", Email: "bob@example.net", Count: 2 + 1},
			{Email: "carol@example.net", Count: 2},
			{Name: "Dan", Email: "dan@example.net", Count: 2},
			{Name: "Eve", Email: "eve@example.net", Count: 1},
			{Name: "Eve's List", Email: "list@example.net", Count: 1},
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("correspondents (-want +got):\n%s", diff)
		}
		// Two folders, one FETCH each (and a SELECT each), whatever
		// their size.
		if n := m.commands.count("fetch", "select") - before; n > 4 {
			t.Errorf("%d FETCH and SELECT commands, want at most 4", n)
		}
	})
}
