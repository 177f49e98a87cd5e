package main

import (
	"bytes"
	"context"
	"errors"
	"net"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
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
	return srv.URL, d.Accounts()[0]
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
