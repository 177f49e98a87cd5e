package app

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"webmail/app/demo"
	"webmail/app/internal/dovecot"
	"webmail/app/mail"
	"webmail/config"

	"github.com/PuerkitoBio/goquery"
	"github.com/google/go-cmp/cmp"
)

// newDovecotEnv is a webmail whose IMAP server is a private Dovecot (the
// demo's SMTP server still takes what is sent). It skips without Dovecot,
// and fails in CI.
func newDovecotEnv(t *testing.T, opt dovecot.Options, opts ...envOption) (*env, *dovecot.Server) {
	t.Helper()
	dc := dovecot.Start(t, opt)
	e := newEnv(t, append([]envOption{func(c *config.Config) {
		host, port := splitHostPort(t, dc.Addr())
		c.IMAP = config.Server{Host: host, Port: port, Security: config.SecurityPlain}
	}}, opts...)...)
	e.acct = demo.Account{Login: dovecot.DefaultLogin, Password: dovecot.DefaultPassword, Address: dovecot.DefaultLogin}
	t.Cleanup(e.app.EndStreams)
	return e, dc
}

func dovecotMessages(n int) [][]byte {
	msgs := make([][]byte, n)
	for i := range msgs {
		msgs[i] = fmt.Appendf(nil, "From: Ann <ann@example.net>\r\nTo: alice@example.org\r\nSubject: Message %d\r\n"+
			"Date: Mon, 02 Mar 2026 10:%02d:00 +0000\r\nMessage-ID: <m%d@example.net>\r\n\r\nHello number %d.\r\n", i, i%60, i, i)
	}
	return msgs
}

// TestDovecotManySessionsWithinBudget: one person with 15 sessions (phone,
// laptop, tabs, each with live updates open) and then 20 logins and
// logouts in a row, against Dovecot's default limit of 10 connections per
// user and address: every login succeeds, every page shows, and the
// server never counts more connections than the account's budget.
func TestDovecotManySessionsWithinBudget(t *testing.T) {
	t.Parallel()
	e, dc := newDovecotEnv(t, dovecot.Options{}, func(c *config.Config) {
		c.Limits.LoginPerIP, c.Limits.LoginPerUser, c.Limits.LoginBurst = 1000, 1000, 100
	})
	dc.Deliver(t, dovecot.DefaultLogin, "INBOX", dovecotMessages(60)...)
	budget := e.app.cfg.IMAPConnections
	within := func(when string) {
		t.Helper()
		if n := dc.Connections(t, dovecot.DefaultLogin); n > budget {
			t.Errorf("%s: the server counts %d connections, the budget is %d", when, n, budget)
		}
	}

	var streams []*stream
	for i := range 15 {
		c := e.client()
		c.login(t, e.acct.Login, e.acct.Password)
		doc := c.page(t, "/m/INBOX", http.StatusOK)
		if got := doc.Find("[data-testid=row]").Length(); got != 50 {
			t.Fatalf("session %d: %d rows, want 50", i, got)
		}
		href, _ := doc.Find("[data-testid=row] a").First().Attr("href")
		c.page(t, href, http.StatusOK)
		s := c.openStream(t, c.liveURL(t, "INBOX"))
		s.watching()
		streams = append(streams, s)
		within(fmt.Sprintf("after session %d", i+1))
	}
	if got := e.app.pool.Stats().Watching; got != 1 {
		t.Errorf("%d watchers for 15 streams of one account and folder, want 1", got)
	}
	// News reaches every stream through the one watcher.
	dc.Deliver(t, dovecot.DefaultLogin, "INBOX", dovecotMessages(61)[60])
	for i, s := range streams {
		ev := s.waitFor(10*time.Second, "the new message", isData)
		if !strings.Contains(ev.data, "Message 60") {
			t.Errorf("stream %d got %q", i, ev.data)
		}
	}

	for i := range 20 {
		c := e.client()
		c.login(t, e.acct.Login, e.acct.Password)
		c.page(t, "/m/INBOX", http.StatusOK)
		resp := c.do(t, "POST", "/logout", url.Values{})
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("logout %d: status %d", i, resp.StatusCode)
		}
		within(fmt.Sprintf("after login and logout %d", i+1))
	}
	for _, s := range streams {
		s.cancel()
	}
}

