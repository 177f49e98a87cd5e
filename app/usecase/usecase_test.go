package usecase_test

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"webmail"
	"webmail/app/demo"
	"webmail/app/internal/dovecot"
	"webmail/app/mail"
	"webmail/app/usecase"
	"webmail/config"
	"webmail/views"
)

// english is what a use case's Text says in English.
func english(t webmail.Text) string { return views.Say(context.Background(), t) }

// mailbox is one person's mail on a real IMAP server, with the use cases
// in front of it: the in-process demo server or a private Dovecot.
type mailbox struct {
	name string
	svc  *usecase.Service
	pool *mail.Pool
	acct mail.Account
	smtp config.Server // "" host when the server has no SMTP
	// smtpAuth logs in to smtp.
	smtpAuth mail.Auth
	// clock is the service's time; tests move it.
	clock *clock
	// commands counts the IMAP commands sent, by name.
	commands *commandCount
}

type commandCount struct {
	mu sync.Mutex
	n  map[string]int
}

func (c *commandCount) add(name string, _ time.Duration, _ error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n[name]++
}

// count is how many of these commands were sent so far.
func (c *commandCount) count(names ...string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	total := 0
	for _, n := range names {
		total += c.n[n]
	}
	return total
}

// total is how many commands were sent so far.
func (c *commandCount) total() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, v := range c.n {
		n += v
	}
	return n
}

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func server(t testing.TB, addr string) config.Server {
	t.Helper()
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatal(err)
	}
	p, _ := strconv.Atoi(port)
	return config.Server{Host: host, Port: p, Security: config.SecurityPlain}
}

func newMailbox(t testing.TB, name, imapAddr, login, password string) *mailbox {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	commands := &commandCount{n: map[string]int{}}
	d := mail.Dialer{Timeout: 10 * time.Second, Observer: &mail.Observer{Command: commands.add}}
	pool := mail.NewPool(d, mail.PoolOptions{Budget: 4, Idle: time.Minute, Wait: 10 * time.Second})
	done := make(chan struct{})
	go func() { pool.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	c := &clock{t: time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)}
	return &mailbox{
		name: name, pool: pool, clock: c, commands: commands,
		svc:  usecase.New(pool, usecase.Options{Dialer: d, Now: c.now}),
		acct: mail.Account{ID: login, Server: server(t, imapAddr), Auth: mail.Auth{Login: login, Password: password}},
	}
}

// demoMailbox is an empty account of the in-process demo server, whose
// SMTP server delivers to its IMAP server.
func demoMailbox(t *testing.T) *mailbox {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	d, err := demo.Start(ctx, demo.Options{Empty: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	a := d.Accounts()[0]
	m := newMailbox(t, "demo", d.IMAPAddr(), a.Login, a.Password)
	m.smtp, m.smtpAuth = server(t, d.SMTPAddr()), mail.Auth{Login: a.SMTPLogin, Password: a.SMTPPassword}
	return m
}

// dovecotMailbox is the account of a private Dovecot, with its
// special-use folders.
func dovecotMailbox(t *testing.T) *mailbox {
	t.Helper()
	m, _ := dovecotServer(t)
	return m
}

// dovecotServer is dovecotMailbox with its server, to deliver to.
func dovecotServer(t testing.TB) (*mailbox, *dovecot.Server) {
	t.Helper()
	dc := dovecot.Start(t, dovecot.Options{})
	return newMailbox(t, "dovecot", dc.Addr(), dovecot.DefaultLogin, dovecot.DefaultPassword), dc
}

// eachServer runs f against the demo server and a Dovecot, in parallel.
func eachServer(t *testing.T, f func(t *testing.T, m *mailbox)) {
	for name, start := range map[string]func(*testing.T) *mailbox{"demo": demoMailbox, "dovecot": dovecotMailbox} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f(t, start(t))
		})
	}
}

// put appends messages with these subjects to folder, oldest first, and
// returns their addresses in that order.
func (m *mailbox) put(t *testing.T, folder string, subjects ...string) []webmail.MessageRef {
	t.Helper()
	ctx := context.Background()
	var refs []webmail.MessageRef
	err := m.pool.Do(ctx, m.acct, folder, func(c *mail.Conn) error {
		for i, s := range subjects {
			raw := fmt.Appendf(nil, "From: Ann <ann@example.net>\r\nTo: %s\r\nSubject: %s\r\nDate: Mon, 02 Mar 2026 10:%02d:00 +0000\r\nMessage-ID: <%s.%d@example.net>\r\n\r\nHello.\r\n",
				m.acct.Auth.Login, s, i%60, s, i)
			ref, err := c.Append(ctx, folder, nil, time.Date(2026, 3, 2, 10, i%60, 0, 0, time.UTC), int64(len(raw)), bytes.NewReader(raw))
			if err != nil {
				return err
			}
			if ref.UID == 0 {
				return fmt.Errorf("append to %s: no UIDPLUS", folder)
			}
			refs = append(refs, ref)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return refs
}

// putRaw appends whole messages to folder, oldest first, and returns
// their addresses in that order.
func (m *mailbox) putRaw(t *testing.T, folder string, raws ...string) []webmail.MessageRef {
	t.Helper()
	ctx := context.Background()
	var refs []webmail.MessageRef
	err := m.pool.Do(ctx, m.acct, folder, func(c *mail.Conn) error {
		for i, raw := range raws {
			ref, err := c.Append(ctx, folder, nil, time.Date(2026, 3, 2, 11, i%60, 0, 0, time.UTC), int64(len(raw)), strings.NewReader(raw))
			if err != nil {
				return err
			}
			refs = append(refs, ref)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return refs
}

// list is the first page of folder, newest first.
func (m *mailbox) list(t testing.TB, folder string) *usecase.List {
	t.Helper()
	l, err := m.svc.List(context.Background(), m.acct, usecase.ListQuery{Mailbox: folder, Page: 1}, false)
	if err != nil {
		t.Fatalf("list %s: %v", folder, err)
	}
	return l
}

func (m *mailbox) subjects(t *testing.T, folder string) []string {
	t.Helper()
	var out []string
	for _, s := range m.list(t, folder).Page.Messages {
		out = append(out, s.Subject)
	}
	return out
}

func (m *mailbox) summary(t *testing.T, ref webmail.MessageRef) webmail.Summary {
	t.Helper()
	for _, s := range m.list(t, ref.Mailbox).Page.Messages {
		if s.UID == ref.UID {
			return s
		}
	}
	t.Fatalf("%v is not in the list", ref)
	return webmail.Summary{}
}

// selection is refs (of one folder) as a selection.
func selection(refs ...webmail.MessageRef) webmail.Selection {
	sel := webmail.Selection{Mailbox: refs[0].Mailbox, Validity: refs[0].Validity}
	for _, r := range refs {
		sel.UIDs = append(sel.UIDs, r.UID)
	}
	return sel
}

// folderByRole is the name of the folder with this special use.
func (m *mailbox) folderByRole(t *testing.T, role webmail.Role) string {
	t.Helper()
	for _, f := range m.list(t, "INBOX").Folders {
		if f.Role == role {
			return f.Name
		}
	}
	t.Fatalf("no %s folder", role)
	return ""
}
