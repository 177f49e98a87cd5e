package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func env(kv ...string) func(string) string {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return func(k string) string { return m[k] }
}

// eventually polls cond until it holds, failing the test after d.
func eventually(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(d); !cond(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("waiting for %s: not within %v", what, d)
		}
	}
}

func TestCheckConfig(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), []string{"-check-config"}, env(), &out); err != nil {
		t.Fatalf("default config: %v", err)
	}
	err := run(context.Background(), []string{"-check-config"}, env("WEBMAIL_IMAP_PORT", "abc", "WEBMAIL_LOG_LEVEL", "loud"), &out)
	if err == nil {
		t.Fatal("bad environment accepted")
	}
	for _, want := range []string{"WEBMAIL_IMAP_PORT", "log.level"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not name %s:\n%v", want, err)
		}
	}
}

// TestDemoStartsAndStops runs the program as `go run ./cmd/webmail` does,
// on a free port: it prints the URL and the demo logins, serves the login
// page, and shuts down when its context ends.
func TestDemoStartsAndStops(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()

	ctx, cancel := context.WithCancel(context.Background())
	out := &syncBuffer{}
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"-listen", addr}, env(), out) }()

	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("output:\n%s", out)
		}
	})
	var resp *http.Response
	eventually(t, 20*time.Second, "the demo to serve", func() bool {
		resp, err = http.Get("http://" + addr + "/login")
		return err == nil
	})
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("GET /login: %d", resp.StatusCode)
	}
	if !strings.Contains(string(page), "Sign in with Demo ID") {
		t.Error("the demo's login page has no Demo ID button")
	}
	// The button reaches the demo provider's consent page.
	req, _ := http.NewRequest("POST", "http://"+addr+"/login/oauth/demo", nil)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	if resp, err := http.DefaultClient.Do(req); err != nil {
		t.Error(err)
	} else {
		page, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if !strings.Contains(string(page), "/oidc/authorize?") {
			t.Errorf("the Demo ID button leads nowhere: %d\n%s", resp.StatusCode, page)
		}
	}
	for _, want := range []string{"http://" + addr, "demo@example.org", "demo-smtp", "Sign in with Demo ID"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("start-up output lacks %q:\n%s", want, out)
		}
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("run returned %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("run did not stop after its context ended")
	}
}

// TestShutdownWaitsForRequestsInFlight: a request waiting on a mail server
// that does not answer still gets its answer (the not-answering page,
// after imap_timeout) when the server is asked to stop meanwhile, instead
// of a connection cut. The webmail drains first: the metrics, on their own
// listener (and not on the main one), show it while the request is in
// flight.
func TestShutdownWaitsForRequestsInFlight(t *testing.T) {
	// An IMAP server that accepts and never says a word.
	stalled, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer stalled.Close()
	var accepted atomic.Int32
	go func() {
		var conns []net.Conn
		defer func() {
			for _, c := range conns {
				c.Close()
			}
		}()
		for {
			c, err := stalled.Accept()
			if err != nil {
				return
			}
			conns = append(conns, c)
			accepted.Add(1)
		}
	}()
	_, port, _ := net.SplitHostPort(stalled.Addr().String())
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	mln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	metricsAddr := mln.Addr().String()
	mln.Close()
	scrape := func(base string) (int, string) {
		resp, err := http.Get(base + "/metrics")
		if err != nil {
			return 0, err.Error()
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-listen", addr}, env(
			"WEBMAIL_METRICS_LISTEN", metricsAddr,
			"WEBMAIL_IMAP_HOST", "127.0.0.1", "WEBMAIL_IMAP_PORT", port, "WEBMAIL_IMAP_SECURITY", "plain",
			"WEBMAIL_SMTP_HOST", "127.0.0.1", "WEBMAIL_SMTP_PORT", port, "WEBMAIL_SMTP_SECURITY", "plain",
			"WEBMAIL_IMAP_TIMEOUT", "1s", "WEBMAIL_PUBLIC_URL", "http://"+addr,
		), io.Discard)
	}()
	eventually(t, 20*time.Second, "the server to start", func() bool {
		resp, err := http.Get("http://" + addr + "/login")
		if err == nil {
			resp.Body.Close()
		}
		return err == nil
	})
	answer := make(chan *http.Response, 1)
	go func() {
		req, _ := http.NewRequest("POST", "http://"+addr+"/login", strings.NewReader("login=ann%40example.org&password=pw"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Errorf("the login in flight got no answer: %v", err)
		}
		answer <- resp
	}()
	// The login is in flight once the stalled server has its connection.
	eventually(t, 10*time.Second, "the login to reach the IMAP server", func() bool { return accepted.Load() > 0 })
	if status, body := scrape("http://" + metricsAddr); status != http.StatusOK || !strings.Contains(body, "\nwebmail_draining 0\n") {
		t.Errorf("metrics listener: %d\n%s", status, body)
	}
	if status, _ := scrape("http://" + addr); status != http.StatusNotFound {
		t.Errorf("main listener /metrics with metrics.listen set: %d, want 404", status)
	}
	cancel()
	eventually(t, 10*time.Second, "the metrics to show the webmail draining", func() bool {
		_, body := scrape("http://" + metricsAddr)
		return strings.Contains(body, "\nwebmail_draining 1\n")
	})
	resp := <-answer
	if resp != nil {
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusGatewayTimeout || !strings.Contains(string(body), "not answering") {
			t.Errorf("the login in flight: %d, want 504 and the not-answering message", resp.StatusCode)
		}
	}
	if err := <-done; err != nil {
		t.Errorf("run: %v", err)
	}
}

// TestDrainDelay: asked to stop, the webmail first says it is not ready
// while it still serves, for drain_delay, so that a load balancer stops
// sending before the listener closes; then it stops.
func TestDrainDelay(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out := &syncBuffer{}
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"-listen", addr}, env("WEBMAIL_DRAIN_DELAY", "3s"), out) }()
	status := func(path string) int {
		resp, err := http.Get("http://" + addr + path)
		if err != nil {
			return 0
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	eventually(t, 20*time.Second, "the demo to be ready", func() bool { return status("/readyz") == http.StatusOK })
	cancel()
	eventually(t, 2*time.Second, "/readyz to answer 503", func() bool { return status("/readyz") == http.StatusServiceUnavailable })
	if got := status("/login"); got != http.StatusOK {
		t.Errorf("while draining, GET /login: %d, want 200 (still serving)", got)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("run returned %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("run did not stop after the drain delay")
	}
	if got := status("/login"); got != 0 {
		t.Errorf("after stopping, GET /login: %d, want no answer", got)
	}
}
