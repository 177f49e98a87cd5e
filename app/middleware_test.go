package app

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/a-h/templ"
	"github.com/google/go-cmp/cmp"
	"github.com/klauspost/compress/gzhttp"

	"webmail/config"
)

// panicsInHandler is a handler that panics, named so its frame can be
// found in the logged stack.
func panicsInHandler(http.ResponseWriter, *http.Request) { panic("boom") }

// TestPanicLogged: a panic becomes a plain 500 page; the log has the
// stack from where it happened (not from a re-panic on the way) and the
// request line says so.
func TestPanicLogged(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	a := mustNew(t, config.Default(), Options{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	h := chain(http.HandlerFunc(panicsInHandler), a.recoverPanics, a.logRequests)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", "/x", nil))
	if w.Code != http.StatusInternalServerError || strings.Contains(w.Body.String(), "boom") {
		t.Errorf("status %d, body leaks the panic: %v", w.Code, strings.Contains(w.Body.String(), "boom"))
	}
	if !strings.Contains(logs.String(), "app.panicsInHandler") {
		t.Errorf("the logged stack lacks the panicking function:\n%s", logs.String())
	}
	if !strings.Contains(logs.String(), "outcome=panicked") {
		t.Errorf("the request line does not say it panicked:\n%s", logs.String())
	}
}

// newTestApp is an App with the default configuration changed by
// configure, logging to logs at debug level.
func newTestApp(t *testing.T, logs *syncBuffer, configure ...func(*config.Config)) *App {
	t.Helper()
	cfg := config.Default()
	for _, c := range configure {
		c(&cfg)
	}
	return mustNew(t, cfg, Options{Logger: slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
}

// TestLogRequests: one line per request with its method, path (never the
// query, where a login name may sit), status, size and whether htmx asked;
// a browser that went away is logged at info level with status 499.
func TestLogRequests(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		handler func(a *App) http.Handler
		cancel  bool // the browser has gone away
		header  []string
		want    map[string]any
	}{
		{
			name: "served",
			handler: func(*App) http.Handler {
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					w.WriteHeader(http.StatusTeapot)
					w.Write([]byte("short and stout"))
				})
			},
			header: []string{"HX-Request", "true", "Cookie", "wm_session=secret-token"},
			want:   map[string]any{"level": "INFO", "msg": "request", "method": "GET", "path": "/m/INBOX", "status": 418.0, "bytes": 15.0, "htmx": true},
		},
		{
			name: "client gone",
			handler: func(a *App) http.Handler {
				return a.handle(func(w http.ResponseWriter, r *http.Request) error { return r.Context().Err() })
			},
			cancel: true,
			want:   map[string]any{"level": "INFO", "msg": "request", "method": "GET", "path": "/m/INBOX", "status": 499.0, "bytes": 0.0, "htmx": false, "outcome": "client gone"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			logs := &syncBuffer{}
			a := newTestApp(t, logs)
			r := httptest.NewRequest("GET", "/m/INBOX?next=ann%40example.org", nil)
			for i := 0; i+1 < len(tc.header); i += 2 {
				r.Header.Set(tc.header[i], tc.header[i+1])
			}
			if tc.cancel {
				ctx, cancel := context.WithCancel(r.Context())
				cancel()
				r = r.WithContext(ctx)
			}
			a.logRequests(tc.handler(a)).ServeHTTP(httptest.NewRecorder(), r)

			lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
			if len(lines) != 1 {
				t.Fatalf("%d log lines, want 1:\n%s", len(lines), logs)
			}
			var got map[string]any
			if err := json.Unmarshal([]byte(lines[0]), &got); err != nil {
				t.Fatal(err)
			}
			if _, ok := got["duration"].(float64); !ok {
				t.Errorf("no duration in %s", lines[0])
			}
			delete(got, "time")
			delete(got, "duration")
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("log line (-want +got):\n%s", diff)
			}
		})
	}
}

