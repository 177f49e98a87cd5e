package main

import (
	"bytes"
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"webmail/app"
	"webmail/app/demo"
	"webmail/config"
)

// startWebmail serves the webmail in front of the in-process demo on a
// loopback port and returns its URL and the demo account.
func startWebmail(t *testing.T) (string, demo.Account) {
	t.Helper()
	base, acct, _ := startWebmailHandler(t)
	return base, acct
}

// startWebmailHandler is startWebmail that also returns the handler, to
// serve on more listeners.
func startWebmailHandler(t *testing.T) (string, demo.Account, http.Handler) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	d, err := demo.Start(ctx, demo.Options{InboxSize: 60})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	cfg := config.Default()
	cfg.Demo = false
	cfg.IMAP = server(t, d.IMAPAddr())
	cfg.SMTP = config.SMTP{Server: server(t, d.SMTPAddr())}
	// Cheap Argon2id; the load logs in one account several times.
	cfg.Argon2 = config.Argon2{Time: 1, MemoryKiB: 8 * 1024, Threads: 1, MaxConcurrent: 2}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	a, err := app.New(cfg, app.Options{})
	if err != nil {
		t.Fatal(err)
	}
	go a.Run(ctx)
	srv := httptest.NewServer(a.Handler())
	t.Cleanup(srv.Close)
	t.Cleanup(a.EndStreams) // or srv.Close would wait for them
	return srv.URL, d.Accounts()[0], a.Handler()
}

func server(t *testing.T, addr string) config.Server {
	t.Helper()
	host, p, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatal(err)
	}
	port, _ := strconv.Atoi(p)
	return config.Server{Host: host, Port: port, Security: config.SecurityPlain}
}

func env(kv ...string) func(string) string {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return func(k string) string { return m[k] }
}

// TestLoad runs the tool as an operator would, briefly, against the demo:
// every kind of request is made and none fails.
func TestLoad(t *testing.T) {
	t.Parallel()
	base, acct := startWebmail(t)
	var out bytes.Buffer
	// Bounded by the count, not the time, so a slow machine still completes
	// requests: the run stops after 12, or after a minute.
	args := []string{"-url", base, "-login", acct.Login, "-sessions", "3", "-duration", "60s", "-max-requests", "12", "-stream-hold", "300ms"}
	err := run(context.Background(), args, env("WEBMAIL_LOAD_PASSWORD", acct.Password), &out)
	t.Logf("output:\n%s", out.String())
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	m := regexp.MustCompile(`(\d+) requests, ([\d.]+) req/s, (\d+) errors`).FindStringSubmatch(out.String())
	if m == nil {
		t.Fatal("no summary line")
	}
	if rate, _ := strconv.ParseFloat(m[2], 64); rate == 0 {
		t.Error("throughput 0")
	}
	if m[3] != "0" {
		t.Errorf("%s errors", m[3])
	}
	if !regexp.MustCompile(`(?m)^\s*list\s+[1-9]`).MatchString(out.String()) {
		t.Error("no successful list request reported")
	}
}

// TestLoadInstances drives two listeners of one webmail as two instances
// behind a balancer: each session's requests alternate between them (a
// session's cookies go to both, as to one host), and the report shows
// each instance's memory, goroutines and files from its /metrics.
func TestLoadInstances(t *testing.T) {
	t.Parallel()
	_, acct, handler := startWebmailHandler(t)
	var hits [2]atomic.Int64
	var bases, metrics []string
	for i := range hits {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path != "/metrics" {
				hits[i].Add(1)
			}
			handler.ServeHTTP(w, r)
		}))
		t.Cleanup(srv.Close)
		bases = append(bases, srv.URL)
		metrics = append(metrics, srv.URL+"/metrics")
	}
	var out bytes.Buffer
	args := []string{"-url", strings.Join(bases, ","), "-metrics", strings.Join(metrics, ","), "-settle", "0",
		"-login", acct.Login, "-sessions", "2", "-duration", "60s", "-max-requests", "10", "-stream-hold", "300ms"}
	err := run(context.Background(), args, env("WEBMAIL_LOAD_PASSWORD", acct.Password), &out)
	t.Logf("output:\n%s", out.String())
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	for i := range hits {
		if hits[i].Load() < 3 {
			t.Errorf("instance %d served %d requests, want its share of 10", i, hits[i].Load())
		}
	}
	for _, b := range bases {
		host := strings.TrimPrefix(b, "http://")
		re := regexp.MustCompile(`(?m)^instance ` + regexp.QuoteMeta(host) + `:\n.*RSS MB.*\n\s*before\s+[1-9][\d.]*\s`)
		if !re.MatchString(out.String()) {
			t.Errorf("no RSS before the load for instance %s", host)
		}
	}
	if !regexp.MustCompile(`(?m)^\s*peak\s+[1-9]`).MatchString(out.String()) {
		t.Error("no peak figures")
	}
}

