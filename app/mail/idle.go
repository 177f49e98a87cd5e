package mail

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync/atomic"
	"time"
	"webmail"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// Timing of a watcher's conversation with the server.
const (
	// IdleRestart is how long one IDLE runs before the watcher ends it and
	// issues a new one: servers may log out a client idle for 30 minutes
	// (RFC 9051, section 5.4), and NATs forget quiet connections too.
	IdleRestart = 24 * time.Minute
	// PollEvery is how often a watcher sends NOOP to a server without IDLE.
	PollEvery = 30 * time.Second
)

// WatchOptions say which mailbox a stream follows and what it reports.
type WatchOptions struct {
	Mailbox string
	// Validity and Since describe the page being kept up to date: its
	// UIDVALIDITY and the highest UID it shows. With Rows, messages above
	// Since are new, even those that arrived before the stream started.
	Validity uint32
	Since    webmail.UID
	// Rows asks for the summaries of new messages, for a list that shows
	// the newest messages on top.
	Rows bool
	// Report asks for a first Update at once, whether or not anything
	// changed, such as after a reconnection.
	Report bool
	// Shown is the rows the page shows, with the flags it shows them
	// with (at most MaxShown): rows that differ on the server, or are
	// gone, are reported in Update.Changed and Update.Gone, at once and
	// whenever they change.
	Shown map[webmail.UID]webmail.Flags
	// ModSeq, after a reconnection, is the MODSEQ of the last update the
	// page got (Update.ModSeq): rows the server has not changed since are
	// as the page shows them already, whatever Shown says.
	ModSeq uint64
}

// Update is what changed in a watched mailbox.
type Update struct {
	Mailbox     string
	UIDValidity uint32
	// New holds the new messages, newest first, at most webmail.PageSize of them;
	// only with WatchOptions.Rows.
	New []webmail.Summary
	// Changed holds the shown rows whose flags changed, newest first;
	// Gone the shown rows expunged.
	Changed []webmail.Summary
	Gone    []webmail.UID
	// Total is the number of messages in the mailbox.
	Total uint32
	// Last is the highest UID the watcher has seen.
	Last webmail.UID
	// ModSeq is how far, in the server's MODSEQ, the rows are in step
	// (CONDSTORE; 0 without).
	ModSeq uint64
	// Folders is the folder tree with fresh counts.
	Folders []webmail.Folder
}

// Watcher follows one mailbox on a connection of its own, with IDLE (or a
// NOOP every PollEvery where the server has no IDLE), so the account's
// other connections stay free for requests. One goroutine uses it at a
// time: the hub that shares it among streams (hub.go).
type Watcher struct {
	conn    *Conn
	mailbox string
	changed chan struct{} // the server told of a change; holds one at most
	woken   chan struct{} // the hub has news for the watcher (Wake)
	hasIdle bool
	restart time.Duration // IdleRestart; shorter in tests
	poll    time.Duration // PollEvery; shorter in tests

	idle    *imapclient.IdleCommand // the IDLE running, if any
	idleEnd time.Time               // when to re-issue it
	pollAt  time.Time               // when to send the next NOOP

	validity uint32
	next     imap.UID      // lowest UID not seen yet
	pending  bool          // a change to look at
	counts   []folderCount // what the last Update said
	total    uint32        // the message count the last Update said

	// The rows the streams' pages show, kept in step (rows.go).
	condstore bool                  // the mailbox was opened with CONDSTORE
	modseq    uint64                // the rows are in step up to this MODSEQ
	rows      map[imap.UID]rowState // bounded by maxTracked
	following atomic.Int64          // len(rows), for other goroutines
	expunged  atomic.Bool           // the server told of an expunge
}

type folderCount struct {
	name          string
	total, unseen uint32
}