// TestSecurityHeaders: every response carries a CSP with a nonce of its
// own, which the page's scripts get through the context, and the headers
// that keep it from being sniffed, framed or followed by a Referer; HSTS
// only with an https public URL.
func TestSecurityHeaders(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		publicURL string
		hsts      bool
	}{
		{"http://127.0.0.1:8080", false},
		{"https://mail.example.org", true},
	} {
		t.Run(tc.publicURL, func(t *testing.T) {
			t.Parallel()
			a := newTestApp(t, &syncBuffer{}, func(c *config.Config) { c.PublicURL = tc.publicURL })
			var nonces []string
			h := a.securityHeaders(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				nonces = append(nonces, templ.GetNonce(r.Context()))
			}))
			var csps []string
			for range 2 {
				w := httptest.NewRecorder()
				h.ServeHTTP(w, httptest.NewRequest("GET", "/login", nil))
				hdr := w.Result().Header
				csp := hdr.Get("Content-Security-Policy")
				csps = append(csps, csp)
				for _, want := range []string{"default-src 'none'", "frame-ancestors 'none'", "base-uri 'none'", "object-src 'none'", "form-action 'self'"} {
					if !strings.Contains(csp, want) {
						t.Errorf("CSP %q lacks %q", csp, want)
					}
				}
				if strings.Contains(csp, "unsafe-") {
					t.Errorf("CSP allows unsafe code: %q", csp)
				}
				for name, want := range map[string]string{
					"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer",
					"X-Frame-Options": "DENY", "Cross-Origin-Opener-Policy": "same-origin",
				} {
					if got := hdr.Get(name); got != want {
						t.Errorf("%s = %q, want %q", name, got, want)
					}
				}
				if got := hdr.Get("Strict-Transport-Security"); (got != "") != tc.hsts {
					t.Errorf("Strict-Transport-Security = %q with public URL %s", got, tc.publicURL)
				}
			}
			for i, n := range nonces {
				if n == "" || !strings.Contains(csps[i], "script-src 'nonce-"+n+"';") {
					t.Errorf("response %d: the handler's nonce %q is not the CSP's: %q", i, n, csps[i])
				}
			}
			if nonces[0] == nonces[1] {
				t.Error("two responses share a CSP nonce")
			}
		})
	}
}

// TestCompress: a browser that accepts gzip gets it, one that does not
// gets the plain body, and both answers say they vary by Accept-Encoding
// (so a cache keeps them apart). An event stream that opts out is sent
// as it is written.
func TestCompress(t *testing.T) {
	t.Parallel()
	page := strings.Repeat("<p>Mail for you.</p>\n", 200)
	a := newTestApp(t, &syncBuffer{})
	h := a.compress(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/events" {
			w.Header().Set("Content-Type", "text/event-stream")
			w.Header().Set(gzhttp.HeaderNoCompression, "1")
		} else {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
		}
		io.WriteString(w, page)
	}))
	for _, tc := range []struct {
		path, accept string
		gzip         bool
	}{
		{"/m/INBOX", "gzip, deflate, br", true},
		{"/m/INBOX", "", false},
		{"/events", "gzip", false},
	} {
		t.Run(tc.path+" "+tc.accept, func(t *testing.T) {
			t.Parallel()
			r := httptest.NewRequest("GET", tc.path, nil)
			if tc.accept != "" {
				r.Header.Set("Accept-Encoding", tc.accept)
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			resp := w.Result()
			body := io.Reader(resp.Body)
			if got := resp.Header.Get("Content-Encoding"); (got == "gzip") != tc.gzip {
				t.Fatalf("Content-Encoding %q, want gzip %v", got, tc.gzip)
			}
			if tc.gzip {
				zr, err := gzip.NewReader(resp.Body)
				if err != nil {
					t.Fatal(err)
				}
				body = zr
			}
			if tc.path != "/events" && !slices.Contains(resp.Header.Values("Vary"), "Accept-Encoding") {
				t.Errorf("Vary %q, want Accept-Encoding", resp.Header.Values("Vary"))
			}
			if got, _ := io.ReadAll(body); string(got) != page {
				t.Errorf("body of %d bytes, want the %d written", len(got), len(page))
			}
		})
	}
}

// TestAuthenticate: only the public routes are served without a login;
// every other path, known or not, sends the browser to the login page
// (htmx by HX-Redirect) and never reaches its handler.
func TestAuthenticate(t *testing.T) {
	t.Parallel()
	a := newTestApp(t, &syncBuffer{})
	h := chain(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "served") }),
		a.sessions.LoadAndSave, a.authenticate)
	for _, tc := range []struct {
		method, path string
		htmx         bool
		public       bool
		location     string // for the others
	}{
		{method: "GET", path: "/login", public: true},
		{method: "POST", path: "/login", public: true},
		{method: "GET", path: "/healthz", public: true},
		{method: "GET", path: "/login/oauth/demo/callback", public: true},
		{method: "GET", path: "/assets/app.0123abcd.css", public: true},
		{method: "GET", path: "/", location: "/login"},
		{method: "GET", path: "/m/INBOX", location: "/login?next=%2Fm%2FINBOX"},
		{method: "GET", path: "/m/INBOX", htmx: true, location: "/login?next=%2Fm%2FINBOX"},
		{method: "POST", path: "/logout", location: "/login"},
		{method: "GET", path: "/settings/sending", location: "/login?next=%2Fsettings%2Fsending"},
		{method: "GET", path: "/no/such/route", location: "/login?next=%2Fno%2Fsuch%2Froute"},
		{method: "GET", path: "/assets/", location: "/login?next=%2Fassets%2F"},
		{method: "GET", path: "/login/other", location: "/login?next=%2Flogin%2Fother"},
		{method: "GET", path: "/healthz/x", location: "/login?next=%2Fhealthz%2Fx"},
	} {
		name := tc.method + " " + tc.path
		if tc.htmx {
			name += " htmx"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			r := httptest.NewRequest(tc.method, tc.path, nil)
			if tc.htmx {
				r.Header.Set("HX-Request", "true")
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			served := w.Body.String() == "served"
			switch {
			case tc.public:
				if !served || w.Code != http.StatusOK {
					t.Errorf("public route: status %d, served %v", w.Code, served)
				}
			case served:
				t.Errorf("served without a login")
			case tc.htmx:
				if w.Code != http.StatusNoContent || w.Header().Get("HX-Redirect") != tc.location {
					t.Errorf("status %d, HX-Redirect %q; want 204 to %s", w.Code, w.Header().Get("HX-Redirect"), tc.location)
				}
			default:
				if w.Code != http.StatusSeeOther || w.Header().Get("Location") != tc.location {
					t.Errorf("status %d, Location %q; want 303 to %s", w.Code, w.Header().Get("Location"), tc.location)
				}
			}
		})
	}
}

