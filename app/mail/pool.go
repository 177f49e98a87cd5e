package mail

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"webmail/config"
)

// ErrBusy means every connection the account may have is in use and none
// came free in time.
var ErrBusy = errors.New("mail: all of the account's connections are busy")

// Account says whose connection a caller wants, and how to log in when
// a new one must be made.
type Account struct {
	// ID is the account's canonical identity (login and server): all its
	// sessions on this instance share its connections and its budget.
	ID     string
	Server config.Server
	// Auth logs a new connection in. Connections are lent only to callers
	// whose Auth.Login is the one they were made with.
	Auth Auth
}

// PoolOptions bound a Pool.
type PoolOptions struct {
	// Budget is how many connections one account may hold: requests,
	// downloads and live-update watchers together. Real servers limit
	// connections per user and client address (Dovecot: 10).
	Budget int
	// Idle closes a connection unused this long.
	Idle time.Duration
	// Wait is how long a caller waits for a connection when the budget is
	// spent, before ErrBusy.
	Wait time.Duration
}

// Pool keeps authenticated IMAP connections per account and lends them
// out, one borrower at a time, so a page costs a NOOP and a FETCH instead
// of a new login and SELECT (DESIGN.md section 4). Every session of an
// account shares its connections; the account never holds more than the
// budget at the server, so the person's other devices and apps keep room
// under the server's limit.
//
// Of the budget, long loans (downloads) may take all but one connection,
// and live-update watchers (one per account and folder, shared by all the
// account's streams) at most half, so a page can always get a connection.
type Pool struct {
	dialer Dialer
	opt    PoolOptions

	mu       sync.Mutex
	accounts map[string]*accountConns
	closed   bool

	// Watcher timing; tests shorten it.
	idleRestart, pollEvery time.Duration
	noIdle                 bool // act as if the server had no IDLE
}

// accountConns is what the Pool holds for one account.
type accountConns struct {
	id       string
	open     int     // connections open or being dialled
	long     int     // of them lent for a long time (downloads)
	watching int     // of them held by watchers
	idle     []*Conn // free, the most recently used last
	// free is closed and replaced whenever a connection or a slot is given
	// back, to wake the callers waiting for one.
	free    chan struct{}
	folders *folderCache
	hubs    map[string]*hub // live-update watchers by mailbox (hub.go)
}

// NewPool returns a pool that dials with d.
func NewPool(d Dialer, opt PoolOptions) *Pool {
	opt.Budget = max(opt.Budget, 2)
	if opt.Wait <= 0 {
		opt.Wait = d.timeout()
	}
	return &Pool{dialer: d, opt: opt, accounts: map[string]*accountConns{}, idleRestart: IdleRestart, pollEvery: PollEvery}
}

// account returns the entry of id, making it; p.mu is held.
func (p *Pool) account(id string) *accountConns {
	ac := p.accounts[id]
	if ac == nil {
		ac = &accountConns{id: id, free: make(chan struct{}), folders: &folderCache{}, hubs: map[string]*hub{}}
		p.accounts[id] = ac
	}
	return ac
}

// wake tells the waiting callers that something came free; p.mu is held.
func (ac *accountConns) wake() {
	close(ac.free)
	ac.free = make(chan struct{})
}

// loan is the kind of borrowing a caller does.
type loan int

const (
	loanRequest loan = iota // a page: short
	loanLong                // a download or a message streamed into another: as long as it takes
	loanFresh               // a login: always a new connection, checked against the server
	loanWatch               // a live-update watcher: held until its streams end
)

// fits reports whether a connection of kind k fits the account's share
// for its kind, counting the budget apart; p.mu is held.
func (p *Pool) fits(ac *accountConns, k loan) bool {
	switch k {
	case loanLong:
		return ac.long+ac.watching < p.opt.Budget-1
	case loanWatch:
		return ac.watching < max(1, p.opt.Budget/2) && ac.long+ac.watching < p.opt.Budget-1
	}
	return true
}

// Acquire lends the caller a connection of the account for one request,
// until release is called: a free one (preferring one with mailbox
// selected), else a new one if the budget allows, else the next one given
// back, waiting at most the pool's Wait. A connection that broke or timed
// out is not given back but closed.
func (p *Pool) Acquire(ctx context.Context, a Account, mailbox string) (c *Conn, release func(), err error) {
	return p.borrow(ctx, a, mailbox, loanRequest, nil)
}