func TestWrongPasswordIsALoginFailure(t *testing.T) {
	t.Parallel()
	base, acct := startWebmail(t)
	pw := filepath.Join(t.TempDir(), "password")
	if err := os.WriteFile(pw, []byte("not-"+acct.Password+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	args := []string{"-url", base, "-login", acct.Login, "-password-file", pw, "-sessions", "2", "-duration", "1s"}
	err := run(context.Background(), args, env(), &out)
	if !errors.Is(err, errLoginRefused) {
		t.Fatalf("run: %v, want the login refused\n%s", err, out.String())
	}
	if strings.Contains(out.String(), "req/s") {
		t.Errorf("a load ran after the login failed:\n%s", out.String())
	}
}

func TestOptions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		args    []string
		env     []string
		wantErr string
	}{
		{"loopback", []string{"-url", "http://127.0.0.1:1", "-password", "x"}, nil, ""},
		{"localhost", []string{"-url", "http://localhost:1"}, []string{"WEBMAIL_LOAD_PASSWORD", "x"}, ""},
		{"ipv6 loopback", []string{"-url", "http://[::1]:1", "-password", "x"}, nil, ""},
		{"remote refused", []string{"-url", "https://mail.example.org", "-password", "x"}, nil, "not a loopback address"},
		{"remote allowed", []string{"-url", "https://mail.example.org", "-password", "x", "-allow-remote"}, nil, ""},
		{"no password", []string{"-url", "http://127.0.0.1:1"}, nil, "no password"},
		{"too many sessions", []string{"-password", "x", "-sessions", "100000"}, nil, "-sessions"},
		{"endless", []string{"-password", "x", "-duration", "100h"}, nil, "-duration"},
		{"two instances", []string{"-url", "http://127.0.0.1:1,http://127.0.0.1:2", "-password", "x"}, nil, ""},
		{"two hosts", []string{"-url", "http://127.0.0.1:1,http://localhost:2", "-password", "x"}, nil, "one host name"},
		{"accounts without {n}", []string{"-password", "x", "-accounts", "5"}, nil, "{n}"},
		{"accounts", []string{"-password", "x", "-accounts", "5", "-login", "u{n}@example.org"}, nil, ""},
		{"remote metrics refused", []string{"-password", "x", "-metrics", "http://mail.example.org:9100/metrics"}, nil, "not a loopback address"},
		{"sub-path", []string{"-url", "http://127.0.0.1:1/mail", "-password", "x"}, nil, "no path"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var out bytes.Buffer
			_, err := parseOptions(tt.args, env(tt.env...), &out)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("error %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("error %v, want one with %q", err, tt.wantErr)
			}
		})
	}
}

func TestPercentile(t *testing.T) {
	t.Parallel()
	var d []time.Duration
	for i := 1; i <= 100; i++ {
		d = append(d, time.Duration(i))
	}
	if got := percentile(d, 50); got != 50 {
		t.Errorf("p50 = %d, want 50", got)
	}
	if got := percentile(d, 99); got != 99 {
		t.Errorf("p99 = %d, want 99", got)
	}
	if got := percentile(d[:1], 99); got != 1 {
		t.Errorf("p99 of one = %d, want 1", got)
	}
}
