package app

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"webmail/app/demo"
	"webmail/app/internal/dovecot"
	"webmail/app/internal/faultnet"
	"webmail/config"
)

// syncServer is a webmail in front of a real IMAP server, and what a second
// IMAP client (another device) needs to reach that server directly.
type syncServer struct {
	e               *env
	addr            string // the IMAP server itself
	login, password string
}

// eachSyncServer runs f against go-imap's in-process server (no CONDSTORE:
// the watcher follows untagged FETCH and EXPUNGE during IDLE) and against
// Dovecot (CONDSTORE: the watcher asks what changed since a MODSEQ).
func eachSyncServer(t *testing.T, f func(t *testing.T, s syncServer)) {
	t.Run("memory", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t)
		t.Cleanup(e.app.EndStreams)
		f(t, syncServer{e, e.demo.IMAPAddr(), e.acct.Login, e.acct.Password})
	})
	t.Run("dovecot", func(t *testing.T) {
		t.Parallel()
		e, dc := newDovecotEnv(t, dovecot.Options{})
		dc.Deliver(t, dovecot.DefaultLogin, "INBOX", dovecotMessages(60)...)
		f(t, syncServer{e, dc.Addr(), dovecot.DefaultLogin, dovecot.DefaultPassword})
	})
}

// otherDevice is a second IMAP client of the same account, with INBOX
// selected.
type otherDevice struct {
	t testing.TB
	c *imapclient.Client
}

