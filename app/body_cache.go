package app

import (
	"sync"
	"time"

	"webmail"
)

// bodyCache keeps sanitised HTML bodies for a short while, so that the
// sandboxed frame's request, which comes right after the message view,
// costs no IMAP command and no second sanitiser pass. It is memory only,
// keyed by session, and bounded in bytes and in time; logout forgets a
// session's entries. A miss (another instance, an evicted entry, a
// reload later) just fetches the body again.
type bodyCache struct {
	ttl time.Duration
	max int // bytes of HTML kept in all
	now func() time.Time

	mu    sync.Mutex
	size  int
	seq   uint64
	m     map[bodyKey]bodyEntry
	order []bodyOrder // oldest first; stale items are skipped
}

// bodyKey names one sanitised body: the session, the message, the section
// of the attached message whose body it is ("" for the message's own) and
// whether remote content was allowed.
type bodyKey struct {
	sid     string
	ref     webmail.MessageRef
	section string
	remote  bool
}

type bodyEntry struct {
	html string
	at   time.Time
	seq  uint64
}

type bodyOrder struct {
	key bodyKey
	seq uint64
}

// Bounds of the sanitised-body cache: the frame's request follows the
// view within a second; a minute covers a slow phone.
const (
	bodyCacheTTL   = time.Minute
	bodyCacheBytes = 32 << 20
)

func newBodyCache(now func() time.Time) *bodyCache {
	return &bodyCache{ttl: bodyCacheTTL, max: bodyCacheBytes, now: now, m: map[bodyKey]bodyEntry{}}
}

// put keeps html under k; a body larger than a quarter of the cache is not
// kept.
func (c *bodyCache) put(k bodyKey, html string) {
	if k.sid == "" || len(html) > c.max/4 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now()
	c.drop(k)
	c.seq++
	c.m[k] = bodyEntry{html: html, at: now, seq: c.seq}
	c.order = append(c.order, bodyOrder{k, c.seq})
	c.size += len(html)
	c.evict(now)
}

// get returns the body kept under k, if it is there and fresh.
func (c *bodyCache) get(k bodyKey) (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now()
	c.evict(now)
	e, ok := c.m[k]
	return e.html, ok
}

// forget drops every body of session sid (logout).
func (c *bodyCache) forget(sid string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k := range c.m {
		if k.sid == sid {
			c.drop(k)
		}
	}
}

func (c *bodyCache) drop(k bodyKey) {
	if e, ok := c.m[k]; ok {
		c.size -= len(e.html)
		delete(c.m, k)
	}
}

// evict drops the oldest entries while they are stale or the cache is
// over its size; the order list is compacted as it goes.
func (c *bodyCache) evict(now time.Time) {
	i := 0
	for ; i < len(c.order); i++ {
		o := c.order[i]
		e, ok := c.m[o.key]
		if !ok || e.seq != o.seq {
			continue // dropped or replaced
		}
		if c.size <= c.max && now.Sub(e.at) < c.ttl {
			break
		}
		c.drop(o.key)
	}
	c.order = c.order[i:]
	if cap(c.order) > 64 && len(c.order) < cap(c.order)/4 {
		c.order = append([]bodyOrder(nil), c.order...)
	}
}
