// Package deploy holds the deployment examples (docs/deploy.md) and the
// test that runs the nginx one.
package deploy

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"webmail/app"
	"webmail/app/demo"
	"webmail/config"
)

// TestNginx runs the webmail behind deploy/nginx.conf, as docs/deploy.md
// says to, with a self-signed certificate: a login through it works, the
// inbox loads with the cookies of an OAuth sign-in's size on top, and the
// live-update stream's first bytes arrive at once, unbuffered.
func TestNginx(t *testing.T) {
	t.Parallel()
	bin := nginxBinary(t)
	dir := t.TempDir()
	pool := selfSigned(t, dir)
	var httpsAddr string
	var acct demo.Account
	for attempt := 1; ; attempt++ {
		ports := freePorts(t, 2)
		httpsAddr = "127.0.0.1:" + strconv.Itoa(ports[0])
		var backend string
		backend, acct = startWebmail(t, "https://"+httpsAddr)
		if startNginx(t, bin, dir, siteConfig(t, dir, backend, ports), httpsAddr, attempt == 3) {
			break
		}
	}

	jar, _ := cookiejar.New(nil)
	hc := &http.Client{
		Jar:       jar,
		Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}},
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
	base := "https://" + httpsAddr

	// The login page, then the login as an older browser posts it: Origin
	// only, no Sec-Fetch-Site, so the Host nginx passes on must keep the port.
	resp := get(t, hc, base+"/login", nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /login through nginx: %d", resp.StatusCode)
	}
	form := url.Values{"login": {acct.Login}, "password": {acct.Password}}
	req, _ := http.NewRequest("POST", base+"/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", base)
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("POST /login through nginx: %d, want 303\n%s", resp.StatusCode, body)
	}
	for _, c := range jar.Cookies(&url.URL{Scheme: "https", Host: httpsAddr, Path: "/"}) {
		if !strings.HasPrefix(c.Name, "__Host-") {
			t.Errorf("cookie %s without the __Host- prefix behind https", c.Name)
		}
	}

	// The inbox, with request headers as large as a Microsoft sign-in's
	// cookies make them (three more chunks of 3800 bytes).
	pad := map[string]string{"Sec-Fetch-Site": "same-origin", "Cookie": bigCookies()}
	resp = get(t, hc, base+"/m/INBOX", pad)
	doc, err := goquery.NewDocumentFromReader(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /m/INBOX through nginx: %d", resp.StatusCode)
	}
	if n := doc.Find("[data-testid=row]").Length(); n == 0 {
		t.Error("the inbox through nginx shows no message")
	}

	// The event stream: its first bytes (the comment the webmail sends at
	// once) must come through while the stream stays open.
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	req, _ = http.NewRequestWithContext(ctx, "GET", base+"/m/INBOX/events", nil)
	req.Header.Set("Accept", "text/event-stream")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	resp, err = hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		t.Fatalf("GET /m/INBOX/events through nginx: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	line, err := bufio.NewReader(resp.Body).ReadString('\n')
	if err != nil {
		t.Fatalf("no event through nginx before the stream ended or 15s passed: %v", err)
	}
	if !strings.HasPrefix(line, ":") && !strings.HasPrefix(line, "id:") {
		t.Errorf("first line of the stream through nginx: %q", line)
	}
}