// TestDovecotTooManyConnections: when the person's other devices hold all
// the connections Dovecot allows, the login page says so, not that the
// password is wrong.
func TestDovecotTooManyConnections(t *testing.T) {
	t.Parallel()
	e, dc := newDovecotEnv(t, dovecot.Options{MaxUserIPConnections: 2})
	for range 2 {
		c, err := mail.Dialer{Timeout: 5 * time.Second}.Dial(t.Context(), e.app.cfg.IMAP, mail.Auth{Login: dovecot.DefaultLogin, Password: dovecot.DefaultPassword})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
	}
	if n := dc.Connections(t, dovecot.DefaultLogin); n != 2 {
		t.Fatalf("the other devices hold %d connections, want 2", n)
	}
	resp := e.client().do(t, "POST", "/login", url.Values{"login": {e.acct.Login}, "password": {e.acct.Password}})
	doc := parse(t, resp, http.StatusServiceUnavailable)
	got := text(doc.Find("[data-testid=login-error]"))
	if !strings.Contains(got, "refuses more connections") || strings.Contains(got, "not right") {
		t.Errorf("login error %q, want the too-many-connections message", got)
	}
}

// TestDovecotMailboxFull: a full mailbox (Dovecot's quota refuses APPEND
// with [OVERQUOTA]) is told as such, when a draft is saved (the form
// comes back with everything) and when the copy of a sent message cannot
// be filed in Sent (the message is out; the page says where it is not).
func TestDovecotMailboxFull(t *testing.T) {
	t.Parallel()
	e, dc := newDovecotEnv(t, dovecot.Options{Extra: `
mail_plugins = $mail_plugins quota
protocol imap {
  mail_plugins = $mail_plugins imap_quota
}
plugin {
  quota = maildir:User quota
  quota_rule = *:storage=64K
}
`})
	filler := fmt.Appendf(nil, "From: ann@example.net\r\nSubject: Big\r\n\r\n%s\r\n", strings.Repeat("x", 60<<10))
	dc.Deliver(t, dovecot.DefaultLogin, "INBOX", filler)
	c := e.client()
	c.login(t, e.acct.Login, e.acct.Password)
	body := strings.Repeat("A long letter. ", 1000)

	resp := c.postMultipart(t, "/compose/draft", [][2]string{{"to", "ann@example.net"}, {"subject", "Too much"}, {"body", body}}, nil)
	doc := parse(t, resp, http.StatusInsufficientStorage)
	if got := text(doc.Find("[data-testid=compose-error]")); !strings.Contains(got, "mailbox is full") {
		t.Errorf("saving a draft in a full mailbox: %q", got)
	}
	if got := doc.Find("[data-testid=body-input]").Text(); got != body {
		t.Error("the form lost the body")
	}

	smtp := demo.DefaultAccounts()[0] // the demo's SMTP server takes the message
	resp = c.postMultipart(t, "/compose/send", [][2]string{{"to", "ann@example.net"}, {"subject", "Out anyway"}, {"body", body},
		{"smtp_login", smtp.SMTPLogin}, {"smtp_password", smtp.SMTPPassword}}, nil,
		"HX-Request", "true", "HX-Target", "message")
	doc = parse(t, resp, http.StatusOK)
	if doc.Find("[data-testid=sent]").Length() == 0 {
		t.Fatal("the send did not go out")
	}
	if got := text(doc.Find("[data-testid=sent-warning]")); !strings.Contains(got, "No copy could be filed in Sent") || !strings.Contains(got, "mailbox is full") {
		t.Errorf("sent page warning %q", got)
	}
	if got := lastDelivery(t, e.demo); !strings.Contains(string(got.Data), "Out anyway") {
		t.Error("the SMTP server did not get the message")
	}
}

