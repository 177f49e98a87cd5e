package app

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"webmail/app/demo"
	"webmail/config"
)

// scrape GETs /metrics as c and returns the exposition, failing unless the
// status is want.
func (c *client) scrape(t testing.TB, want int, header ...string) string {
	t.Helper()
	resp := c.do(t, "GET", "/metrics", nil, header...)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		t.Fatalf("GET /metrics: status %d, want %d\n%s", resp.StatusCode, want, b)
	}
	return string(b)
}

// labelValues returns the label sets of every sample line ({...}): what a
// person's data could leak into. Metric names and help texts are ours.
func labelValues(exposition string) []string {
	var out []string
	for _, line := range strings.Split(exposition, "\n") {
		if strings.HasPrefix(line, "#") {
			continue
		}
		i, j := strings.IndexByte(line, '{'), strings.LastIndexByte(line, '}')
		if i >= 0 && j > i {
			out = append(out, line[i:j+1])
		}
	}
	return out
}

// TestMetricsHoldNoPersonalData logs in with the demo accounts (password
// and OAuth), browses every folder, opens a message, saves SMTP
// credentials, sends, fails a login and logs out; then no label of the
// whole exposition holds a login, password, address, name or mailbox
// name, and the series of all of it are there.
// sampleLines returns the sample lines of an exposition, each after a
// newline: help texts name the series too.
func sampleLines(exposition string) string {
	var b strings.Builder
	for _, line := range strings.Split(exposition, "\n") {
		if !strings.HasPrefix(line, "#") {
			b.WriteString("\n" + line)
		}
	}
	b.WriteString("\n")
	return b.String()
}

func TestMetricsHoldNoPersonalData(t *testing.T) {
	t.Parallel()
	e := newEnvWith(t, demo.Options{OAuth: &demo.ProviderOptions{}})
	accts := e.demo.Accounts()
	demoAcct, alice := accts[0], accts[1]

	// Refused before login: counted under its route, not "unmatched".
	resp := e.client().do(t, "GET", "/m/INBOX", nil)
	resp.Body.Close()

	c := e.client()
	resp = c.do(t, "POST", "/login", url.Values{"login": {demoAcct.Login}, "password": {"not-" + demoAcct.Password}})
	resp.Body.Close()
	c.login(t, demoAcct.Login, demoAcct.Password)
	doc := c.page(t, "/folders", http.StatusOK)
	var mailboxes []string
	doc.Find("a[href^='/m/']").Each(func(_ int, s *goquery.Selection) {
		href, _ := s.Attr("href")
		u, err := url.Parse(href)
		if err != nil {
			t.Fatal(err)
		}
		escaped := strings.TrimPrefix(u.EscapedPath(), "/m/")
		if name, err := url.PathUnescape(escaped); err == nil && !strings.Contains(escaped, "/") && !slices.Contains(mailboxes, name) {
			mailboxes = append(mailboxes, name)
		}
	})
	if !slices.Contains(mailboxes, "Projects/Website") {
		t.Fatalf("the folder list has no Projects/Website: %q", mailboxes)
	}
	for _, m := range mailboxes {
		c.page(t, "/m/"+url.PathEscape(m), http.StatusOK)
	}
	doc = c.page(t, "/m/INBOX", http.StatusOK)
	href, _ := doc.Find("[data-testid=row] a").First().Attr("href")
	c.page(t, href, http.StatusOK)
	c.page(t, "/no/such/page", http.StatusNotFound)
	blob := c.saveSMTP(t, demoAcct.SMTPLogin, demoAcct.SMTPPassword)
	resp = c.postMultipart(t, "/compose/send", [][2]string{
		{"to", alice.Name + " <" + alice.Address + ">"}, {"subject", "Metrics"}, {"body", "x"}, {"smtp_blob", blob},
	}, nil)
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("send: status %d", resp.StatusCode)
	}
	// A live update stream on a nested folder, counted while open.
	live := c.openStream(t, c.liveURL(t, "Projects/Website"))
	live.watching()
	samples := sampleLines(c.scrape(t, http.StatusOK))
	for _, want := range []string{"webmail_live_streams_open 1", "webmail_imap_watchers 1"} {
		if !strings.Contains(samples, "\n"+want+"\n") {
			t.Errorf("with a stream open, the exposition lacks %s", want)
		}
	}
	resp = c.do(t, "POST", "/logout", url.Values{})
	resp.Body.Close()
	if !live.ended(5 * time.Second) {
		t.Error("logout left the stream open")
	}
	live.cancel()

	// An OAuth sign-in whose token is renewed for a send.
	o := e.client()
	o.oauthLogin(t, alice.Login)
	o.page(t, "/m/INBOX", http.StatusOK)
	e.advance(59 * time.Minute)
	resp = o.postMultipart(t, "/compose/send", [][2]string{{"to", demoAcct.Address}, {"subject", "Metrics"}, {"body", "x"}}, nil)
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("OAuth send: status %d", resp.StatusCode)
	}

	exposition := e.client().scrape(t, http.StatusOK)

	var secrets []string
	for _, a := range accts {
		secrets = append(secrets, a.Login, a.Password, a.SMTPLogin, a.SMTPPassword, a.Address, a.Name)
		if local, _, ok := strings.Cut(a.Address, "@"); ok {
			secrets = append(secrets, local)
		}
	}
	secrets = append(secrets, "Metrics") // the subject
	for _, m := range mailboxes {
		secrets = append(secrets, m, url.PathEscape(m), url.QueryEscape(m))
	}
	labels := labelValues(exposition)
	if len(labels) < 50 {
		t.Fatalf("only %d labelled samples:\n%s", len(labels), exposition)
	}
	for _, l := range labels {
		for _, s := range secrets {
			// Case matters: route patterns hold "archive", a mailbox may
			// be "Archive".
			if s != "" && strings.Contains(l, s) {
				t.Errorf("label set %s holds %q", l, s)
			}
		}
	}

	samples = sampleLines(exposition)
	for _, want := range []string{
		`webmail_http_requests_total{method="GET",route="/m/{mailbox}",status="200"}`,
		`webmail_http_requests_total{method="GET",route="/m/{mailbox}",status="303"}`,
		`webmail_http_requests_total{method="GET",route="unmatched",status="404"}`,
		`webmail_http_requests_total{method="POST",route="/compose/send",status="303"}`,
		`webmail_http_request_duration_seconds_bucket{method="GET",route="/m/{mailbox}/{validity}/{uid}",le="+Inf"}`,
		`webmail_imap_commands_total{command="fetch",outcome="ok"}`,
		`webmail_imap_commands_total{command="select",outcome="ok"}`,
		`webmail_imap_command_duration_seconds_count{command="list"}`,
		`webmail_imap_dials_total{outcome="ok"}`,
		`webmail_imap_dials_total{outcome="auth"}`,
		`webmail_imap_dial_duration_seconds_count `,
		`webmail_imap_connections_open `,
		`webmail_imap_connections_idle `,
		`webmail_imap_watchers `,
		`webmail_smtp_sends_total{outcome="ok"} 2`,
		`webmail_logins_total{method="password",outcome="auth"} 1`,
		`webmail_logins_total{method="password",outcome="ok"} 1`,
		`webmail_logins_total{method="oauth",outcome="ok"} 1`,
		`webmail_sessions_started_total{method="password"} 1`,
		`webmail_sessions_started_total{method="oauth"} 1`,
		`webmail_sessions_ended_total{reason="logout"} 1`,
		`webmail_live_streams_open 0`,
		`webmail_argon2_derivations_running 0`,
		`webmail_argon2_derivations_waiting 0`,
		`webmail_argon2_queue_wait_seconds_count 2`, // sealed at save, opened at send
		`webmail_oauth_refreshes_total{outcome="ok"} 1`,
		`webmail_imap_commands_total{command="idle",outcome="ok"}`,
		`webmail_draining 0`,
		`go_goroutines `,
	} {
		if !strings.Contains(samples, "\n"+want) {
			t.Errorf("exposition lacks %s", want)
		}
	}
	if t.Failed() {
		t.Logf("exposition:\n%s", exposition)
	}
}

