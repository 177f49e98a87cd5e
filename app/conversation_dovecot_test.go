package app

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"webmail/app/internal/dovecot"
)

// TestDovecotConversation: against Dovecot (THREAD), the threaded list
// counts conversations; a conversation whose messages span pages opens
// whole, with the reply filed in Sent, Reply and the actions on all of it;
// it expands and marks read only some unread messages, and one Archive
// moves all of its messages.
func TestDovecotConversation(t *testing.T) {
	t.Parallel()
	e, dc := newDovecotEnv(t, dovecot.Options{})
	msg := func(id, parent, subject string) []byte {
		refs := ""
		if parent != "" {
			refs = fmt.Sprintf("In-Reply-To: <%s>\r\nReferences: <%s>\r\n", parent, parent)
		}
		return fmt.Appendf(nil, "From: Ann <ann@example.net>\r\nTo: %s\r\nSubject: %s\r\nDate: Mon, 02 Mar 2026 10:00:00 +0000\r\nMessage-ID: <%s>\r\n%s\r\nHello.\r\n",
			dovecot.DefaultLogin, subject, id, refs)
	}
	login := dovecot.DefaultLogin
	dc.Deliver(t, login, "INBOX", msg("root@example.net", "", "Plans"))
	for i := range 55 {
		dc.Deliver(t, login, "INBOX", msg(fmt.Sprintf("f%d@example.net", i), "", fmt.Sprintf("Filler %d", i)))
	}
	for i := range 7 {
		dc.Deliver(t, login, "INBOX", msg(fmt.Sprintf("a%d@example.net", i), "root@example.net", "Re: Plans"))
	}
	dc.DeliverFlags(t, login, "Sent", []string{`\Seen`}, msg("mine@example.org", "root@example.net", "Re: Plans"))

	c := e.client()
	c.login(t, e.acct.Login, e.acct.Password)
	doc := c.page(t, "/m/INBOX?threads=1", http.StatusOK)
	if got := text(doc.Find("[data-testid=total]")); got != "56 conversations" {
		t.Errorf("threaded list header %q, want 56 conversations", got)
	}
	href := doc.Find("[data-testid=conversation] a").First().AttrOr("href", "")
	doc = c.page(t, href, http.StatusOK)
	if n := doc.Find("[data-testid=conv-message]").Length(); n != 9 {
		t.Errorf("conversation of %d messages, want 9 (8 in INBOX, 1 in Sent)", n)
	}
	if n := doc.Find("[data-testid=conv-message][data-folder=Sent]").Length(); n != 1 {
		t.Errorf("%d replies from Sent, want 1", n)
	}
	if n := doc.Find("[data-testid=conv-message][open]").Length(); n != 5 {
		t.Errorf("%d messages expanded, want 5", n)
	}
	if doc.Find("[data-testid=conversation-view] [data-testid=reply]").Length() == 0 {
		t.Error("no Reply in the conversation view")
	}
	actions := doc.Find("[data-testid=conversation-actions]")
	if got := actions.Find("[data-testid=archive]").AttrOr("formaction", ""); got != "/m/INBOX/archive" {
		t.Fatalf("Archive posts to %q", got)
	}
	if got := strings.Count(actions.Find("input[name=uid]").AttrOr("value", ""), ",") + 1; got != 8 {
		t.Errorf("the actions apply to %d messages, want 8", got)
	}

	// Only the five expanded were marked read: 55 + 8 - 5 unread.
	doc = c.page(t, "/m/INBOX", http.StatusOK)
	if got := text(doc.Find("[data-testid=folder][data-role=inbox] [data-testid=unseen]")); got != "58" {
		t.Errorf("unread in INBOX: %s, want 58", got)
	}

	form := url.Values{}
	actions.Find("input[type=hidden]").Each(func(_ int, s *goquery.Selection) { form.Add(s.AttrOr("name", ""), s.AttrOr("value", "")) })
	resp := c.do(t, "POST", "/m/INBOX/archive", form)
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("archive: %d", resp.StatusCode)
	}
	if got := folderTotal(t, c, "INBOX"); got != 55 {
		t.Errorf("INBOX holds %d after archiving the conversation, want 55", got)
	}
}