// newWatcher dials a connection for a watcher with dial (never one of the
// connections lent to requests), opens mailbox read-only (EXAMINE) and
// starts listening: mail that arrives after it returns is reported. The
// caller closes the watcher.
func newWatcher(ctx context.Context, mailbox string, dial func(context.Context, *imapclient.UnilateralDataHandler) (*Conn, error), restart, poll time.Duration, noIdle bool) (*Watcher, error) {
	w := &Watcher{mailbox: mailbox, changed: make(chan struct{}, 1), woken: make(chan struct{}, 1), restart: restart, poll: poll, rows: map[imap.UID]rowState{}}
	signal := func() {
		select {
		case w.changed <- struct{}{}:
		default:
		}
	}
	// The handlers run on the client's reading goroutine (FETCH on one of
	// its own): they only signal; Next does the work.
	h := &imapclient.UnilateralDataHandler{
		Expunge: func(uint32) { w.expunged.Store(true); signal() },
		Mailbox: func(d *imapclient.UnilateralDataMailbox) {
			if d.NumMessages != nil {
				signal()
			}
		},
		Fetch: func(m *imapclient.FetchMessageData) {
			m.Collect() // flags changed elsewhere: counts may have moved
			signal()
		},
	}
	var err error
	w.conn, err = dial(ctx, h)
	if err != nil {
		return nil, err
	}
	err = w.examine(ctx)
	w.hasIdle = w.hasIdle && !noIdle
	if err == nil && w.hasIdle && !w.pending {
		// Some servers (go-imap's own) tell nothing of what happened
		// between commands once IDLE has begun.
		err = w.startIdle(ctx)
	}
	if err != nil {
		w.conn.Close()
		return nil, err
	}
	return w, nil
}

// Wake makes a Next waiting for news return at once, with nothing.
func (w *Watcher) Wake() {
	select {
	case w.woken <- struct{}{}:
	default:
	}
}

func (w *Watcher) examine(ctx context.Context) error {
	c := w.conn
	return c.do(ctx, "examine", func() error {
		// CONDSTORE makes the server keep MODSEQs for this connection, so
		// the rows can be brought in step by what changed since. (Not
		// QRESYNC: go-imap's client cannot read its VANISHED responses.)
		condstore := c.caps.Has(imap.CapCondStore)
		data, err := c.c.Select(w.mailbox, &imap.SelectOptions{ReadOnly: true, CondStore: condstore}).Wait()
		if err != nil {
			var ie *imap.Error
			if errors.As(err, &ie) && ie.Type == imap.StatusResponseTypeNo {
				return ErrNotFound
			}
			return err
		}
		w.validity = data.UIDValidity
		w.next = data.UIDNext
		w.condstore = condstore && data.HighestModSeq > 0 // not NOMODSEQ
		w.modseq = data.HighestModSeq
		w.total = data.NumMessages
		if w.next == 0 && data.NumMessages > 0 { // a server that does not say
			bufs, err := c.c.Fetch(imap.SeqSetNum(data.NumMessages), &imap.FetchOptions{UID: true}).Collect()
			if err != nil {
				return err
			}
			for _, b := range bufs {
				w.next = max(w.next, b.UID+1)
			}
		}
		w.next = max(w.next, 1)
		w.hasIdle = c.caps.Has(imap.CapIdle)
		return nil
	})
}

// Next waits up to wait for a change and returns it, or nil (and no error)
// when nothing changed in that time or Wake was called. A change the page would not show (a
// flag on a message, counts unmoved) is not reported. Network failures are
// ErrUnavailable; the watcher is then of no further use.
func (w *Watcher) Next(ctx context.Context, wait time.Duration) (*Update, error) {
	deadline := time.Now().Add(wait)
	for {
		if err := ctx.Err(); err != nil {
			return nil, err // before any command, which would break the connection
		}
		if w.pending {
			if err := w.stopIdle(ctx); err != nil {
				return nil, err
			}
			w.pending = false
			u, err := w.collect(ctx)
			if err != nil || u != nil {
				return u, err
			}
		}
		wake := deadline
		if w.hasIdle {
			if w.idle != nil && !time.Now().Before(w.idleEnd) {
				if err := w.stopIdle(ctx); err != nil {
					return nil, err
				}
			}
			if w.idle == nil {
				// go-imap's server tells nothing, once IDLE has begun, of
				// what came since the last command (mail that arrived
				// while the last change was collected): a NOOP first
				// hears it.
				if err := w.conn.do(ctx, "noop", func() error { return w.conn.c.Noop().Wait() }); err != nil {
					return nil, err
				}
				select {
				case <-w.changed:
					w.pending = true
					continue
				default:
				}
				if err := w.startIdle(ctx); err != nil {
					return nil, err
				}
			}
			if w.idleEnd.Before(wake) {
				wake = w.idleEnd
			}
		} else {
			if !time.Now().Before(w.pollAt) {
				// The answers to NOOP come through the handlers.
				if err := w.conn.do(ctx, "noop", func() error { return w.conn.c.Noop().Wait() }); err != nil {
					return nil, err
				}
				w.pollAt = time.Now().Add(w.poll)
			}
			if w.pollAt.Before(wake) {
				wake = w.pollAt
			}
		}
		if !time.Now().Before(deadline) && len(w.changed) == 0 {
			return nil, nil
		}
		t := time.NewTimer(time.Until(wake))
		select {
		case <-w.changed:
			w.pending = true
		case <-w.woken:
			t.Stop()
			return nil, nil
		case <-t.C:
		case <-w.conn.c.Closed():
			t.Stop()
			return nil, fmt.Errorf("%w: the server closed the connection", ErrUnavailable)
		case <-ctx.Done():
			t.Stop()
			return nil, ctx.Err()
		}
		t.Stop()
	}
}

