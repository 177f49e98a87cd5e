package app

import (
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"webmail/config"
)

// loginLimits bounds login attempts per client address and per login name,
// so a burst of guesses never reaches the IMAP server.
type loginLimits struct {
	byIP, byUser *keyedLimiter
	trustProxy   bool
}

func newLoginLimits(l config.Limits) *loginLimits {
	return &loginLimits{
		byIP:       newKeyedLimiter(rate.Every(time.Minute/time.Duration(max(l.LoginPerIP, 1))), max(l.LoginBurst, 1)),
		byUser:     newKeyedLimiter(rate.Every(time.Minute/time.Duration(max(l.LoginPerUser, 1))), max(l.LoginBurst, 1)),
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
