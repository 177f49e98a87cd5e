package app

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	redis_rate "github.com/go-redis/redis_rate/v10"
	goredis "github.com/redis/go-redis/v9"

	"golang.org/x/time/rate"

	"webmail/config"
)

// limiter allows or refuses one more event for a key.
type limiter interface {
	allow(key string) bool
}

// newLimiter is a limiter of n events per period for each key, with bursts
// of burst: in this process's memory, or shared by every instance through
// Redis when the sessions are there (rdb not nil).
func newLimiter(name string, n int, period time.Duration, burst int, rdb *goredis.Client, log *slog.Logger) limiter {
	n, burst = max(n, 1), max(burst, 1)
	local := newKeyedLimiter(rate.Every(period/time.Duration(n)), burst)
	if rdb == nil {
		return local
	}
	return &sharedLimiter{name: name, rl: redis_rate.NewLimiter(rdb), limit: redis_rate.Limit{Rate: n, Period: period, Burst: burst}, local: local, log: log}
}

// loginLimits bounds login attempts per client address and per login name,
// so a burst of guesses never reaches the IMAP server.
type loginLimits struct {
	byIP, byUser limiter
	trustProxy   bool
}

func newLoginLimits(l config.Limits, rdb *goredis.Client, log *slog.Logger) *loginLimits {
	return &loginLimits{
		byIP:       newLimiter("login-ip", l.LoginPerIP, time.Minute, l.LoginBurst, rdb, log),
		byUser:     newLimiter("login-user", l.LoginPerUser, time.Minute, l.LoginBurst, rdb, log),
		trustProxy: l.TrustProxyHeaders,
	}
}

// allow takes one attempt from both buckets; both must have it.
func (l *loginLimits) allow(r *http.Request, login string) bool {
	ipOK := l.byIP.allow(l.clientIP(r))
	userOK := l.byUser.allow(strings.ToLower(strings.TrimSpace(login)))
	return ipOK && userOK
}

func (l *loginLimits) clientIP(r *http.Request) string {
	if l.trustProxy {
		if xff := r.Header.Get("X-Forwarded-For"); xff != "" {
			parts := strings.Split(xff, ",")
			return strings.TrimSpace(parts[len(parts)-1])
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// keyedLimiter is a token bucket per key. Full buckets are forgotten, so
// memory stays bounded by the keys seen within the refill time; a hard cap
// guards against floods of distinct keys.
type keyedLimiter struct {
	limit rate.Limit
	burst int

	mu      sync.Mutex
	buckets map[string]*rate.Limiter
	swept   time.Time
}

const maxLimiterKeys = 100_000

func newKeyedLimiter(limit rate.Limit, burst int) *keyedLimiter {
	return &keyedLimiter{limit: limit, burst: burst, buckets: map[string]*rate.Limiter{}}
}

func (k *keyedLimiter) allow(key string) bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	now := time.Now()
	if now.Sub(k.swept) > time.Minute || len(k.buckets) >= maxLimiterKeys {
		for key, b := range k.buckets {
			if b.TokensAt(now) >= float64(k.burst) {
				delete(k.buckets, key)
			}
		}
		k.swept = now
		if len(k.buckets) >= maxLimiterKeys {
			return false // under a flood of keys, refuse rather than grow
		}
	}
	b := k.buckets[key]
	if b == nil {
		b = rate.NewLimiter(k.limit, k.burst)
		k.buckets[key] = b
	}
	return b.AllowN(now, 1)
}

// sharedLimiter keeps its buckets in Redis (GCRA, go-redis/redis_rate), so
// that every instance draws from the same ones: n instances do not allow n
// times the limit. Keys are hashed: Redis learns no address or login name.
// When Redis does not answer, the instance's own buckets decide, which is
// what a single instance would do.
type sharedLimiter struct {
	name  string
	rl    *redis_rate.Limiter
	limit redis_rate.Limit
	local *keyedLimiter
	log   *slog.Logger
}

func (s *sharedLimiter) allow(key string) bool {
	h := sha256.Sum256([]byte(key))
	// The client bounds the command by session.redis_timeout.
	res, err := s.rl.Allow(context.Background(), "webmail:limit:"+s.name+":"+hex.EncodeToString(h[:16]), s.limit)
	if err != nil {
		s.log.Warn("shared rate limit unavailable; this instance's own applies", "limit", s.name, "err", err.Error())
		return s.local.allow(key)
	}
	return res.Allowed > 0
}