func (w *Watcher) startIdle(ctx context.Context) error {
	return w.conn.do(ctx, "idle", func() error {
		cmd, err := w.conn.c.Idle()
		if err != nil {
			return err
		}
		w.idle, w.idleEnd = cmd, time.Now().Add(w.restart)
		return nil
	})
}

// stopIdle ends the running IDLE and waits for the server's answer, so the
// news sent before it have reached the handlers.
func (w *Watcher) stopIdle(ctx context.Context) error {
	cmd := w.idle
	if cmd == nil {
		return nil
	}
	w.idle = nil
	return w.conn.do(ctx, "idle", func() error {
		if err := cmd.Close(); err != nil {
			return err
		}
		return cmd.Wait()
	})
}

// collect looks at what changed: new UIDs and their summaries, the rows
// the streams show (rows.go), then the folder counts. It costs a FETCH of
// UIDs, a FETCH of at most webmail.PageSize summaries, the rows' FETCH (and
// SEARCH, after an expunge with CONDSTORE), a FETCH of the changed rows and
// a LIST with counts.
func (w *Watcher) collect(ctx context.Context) (*Update, error) {
	c := w.conn
	u := &Update{Mailbox: w.mailbox, UIDValidity: w.validity}
	err := c.do(ctx, "fetch", func() error {
		mb := c.c.Mailbox()
		if mb == nil || mb.NumMessages == 0 {
			return nil
		}
		if mb.NumMessages == w.total && !w.expunged.Load() {
			return nil // flags changed, no message came or went
		}
		var above imap.UIDSet
		above.AddRange(w.next, 0) // next:*, which names the last message when none is above
		bufs, err := c.c.Fetch(above, &imap.FetchOptions{UID: true}).Collect()
		if err != nil {
			return err
		}
		var uids []imap.UID
		for _, b := range bufs {
			if b.UID >= w.next {
				uids = append(uids, b.UID)
			}
		}
		if len(uids) == 0 {
			return nil
		}
		slices.Sort(uids)
		w.next = uids[len(uids)-1] + 1
		u.New, err = w.summaries(uids)
		for _, m := range u.New {
			if len(w.rows) < maxTracked {
				w.rows[imap.UID(m.UID)] = rowState{flags: m.Flags}
			}
		}
		w.following.Store(int64(len(w.rows)))
		return err
	})
	if err != nil {
		return nil, err
	}
	changed, gone, err := w.syncRows(ctx)
	if err != nil {
		return nil, err
	}
	if len(changed) > 0 {
		err = c.do(ctx, "fetch", func() error {
			u.Changed, err = w.rowsOf(changed)
			return err
		})
		if err != nil {
			return nil, err
		}
	}
	for _, uid := range gone {
		u.Gone = append(u.Gone, webmail.UID(uid))
	}
	if mb := c.c.Mailbox(); mb != nil {
		u.Total = mb.NumMessages
	}
	folders, err := c.Folders(ctx, true)
	if err != nil {
		return nil, err
	}
	counts := make([]folderCount, len(folders))
	for i, f := range folders {
		counts[i] = folderCount{f.Name, f.Total, f.Unseen}
	}
	if len(u.New)+len(u.Changed)+len(u.Gone) == 0 && u.Total == w.total && slices.Equal(counts, w.counts) {
		return nil, nil
	}
	w.counts, w.total = counts, u.Total
	u.Folders, u.Last, u.ModSeq = folders, webmail.UID(w.next-1), w.modseq
	return u, nil
}

