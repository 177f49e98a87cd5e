package mail

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"
	"webmail"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// hub shares one Watcher of an account's mailbox among all the streams
// that follow it (every session and tab of the account on this instance),
// so a hundred open tabs cost one IMAP connection, not a hundred. It
// starts with its first Subscription and ends with its last.
type hub struct {
	pool    *Pool
	ac      *accountConns
	mailbox string
	ready   chan struct{} // closed once w is watching or err is set
	w       *Watcher
	release func()
	err     error // why the hub cannot serve (dial failed, watcher broke)

	// Guarded by pool.mu.
	subs    []*Subscription // served
	joining []*Subscription // waiting for what they missed, then moved to subs
	ending  bool
	left    bool // a subscription left: the watcher may follow fewer rows

	ctx    context.Context
	cancel context.CancelFunc
}

// Subscription is one stream's share of a hub: the updates of one
// mailbox, as the stream's page needs them.
type Subscription struct {
	h   *hub
	opt WatchOptions

	closed bool // guarded by pool.mu

	mu      sync.Mutex
	pending *Update // merged updates not yet taken
	err     error
	signal  chan struct{}
	// view is the rows the stream's page shows, with their flags, as
	// the updates taken and pending leave them; bounded by 2*MaxShown.
	view map[webmail.UID]webmail.Flags
}

// Subscribe follows a mailbox of an account for one stream. The first
// stream of an account and mailbox makes the watcher (its own connection,
// counted in the account's budget, dialled with a.Auth); later ones share
// it. What the stream's page misses (opt.Since) and, with opt.Report, the
// folder counts, arrive as the first Update. It fails with ErrBusy when
// the account watches as many mailboxes as its budget allows.
func (p *Pool) Subscribe(ctx context.Context, a Account, opt WatchOptions) (*Subscription, error) {
	for {
		s := &Subscription{opt: opt, signal: make(chan struct{}, 1), view: map[webmail.UID]webmail.Flags{}}
		for uid, f := range opt.Shown {
			if len(s.view) < MaxShown {
				s.view[uid] = f
			}
		}
		s.opt.Shown = s.view
		p.mu.Lock()
		if p.closed {
			p.mu.Unlock()
			return nil, errShutDown
		}
		ac := p.account(a.ID)
		h := ac.hubs[opt.Mailbox]
		fresh := h == nil || h.ending
		if fresh {
			h = &hub{pool: p, ac: ac, mailbox: opt.Mailbox, ready: make(chan struct{})}
			h.ctx, h.cancel = context.WithCancel(context.Background())
			ac.hubs[opt.Mailbox] = h
		}
		s.h = h
		h.joining = append(h.joining, s)
		p.mu.Unlock()
		if fresh {
			// The hub outlives this request; the dial does not hang on it.
			h.start(context.WithoutCancel(ctx), a)
		}
		select {
		case <-h.ready:
		case <-ctx.Done():
			s.Close()
			return nil, ctx.Err()
		}
		if h.err != nil {
			s.Close()
			return nil, h.err
		}
		p.mu.Lock()
		ended := h.ending
		p.mu.Unlock()
		if !ended {
			h.w.Wake() // the hub serves what s missed, then shares its news
			return s, nil
		}
		s.Close() // the hub ended meanwhile: make another
	}
}

// start dials the watcher and runs it; on failure the hub ends at once.
func (h *hub) start(ctx context.Context, a Account) {
	dial := func(ctx context.Context, uh *imapclient.UnilateralDataHandler) (*Conn, error) {
		return h.pool.dialer.dial(ctx, a.Server, a.Auth, uh)
	}
	var w *Watcher
	_, release, err := h.pool.borrow(ctx, a, "", loanWatch, func(ctx context.Context) (*Conn, error) {
		var err error
		w, err = newWatcher(ctx, h.mailbox, dial, h.pool.idleRestart, h.pool.pollEvery, h.pool.noIdle)
		if err != nil {
			return nil, err
		}
		return w.conn, nil
	})
	if err != nil {
		h.err = err
		h.pool.mu.Lock()
		h.end()
		h.pool.mu.Unlock()
		close(h.ready)
		return
	}
	h.w, h.release = w, release
	close(h.ready)
	go h.run()
}

