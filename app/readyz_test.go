package app

import (
	"io"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"webmail/app/internal/redis"
	"webmail/config"
)

// get GETs path without logging in and returns the status and body.
func (c *client) get(t testing.TB, path string) (int, string) {
	t.Helper()
	resp := c.do(t, "GET", path, nil)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestHealthz(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	if status, body := e.client().get(t, "/healthz"); status != http.StatusOK || body != "ok\n" {
		t.Errorf("healthz: %d %q", status, body)
	}
}

// TestReadyz: ready with the demo IMAP server up, not ready with its
// address closed, and not ready once draining although the server is up.
func TestReadyz(t *testing.T) {
	t.Parallel()
	t.Run("up", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t)
		if status, body := e.client().get(t, "/readyz"); status != http.StatusOK || body != "ready\n" {
			t.Errorf("readyz: %d %q, want 200", status, body)
		}
	})
	t.Run("IMAP closed", func(t *testing.T) {
		t.Parallel()
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		_, port := splitHostPort(t, ln.Addr().String())
		ln.Close()
		e := newEnv(t, func(c *config.Config) { c.IMAP.Port = port })
		if status, body := e.client().get(t, "/readyz"); status != http.StatusServiceUnavailable || body != "not ready: imap\n" {
			t.Errorf("readyz: %d %q, want 503", status, body)
		}
		if !strings.Contains(e.logs.String(), "readyz: IMAP server not ready") {
			t.Errorf("the failed probe is not logged:\n%s", e.logs)
		}
	})
	t.Run("IMAP refuses in its greeting", func(t *testing.T) {
		t.Parallel()
		addr := greetingServer(t, "* BYE too busy\r\n", nil)
		e := newEnv(t, func(c *config.Config) { _, c.IMAP.Port = splitHostPort(t, addr) })
		if status, _ := e.client().get(t, "/readyz"); status != http.StatusServiceUnavailable {
			t.Errorf("readyz: %d, want 503", status)
		}
	})
	t.Run("draining", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t)
		c := e.client()
		if status, _ := c.get(t, "/readyz"); status != http.StatusOK {
			t.Fatalf("readyz before Drain: %d", status)
		}
		e.app.Drain()
		if status, body := c.get(t, "/readyz"); status != http.StatusServiceUnavailable || body != "draining\n" {
			t.Errorf("readyz after Drain: %d %q, want 503", status, body)
		}
		if status, _ := c.get(t, "/healthz"); status != http.StatusOK {
			t.Errorf("healthz after Drain: %d, want 200 (the process still serves)", status)
		}
		if got := c.scrape(t, http.StatusOK); !strings.Contains(got, "\nwebmail_draining 1\n") {
			t.Error("the draining gauge is not 1")
		}
	})
}

// TestReadyzProbesAtMostOncePerTTL: however often a balancer asks, the
// IMAP server sees one probe per readyTTL.
func TestReadyzProbesAtMostOncePerTTL(t *testing.T) {
	t.Parallel()
	var accepted atomic.Int32
	addr := greetingServer(t, "* OK ready\r\n", &accepted)
	e := newEnv(t, func(c *config.Config) { _, c.IMAP.Port = splitHostPort(t, addr) })
	c := e.client()
	for range 20 {
		if status, _ := c.get(t, "/readyz"); status != http.StatusOK {
			t.Fatalf("readyz: %d", status)
		}
	}
	if n := accepted.Load(); n != 1 {
		t.Errorf("%d probes for 20 readyz requests, want 1", n)
	}
}

// greetingServer accepts connections on loopback, greets each with
// greeting and closes it, counting them in accepted if not nil.
func greetingServer(t *testing.T, greeting string, accepted *atomic.Int32) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			if accepted != nil {
				accepted.Add(1)
			}
			conn.Write([]byte(greeting))
			io.Copy(io.Discard, conn) // until the probe hangs up
			conn.Close()
		}
	}()
	return ln.Addr().String()
}

// TestReadyzRedis: with sessions in Redis, not ready while Redis does not
// answer, ready again when it does.
func TestReadyzRedis(t *testing.T) {
	t.Parallel()
	rs := redis.Start(t, redis.Options{})
	e, _ := twoInstances(t, rs)
	e.app.ready.ttl = 0 // every request checks afresh
	c := e.client()
	if status, body := c.get(t, "/readyz"); status != http.StatusOK {
		t.Fatalf("readyz with Redis up: %d %q", status, body)
	}
	rs.Stop()
	if status, body := c.get(t, "/readyz"); status != http.StatusServiceUnavailable || body != "not ready: redis\n" {
		t.Errorf("readyz with Redis down: %d %q, want 503", status, body)
	}
	rs.Restart(t)
	if status, body := c.get(t, "/readyz"); status != http.StatusOK {
		t.Errorf("readyz with Redis back: %d %q", status, body)
	}
}
