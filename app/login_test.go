package app

import (
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"webmail/config"
)

func TestLoginWrongPasswordKeepsLoginName(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.client()
	for _, tc := range []struct{ name, login, password string }{
		{"wrong password", e.acct.Login, "not-the-password"},
		{"unknown user", "nobody@example.org", "whatever"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp := c.do(t, "POST", "/login", url.Values{"login": {tc.login}, "password": {tc.password}})
			doc := parse(t, resp, http.StatusUnauthorized)
			if got, want := text(doc.Find("[data-testid=login-error]")), "The login name or password is not right."; got != want {
				t.Errorf("error = %q, want %q", got, want)
			}
			if got, _ := doc.Find("input[name=login]").Attr("value"); got != tc.login {
				t.Errorf("login field = %q, want %q", got, tc.login)
			}
			if v, _ := doc.Find("input[name=password]").Attr("value"); v != "" {
				t.Errorf("password field refilled with %q", v)
			}
		})
	}
}

func TestLoginEmptyFields(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	resp := e.client().do(t, "POST", "/login", url.Values{"login": {"ann"}, "password": {""}})
	doc := parse(t, resp, http.StatusUnprocessableEntity)
	if got, _ := doc.Find("input[name=login]").Attr("value"); got != "ann" {
		t.Errorf("login field = %q, want ann", got)
	}
}

func TestLoginServerDownIsDistinct(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	deadAddr := ln.Addr().String()
	ln.Close() // nothing listens there now
	e := newEnv(t, func(c *config.Config) {
		host, port := splitHostPort(t, deadAddr)
		c.IMAP = config.Server{Host: host, Port: port, Security: config.SecurityPlain}
	})
	resp := e.client().do(t, "POST", "/login", url.Values{"login": {e.acct.Login}, "password": {e.acct.Password}})
	doc := parse(t, resp, http.StatusBadGateway)
	if got := text(doc.Find("[data-testid=login-error]")); !strings.Contains(got, "cannot be reached") {
		t.Errorf("error = %q, want the server-unreachable message", got)
	}
}

func TestLoginTLSFailureIsDistinct(t *testing.T) {
	t.Parallel()
	// A plain IMAP server where TLS is expected: the handshake fails.
	e := newEnv(t)
	e2 := newEnv(t, func(c *config.Config) {
		host, port := splitHostPort(t, e.demo.IMAPAddr())
		c.IMAP = config.Server{Host: host, Port: port, Security: config.SecurityTLS}
	})
	resp := e2.client().do(t, "POST", "/login", url.Values{"login": {e.acct.Login}, "password": {e.acct.Password}})
	doc := parse(t, resp, http.StatusBadGateway)
	if got := text(doc.Find("[data-testid=login-error]")); !strings.Contains(got, "secure connection") {
		t.Errorf("error = %q, want the TLS message", got)
	}
}

func TestLoginRateLimitStopsBeforeIMAP(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	proxy, log := imapCommandProxy(t, e.demo.IMAPAddr())
	e2 := newEnv(t, func(c *config.Config) {
		host, port := splitHostPort(t, proxy)
		c.IMAP = config.Server{Host: host, Port: port, Security: config.SecurityPlain}
		c.Limits.LoginBurst = 3
	})
	c := e2.client()
	var limited int
	for i := 0; i < 10; i++ {
		resp := c.do(t, "POST", "/login", url.Values{"login": {e.acct.Login}, "password": {"guess"}})
		if resp.StatusCode == http.StatusTooManyRequests {
			doc := parse(t, resp, http.StatusTooManyRequests)
			if got := text(doc.Find("[data-testid=login-error]")); !strings.Contains(got, "Too many login attempts") {
				t.Errorf("429 page says %q", got)
			}
			limited++
		} else {
			resp.Body.Close()
		}
	}
	if limited != 7 {
		t.Errorf("%d of 10 attempts limited, want 7 (burst 3)", limited)
	}
	if got := log.conns.Load(); got != 3 {
		t.Errorf("IMAP server saw %d connections, want 3: limited attempts must not reach it", got)
	}
}

func TestSafeNext(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"/m/INBOX":               "/m/INBOX",
		"/m/INBOX?page=2":        "/m/INBOX?page=2",
		"//evil.example":         "",
		"/\\evil.example":        "",
		"https://evil.example":   "",
		"javascript:alert(1)":    "",
		"evil.example":           "",
		"/%0d%0aSet-Cookie:x=y":  "/%0d%0aSet-Cookie:x=y",
		"/\r\nLocation: http://": "",
		"":                       "",
	} {
		if got := safeNext(in); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestLoginRedirectsOnlyLocally(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for _, next := range []string{"//evil.example", "/\\evil.example", "https://evil.example", "javascript:alert(1)", "/m/Sent"} {
		t.Run(next, func(t *testing.T) {
			c := e.client()
			resp := c.do(t, "POST", "/login", url.Values{"login": {e.acct.Login}, "password": {e.acct.Password}, "next": {next}})
			resp.Body.Close()
			want := "/"
			if next == "/m/Sent" {
				want = next
			}
			if got := resp.Header.Get("Location"); got != want {
				t.Errorf("Location = %q, want %q", got, want)
			}
		})
	}
}

func TestUnauthenticatedGoesToLoginWithNext(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	resp := e.client().do(t, "GET", "/m/Sent?page=2", nil)
	resp.Body.Close()
	if got, want := resp.Header.Get("Location"), "/login?next="+url.QueryEscape("/m/Sent?page=2"); got != want {
		t.Errorf("Location = %q, want %q", got, want)
	}
	resp = e.client().do(t, "GET", "/m/INBOX", nil, "HX-Request", "true")
	resp.Body.Close()
	if got := resp.Header.Get("HX-Redirect"); !strings.HasPrefix(got, "/login") {
		t.Errorf("htmx request: HX-Redirect = %q, want the login page", got)
	}
}
