package app

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"testing"
	"time"

	"webmail/app/demo"
	"webmail/app/internal/dovecot"
	"webmail/app/internal/faultnet"

	"github.com/emersion/go-imap/v2"
)

// BenchmarkInboxServers renders a 50-row page of a 10,000-message inbox
// against a real Dovecot and against go-imap's in-process server (in a
// child process), and reports the IMAP commands each page costs, counted
// on the wire by a proxy in front of the server.
func BenchmarkInboxServers(b *testing.B) {
	const n = 10_000
	for _, server := range []string{"dovecot", "memory"} {
		b.Run("server="+server, func(b *testing.B) {
			var imapAddr, smtpAddr, login, password string
			switch server {
			case "dovecot":
				dc := dovecot.Start(b, dovecot.Options{})
				dc.Deliver(b, dovecot.DefaultLogin, "INBOX", dovecotMessages(n)...)
				imapAddr, login, password = dc.Addr(), dovecot.DefaultLogin, dovecot.DefaultPassword
				_, smtpAddr = startDemoProcess(b, 0, 0)
			default:
				imapAddr, smtpAddr = startDemoProcess(b, n, 0)
				a := demo.DefaultAccounts()[0]
				login, password = a.Login, a.Password
			}
			proxy := faultnet.NewProxy(b, imapAddr)
			ctx, cancel := context.WithCancel(context.Background())
			b.Cleanup(cancel)
			cfg := testConfig(b, proxy.Addr(), smtpAddr)
			e := &env{logs: &syncBuffer{}}
			e.app = mustNew(b, cfg, Options{})
			go e.app.Run(ctx)
			e.srv = newLoopbackServer(b, e.app.Handler())
			c := e.client()
			c.login(b, login, password)
			c.page(b, "/m/INBOX", http.StatusOK) // warm: folder cache, SELECT

			before := len(proxy.Commands())
			b.ReportAllocs()
			for b.Loop() {
				resp := c.do(b, "GET", "/m/INBOX", nil)
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					b.Fatalf("status %d", resp.StatusCode)
				}
			}
			cmds := proxy.Commands()[before:]
			b.ReportMetric(float64(len(cmds))/float64(b.N), "imap-cmds/op")
			if len(cmds) > 0 {
				b.Logf("commands of one page: %q", cmds[:min(len(cmds), 2)])
			}
		})
	}
}

// BenchmarkMessageViewDovecot opens a message against a real Dovecot as a
// browser does with JavaScript: the htmx fragment of the message pane,
// then the sandboxed frame's document of an HTML body (the newsletter of
// the renderer's corpus), or the text view alone. It reports the IMAP
// commands a view costs, counted on the wire by a proxy.
func BenchmarkMessageViewDovecot(b *testing.B) {
	raw, err := os.ReadFile("message/testdata/messages/newsletter.eml")
	if err != nil {
		b.Fatal(err)
	}
	dc := dovecot.Start(b, dovecot.Options{})
	dc.Deliver(b, dovecot.DefaultLogin, "INBOX", raw)
	_, smtpAddr := startDemoProcess(b, 0, 0)
	proxy := faultnet.NewProxy(b, dc.Addr())
	ctx, cancel := context.WithCancel(context.Background())
	b.Cleanup(cancel)
	e := &env{logs: &syncBuffer{}}
	e.app = mustNew(b, testConfig(b, proxy.Addr(), smtpAddr), Options{})
	go e.app.Run(ctx)
	e.srv = newLoopbackServer(b, e.app.Handler())
	c := e.client()
	c.login(b, dovecot.DefaultLogin, dovecot.DefaultPassword)
	doc := c.page(b, "/m/INBOX", http.StatusOK)
	href := doc.Find("[data-testid=row] a").First().AttrOr("href", "")
	doc = c.page(b, href, http.StatusOK) // warm; marks it read
	frame := doc.Find("iframe[data-testid=html-body]").AttrOr("src", "")
	if href == "" || frame == "" {
		b.Fatalf("no message (%q) or no frame (%q)", href, frame)
	}
	get := func(path string, header ...string) {
		resp := c.do(b, "GET", path, nil, header...)
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("%s: status %d", path, resp.StatusCode)
		}
	}
	fragment := []string{"HX-Request", "true", "HX-Target", "message"}
	for _, tc := range []struct {
		name  string
		views func()
	}{
		{"html", func() { get(href, fragment...); get(frame) }},
		{"text", func() { get(href+"?view=text", fragment...) }},
	} {
		b.Run("view="+tc.name, func(b *testing.B) {
			before := len(proxy.Commands())
			b.ReportAllocs()
			for b.Loop() {
				tc.views()
			}
			cmds := proxy.Commands()[before:]
			b.ReportMetric(float64(len(cmds))/float64(b.N), "imap-cmds/op")
		})
	}
}

