package contacts

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
	"golang.org/x/sync/singleflight"
)

// Cache keeps each session's Index in memory, never anywhere else. It is
// bounded: at most sessions indexes, and at most budget bytes of them
// together (Index.Bytes; the least recently used go first), each of at
// most MaxEntries addresses. An Index is rebuilt after the TTL, and
// dropped by Sweep once it is that old, so that one of a session that
// ended unseen (idle expiry) does not outlive it for long. Logout calls
// Forget.
type Cache struct {
	ttl    time.Duration
	now    func() time.Time
	budget int64
	used   atomic.Int64
	lru    *lru.Cache[string, cached]
	group  singleflight.Group
	mu     sync.Mutex
	gen    map[string]uint64 // bumped by Forget, so a build in flight is not kept
}

type cached struct {
	index *Index
	built time.Time
}

// NewCache returns a cache of at most sessions indexes and budget bytes,
// each index kept for ttl.
func NewCache(sessions int, budget int64, ttl time.Duration, now func() time.Time) *Cache {
	if now == nil {
		now = time.Now
	}
	c := &Cache{ttl: ttl, now: now, budget: budget, gen: map[string]uint64{}}
	c.lru, _ = lru.NewWithEvict(max(sessions, 1), func(_ string, v cached) { c.used.Add(-int64(v.index.Bytes())) })
	return c
}

// add keeps x for session, then drops the least recently used indexes
// while the budget is exceeded (x itself last).
func (c *Cache) add(session string, x *Index) {
	c.lru.Remove(session) // replacing a value does not call the eviction callback
	c.lru.Add(session, cached{index: x, built: c.now()})
	c.used.Add(int64(x.Bytes()))
	for c.used.Load() > c.budget && c.lru.Len() > 0 {
		c.lru.RemoveOldest()
	}
}

// Bytes is what the indexes kept hold together, as Index.Bytes counts.
func (c *Cache) Bytes() int64 { return c.used.Load() }

// Get returns the session's Index, built with build when there is none
// or it is older than the TTL. Concurrent calls for one session share one
// build.
func (c *Cache) Get(ctx context.Context, session string, build func(context.Context) (*Index, error)) (*Index, error) {
	if x := c.Peek(session); x != nil {
		return x, nil
	}
	v, err, _ := c.group.Do(session, func() (any, error) {
		c.mu.Lock()
		gen := c.gen[session]
		c.mu.Unlock()
		x, err := build(ctx)
		if err != nil {
			return nil, err
		}
		c.mu.Lock()
		if c.gen[session] == gen {
			c.add(session, x)
		}
		c.mu.Unlock()
		return x, nil
	})
	if err != nil {
		return nil, err
	}
	return v.(*Index), nil
}

// Peek returns the session's Index if one is at hand and fresh, else nil;
// it builds nothing.
func (c *Cache) Peek(session string) *Index {
	if v, ok := c.lru.Get(session); ok && c.now().Sub(v.built) < c.keep(v.index) {
		return v.index
	}
	return nil
}

// RetryPartial is how long a Cache keeps a Partial Index before it tries
// the address book again.
const RetryPartial = time.Minute

func (c *Cache) keep(x *Index) time.Duration {
	if x.Partial {
		return min(c.ttl, RetryPartial)
	}
	return c.ttl
}

// Forget drops the session's Index: the session ended, or its address
// book changed.
func (c *Cache) Forget(session string) {
	c.mu.Lock()
	c.gen[session]++
	if c.gen[session] == 0 {
		delete(c.gen, session)
	}
	c.lru.Remove(session)
	c.mu.Unlock()
}

// Sweep drops every Index older than the TTL, and the bookkeeping of
// sessions that hold none.
func (c *Cache) Sweep() {
	now := c.now()
	for _, k := range c.lru.Keys() {
		if v, ok := c.lru.Peek(k); ok && now.Sub(v.built) >= c.ttl {
			c.lru.Remove(k)
		}
	}
	c.mu.Lock()
	for k := range c.gen {
		if !c.lru.Contains(k) {
			delete(c.gen, k)
		}
	}
	c.mu.Unlock()
}

// Len is the number of sessions with an Index.
func (c *Cache) Len() int { return c.lru.Len() }
