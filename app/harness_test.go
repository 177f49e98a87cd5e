package app

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/alexedwards/scs/v2/memstore"

	"webmail/app/demo"
	"webmail/config"
)

// env is a webmail served by httptest against the in-process demo IMAP
// and SMTP servers, with its log and session store open to inspection.
type env struct {
	srv   *httptest.Server
	demo  *demo.Server
	app   *App
	store *memstore.MemStore
	logs  *syncBuffer
	acct  demo.Account
	// skew moves the webmail's clock ahead of the real one (tests of token
	// expiry move the demo provider's clock along with it).
	skew atomic.Int64
}

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

type envOption func(*config.Config)

func newEnv(t testing.TB, opts ...envOption) *env {
	t.Helper()
	// A password that occurs nowhere else, so a search for it is meaningful.
	accts := demo.DefaultAccounts()
	accts[0].Password = "Pq7-wrT!zx93-secret"
	return newEnvWith(t, demo.Options{Accounts: accts}, opts...)
}

func newEnvWith(t testing.TB, dopt demo.Options, opts ...envOption) *env {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	d, err := demo.Start(ctx, dopt)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return newEnvOn(t, d, opts...)
}

// newEnvOn is a webmail in front of a demo server that is already running
// (tests put proxies between the two).
func newEnvOn(t testing.TB, d *demo.Server, opts ...envOption) *env {
	t.Helper()
	return newEnvApp(t, d, nil, opts...)
}

// newEnvApp is newEnvOn with app options of its own (appOpt, if not nil,
// changes them before the App is made).
func newEnvApp(t testing.TB, d *demo.Server, appOpt func(*Options), opts ...envOption) *env {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	// The listener first: public_url (the OAuth redirect URI) needs its port.
	srv := httptest.NewUnstartedServer(nil)
	cfg := testConfig(t, d.IMAPAddr(), d.SMTPAddr())
	cfg.PublicURL = "http://" + srv.Listener.Addr().String()
	if p := d.Provider(); p != nil {
		cfg.OAuth = []config.OAuth{{
			Name: "demo", Label: "Demo ID", Issuer: p.Issuer(), ClientID: p.ClientID(), ClientSecret: config.Secret(p.ClientSecret()),
			Scopes: []string{"openid", "email", demo.MailScope}, LoginClaim: "email", SASL: "auto",
		}}
	}
	for _, o := range opts {
		o(&cfg)
	}
	e := &env{demo: d, store: memstore.New(), logs: &syncBuffer{}, acct: d.Accounts()[0]}
	log := slog.New(slog.NewTextHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	now := func() time.Time { return time.Now().Add(time.Duration(e.skew.Load())) }
	opt := Options{Logger: log, Store: e.store, Now: now}
	if appOpt != nil {
		appOpt(&opt)
	}
	if cfg.Session.RedisURL != "" {
		opt.Store = nil // the App's own Redis store
	}
	e.app = mustNew(t, cfg, opt)
	go e.app.Run(ctx)
	srv.Config.Handler = e.app.Handler()
	srv.Start()
	e.srv = srv
	t.Cleanup(e.srv.Close)
	return e
}

func testConfig(t testing.TB, imapAddr, smtpAddr string) config.Config {
	t.Helper()
	cfg := config.Default()
	cfg.Demo = false
	host, port := splitHostPort(t, imapAddr)
	cfg.IMAP = config.Server{Host: host, Port: port, Security: config.SecurityPlain}
	host, port = splitHostPort(t, smtpAddr)
	cfg.SMTP = config.SMTP{Server: config.Server{Host: host, Port: port, Security: config.SecurityPlain}}
	cfg.IMAPTimeout = config.Duration{Duration: 10 * time.Second}
	// Cheap Argon2id in tests; the defaults are measured in benchmarks.
	cfg.Argon2 = config.Argon2{Time: 1, MemoryKiB: 8 * 1024, Threads: 1, MaxConcurrent: 2}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	return cfg
}

func splitHostPort(t testing.TB, addr string) (string, int) {
	t.Helper()
	h, p, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatal(err)
	}
	n, _ := strconv.Atoi(p)
	return h, n
}

// client is one browser: a cookie jar that does not follow redirects.
type client struct {
	e   *env
	hc  *http.Client
	jar http.CookieJar
}

func (e *env) client() *client {
	jar, _ := cookiejar.New(nil)
	return &client{e: e, jar: jar, hc: &http.Client{
		Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}}
}

// do sends a request as a same-origin browser would.
func (c *client) do(t testing.TB, method, path string, form url.Values, header ...string) *http.Response {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, c.e.srv.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

// page GETs path and parses it, failing unless the status is want.
func (c *client) page(t testing.TB, path string, want int, header ...string) *goquery.Document {
	t.Helper()
	resp := c.do(t, "GET", path, nil, header...)
	return parse(t, resp, want)
}

func parse(t testing.TB, resp *http.Response, want int) *goquery.Document {
	t.Helper()
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		t.Fatalf("%s %s: status %d, want %d\n%s", resp.Request.Method, resp.Request.URL.Path, resp.StatusCode, want, b)
	}
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// login logs in and checks the redirect.
func (c *client) login(t testing.TB, login, password string) {
	t.Helper()
	resp := c.do(t, "POST", "/login", url.Values{"login": {login}, "password": {password}})
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("login: status %d, want 303", resp.StatusCode)
	}
}

func text(s *goquery.Selection) string { return strings.TrimSpace(s.Text()) }

func newLoopbackServer(tb testing.TB, h http.Handler) *httptest.Server {
	s := httptest.NewServer(h)
	tb.Cleanup(s.Close)
	return s
}

// dropConns closes the free IMAP connections of login's account, so that
// its next request dials anew.
func (e *env) dropConns(login string) {
	srv, _ := e.app.cfg.ServersFor(login)
	e.app.pool.CloseFree(accountID(login, srv))
}

// mustNew is New for a test: a configuration New refuses fails it.
func mustNew(tb testing.TB, cfg config.Config, opt Options) *App {
	tb.Helper()
	a, err := New(cfg, opt)
	if err != nil {
		tb.Fatal(err)
	}
	return a
}