// TestNginxSubPath runs the webmail under /mail behind deploy/nginx.conf
// with its locations moved there, as docs/deploy.md ("Serving under a
// sub-path") says: proxy_pass without a URI part passes /mail on, and the
// webmail's redirects, pages and event stream work through it.
func TestNginxSubPath(t *testing.T) {
	t.Parallel()
	bin := nginxBinary(t)
	dir := t.TempDir()
	pool := selfSigned(t, dir)
	var httpsAddr string
	var acct demo.Account
	for attempt := 1; ; attempt++ {
		ports := freePorts(t, 2)
		httpsAddr = "127.0.0.1:" + strconv.Itoa(ports[0])
		var backend string
		backend, acct = startWebmail(t, "https://"+httpsAddr+"/mail")
		conf := siteConfig(t, dir, backend, ports)
		for _, r := range [][2]string{
			{"location / {", "location /mail/ {"},
			{"location ~ ^/m/.+/events$ {", "location ~ ^/mail/m/.+/events$ {"},
		} {
			if strings.Count(conf, r[0]) != 1 {
				t.Fatalf("deploy/nginx.conf: %q not there once", r[0])
			}
			conf = strings.Replace(conf, r[0], r[1], 1)
		}
		if startNginx(t, bin, dir, conf, httpsAddr, attempt == 3) {
			break
		}
	}

	jar, _ := cookiejar.New(nil)
	hc := &http.Client{
		Jar:       jar,
		Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}},
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
	base := "https://" + httpsAddr

	resp := get(t, hc, base+"/mail/", nil)
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || loc != "/mail/login" {
		t.Fatalf("GET /mail/ through nginx: %d to %q, want 303 to /mail/login", resp.StatusCode, loc)
	}
	form := url.Values{"login": {acct.Login}, "password": {acct.Password}}
	req, _ := http.NewRequest("POST", base+"/mail/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", base)
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || loc != "/mail/" {
		t.Fatalf("POST /mail/login through nginx: %d to %q, want 303 to /mail/", resp.StatusCode, loc)
	}

	resp = get(t, hc, base+"/mail/m/INBOX", map[string]string{"Sec-Fetch-Site": "same-origin"})
	doc, err := goquery.NewDocumentFromReader(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || doc.Find("[data-testid=row]").Length() == 0 {
		t.Fatalf("GET /mail/m/INBOX through nginx: %d, %d rows", resp.StatusCode, doc.Find("[data-testid=row]").Length())
	}
	live := doc.Find("[data-testid=live]").AttrOr("hx-sse:connect", "")
	if !strings.HasPrefix(live, "/mail/m/INBOX/events?") {
		t.Fatalf("event stream at %q", live)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	req, _ = http.NewRequestWithContext(ctx, "GET", base+live, nil)
	req.Header.Set("Accept", "text/event-stream")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	resp, err = hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		t.Fatalf("GET %s through nginx: %d %s", live, resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if _, err := bufio.NewReader(resp.Body).ReadString('\n'); err != nil {
		t.Fatalf("no event through nginx before the stream ended or 15s passed: %v", err)
	}
}

func get(t *testing.T, hc *http.Client, u string, header map[string]string) *http.Response {
	t.Helper()
	req, err := http.NewRequest("GET", u, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func bigCookies() string {
	var b strings.Builder
	for i := 1; i <= 3; i++ {
		fmt.Fprintf(&b, "pad%d=%s; ", i, strings.Repeat("x", 3800))
	}
	return strings.TrimSuffix(b.String(), "; ")
}

// nginxBinary finds Debian's nginx; without it the test skips, unless CI
// is set.
func nginxBinary(t *testing.T) string {
	t.Helper()
	for _, p := range []string{"nginx", "/usr/sbin/nginx"} {
		if bin, err := exec.LookPath(p); err == nil {
			return bin
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("nginx not found, and CI is set: install nginx")
	}
	t.Skip("nginx not found; install nginx (Debian) to run this test")
	return ""
}

// startWebmail serves the webmail, in front of the in-process demo, on a
// loopback port, as reached at publicURL; it returns the port's address.
func startWebmail(t *testing.T, publicURL string) (string, demo.Account) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	d, err := demo.Start(ctx, demo.Options{InboxSize: 30})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	cfg := config.Default()
	cfg.Demo = false
	cfg.PublicURL = publicURL
	cfg.IMAP = server(t, d.IMAPAddr())
	cfg.SMTP = config.SMTP{Server: server(t, d.SMTPAddr())}
	cfg.Limits.TrustProxyHeaders = true
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
	t.Cleanup(a.EndStreams) // before srv.Close, which waits for them
	return srv.Listener.Addr().String(), d.Accounts()[0]
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

// siteConfig is deploy/nginx.conf with the test's addresses and files, in
// a main configuration that keeps every file nginx writes inside dir.
func siteConfig(t *testing.T, dir, backend string, ports []int) string {
	t.Helper()
	b, err := os.ReadFile("nginx.conf")
	if err != nil {
		t.Fatal(err)
	}
	site := string(b)
	// Each of these must be in the example: if it changes, so must the test.
	for _, r := range [][2]string{
		{"server 127.0.0.1:8080;", "server " + backend + ";"},
		{"listen 80;", fmt.Sprintf("listen 127.0.0.1:%d;", ports[1])},
		{"listen [::]:80;", ""},
		{"listen 443 ssl http2;", fmt.Sprintf("listen 127.0.0.1:%d ssl http2;", ports[0])},
		{"listen [::]:443 ssl http2;", ""},
		{"/etc/letsencrypt/live/mail.example.org/fullchain.pem", filepath.Join(dir, "cert.pem")},
		{"/etc/letsencrypt/live/mail.example.org/privkey.pem", filepath.Join(dir, "key.pem")},
	} {
		if strings.Count(site, r[0]) != 1 {
			t.Fatalf("deploy/nginx.conf: %q not there once", r[0])
		}
		site = strings.Replace(site, r[0], r[1], 1)
	}
	var main strings.Builder
	if os.Geteuid() == 0 {
		// The workers would otherwise become nobody, who cannot enter dir.
		main.WriteString("user root;\n")
	}
	fmt.Fprintf(&main, "worker_processes 1;\npid %s;\n", filepath.Join(dir, "nginx.pid"))
	main.WriteString("events { worker_connections 128; }\nhttp {\n")
	fmt.Fprintf(&main, "access_log %s;\n", filepath.Join(dir, "access.log"))
	for _, temp := range []string{"client_body", "proxy", "fastcgi", "uwsgi", "scgi"} {
		fmt.Fprintf(&main, "%s_temp_path %s;\n", temp, filepath.Join(dir, temp))
	}
	main.WriteString(site)
	main.WriteString("}\n")
	return main.String()
}

// startNginx runs nginx with conf in the foreground until the test ends,
// waiting until it accepts connections at addr.
// startNginx runs nginx with conf until the test ends, once it serves on
// addr. It is false when nginx could not bind a port that another process
// took since freePorts found it free (unless last: then the test fails),
// for the caller to try again with other ports.
func startNginx(t *testing.T, bin, dir, conf, addr string, last bool) bool {
	t.Helper()
	confPath := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(confPath, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	errLog := filepath.Join(dir, "error.log")
	args := []string{"-p", dir, "-c", confPath, "-e", errLog, "-g", "daemon off;"}
	if out, err := exec.Command(bin, append([]string{"-t"}, args...)...).CombinedOutput(); err != nil {
		t.Fatalf("nginx -t: %v\n%s\n%s", err, out, conf)
	}
	cmd := exec.Command(bin, args...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt) // fast shutdown (SIGINT)
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-done
		}
		if t.Failed() {
			log, _ := os.ReadFile(errLog)
			t.Logf("nginx error log:\n%s", log)
		}
	})
	// Ready when it answers on the https port (a port bound while nginx
	// still tries another one accepts, then resets).
	probe := &http.Client{Timeout: time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		select {
		case <-done:
			log, _ := os.ReadFile(errLog)
			if !last && strings.Contains(string(log), "Address already in use") {
				t.Logf("nginx could not bind a port found free; again with others:\n%s", log)
				return false
			}
			t.Fatalf("nginx exited at start:\n%s", log)
		default:
		}
		if resp, err := probe.Get("https://" + addr + "/healthz"); err == nil {
			resp.Body.Close()
			return true
		}
		if time.Now().After(deadline) {
			t.Fatal("nginx not ready within 10s")
		}
	}
}

// selfSigned writes a certificate for 127.0.0.1 and its key into dir and
// returns a pool that trusts it.
func selfSigned(t *testing.T, dir string) *x509.CertPool {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "webmail test"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	write := func(name, typ string, b []byte) {
		if err := os.WriteFile(filepath.Join(dir, name), pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: b}), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("cert.pem", "CERTIFICATE", der)
	write("key.pem", "EC PRIVATE KEY", keyDER)
	cert, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return pool
}

// freePorts returns n ports that were free a moment ago.
func freePorts(t *testing.T, n int) []int {
	t.Helper()
	var ports []int
	for range n {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		ports = append(ports, ln.Addr().(*net.TCPAddr).Port)
	}
	return ports
}