// end takes the hub out of its account; pool.mu is held.
func (h *hub) end() {
	h.ending = true
	if h.ac.hubs[h.mailbox] == h {
		delete(h.ac.hubs, h.mailbox)
	}
	h.cancel()
}

// run waits for news and hands it to every subscription, and serves the
// ones that join, until the last one leaves or the watcher breaks.
func (h *hub) run() {
	defer func() {
		h.w.Close()
		h.release()
	}()
	for {
		// A joining stream is given what it missed before it shares any
		// news, so nothing falls between the two.
		h.pool.mu.Lock()
		joining := h.joining
		h.joining = nil
		h.pool.mu.Unlock()
		for _, s := range joining {
			if u, err := h.missed(s); err != nil {
				h.fail(err)
				return
			} else if u != nil {
				s.push(u)
			}
			s.settle(h.w)
		}
		h.pool.mu.Lock()
		for _, s := range joining {
			if !s.closed {
				h.subs = append(h.subs, s)
			}
		}
		left := h.left
		h.left = false
		subs := slices.Clone(h.subs)
		h.pool.mu.Unlock()
		if left {
			h.w.untrack(func(uid webmail.UID) bool {
				return slices.ContainsFunc(subs, func(s *Subscription) bool { return s.shows(uid) })
			})
		}

		u, err := h.w.Next(h.ctx, time.Hour)
		if err != nil {
			h.fail(err)
			return
		}
		if u == nil {
			continue
		}
		h.pool.mu.Lock()
		subs = slices.Clone(h.subs)
		h.pool.mu.Unlock()
		for _, s := range subs {
			s.push(u)
		}
	}
}

// missed returns what a joining stream needs at once: the rows above its
// page's newest that the watcher has seen, the counts after a
// reconnection, or the counts alone when its page is of another
// UIDVALIDITY. Nil when it missed nothing.
func (h *hub) missed(s *Subscription) (*Update, error) {
	w := h.w
	sameValidity := s.opt.Validity == 0 || s.opt.Validity == w.validity
	rows := s.opt.Rows && sameValidity && imap.UID(s.opt.Since)+1 < w.next
	opt := s.opt
	if !sameValidity {
		opt.Shown = nil // another mailbox's UIDs, in effect
	}
	if !rows && !s.opt.Report && sameValidity && len(opt.Shown) == 0 {
		return nil, nil
	}
	return w.since(h.ctx, opt, rows, s.opt.Report || !sameValidity)
}

// fail ends the hub and tells every subscription why (the streams end,
// and the browsers reconnect to a new watcher).
func (h *hub) fail(err error) {
	h.pool.mu.Lock()
	subs := append(h.subs, h.joining...)
	h.subs, h.joining = nil, nil
	h.end()
	h.pool.mu.Unlock()
	for _, s := range subs {
		s.mu.Lock()
		if s.err == nil {
			s.err = err
		}
		s.mu.Unlock()
		s.wake()
	}
}