// TestDovecotDeleteForGoodInNestedJunk: in a Junk folder whose name holds
// the hierarchy separator, deleting asks first, and the confirmation
// posts back to that folder's own route (escaped), which deletes.
func TestDovecotDeleteForGoodInNestedJunk(t *testing.T) {
	t.Parallel()
	e, dc := newDovecotEnv(t, dovecot.Options{Extra: "namespace inbox {\n  mailbox Old/Junk {\n    special_use = \\Junk\n    auto = subscribe\n  }\n}"})
	dc.Deliver(t, dovecot.DefaultLogin, "Old/Junk", dovecotMessages(2)...)
	c := e.client()
	c.login(t, e.acct.Login, e.acct.Password)
	list := "/m/" + url.PathEscape("Old/Junk")
	for _, tc := range []struct{ name, from, delete string }{
		{"list", list, list + "/delete"},
		{"message", "", ""},
	} {
		doc := c.page(t, list, http.StatusOK)
		validity, uids := listForm(t, doc, 1)
		form := url.Values{"validity": {validity}, "uid": uids}
		if tc.name == "message" {
			tc.from = doc.Find("[data-testid=row] a").First().AttrOr("href", "")
			tc.delete, form = tc.from+"/delete", nil
		}
		confirm := parse(t, c.do(t, "POST", tc.delete, form), http.StatusOK).Find("[data-testid=confirm]")
		if got := confirm.AttrOr("action", ""); got != tc.delete {
			t.Fatalf("%s: the confirmation posts to %q, want %q", tc.name, got, tc.delete)
		}
		fields := url.Values{}
		confirm.Find("input").Each(func(_ int, s *goquery.Selection) { fields.Add(s.AttrOr("name", ""), s.AttrOr("value", "")) })
		resp := c.do(t, "POST", tc.delete, fields)
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("%s: confirmed delete: status %d", tc.name, resp.StatusCode)
		}
	}
	if n := c.page(t, list, http.StatusOK).Find("[data-testid=row]").Length(); n != 0 {
		t.Errorf("Old/Junk holds %d messages after deleting both for good", n)
	}
}

// TestDovecotNamespacePrefix: on a server whose personal namespace is
// "INBOX." with "." between levels (Courier, Cyrus, many Dovecots),
// creating a folder at the top works, and Sent and the new folder are
// drawn at the top of the tree, not under the Inbox, named without the
// prefix. The server's shared namespace follows, under its heading.
func TestDovecotNamespacePrefix(t *testing.T) {
	t.Parallel()
	e, dc := newDovecotEnv(t, dovecot.Options{Extra: "namespace inbox {\n  prefix = INBOX.\n  separator = .\n}\n" +
		"namespace public {\n  type = public\n  separator = .\n  prefix = Public.\n  location = maildir:~/public\n  list = yes\n}"})
	dc.Deliver(t, dovecot.DefaultLogin, "Public.Team", dovecotMessages(1)...)
	c := e.client()
	c.login(t, e.acct.Login, e.acct.Password)
	c.page(t, "/m/INBOX", http.StatusOK) // the tree cached first: creating must update it

	if notice := c.manageOK(t, "/folders", url.Values{"name": {"Receipts"}, "parent": {""}}); notice != "Folder Receipts created." {
		t.Errorf("notice = %q, want %q", notice, "Folder Receipts created.")
	}
	doc := c.page(t, "/m/INBOX", http.StatusOK)
	type row struct{ Href, Label, Depth string }
	var got []row
	doc.Find("[data-testid=folder]").Each(func(_ int, s *goquery.Selection) {
		depth := "?"
		for _, d := range []string{"depth-0", "depth-1", "depth-2"} {
			if s.HasClass(d) {
				depth = d
			}
		}
		got = append(got, row{s.Find("a").AttrOr("href", ""), text(s.Find("[data-testid=folder-label]")), depth})
	})
	want := []row{
		{"/m/INBOX", "Inbox", "depth-0"},
		{"/m/INBOX.Drafts", "Drafts", "depth-0"},
		{"/m/INBOX.Sent", "Sent", "depth-0"},
		{"/m/INBOX.Archive", "Archive", "depth-0"},
		{"/m/INBOX.Junk", "Junk", "depth-0"},
		{"/m/INBOX.Trash", "Trash", "depth-0"},
		{"/m/INBOX.Receipts", "Receipts", "depth-0"},
		{"/m/Public.Team", "Team", "depth-0"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("folder tree (-want +got):\n%s", diff)
	}
	heading := doc.Find("[data-testid=folder-section]")
	if text(heading) != "Shared folders" || heading.Next().Find("[data-testid=folder-label]").First().Text() != "Team" {
		t.Errorf("shared folders' heading %q, not right before Team", text(heading))
	}
	doc = c.page(t, "/folders/manage", http.StatusOK)
	var parents []string
	doc.Find("[data-testid=create-parent] option").Each(func(_ int, s *goquery.Selection) { parents = append(parents, text(s)) })
	if diff := cmp.Diff([]string{"(top level)", "Inbox", "Drafts", "Sent", "Archive", "Junk", "Trash", "Receipts", "Shared folders: Team"}, parents); diff != "" {
		t.Errorf("parent choices (-want +got):\n%s", diff)
	}
}
