package app

import (
	"context"
	"io"
	"net/http"
	"testing"

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