// TestMetricsAllowList: /metrics on the main listener answers the
// addresses metrics.allow lists, by the connection's peer: a forged
// X-Forwarded-For does not get in, even with proxy headers trusted.
func TestMetricsAllowList(t *testing.T) {
	t.Parallel()
	t.Run("loopback by default", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t)
		if got := e.client().scrape(t, http.StatusOK); !strings.Contains(got, "webmail_imap_connections_open") {
			t.Errorf("no webmail series:\n%s", got)
		}
	})
	t.Run("not allowed", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, func(c *config.Config) {
			c.Metrics.Allow = []string{"192.0.2.0/24"}
			c.Limits.TrustProxyHeaders = true
		})
		got := e.client().scrape(t, http.StatusNotFound, "X-Forwarded-For", "192.0.2.7")
		if strings.Contains(got, "webmail_") {
			t.Errorf("a refused scrape shows metrics:\n%s", got)
		}
	})
	t.Run("own listener", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, func(c *config.Config) { c.Metrics.Listen = "127.0.0.1:0" })
		e.client().scrape(t, http.StatusNotFound)
		rec := httptest.NewRecorder()
		e.app.MetricsHandler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
		if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "webmail_imap_connections_open") {
			t.Errorf("MetricsHandler: %d\n%s", rec.Code, rec.Body)
		}
	})
}

func TestPeerAllowed(t *testing.T) {
	t.Parallel()
	allow := config.Metrics{Allow: []string{"127.0.0.1/32", "::1", "10.1.0.0/16"}}.AllowPrefixes()
	for remote, want := range map[string]bool{
		"127.0.0.1:4000":        true,
		"[::1]:4000":            true,
		"[::ffff:127.0.0.1]:80": true,
		"10.1.200.3:80":         true,
		"[fe80::1%eth0]:80":     false,
		"10.2.0.1:80":           false,
		"127.0.0.2:80":          false,
		"192.0.2.1:1234":        false,
		"127.0.0.1":             false, // no port: not a peer address
		"":                      false,
	} {
		if got := peerAllowed(remote, allow); got != want {
			t.Errorf("peerAllowed(%q) = %v, want %v", remote, got, want)
		}
	}
	if peerAllowed("127.0.0.1:1", []netip.Prefix{}) {
		t.Error("an empty allow-list lets loopback in")
	}
}

// TestRequestMethodsBounded: a made-up method does not make a series of
// its own.
func TestRequestMethodsBounded(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	req, err := http.NewRequest("BREWCOFFEE", e.srv.URL+"/login", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	got := e.client().scrape(t, http.StatusOK)
	if strings.Contains(got, "BREWCOFFEE") || !strings.Contains(got, `method="other"`) {
		t.Errorf("a made-up method is not counted as other:\n%s", got)
	}
}

// BenchmarkMetricsPerPage is what the instrumentation adds to an inbox
// page: one request observation and the two IMAP commands the page needs
// (NOOP on the selected folder, one FETCH), each counted and timed.
func BenchmarkMetricsPerPage(b *testing.B) {
	m := newMetrics()
	obs := m.observer()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			obs.Command("select", 300*time.Microsecond, nil)
			obs.Command("fetch", 2*time.Millisecond, nil)
			m.request("GET /m/{mailbox}", "GET", 200, 4*time.Millisecond)
		}
	})
}