// Do runs f with a connection of the account, borrowed as Acquire does and
// given back when f returns: the one shape in which a use case borrows.
func (p *Pool) Do(ctx context.Context, a Account, mailbox string, f func(*Conn) error) error {
	c, release, err := p.Acquire(ctx, a, mailbox)
	if err != nil {
		return err
	}
	defer release()
	return f(c)
}

// AcquireLong is Acquire for a long loan, such as a download, that should
// not hold up the account's pages: it leaves at least one connection of
// the budget to them.
func (p *Pool) AcquireLong(ctx context.Context, a Account) (c *Conn, release func(), err error) {
	return p.borrow(ctx, a, "", loanLong, nil)
}

// Login dials a new connection with a.Auth, which checks the credentials
// at the server, and keeps it for the account's next request. When the
// server refuses for too many connections or hangs up (any new connection
// of the pool's, not only a login's), the pool gives back its own free
// connections of the account and tries once more.
func (p *Pool) Login(ctx context.Context, a Account) error {
	_, release, err := p.borrow(ctx, a, "", loanFresh, nil)
	if err != nil {
		return err
	}
	release()
	return nil
}

// borrow lends a connection of kind k; dial, if set, makes a new one
// (a watcher's, with its own handler).
func (p *Pool) borrow(ctx context.Context, a Account, mailbox string, k loan, dial func(context.Context) (*Conn, error)) (*Conn, func(), error) {
	if dial == nil {
		dial = func(ctx context.Context) (*Conn, error) { return p.dialer.Dial(ctx, a.Server, a.Auth) }
	}
	var timer *time.Timer
	defer func() {
		if timer != nil {
			timer.Stop()
		}
	}()
	gaveBack := false
	for {
		p.mu.Lock()
		if p.closed {
			p.mu.Unlock()
			return nil, nil, errShutDown
		}
		ac := p.account(a.ID)
		fits := p.fits(ac, k)
		if fits && (k == loanRequest || k == loanLong) {
			if c := ac.takeIdle(a.Auth.Login, mailbox); c != nil {
				if k == loanLong {
					ac.long++
					c.long = true
				}
				p.mu.Unlock()
				c.stale = true // the first command of this request refreshes
				return c, p.releaser(ac, c), nil
			}
		}
		if fits && ac.open < p.opt.Budget {
			ac.open++
			switch k {
			case loanLong:
				ac.long++
			case loanWatch:
				ac.watching++
			}
			p.mu.Unlock()
			c, err := dial(ctx)
			if err != nil {
				p.giveBackSlot(ac, k)
				if (errors.Is(err, ErrConnLimit) || errors.Is(err, ErrClosed)) && !gaveBack {
					// Our own free connections may be what fills the
					// server's limit (refused, or hung up on at the
					// greeting or login): give them back and try once
					// more.
					gaveBack = true
					p.closeFree(ac)
					continue
				}
				return nil, nil, err
			}
			c.folders = ac.folders
			c.long = k == loanLong
			if k == loanWatch { // the hub closes its watcher itself
				return c, func() { p.giveBackSlot(ac, k) }, nil
			}
			return c, p.releaser(ac, c), nil
		}
		if fits {
			// The budget is spent. A free connection this caller cannot
			// use (another login's; any, for a login or a watcher, which
			// need their own) makes room.
			if i := slices.IndexFunc(ac.idle, func(c *Conn) bool {
				return k == loanFresh || k == loanWatch || c.login != a.Auth.Login
			}); i >= 0 {
				victim := ac.idle[i]
				ac.idle = slices.Delete(ac.idle, i, i+1)
				ac.open--
				p.mu.Unlock()
				victim.Close()
				continue
			}
		}
		ch := ac.free
		p.mu.Unlock()
		if timer == nil {
			timer = time.NewTimer(p.opt.Wait)
		}
		select {
		case <-ch:
		case <-timer.C:
			return nil, nil, ErrBusy
		case <-ctx.Done():
			return nil, nil, fmt.Errorf("%w: %w", ErrUnavailable, context.Cause(ctx))
		}
	}
}

// takeIdle takes a free connection of login, preferring one that has
// mailbox selected, dropping any the server closed meanwhile; p.mu is
// held.
func (ac *accountConns) takeIdle(login, mailbox string) *Conn {
	for {
		best := -1
		for i := len(ac.idle) - 1; i >= 0; i-- {
			c := ac.idle[i]
			if c.login != login {
				continue
			}
			if best < 0 || c.selected == mailbox && mailbox != "" {
				best = i
				if c.selected == mailbox {
					break
				}
			}
		}
		if best < 0 {
			return nil
		}
		c := ac.idle[best]
		ac.idle = slices.Delete(ac.idle, best, best+1)
		if !c.Closed() {
			return c
		}
		ac.open--
		go c.Close()
	}
}

