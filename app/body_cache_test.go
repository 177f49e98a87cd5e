package app

import (
	"strings"
	"testing"
	"time"

	"webmail"
)

// TestBodyCacheBounds: a kept body is gone after its time, when the cache
// is over its size (oldest first), and when its session logs out; another
// session never sees it.
func TestBodyCacheBounds(t *testing.T) {
	t.Parallel()
	now := time.Unix(1_700_000_000, 0)
	c := newBodyCache(func() time.Time { return now })
	c.max = 100
	key := func(sid string, uid webmail.UID) bodyKey {
		return bodyKey{sid: sid, ref: webmail.MessageRef{Mailbox: "INBOX", Validity: 1, UID: uid}}
	}
	c.put(key("a", 1), "one")
	if got, ok := c.get(key("a", 1)); !ok || got != "one" {
		t.Fatalf("get = %q, %v", got, ok)
	}
	if _, ok := c.get(key("b", 1)); ok {
		t.Error("another session sees the body")
	}
	now = now.Add(bodyCacheTTL)
	if _, ok := c.get(key("a", 1)); ok {
		t.Error("kept past its time")
	}
	for uid := webmail.UID(1); uid <= 5; uid++ { // 5 × 22 bytes in 100: the oldest goes
		c.put(key("a", uid), strings.Repeat("x", 22))
	}
	if _, ok := c.get(key("a", 1)); ok {
		t.Error("the oldest body kept over the size bound")
	}
	if _, ok := c.get(key("a", 5)); !ok {
		t.Error("the newest body not kept")
	}
	c.put(key("a", 6), strings.Repeat("v", 26)) // more than a quarter: not kept
	if _, ok := c.get(key("a", 6)); ok {
		t.Error("a body larger than a quarter of the cache kept")
	}
	c.forget("a")
	if _, ok := c.get(key("a", 5)); ok || c.size != 0 {
		t.Errorf("kept after logout (size %d)", c.size)
	}
}