// BenchmarkConversationDovecot opens a conversation in a 100,000-message
// Dovecot INBOX (threads of ten) as a browser does: the whole page without
// JavaScript, and the htmx answer for the message pane with it. It reports
// the IMAP commands each costs, counted on the wire.
func BenchmarkConversationDovecot(b *testing.B) {
	const n = 100_000
	dc := dovecot.Start(b, dovecot.Options{})
	msgs := make([][]byte, n)
	for i := range msgs {
		refs := ""
		if i%10 != 0 {
			refs = fmt.Sprintf("In-Reply-To: <t%d@example.net>\r\nReferences: <t%d@example.net>\r\n", i-i%10, i-i%10)
		}
		msgs[i] = fmt.Appendf(nil, "From: Ann <ann@example.net>\r\nTo: alice@example.org\r\nSubject: Thread %d\r\n"+
			"Date: Mon, 02 Mar 2026 10:%02d:00 +0000\r\nMessage-ID: <t%d@example.net>\r\n%s\r\nHello number %d.\r\n", i/10, i%60, i, refs, i)
	}
	dc.Deliver(b, dovecot.DefaultLogin, "INBOX", msgs...)
	_, smtpAddr := startDemoProcess(b, 0, 0)
	proxy := faultnet.NewProxy(b, dc.Addr())
	ctx, cancel := context.WithCancel(context.Background())
	b.Cleanup(cancel)
	e := &env{logs: &syncBuffer{}}
	cfg := testConfig(b, proxy.Addr(), smtpAddr)
	cfg.IMAPTimeout.Duration = 5 * time.Minute // the first SELECT indexes 100,000 new messages
	e.app = mustNew(b, cfg, Options{})
	go e.app.Run(ctx)
	e.srv = newLoopbackServer(b, e.app.Handler())
	c := e.client()
	c.login(b, dovecot.DefaultLogin, dovecot.DefaultPassword)
	doc := c.page(b, "/m/INBOX?threads=1", http.StatusOK) // warm: SELECT indexes, THREAD caches
	href := doc.Find("[data-testid=conversation] a").First().AttrOr("href", "")
	if href == "" {
		b.Fatal("no conversation")
	}
	for _, kind := range []struct {
		name   string
		header []string
	}{
		{"page", nil},
		{"htmx-pane", []string{"HX-Request", "true", "HX-Target", "message"}},
	} {
		b.Run(kind.name, func(b *testing.B) {
			c.page(b, href, http.StatusOK, kind.header...)
			before := len(proxy.Commands())
			b.ReportAllocs()
			for b.Loop() {
				resp := c.do(b, "GET", href, nil, kind.header...)
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					b.Fatalf("status %d", resp.StatusCode)
				}
			}
			cmds := proxy.Commands()[before:]
			b.ReportMetric(float64(len(cmds))/float64(b.N), "imap-cmds/op")
			if len(cmds) > 0 {
				b.Logf("commands of one view: %q", cmds[:min(len(cmds), 12)])
			}
		})
	}
}

// BenchmarkLiveFlagDovecot: with the inbox (10,000 messages) open and its
// stream following the first page, another client flags or unflags the
// newest message; one op is the time until the stream brings the row with
// its new mark, and the IMAP commands the watcher sent for it, counted on
// the wire (IDLE and DONE left out).
func BenchmarkLiveFlagDovecot(b *testing.B) {
	const n = 10_000
	dc := dovecot.Start(b, dovecot.Options{})
	dc.Deliver(b, dovecot.DefaultLogin, "INBOX", dovecotMessages(n)...)
	proxy := faultnet.NewProxy(b, dc.Addr())
	_, smtpAddr := startDemoProcess(b, 0, 0)
	ctx, cancel := context.WithCancel(context.Background())
	b.Cleanup(cancel)
	cfg := testConfig(b, proxy.Addr(), smtpAddr)
	e := &env{logs: &syncBuffer{}}
	e.app = mustNew(b, cfg, Options{})
	go e.app.Run(ctx)
	b.Cleanup(e.app.EndStreams)
	e.srv = newLoopbackServer(b, e.app.Handler())
	c := e.client()
	c.login(b, dovecot.DefaultLogin, dovecot.DefaultPassword)
	page := readList(b, c.page(b, "/m/INBOX", http.StatusOK))
	path, _ := page.doc.Find("[data-testid=live]").Attr("hx-sse:connect")
	s := c.openStream(b, path)
	defer s.cancel()
	s.watching()
	other := newOtherDevice(b, dc.Addr(), dovecot.DefaultLogin, dovecot.DefaultPassword)
	top := page.uids[0]

	before := len(proxy.Commands())
	flagged := false
	for b.Loop() {
		if flagged {
			if err := other.c.Store(imap.UIDSetNum(imap.UID(top)), &imap.StoreFlags{Op: imap.StoreFlagsDel, Flags: []imap.Flag{imap.FlagFlagged}, Silent: true}, nil).Close(); err != nil {
				b.Fatal(err)
			}
		} else {
			other.addFlags(top, imap.FlagFlagged)
		}
		flagged = !flagged
		want := flagged
		s.collect("the row's new mark", func(p *pushed) bool {
			r := p.rows[top]
			return r != nil && (r.Find("[data-testid=mark-flagged]").Length() == 1) == want
		})
	}
	cmds := commandNames(proxy.Commands()[before:])
	b.ReportMetric(float64(len(cmds))/float64(b.N), "imap-cmds/op")
	b.Logf("commands of one change: %q", cmds[:min(len(cmds), 4)])
}
