package app

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"webmail/config"
)

// TestNoSecretAtRest is invariant S1: after a whole session (log in,
// browse, read, download, log out), the password is nowhere the server
// writes: not in the session store, not in any log line (debug level
// included), not in the temp directory; not even base64 or hex encoded.
func TestNoSecretAtRest(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	e := newEnv(t)
	c := e.client()
	c.login(t, e.acct.Login, e.acct.Password)

	doc := c.page(t, "/m/INBOX", http.StatusOK)
	var storeSeen bool
	doc.Find("[data-testid=row] a").EachWithBreak(func(i int, s *goquery.Selection) bool {
		href, _ := s.Attr("href")
		c.page(t, href, http.StatusOK)
		return i < 10
	})
	c.page(t, "/m/INBOX?page=2", http.StatusOK)
	c.page(t, "/folders", http.StatusOK)
	all, _ := e.store.All()
	storeSeen = len(all) > 0
	if !storeSeen {
		t.Fatal("the session store was empty while logged in: the test would prove nothing")
	}
	checkNoSecret(t, e, tmp, all)

	resp := c.do(t, "POST", "/logout", url.Values{})
	resp.Body.Close()
	all, _ = e.store.All()
	checkNoSecret(t, e, tmp, all)
}

func checkNoSecret(t *testing.T, e *env, tmp string, store map[string][]byte) {
	t.Helper()
	pw := []byte(e.acct.Password)
	forms := map[string][]byte{
		"plain":     pw,
		"base64":    []byte(base64.StdEncoding.EncodeToString(pw)),
		"base64url": []byte(base64.RawURLEncoding.EncodeToString(pw)),
		"hex":       []byte(hex.EncodeToString(pw)),
	}
	for name, f := range forms {
		for tok, v := range store {
			if bytes.Contains(v, f) || strings.Contains(tok, string(f)) {
				t.Errorf("session store holds the password (%s)", name)
			}
		}
		if bytes.Contains([]byte(e.logs.String()), f) {
			t.Errorf("log holds the password (%s)", name)
		}
		filepath.WalkDir(tmp, func(p string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return nil
			}
			b, _ := os.ReadFile(p)
			if bytes.Contains(b, f) {
				t.Errorf("temp file %s holds the password (%s)", p, name)
			}
			return nil
		})
	}
	if !strings.Contains(e.logs.String(), "level=DEBUG") && !strings.Contains(e.logs.String(), "request") {
		t.Error("no log lines were written: the log check would prove nothing")
	}
}

// TestOldCookiesAfterLogout replays every cookie of a logged-out session:
// the key is gone, so they open nothing.
func TestOldCookiesAfterLogout(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.client()
	c.login(t, e.acct.Login, e.acct.Password)
	c.page(t, "/m/INBOX", http.StatusOK)
	u, _ := url.Parse(e.srv.URL)
	old := c.jar.Cookies(u)
	if len(old) < 2 {
		t.Fatalf("got %d cookies after login, want the session and credential cookies", len(old))
	}

	resp := c.do(t, "POST", "/logout", url.Values{})
	resp.Body.Close()
	if got := resp.Header.Get("Location"); got != "/login?logged_out=1" {
		t.Fatalf("logout redirects to %q", got)
	}

	replay := e.client()
	replay.jar.SetCookies(u, old)
	resp = replay.do(t, "GET", "/m/INBOX", nil)
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
		t.Fatalf("replayed cookies: status %d, Location %q; want a redirect to the login page", resp.StatusCode, resp.Header.Get("Location"))
	}
}

func TestCookieAttributes(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	resp := e.client().do(t, "POST", "/login", url.Values{"login": {e.acct.Login}, "password": {e.acct.Password}})
	resp.Body.Close()
	var names []string
	for _, ck := range resp.Cookies() {
		names = append(names, ck.Name)
		if !ck.HttpOnly || ck.SameSite != http.SameSiteStrictMode {
			t.Errorf("cookie %s: HttpOnly=%v SameSite=%v, want HttpOnly and Strict", ck.Name, ck.HttpOnly, ck.SameSite)
		}
		if strings.Contains(ck.Value, e.acct.Password) {
			t.Errorf("cookie %s carries the password in clear", ck.Name)
		}
	}
	if len(names) != 2 {
		t.Errorf("login set cookies %v, want the session and the sealed credential", names)
	}
}

func TestHTTPSPublicURLHardensCookies(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(c *config.Config) { c.PublicURL = "https://mail.example.org" })
	resp := e.client().do(t, "POST", "/login", url.Values{"login": {e.acct.Login}, "password": {e.acct.Password}})
	resp.Body.Close()
	if got := resp.Header.Get("Strict-Transport-Security"); !strings.Contains(got, "max-age=") {
		t.Errorf("HSTS = %q", got)
	}
	names := map[string]bool{}
	for _, ck := range resp.Cookies() {
		names[ck.Name] = true
		if !strings.HasPrefix(ck.Name, "__Host-") || !ck.Secure || ck.Path != "/" || ck.Domain != "" {
			t.Errorf("cookie %s: Secure=%v Path=%q Domain=%q, want a __Host- cookie", ck.Name, ck.Secure, ck.Path, ck.Domain)
		}
	}
	if !names["__Host-wm_session"] || !names["__Host-wm_cred"] {
		t.Errorf("cookies %v, want __Host-wm_session and __Host-wm_cred", names)
	}
}

