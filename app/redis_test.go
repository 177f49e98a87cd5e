package app

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"webmail/app/demo"
	"webmail/app/internal/redis"
	"webmail/config"
)

// twoInstances are two webmails in front of one demo server, sharing
// sessions in one Redis.
func twoInstances(t *testing.T, rs *redis.Server, opts ...envOption) (a, b *env) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	accts := demo.DefaultAccounts()
	accts[0].Password = "Pq7-wrT!zx93-secret"
	d, err := demo.Start(ctx, demo.Options{Accounts: accts})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	opts = append(opts, func(c *config.Config) { c.Session.RedisURL = rs.URL() })
	return newEnvOn(t, d, opts...), newEnvOn(t, d, opts...)
}

// redisContents is every key and value in Redis.
func redisContents(t *testing.T, rs *redis.Server) map[string][]byte {
	t.Helper()
	rc := goredis.NewClient(&goredis.Options{Addr: rs.Addr()})
	defer rc.Close()
	ctx := context.Background()
	keys, err := rc.Keys(ctx, "*").Result()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	for _, k := range keys {
		v, err := rc.Get(ctx, k).Bytes()
		if err != nil {
			t.Fatalf("GET %s: %v", k, err)
		}
		out[k] = v
	}
	return out
}

// TestRedisSessionAcrossInstances: with sessions in Redis, any instance
// serves any request of a session: log in on A, list on B, open on A,
// save SMTP credentials on B, send on A, log out on B; then the old
// cookies open nothing on either. Redis never holds a secret.
func TestRedisSessionAcrossInstances(t *testing.T) {
	t.Parallel()
	rs := redis.Start(t, redis.Options{})
	a, b := twoInstances(t, rs)
	c := a.client()
	c.login(t, a.acct.Login, a.acct.Password)

	c.e = b
	list := c.page(t, "/m/INBOX", http.StatusOK)
	first := list.Find("[data-testid=row] a").First().AttrOr("href", "")
	if first == "" {
		t.Fatal("instance B shows no list for a session made on A")
	}
	c.e = a
	if c.page(t, first, http.StatusOK).Find("[data-testid=message]").Length() == 0 {
		t.Fatal("instance A does not open the message")
	}
	c.e = b
	blob := c.saveSMTP(t, a.acct.SMTPLogin, a.acct.SMTPPassword)
	c.e = a
	resp := c.postMultipart(t, "/compose/send", [][2]string{{"to", "ann@example.net"}, {"subject", "Across"}, {"body", "Sent on A"}, {"smtp_blob", blob}}, nil)
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("send on A: status %d", resp.StatusCode)
	}

	stored := redisContents(t, rs)
	if len(stored) == 0 {
		t.Fatal("Redis is empty while a session is open: the test would prove nothing")
	}
	u, _ := url.Parse(a.srv.URL)
	cookies := c.jar.Cookies(u)
	secrets := map[string]string{"password": a.acct.Password, "SMTP password": a.acct.SMTPPassword, "sealed SMTP credential": blob}
	for _, ck := range cookies {
		secrets["cookie "+ck.Name] = ck.Value // the session token and the sealed credential
	}
	for what, s := range secrets {
		for enc, f := range map[string]string{"plain": s, "base64": base64.StdEncoding.EncodeToString([]byte(s)), "base64url": base64.RawURLEncoding.EncodeToString([]byte(s)), "hex": hex.EncodeToString([]byte(s))} {
			for k, v := range stored {
				if strings.Contains(k, f) || bytes.Contains(v, []byte(f)) {
					t.Errorf("Redis holds the %s (%s) under %s", what, enc, k)
				}
			}
		}
	}

	c.e = b
	resp = c.do(t, "POST", "/logout", url.Values{})
	resp.Body.Close()
	for _, e := range []*env{a, b} {
		replay := e.client()
		replay.jar.SetCookies(u, cookies)
		resp := replay.do(t, "GET", "/m/INBOX", nil)
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
			t.Errorf("old cookies after logout on B: %s answers %d %q", e.srv.URL, resp.StatusCode, resp.Header.Get("Location"))
		}
	}
	for k := range redisContents(t, rs) {
		if strings.HasPrefix(k, "webmail:session:") {
			t.Errorf("Redis holds the session %s after logout", k)
		}
	}
}

// TestRedisRestartKeepsSessions: a new instance on the same Redis serves
// the session made before (a restart logs nobody out).
func TestRedisRestartKeepsSessions(t *testing.T) {
	t.Parallel()
	rs := redis.Start(t, redis.Options{})
	a, b := twoInstances(t, rs)
	c := a.client()
	c.login(t, a.acct.Login, a.acct.Password)
	a.srv.Close() // A is gone
	c.e = b
	c.page(t, "/m/INBOX", http.StatusOK)
}