// TestCrossOriginPostRefused: the chain refuses a POST another site makes
// the browser send (by Sec-Fetch-Site, or Origin for older browsers)
// before any handler runs; the refusal still carries the security
// headers. The same POST from the webmail's own pages goes through.
func TestCrossOriginPostRefused(t *testing.T) {
	t.Parallel()
	var served atomic.Int32
	a := newTestApp(t, &syncBuffer{})
	h := a.middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { served.Add(1) }))
	for _, tc := range []struct {
		name   string
		header []string
		want   int
	}{
		{"cross-site", []string{"Sec-Fetch-Site", "cross-site", "Origin", "https://evil.example"}, http.StatusForbidden},
		{"same-site, other origin", []string{"Sec-Fetch-Site", "same-site", "Origin", "https://other.example.org"}, http.StatusForbidden},
		{"old browser, other origin", []string{"Origin", "https://evil.example"}, http.StatusForbidden},
		{"same-origin", []string{"Sec-Fetch-Site", "same-origin", "Origin", "http://example.org"}, http.StatusOK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := served.Load()
			r := httptest.NewRequest("POST", "http://example.org/login", strings.NewReader("login=ann"))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			for i := 0; i+1 < len(tc.header); i += 2 {
				r.Header.Set(tc.header[i], tc.header[i+1])
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code != tc.want {
				t.Errorf("status %d, want %d", w.Code, tc.want)
			}
			if got, want := served.Load()-before, int32(map[bool]int{true: 1}[tc.want == http.StatusOK]); got != want {
				t.Errorf("the handler ran %d times, want %d", got, want)
			}
			if w.Header().Get("Content-Security-Policy") == "" {
				t.Error("the answer has no CSP")
			}
		})
	}
}

// TestLogRequestsCounts: logRequests counts each request under the route
// pattern the mux matched (noted from inside it), "unmatched" when none
// did, with the status the log line has: 499 for a client gone, 500 for a
// panic.
func TestLogRequestsCounts(t *testing.T) {
	t.Parallel()
	a := newTestApp(t, &syncBuffer{})
	mux := http.NewServeMux()
	mux.HandleFunc("GET /m/{mailbox}", func(w http.ResponseWriter, r *http.Request) {
		if r.PathValue("mailbox") == "gone" {
			noteRequest(r, "client gone")
			return
		}
		w.WriteHeader(http.StatusTeapot)
	})
	mux.HandleFunc("GET /panic", panicsInHandler)
	h := chain(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer noteRoute(r)
		mux.ServeHTTP(w, r)
	}), a.recoverPanics, a.logRequests, a.securityHeaders) // securityHeaders: the mux sees a copy of the request
	for _, path := range []string{"/m/Secret%2FFolder", "/m/gone", "/panic", "/nowhere"} {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", path, nil))
	}
	rec := httptest.NewRecorder()
	a.MetricsHandler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	got := sampleLines(rec.Body.String())
	for _, want := range []string{
		`webmail_http_requests_total{method="GET",route="/m/{mailbox}",status="418"} 1`,
		`webmail_http_requests_total{method="GET",route="/m/{mailbox}",status="499"} 1`,
		`webmail_http_requests_total{method="GET",route="/panic",status="500"} 1`,
		`webmail_http_requests_total{method="GET",route="unmatched",status="404"} 1`,
		`webmail_http_request_duration_seconds_count{method="GET",route="/m/{mailbox}"} 2`,
	} {
		if !strings.Contains(got, "\n"+want+"\n") {
			t.Errorf("exposition lacks %s", want)
		}
	}
	if strings.Contains(got, "Secret") {
		t.Error("a mailbox name is in a label")
	}
}