// push gives the subscription its part of u: rows above what its page
// shows (none when its page is of another UIDVALIDITY or wants none), the
// rows of its page that changed or went, merged with what it has not
// taken yet.
func (s *Subscription) push(u *Update) {
	mine := &Update{Mailbox: u.Mailbox, UIDValidity: u.UIDValidity, Last: u.Last, Folders: u.Folders, Total: u.Total, ModSeq: u.ModSeq}
	sameValidity := s.opt.Validity == 0 || s.opt.Validity == u.UIDValidity
	s.mu.Lock()
	if s.opt.Rows && sameValidity {
		for _, m := range u.New {
			if m.UID > s.opt.Since {
				mine.New = append(mine.New, m)
				if len(s.view) < 2*MaxShown {
					s.view[m.UID] = m.Flags
				}
			}
		}
		if len(mine.New) > 0 {
			s.opt.Since = mine.New[0].UID
		}
	}
	if sameValidity {
		for _, m := range u.Changed {
			if f, ok := s.view[m.UID]; ok && f != m.Flags {
				mine.Changed = append(mine.Changed, m)
				s.view[m.UID] = m.Flags
			}
		}
		for _, uid := range u.Gone {
			if _, ok := s.view[uid]; ok {
				mine.Gone = append(mine.Gone, uid)
				delete(s.view, uid)
			}
		}
	}
	if p := s.pending; p != nil {
		mine.New = append(mine.New, p.New...)
		mine.New = mine.New[:min(len(mine.New), webmail.PageSize)]
		mine.Last = max(mine.Last, p.Last)
		// The newer state of a row wins; a row gone needs no state.
		for _, m := range p.Changed {
			if !slices.ContainsFunc(mine.Changed, func(x webmail.Summary) bool { return x.UID == m.UID }) {
				mine.Changed = append(mine.Changed, m)
			}
		}
		mine.Gone = append(mine.Gone, p.Gone...)
		mine.Changed = slices.DeleteFunc(mine.Changed, func(m webmail.Summary) bool { return slices.Contains(mine.Gone, m.UID) })
	}
	s.pending = mine
	s.mu.Unlock()
	s.wake()
}

// settle sets the view to the rows as the watcher has them, once the
// stream has been given what it missed: a row the page already had right
// (same MODSEQ) is right, one that differed is on its way.
func (s *Subscription) settle(w *Watcher) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for uid := range s.view {
		if f, ok := w.flagsNow(uid); ok {
			s.view[uid] = f
		}
	}
}

// shows reports whether the stream's page shows the row uid.
func (s *Subscription) shows(uid webmail.UID) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.view[uid]
	return ok
}

func (s *Subscription) wake() {
	select {
	case s.signal <- struct{}{}:
	default:
	}
}

// Next waits up to wait for an update and returns it, or nil (and no
// error) when nothing came in that time. An error means the watcher broke
// or the pool shut down; the subscription is then of no further use.
func (s *Subscription) Next(ctx context.Context, wait time.Duration) (*Update, error) {
	t := time.NewTimer(wait)
	defer t.Stop()
	for {
		s.mu.Lock()
		u, err := s.pending, s.err
		s.pending = nil
		s.mu.Unlock()
		if u != nil {
			return u, nil
		}
		if err != nil {
			return nil, err
		}
		select {
		case <-s.signal:
		case <-t.C:
			return nil, nil
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// Validity is the UIDVALIDITY of the watched mailbox.
func (s *Subscription) Validity() uint32 { return s.h.w.validity }

// Close ends the subscription; the last one of a hub ends its watcher.
func (s *Subscription) Close() {
	h := s.h
	p := h.pool
	p.mu.Lock()
	defer p.mu.Unlock()
	s.closed = true
	h.left = true
	h.subs = slices.DeleteFunc(h.subs, func(x *Subscription) bool { return x == s })
	h.joining = slices.DeleteFunc(h.joining, func(x *Subscription) bool { return x == s })
	if len(h.subs)+len(h.joining) == 0 && !h.ending {
		h.end()
		return
	}
	select {
	case <-h.ready:
		if h.w != nil {
			h.w.Wake() // to forget the rows only s showed
		}
	default:
	}
}

// Watching returns how many mailboxes the pool watches for account id.
func (p *Pool) Watching(id string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	if ac := p.accounts[id]; ac != nil {
		return ac.watching
	}
	return 0
}

// errShutDown means the pool is closing.
var errShutDown = fmt.Errorf("%w: shutting down", ErrUnavailable)
