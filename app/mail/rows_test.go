package mail

import (
	"slices"
	"testing"
	"webmail"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// tracked is how many rows the account's watcher of INBOX follows.
func tracked(p *Pool, a Account) int64 {
	p.mu.Lock()
	h := p.accounts[a.ID].hubs["INBOX"]
	p.mu.Unlock()
	<-h.ready
	return h.w.following.Load()
}

// TestWatcherRows: two streams show different rows of INBOX; another
// client reads one row and deletes another; each stream hears of the rows
// its page shows, and no more. When a stream leaves, the watcher stops
// following the rows only it showed.
func TestWatcherRows(t *testing.T) {
	m := newMemServer(t, imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapIMAP4rev2: {}})
	for range 5 {
		m.deliver(t, "Row")
	}
	p := newTestPool()
	p.noIdle, p.pollEvery = true, 50_000_000 // 50 ms: see TestWatcherShared
	a := m.account()
	unread := webmail.Flags{}
	a1 := subscribe(t, p, a, WatchOptions{Mailbox: "INBOX", Shown: map[webmail.UID]webmail.Flags{1: unread, 2: unread, 3: unread}})
	a2 := subscribe(t, p, a, WatchOptions{Mailbox: "INBOX", Shown: map[webmail.UID]webmail.Flags{4: unread, 5: unread}})

	other, err := imapclient.DialInsecure(m.srv.Addr(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if err := other.Login("u", "p").Wait(); err != nil {
		t.Fatal(err)
	}
	if _, err := other.Select("INBOX", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	store := func(uid imap.UID, f imap.Flag) {
		t.Helper()
		if err := other.Store(imap.UIDSetNum(uid), &imap.StoreFlags{Op: imap.StoreFlagsAdd, Flags: []imap.Flag{f}, Silent: true}, nil).Close(); err != nil {
			t.Fatal(err)
		}
	}
	store(2, imap.FlagSeen)
	store(5, imap.FlagDeleted)
	if err := other.Expunge().Close(); err != nil {
		t.Fatal(err)
	}

	var changed []webmail.UID
	var gone []webmail.UID
	for len(changed) == 0 {
		u := next(t, a1)
		for _, s := range u.Changed {
			changed = append(changed, s.UID)
			if !s.Seen {
				t.Errorf("row %d: not seen", s.UID)
			}
		}
		gone = append(gone, u.Gone...)
	}
	if !slices.Equal(changed, []webmail.UID{2}) || len(gone) != 0 {
		t.Errorf("first stream: changed %v, gone %v; want row 2 only", changed, gone)
	}
	for len(gone) == 0 {
		u := next(t, a2)
		if len(u.Changed) > 0 {
			t.Errorf("second stream got rows %v it does not show", u.Changed)
		}
		gone = append(gone, u.Gone...)
		if u.Total != 0 && len(u.Gone) > 0 && u.Total != 4 {
			t.Errorf("total %d, want 4", u.Total)
		}
	}
	if !slices.Equal(gone, []webmail.UID{5}) {
		t.Errorf("second stream: gone %v, want row 5", gone)
	}
	if n := tracked(p, a); n != 4 {
		t.Errorf("the watcher follows %d rows, want the 4 left on the pages", n)
	}
	a2.Close()
	eventually(t, "the rows of the page that left are forgotten", func() bool { return tracked(p, a) == 3 })
}
