package mail

import (
	"context"
	"sync"
	"time"

	"webmail/config"
)

// Pool keeps one authenticated connection per session, so a page costs a
// NOOP and a FETCH instead of a new login and SELECT (DESIGN.md section 4).
type Pool struct {
	dialer Dialer
	idle   time.Duration

	mu      sync.Mutex
	entries map[string]*entry
}

type entry struct {
	sem      chan struct{} // one request at a time
	conn     *Conn
	lastUsed time.Time
}

// NewPool returns a pool whose connections close after idle time unused.
func NewPool(d Dialer, idle time.Duration) *Pool {
	return &Pool{dialer: d, idle: idle, entries: map[string]*entry{}}
}

// Acquire returns the session's connection for the caller's exclusive use
// until release is called, dialling srv with creds if the session has no
// live connection.
func (p *Pool) Acquire(ctx context.Context, sid string, srv config.Server, creds Credentials) (c *Conn, release func(), err error) {
	p.mu.Lock()
	e := p.entries[sid]
	if e == nil {
		e = &entry{sem: make(chan struct{}, 1)}
		p.entries[sid] = e
	}
	p.mu.Unlock()

	select {
	case e.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, nil, ErrUnavailable
	}
	var once sync.Once
	release = func() { // idempotent: a handler may release early and defer too
		once.Do(func() {
			e.lastUsed = time.Now()
			<-e.sem
		})
	}
	if e.conn != nil && e.conn.Closed() {
		e.conn.c.Close()
		e.conn = nil
	}
	if e.conn == nil {
		auth, err := creds(ctx)
		if err != nil {
			release()
			return nil, nil, err
		}
		e.conn, err = p.dialer.Dial(ctx, srv, auth)
		if err != nil {
			release()
			return nil, nil, err
		}
	}
	e.conn.stale = true // the first command of this request refreshes
	return e.conn, release, nil
}

// Dial makes a connection outside the pool, for a long download that
// should not hold up the session's other requests. The caller closes it.
func (p *Pool) Dial(ctx context.Context, srv config.Server, creds Credentials) (*Conn, error) {
	auth, err := creds(ctx)
	if err != nil {
		return nil, err
	}
	return p.dialer.Dial(ctx, srv, auth)
}

// Drop closes and forgets the session's connection (logout, expiry).
func (p *Pool) Drop(sid string) {
	p.mu.Lock()
	e := p.entries[sid]
	delete(p.entries, sid)
	p.mu.Unlock()
	if e == nil {
		return
	}
	go func() { // wait for a request still using it
		e.sem <- struct{}{}
		if e.conn != nil {
			e.conn.Close()
		}
	}()
}

// Len returns the number of sessions with a kept connection.
func (p *Pool) Len() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.entries)
}

// Run closes idle connections until ctx ends, then closes them all.
func (p *Pool) Run(ctx context.Context) {
	t := time.NewTicker(min(p.idle/2, time.Minute))
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			p.closeIdle(0)
			return
		case <-t.C:
			p.closeIdle(p.idle)
		}
	}
}

func (p *Pool) closeIdle(idle time.Duration) {
	p.mu.Lock()
	var victims []*entry
	for sid, e := range p.entries {
		select {
		case e.sem <- struct{}{}: // not in use
			if time.Since(e.lastUsed) >= idle {
				delete(p.entries, sid)
				victims = append(victims, e)
			} else {
				<-e.sem
			}
		default:
		}
	}
	p.mu.Unlock()
	var wg sync.WaitGroup
	for _, e := range victims {
		if e.conn != nil {
			wg.Go(func() { e.conn.Close() })
		}
	}
	wg.Wait()
}

// Adopt makes c the kept connection of session sid, such as the one a
// login has just authenticated.
func (p *Pool) Adopt(sid string, c *Conn) {
	p.mu.Lock()
	old := p.entries[sid]
	p.entries[sid] = &entry{sem: make(chan struct{}, 1), conn: c, lastUsed: time.Now()}
	p.mu.Unlock()
	if old != nil && old.conn != nil {
		old.conn.Close()
	}
}