// summaries fetches the rows of the newest webmail.PageSize of uids (ascending),
// newest first.
func (w *Watcher) summaries(uids []imap.UID) ([]webmail.Summary, error) {
	uids = uids[max(0, len(uids)-webmail.PageSize):]
	msgs, err := collect(w.conn.c.Fetch(imap.UIDSetNum(uids...), summaryOptions()))
	if err != nil {
		return nil, err
	}
	slices.SortFunc(msgs, func(a, b *fetched) int { return int(b.UID) - int(a.UID) })
	out := make([]webmail.Summary, 0, len(msgs))
	for _, m := range msgs {
		out = append(out, m.summary())
	}
	return out, nil
}

// since returns what a stream that joins late has missed: the rows above
// opt.Since that the watcher has already seen (with rows), the rows of
// opt.Shown that changed or went, the count and the folders; nil when it
// missed nothing, unless must.
func (w *Watcher) since(ctx context.Context, opt WatchOptions, rows, must bool) (*Update, error) {
	if err := w.stopIdle(ctx); err != nil {
		return nil, err
	}
	uid := imap.UID(opt.Since)
	u := &Update{Mailbox: w.mailbox, UIDValidity: w.validity, Last: webmail.UID(w.next - 1), ModSeq: w.modseq, Total: w.total}
	if mb := w.conn.c.Mailbox(); mb != nil {
		u.Total = mb.NumMessages
	}
	if rows && uid+1 < w.next {
		err := w.conn.do(ctx, "fetch", func() error {
			var set imap.UIDSet
			set.AddRange(uid+1, w.next-1)
			bufs, err := w.conn.c.Fetch(set, &imap.FetchOptions{UID: true}).Collect()
			if err != nil {
				return err
			}
			var uids []imap.UID
			for _, b := range bufs {
				if b.UID > uid && b.UID < w.next {
					uids = append(uids, b.UID)
				}
			}
			slices.Sort(uids)
			if len(uids) > 0 {
				u.New, err = w.summaries(uids)
			}
			return err
		})
		if err != nil {
			return nil, err
		}
	}
	if err := w.shownSince(ctx, opt, u); err != nil {
		return nil, err
	}
	if !must && len(u.New)+len(u.Changed)+len(u.Gone) == 0 {
		return nil, nil
	}
	// The account's cached counts predate what the page missed (a
	// reconnection, rows changed meanwhile): list them afresh.
	folders, err := w.conn.Folders(ctx, opt.Report || len(u.Changed)+len(u.Gone) > 0)
	if err != nil {
		return nil, err
	}
	u.Folders = folders
	return u, nil
}

// shownSince puts in u the rows of opt.Shown that differ on the server,
// and those gone. A row the server has not changed since opt.ModSeq is as
// the page has it already (it got that update before it reconnected).
func (w *Watcher) shownSince(ctx context.Context, opt WatchOptions, u *Update) error {
	if len(opt.Shown) == 0 {
		return nil
	}
	uids := make([]webmail.UID, 0, len(opt.Shown))
	for uid := range opt.Shown {
		uids = append(uids, uid)
	}
	slices.Sort(uids)
	gone, err := w.track(ctx, uids)
	if err != nil {
		return err
	}
	u.Gone = gone
	var differ []imap.UID
	for _, uid := range uids {
		st, ok := w.rows[imap.UID(uid)]
		switch {
		case !ok: // gone, or beyond what the watcher follows
		case w.condstore && opt.ModSeq > 0 && st.modseq > 0 && st.modseq <= opt.ModSeq:
		case st.flags != opt.Shown[uid]:
			differ = append(differ, imap.UID(uid))
		}
	}
	if len(differ) == 0 {
		return nil
	}
	return w.conn.do(ctx, "fetch", func() error {
		var err error
		u.Changed, err = w.rowsOf(differ)
		return err
	})
}

// flagsNow returns the flags the server has for uid, as far as the
// watcher follows it.
func (w *Watcher) flagsNow(uid webmail.UID) (webmail.Flags, bool) {
	st, ok := w.rows[imap.UID(uid)]
	return st.flags, ok
}

// Close ends IDLE and logs out, within a few seconds whatever the server
// does.
func (w *Watcher) Close() error {
	if w.idle != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		w.stopIdle(ctx)
		cancel()
	}
	return w.conn.Close()
}