func newOtherDevice(t testing.TB, addr, login, password string) *otherDevice {
	t.Helper()
	c, err := imapclient.DialInsecure(addr, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if err := c.Login(login, password).Wait(); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Select("INBOX", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	return &otherDevice{t, c}
}

func (d *otherDevice) addFlags(uid uint32, flags ...imap.Flag) {
	d.t.Helper()
	store := &imap.StoreFlags{Op: imap.StoreFlagsAdd, Flags: flags, Silent: true}
	if err := d.c.Store(imap.UIDSetNum(imap.UID(uid)), store, nil).Close(); err != nil {
		d.t.Fatal(err)
	}
}

// delete expunges one message (no other message of the tests' mailboxes
// is marked \Deleted).
func (d *otherDevice) delete(uid uint32) {
	d.t.Helper()
	d.addFlags(uid, imap.FlagDeleted)
	if err := d.c.Expunge().Close(); err != nil {
		d.t.Fatal(err)
	}
}

// listState is what a person sees of the list: its rows, marks, counts.
type listState struct {
	doc    *goquery.Document
	uids   []uint32
	total  int // "N messages"
	unseen int // the Inbox's unread count in the folder tree
}

func readList(t testing.TB, doc *goquery.Document) listState {
	t.Helper()
	st := listState{doc: doc}
	doc.Find("#bulk [data-testid=row]").Each(func(_ int, s *goquery.Selection) {
		n, _ := strconv.ParseUint(s.AttrOr("data-uid", ""), 10, 32)
		st.uids = append(st.uids, uint32(n))
	})
	st.total, _ = strconv.Atoi(strings.Fields(text(doc.Find("[data-testid=total]")) + " 0")[0])
	st.unseen, _ = strconv.Atoi(text(doc.Find("#folders [data-role=inbox] [data-testid=unseen]")))
	return st
}

func (st listState) row(uid uint32) *goquery.Selection {
	return st.doc.Find(`#bulk [data-testid=row][data-uid="` + strconv.FormatUint(uint64(uid), 10) + `"]`)
}

// pickRows finds an unread, unflagged row and another row.
func (st listState) pickRows(t testing.TB) (unread, other uint32) {
	t.Helper()
	for _, uid := range st.uids {
		r := st.row(uid)
		if unread == 0 && r.HasClass("unread") && r.Find("[data-testid=mark-flagged]").Length() == 0 {
			unread = uid
		} else if other == 0 {
			other = uid
		}
	}
	if unread == 0 || other == 0 {
		t.Fatalf("no unread unflagged row and another among %v", st.uids)
	}
	return unread, other
}

// pushed is what a person would see change from the events of a stream.
type pushed struct {
	rows   map[uint32]*goquery.Selection // rows swapped in place, newest state
	gone   []uint32
	total  string // "N messages", last sent
	ids    []string
	unseen string
}

func (p *pushed) add(t testing.TB, ev sseEvent) {
	t.Helper()
	frag, err := goquery.NewDocumentFromReader(strings.NewReader(ev.data))
	if err != nil {
		t.Fatal(err)
	}
	frag.Find(`hx-partial[hx-swap=outerMorph]`).Each(func(_ int, s *goquery.Selection) {
		r := s.Find("[data-testid=row]")
		n, _ := strconv.ParseUint(r.AttrOr("data-uid", ""), 10, 32)
		if s.AttrOr("hx-target", "") != rowSelectorFor(uint32(n)) {
			t.Errorf("changed row %d targets %q", n, s.AttrOr("hx-target", ""))
		}
		p.rows[uint32(n)] = r
	})
	frag.Find(`hx-partial[hx-swap=delete]`).Each(func(_ int, s *goquery.Selection) {
		target := s.AttrOr("hx-target", "")
		if i := strings.Index(target, `data-uid="`); i >= 0 {
			n, _ := strconv.ParseUint(strings.TrimSuffix(target[i+len(`data-uid="`):], `"]`), 10, 32)
			p.gone = append(p.gone, uint32(n))
		}
	})
	if s := frag.Find(`hx-partial[hx-target="#list-total"]`); s.Length() > 0 {
		p.total = text(s)
	}
	if s := frag.Find(`hx-partial[hx-target="#folders"] [data-role=inbox] [data-testid=unseen]`); s.Length() > 0 || frag.Find(`hx-partial[hx-target="#folders"]`).Length() > 0 {
		p.unseen = text(s)
	}
	p.ids = append(p.ids, ev.id)
}

func rowSelectorFor(uid uint32) string {
	return `#bulk > ol.rows > li.row[data-uid="` + strconv.FormatUint(uint64(uid), 10) + `"]`
}

// collect reads data events until done holds for what they pushed.
func (s *stream) collect(what string, done func(*pushed) bool) *pushed {
	s.t.Helper()
	p := &pushed{rows: map[uint32]*goquery.Selection{}}
	s.waitFor(10*time.Second, what, func(ev sseEvent) bool {
		if ev.data == "" {
			return false
		}
		p.add(s.t, ev)
		return done(p)
	})
	return p
}

func flaggedAndRead(r *goquery.Selection) bool {
	return r != nil && r.Find("[data-testid=mark-flagged]").Length() == 1 && !r.HasClass("unread")
}

// TestLiveSyncFlagsAndExpunges: another device flags and reads a message
// and deletes another while the list is open; the list's stream brings the
// row with its new marks, takes the deleted row out, and updates "N
// messages" and the Inbox's unread count.
func TestLiveSyncFlagsAndExpunges(t *testing.T) {
	t.Parallel()
	eachSyncServer(t, func(t *testing.T, srv syncServer) {
		e := srv.e
		e.app.live.setLimits(maxStreams, 100*time.Millisecond)
		c := e.client()
		c.login(t, srv.login, srv.password)
		before := readList(t, c.page(t, "/m/INBOX", http.StatusOK))
		read, del := before.pickRows(t)
		path, _ := before.doc.Find("[data-testid=live]").Attr("hx-sse:connect")
		if !strings.Contains(path, "rows=") {
			t.Fatalf("stream %q does not name the rows it shows", path)
		}
		s := c.openStream(t, path)
		defer s.cancel()
		s.idling()

		other := newOtherDevice(t, srv.addr, srv.login, srv.password)
		other.addFlags(read, imap.FlagFlagged, imap.FlagSeen)
		other.delete(del)

		wantTotal := strconv.Itoa(before.total-1) + " messages"
		wantUnseen := before.unseen - 1
		if before.row(del).HasClass("unread") {
			wantUnseen--
		}
		got := s.collect("the flagged row, the deleted one and the counts", func(p *pushed) bool {
			return flaggedAndRead(p.rows[read]) && slices.Contains(p.gone, del) && p.total == wantTotal && p.unseen == strconv.Itoa(wantUnseen)
		})
		if r := got.rows[read]; r.Find("a").AttrOr("href", "") != before.row(read).Find("a").AttrOr("href", "") {
			t.Errorf("the changed row links to %q, the page's to %q", r.Find("a").AttrOr("href", ""), before.row(read).Find("a").AttrOr("href", ""))
		}
		if r := got.rows[read]; r.Find("input[type=checkbox][name=uid]").AttrOr("value", "") != strconv.FormatUint(uint64(read), 10) {
			t.Error("the changed row lost its checkbox")
		}
		for uid := range got.rows {
			if uid != read {
				t.Errorf("row %d was sent, but only %d changed", uid, read)
			}
		}
	})
}

// TestSyncNextPageLoad: without JavaScript, the next page shows what
// another device changed: marks, the deleted row gone, "N messages", and
// the unread count of the folder tree (cached for the account otherwise).
func TestSyncNextPageLoad(t *testing.T) {
	t.Parallel()
	eachSyncServer(t, func(t *testing.T, srv syncServer) {
		c := srv.e.client()
		c.login(t, srv.login, srv.password)
		before := readList(t, c.page(t, "/m/INBOX", http.StatusOK))
		read, del := before.pickRows(t)
		other := newOtherDevice(t, srv.addr, srv.login, srv.password)
		other.addFlags(read, imap.FlagFlagged, imap.FlagSeen)
		other.delete(del)

		after := readList(t, c.page(t, "/m/INBOX", http.StatusOK))
		if !flaggedAndRead(after.row(read)) {
			t.Error("the row read and flagged elsewhere is not shown so")
		}
		if after.row(del).Length() != 0 {
			t.Error("the row deleted elsewhere is still shown")
		}
		if after.total != before.total-1 {
			t.Errorf("%d messages, want %d", after.total, before.total-1)
		}
		want := before.unseen - 1
		if before.row(del).HasClass("unread") {
			want--
		}
		if after.unseen != want {
			t.Errorf("Inbox unread count %d, want %d", after.unseen, want)
		}
	})
}

// TestLiveResyncAfterReconnect: the watcher's IMAP connection breaks; while
// it is down another device flags one message and deletes another; the
// browser reconnects with the id of the last event it got, and the stream
// brings what changed since; with Dovecot, from the MODSEQ that id
// carries, so not the row it had already. It logs the IMAP commands of the
// resync and of a reload of the page.
func TestLiveResyncAfterReconnect(t *testing.T) {
	t.Parallel()
	t.Run("memory", func(t *testing.T) {
		t.Parallel()
		d := newEnv(t).demo
		proxy := faultnet.NewProxy(t, d.IMAPAddr())
		e := newEnvOn(t, d, imapVia(t, proxy))
		testResync(t, e, proxy, d.IMAPAddr(), false)
	})
	t.Run("dovecot", func(t *testing.T) {
		t.Parallel()
		dc := dovecot.Start(t, dovecot.Options{})
		dc.Deliver(t, dovecot.DefaultLogin, "INBOX", dovecotMessages(60)...)
		proxy := faultnet.NewProxy(t, dc.Addr())
		e := newEnvWith(t, demo.Options{}, imapVia(t, proxy))
		e.acct = demo.Account{Login: dovecot.DefaultLogin, Password: dovecot.DefaultPassword, Address: dovecot.DefaultLogin}
		testResync(t, e, proxy, dc.Addr(), true)
	})
}

func imapVia(t *testing.T, proxy *faultnet.Proxy) envOption {
	return func(c *config.Config) {
		host, port := splitHostPort(t, proxy.Addr())
		c.IMAP = config.Server{Host: host, Port: port, Security: config.SecurityPlain}
	}
}

func testResync(t *testing.T, e *env, proxy *faultnet.Proxy, imapAddr string, condstore bool) {
	t.Cleanup(e.app.EndStreams)
	e.app.live.setLimits(maxStreams, 100*time.Millisecond)
	c := e.client()
	c.login(t, e.acct.Login, e.acct.Password)
	before := readList(t, c.page(t, "/m/INBOX", http.StatusOK))
	path, _ := before.doc.Find("[data-testid=live]").Attr("hx-sse:connect")
	first, second, third := before.uids[0], before.uids[1], before.uids[2]
	other := newOtherDevice(t, imapAddr, e.acct.Login, e.acct.Password)

	s := c.openStream(t, path)
	s.idling()
	other.addFlags(first, imap.FlagFlagged)
	got := s.collect("the first flag", func(p *pushed) bool { return p.rows[first] != nil })
	lastID := got.ids[len(got.ids)-1]
	if hasModSeq := strings.Count(lastID, ".") == 2; hasModSeq != condstore {
		t.Errorf("event id %q: MODSEQ in it %v, want %v", lastID, hasModSeq, condstore)
	}

	// The watcher's connection breaks: its stream ends, the browser will
	// come back.
	proxy.CloseAll()
	if !s.ended(10 * time.Second) {
		t.Fatal("the stream outlived its watcher")
	}
	other.addFlags(second, imap.FlagFlagged, imap.FlagSeen)
	other.delete(third)

	n0 := len(proxy.Commands())
	s = c.resumeStream(t, path, lastID)
	defer s.cancel()
	wantUnseen := before.unseen - 1
	if before.row(third).HasClass("unread") {
		wantUnseen--
	}
	got = s.collect("the changes made while away, and the counts", func(p *pushed) bool {
		return flaggedAndRead(p.rows[second]) && slices.Contains(p.gone, third) && p.unseen == strconv.Itoa(wantUnseen) &&
			p.total == strconv.Itoa(before.total-1)+" messages"
	})
	if condstore && got.rows[first] != nil {
		t.Error("the resync sent again a row the page had from before the break")
	}
	resync := commandNames(proxy.Commands()[n0:])

	n1 := len(proxy.Commands())
	after := readList(t, c.page(t, "/m/INBOX", http.StatusOK))
	reload := commandNames(proxy.Commands()[n1:])
	if !flaggedAndRead(after.row(second)) || after.row(third).Length() != 0 || after.unseen != wantUnseen || after.total != before.total-1 {
		t.Error("the reloaded page does not show the changes")
	}
	t.Logf("resync after reconnect: %d commands:\n\t%s", len(resync), strings.Join(resync, "\n\t"))
	t.Logf("reload of the page after reconnect: %d commands:\n\t%s", len(reload), strings.Join(reload, "\n\t"))
}

// commandNames keeps the recorded IMAP commands without their tags, and
// of LOGIN and AUTHENTICATE only the name; it leaves out IDLE and its DONE,
// which a watcher sends whenever it waits.
func commandNames(lines []string) []string {
	var out []string
	for _, l := range lines {
		f := strings.Fields(l)
		if len(f) < 2 {
			continue
		}
		switch name := strings.ToUpper(f[1]); name {
		case "IDLE":
		case "LOGIN", "AUTHENTICATE":
			out = append(out, name)
		default:
			out = append(out, strings.Join(f[1:], " "))
		}
	}
	return out
}
