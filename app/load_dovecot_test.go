package app

import (
	"context"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"webmail/app/internal/dovecot"
	"webmail/app/internal/redis"
)

// The load measurement runs only when asked, as the README says:
//
//	go test ./app -run TestLoadDovecot -load.sessions 500 -load.duration 60s -timeout 30m -v
var (
	loadSessions = flag.Int("load.sessions", 0, "TestLoadDovecot: sessions driven across two instances (0 skips the measurement)")
	loadAccounts = flag.Int("load.accounts", 0, "TestLoadDovecot: accounts the sessions are spread over (default: one per 5 sessions)")
	loadDuration = flag.Duration("load.duration", 60*time.Second, "TestLoadDovecot: how long the load runs")
	loadMessages = flag.Int("load.messages", 300, "TestLoadDovecot: messages in each account's inbox")
	loadLogs     = flag.String("load.logs", "", "TestLoadDovecot: keep the instances' logs in this directory")
	loadThink    = flag.Duration("load.think", 0, "TestLoadDovecot: each session's average pause between requests (0: none, the most load the sessions can make)")
)

// TestLoadDovecot is the deployment docs/deploy.md describes, measured:
// two webmail processes sharing one Redis in front of a Dovecot, driven by
// cmd/webmail-load with each session's requests alternating between the
// instances. It prints the load tool's report (throughput, p50/p99 and
// errors by kind; each instance's RSS, goroutines, open files and IMAP
// connections before, at the peak, and after the logouts), and fails if
// any request failed.
func TestLoadDovecot(t *testing.T) {
	if *loadSessions == 0 {
		t.Skip("a measurement, not a test: give -load.sessions N to run it")
	}
	accounts := *loadAccounts
	if accounts == 0 {
		accounts = max(1, *loadSessions/5)
	}
	const password = "load-password"
	users := make([]dovecot.User, accounts)
	for i := range users {
		users[i] = dovecot.User{Login: fmt.Sprintf("user%d@example.org", i+1), Password: password}
	}
	dc := dovecot.Start(t, dovecot.Options{
		Users:                users,
		MaxUserIPConnections: 50,
		// Dovecot's defaults allow 100 processes per service, and each IMAP
		// connection is one; logins go through long-lived login processes
		// (its "high-performance mode"), as on a server with many users.
		Extra: "default_process_limit = 5000\ndefault_client_limit = 20000\n" +
			"service imap-login {\n  service_count = 0\n  process_min_avail = 2\n}\n",
	})
	msgs := dovecotMessages(*loadMessages)
	for _, u := range users {
		dc.Deliver(t, u.Login, "INBOX", msgs...)
		dc.Index(t, u.Login, "INBOX")
	}
	rs := redis.Start(t, redis.Options{})

	dir := t.TempDir()
	webmail, load := goBuild(t, dir, "webmail/cmd/webmail"), goBuild(t, dir, "webmail/cmd/webmail-load")
	imapHost, imapPort, _ := net.SplitHostPort(dc.Addr())
	var bases, metrics []string
	for i := range 2 {
		addr := freeAddr(t)
		base := "http://" + addr
		cmd := exec.Command(webmail, "-listen", addr)
		cmd.Env = append(os.Environ(),
			"WEBMAIL_PUBLIC_URL="+base,
			"WEBMAIL_IMAP_HOST="+imapHost, "WEBMAIL_IMAP_PORT="+imapPort, "WEBMAIL_IMAP_SECURITY=plain",
			"WEBMAIL_SMTP_HOST="+imapHost, "WEBMAIL_SMTP_PORT="+imapPort, "WEBMAIL_SMTP_SECURITY=plain",
			"WEBMAIL_SESSION_REDIS_URL="+rs.URL(),
			"WEBMAIL_LIMITS_LOGIN_PER_IP=100000", "WEBMAIL_LIMITS_LOGIN_PER_USER=100000", "WEBMAIL_LIMITS_LOGIN_BURST=1000",
			"WEBMAIL_LOG_LEVEL=warn",
		)
		logDir := dir
		if *loadLogs != "" {
			logDir = *loadLogs
		}
		logFile, err := os.Create(filepath.Join(logDir, fmt.Sprintf("webmail-%d.log", i)))
		if err != nil {
			t.Fatal(err)
		}
		cmd.Stdout, cmd.Stderr = logFile, logFile
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			cmd.Process.Signal(syscall.SIGTERM)
			cmd.Wait()
			logFile.Close()
			if b, _ := os.ReadFile(logFile.Name()); len(b) > 0 {
				t.Logf("instance %d logged (the last 10 of %d lines):\n%s", i, strings.Count(string(b), "\n"), tail(string(b), 10))
			}
		})
		waitReady(t, base)
		bases, metrics = append(bases, base), append(metrics, base+"/metrics")
	}

	ctx, cancel := context.WithTimeout(context.Background(), *loadDuration+10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, load,
		"-url", strings.Join(bases, ","), "-metrics", strings.Join(metrics, ","),
		"-login", "user{n}@example.org", "-accounts", strconv.Itoa(accounts),
		"-sessions", strconv.Itoa(*loadSessions), "-duration", loadDuration.String(), "-think", loadThink.String(),
		"-search", "hello,number 7,from:ann,Message 12")
	cmd.Env = append(os.Environ(), "WEBMAIL_LOAD_PASSWORD="+password)
	out, err := cmd.CombinedOutput()
	t.Logf("%d sessions over %d accounts, %d messages each, think time %v, two instances, Redis, Dovecot:\n%s",
		*loadSessions, accounts, *loadMessages, *loadThink, out)
	var warnings []string
	for line := range strings.Lines(dc.Log()) {
		if strings.Contains(line, "Warning") || strings.Contains(line, "Error") {
			warnings = append(warnings, line)
		}
	}
	if len(warnings) > 0 {
		t.Logf("Dovecot warned %d times; the last:\n%s", len(warnings), tail(strings.Join(warnings, ""), 15))
	}
	if err != nil {
		t.Fatalf("webmail-load: %v", err)
	}
}

// goBuild builds a command of this module into dir.
func goBuild(t *testing.T, dir, pkg string) string {
	t.Helper()
	bin := filepath.Join(dir, filepath.Base(pkg))
	if out, err := exec.Command("go", "build", "-o", bin, pkg).CombinedOutput(); err != nil {
		t.Fatalf("go build %s: %v\n%s", pkg, err, out)
	}
	return bin
}

// freeAddr is a loopback address with a port free at the moment.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// waitReady polls base's /readyz for up to 30 seconds.
func waitReady(t *testing.T, base string) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); ; {
		resp, err := http.Get(base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s not ready after 30 s", base)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// tail is the last n lines of s.
func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}