// TestRedisDown: while Redis is down every page says so (503, no panic,
// nothing else leaked); when it is back, the webmail serves again (the
// session is gone with Redis's memory, so the person logs in again).
func TestRedisDown(t *testing.T) {
	t.Parallel()
	rs := redis.Start(t, redis.Options{})
	a, _ := twoInstances(t, rs)
	c := a.client()
	c.login(t, a.acct.Login, a.acct.Password)
	rs.Stop()
	for _, path := range []string{"/m/INBOX", "/login"} {
		doc := parse(t, c.do(t, "GET", path, nil), http.StatusServiceUnavailable)
		if got := text(doc.Find("[data-testid=error-message]")); !strings.Contains(got, "session store") {
			t.Errorf("%s while Redis is down: %q", path, got)
		}
	}
	if strings.Contains(a.logs.String(), "panic") {
		t.Error("a panic was logged")
	}
	rs.Restart(t)
	resp := c.do(t, "GET", "/m/INBOX", nil)
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
		t.Fatalf("after Redis is back: %d %q, want the login page", resp.StatusCode, resp.Header.Get("Location"))
	}
	c.login(t, a.acct.Login, a.acct.Password)
	c.page(t, "/m/INBOX", http.StatusOK)
}

// TestRedisRateLimitsShared: the login limit is one for all instances:
// attempts spread over two instances run out as they would on one.
func TestRedisRateLimitsShared(t *testing.T) {
	t.Parallel()
	rs := redis.Start(t, redis.Options{})
	a, b := twoInstances(t, rs, func(c *config.Config) {
		c.Limits.LoginPerUser, c.Limits.LoginPerIP, c.Limits.LoginBurst = 1, 1000, 3
	})
	var statuses []int
	for i := range 4 {
		e := []*env{a, b}[i%2]
		resp := e.client().do(t, "POST", "/login", url.Values{"login": {a.acct.Login}, "password": {"wrong"}})
		resp.Body.Close()
		statuses = append(statuses, resp.StatusCode)
	}
	if statuses[2] == http.StatusTooManyRequests || statuses[3] != http.StatusTooManyRequests {
		t.Errorf("wrong passwords alternating between two instances, burst 3: statuses %v, want the fourth refused (429) and not before", statuses)
	}
}

// TestRedisOAuthRefreshAcrossInstances: an OAuth sign-in made on A is
// renewed on A; B then serves the new cookie without renewing again, and
// a request on B still carrying the replaced cookie (its token expired,
// its refresh token rotated away by the provider) is asked to retry
// instead of spending that refresh token and ending the sign-in.
func TestRedisOAuthRefreshAcrossInstances(t *testing.T) {
	t.Parallel()
	rs := redis.Start(t, redis.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	d, err := demo.Start(ctx, demo.Options{Empty: true, OAuth: &demo.ProviderOptions{}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	opt := func(c *config.Config) { c.Session.RedisURL = rs.URL() }
	a, b := newEnvOn(t, d, opt), newEnvOn(t, d, opt)
	c := a.client()
	c.oauthLogin(t, "alice@example.org")
	u, _ := url.Parse(a.srv.URL)
	old := c.jar.Cookies(u)

	// 61 minutes on, the hour-long token has expired: A renews it.
	a.advance(61 * time.Minute)
	b.skew.Add(int64(61 * time.Minute))
	c.page(t, "/m/INBOX", http.StatusOK)
	if n := strings.Count(a.logs.String(), `msg="oauth refresh"`); n != 1 {
		t.Fatalf("%d refreshes on A, want 1", n)
	}

	// B, with the replaced cookie: retry, and the sign-in lives on.
	stale := b.client()
	stale.jar.SetCookies(u, old)
	resp := stale.do(t, "GET", "/m/INBOX", nil)
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("the replaced cookie on B: status %d, want 503 (try again)", resp.StatusCode)
	}
	// B, with the new cookie: served, no second refresh anywhere.
	c.e = b
	c.page(t, "/m/INBOX", http.StatusOK)
	if n := strings.Count(a.logs.String()+b.logs.String(), `msg="oauth refresh"`); n != 1 {
		t.Errorf("%d refreshes in all, want 1", n)
	}
	if strings.Contains(b.logs.String(), "oauth sign-in ended") {
		t.Error("B ended the sign-in")
	}
}