// TestFirstLoadWeight is the page budget: the inbox page with all it
// asks for before it has loaded (stylesheet, scripts, icon sprite,
// favicon), gzipped as browsers receive them, within 30 KB. What is
// asked for once the page has loaded (live updates, keyboard shortcuts,
// the forms' stylesheet) is logged apart.
func TestFirstLoadWeight(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.client()
	c.login(t, e.acct.Login, e.acct.Password)
	get := func(path string) int {
		req, _ := http.NewRequest("GET", e.srv.URL+path, nil)
		req.Header.Set("Accept-Encoding", "gzip")
		resp, err := c.hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("%s: status %d", path, resp.StatusCode)
		}
		if resp.Header.Get("Content-Encoding") != "gzip" && len(b) > 1400 { // gzhttp leaves tiny bodies alone
			t.Errorf("%s not compressed", path)
		}
		return len(b)
	}
	total := get("/m/INBOX")
	t.Logf("/m/INBOX: %d", total)
	doc := c.page(t, "/m/INBOX", http.StatusOK)
	seen := map[string]bool{}
	add := func(u string) {
		if u = strings.SplitN(u, "#", 2)[0]; u == "" || seen[u] {
			return
		}
		seen[u] = true
		n := get(u)
		t.Logf("%s: %d", u, n)
		total += n
	}
	doc.Find("link[rel=stylesheet], link[rel=icon], script[src], use[href]").Each(func(_ int, s *goquery.Selection) {
		for _, attr := range []string{"href", "src"} {
			if u, ok := s.Attr(attr); ok {
				add(u)
			}
		}
	})
	t.Logf("first load: %d bytes gzipped in %d requests", total, len(seen)+1)
	if total > 30_000 {
		t.Errorf("first load is %d bytes gzipped, budget 30 KB", total)
	}
	later := 0
	for _, attr := range []string{"data-sse-src", "data-keys-src", "data-forms-href"} {
		u := doc.Find("script["+attr+"]").AttrOr(attr, "")
		if u == "" {
			t.Errorf("the page names no %s to load later", attr)
			continue
		}
		later += get(u)
	}
	t.Logf("after the page has loaded: %d bytes gzipped (live updates, keyboard shortcuts, the forms' stylesheet)", later)
}

func TestIdleTimeoutEndsSession(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(c *config.Config) {
		c.Session.IdleTimeout = config.Duration{Duration: time.Second}
	})
	c := e.client()
	c.login(t, e.acct.Login, e.acct.Password)
	c.page(t, "/m/INBOX", http.StatusOK)
	// Nothing touches the session meanwhile: the store lets it go at its
	// idle deadline (scs keeps time by the wall clock).
	token := c.sessionCookie(t)
	eventually(t, "the idle session to leave the store", func() bool {
		_, found, err := e.store.Find(token)
		return err == nil && !found
	})
	resp := c.do(t, "GET", "/m/INBOX", nil)
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
		t.Fatalf("after the idle timeout: status %d, Location %q; want the login page", resp.StatusCode, resp.Header.Get("Location"))
	}
}

func TestUnservedDomainRefused(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(c *config.Config) {
		c.Domains = []config.Domain{{Name: "example.org", IMAP: c.IMAP, SMTP: c.SMTP}}
		c.IMAP = config.Server{Security: config.SecurityTLS}
	})
	resp := e.client().do(t, "POST", "/login", url.Values{"login": {"someone@elsewhere.example"}, "password": {"x"}})
	doc := parse(t, resp, http.StatusUnprocessableEntity)
	if got := text(doc.Find("[data-testid=login-error]")); !strings.Contains(got, "does not serve that mail domain") {
		t.Errorf("error = %q", got)
	}
	c := e.client()
	c.login(t, e.acct.Login, e.acct.Password) // the configured domain still works
}

// TestComposeKeptWhenCookieBroken: a credential cookie that does not open
// (damaged, or from another session) is not served, but a message being
// sent comes back in the login form, and the session is not ended.
func TestComposeKeptWhenCookieBroken(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.client()
	c.login(t, e.acct.Login, e.acct.Password)
	u, _ := url.Parse(e.srv.URL)
	good := c.credCookie(t)
	c.jar.SetCookies(u, []*http.Cookie{{Name: "wm_cred", Value: "AgAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", Path: "/"}})
	resp := c.postMultipart(t, "/compose/send", [][2]string{
		{"to", "ann@example.net"}, {"subject", "Kept"}, {"body", "Every word"}, {"smtp_login", e.acct.SMTPLogin}, {"smtp_password", e.acct.SMTPPassword},
	}, nil)
	doc := parse(t, resp, http.StatusUnauthorized)
	if got := doc.Find("[data-testid=login-form] input[name=c_body]").AttrOr("value", ""); got != "Every word" {
		t.Errorf("the login form carries body %q", got)
	}
	if doc.Find("input[value='"+e.acct.SMTPPassword+"']").Length() != 0 {
		t.Error("the login form carries the SMTP password")
	}
	c.jar.SetCookies(u, []*http.Cookie{{Name: "wm_cred", Value: good, Path: "/"}})
	c.page(t, "/m/INBOX", http.StatusOK) // the session lives on
}