// releaser returns the func that gives c back, once.
func (p *Pool) releaser(ac *accountConns, c *Conn) func() {
	var once sync.Once
	return func() { once.Do(func() { p.giveBack(ac, c) }) }
}

func (p *Pool) giveBack(ac *accountConns, c *Conn) {
	c.rows = 0 // the next borrower's page length is its own
	p.mu.Lock()
	defer p.mu.Unlock()
	if c.long {
		ac.long--
		c.long = false
	}
	if c.Closed() || p.closed {
		ac.open--
		go c.Close()
	} else {
		c.lastUsed = time.Now()
		ac.idle = append(ac.idle, c)
	}
	ac.wake()
}

// giveBackSlot returns the budget a failed dial or a closed watcher held.
func (p *Pool) giveBackSlot(ac *accountConns, k loan) {
	p.mu.Lock()
	defer p.mu.Unlock()
	ac.open--
	switch k {
	case loanLong:
		ac.long--
	case loanWatch:
		ac.watching--
	}
	ac.wake()
}

// CloseFree closes the free connections of account id, so that its next
// request dials anew.
func (p *Pool) CloseFree(id string) {
	p.mu.Lock()
	ac := p.accounts[id]
	p.mu.Unlock()
	if ac != nil {
		p.closeFree(ac)
	}
}

// closeFree closes the account's free connections.
func (p *Pool) closeFree(ac *accountConns) {
	p.mu.Lock()
	victims := ac.idle
	ac.idle = nil
	ac.open -= len(victims)
	ac.wake()
	p.mu.Unlock()
	closeAll(victims)
}

func closeAll(conns []*Conn) {
	var wg sync.WaitGroup
	for _, c := range conns {
		wg.Go(func() { c.Close() })
	}
	wg.Wait()
}

// Stats is how many connections the pool holds.
type Stats struct {
	Accounts, Open, Idle, Watching int
}

// Stats counts the pool's connections.
func (p *Pool) Stats() Stats {
	p.mu.Lock()
	defer p.mu.Unlock()
	var s Stats
	for _, ac := range p.accounts {
		if ac.open > 0 {
			s.Accounts++
		}
		s.Open += ac.open
		s.Idle += len(ac.idle)
		s.Watching += ac.watching
	}
	return s
}

// Open returns how many connections the pool holds for account id.
func (p *Pool) Open(id string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	if ac := p.accounts[id]; ac != nil {
		return ac.open
	}
	return 0
}

// Run closes idle connections until ctx ends, then closes them all.
func (p *Pool) Run(ctx context.Context) {
	t := time.NewTicker(max(min(p.opt.Idle/2, time.Minute), time.Second))
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			p.shut()
			return
		case <-t.C:
			p.closeIdle(p.opt.Idle)
		}
	}
}

// closeIdle closes the free connections unused for idle, and forgets
// accounts that hold nothing.
func (p *Pool) closeIdle(idle time.Duration) {
	p.mu.Lock()
	var victims []*Conn
	for id, ac := range p.accounts {
		keep := ac.idle[:0]
		for _, c := range ac.idle {
			if time.Since(c.lastUsed) >= idle || c.Closed() {
				victims = append(victims, c)
				ac.open--
			} else {
				keep = append(keep, c)
			}
		}
		clear(ac.idle[len(keep):])
		ac.idle = keep
		if ac.open == 0 && len(ac.hubs) == 0 {
			delete(p.accounts, id)
		}
	}
	p.mu.Unlock()
	closeAll(victims)
}

// shut closes every free connection and refuses new loans; connections
// still lent are closed as they come back.
func (p *Pool) shut() {
	p.mu.Lock()
	p.closed = true
	var victims []*Conn
	var hubs []*hub
	for _, ac := range p.accounts {
		victims = append(victims, ac.idle...)
		ac.open -= len(ac.idle)
		ac.idle = nil
		ac.wake()
		for _, h := range ac.hubs {
			hubs = append(hubs, h)
		}
	}
	p.mu.Unlock()
	for _, h := range hubs {
		h.fail(errShutDown)
	}
	closeAll(victims)
}
