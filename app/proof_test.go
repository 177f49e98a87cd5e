package app

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// cookieHeader is the Cookie header c's jar sends, with the credential
// cookie replaced by cred (left out when cred is "").
func (c *client) cookieHeader(t *testing.T, cred string) string {
	t.Helper()
	u, _ := url.Parse(c.e.srv.URL)
	var parts []string
	for _, ck := range c.jar.Cookies(u) {
		if !strings.HasPrefix(ck.Name, "wm_cred") {
			parts = append(parts, ck.Name+"="+ck.Value)
		}
	}
	if cred != "" {
		parts = append(parts, "wm_cred="+cred)
	}
	return strings.Join(parts, "; ")
}

// credCookie is c's credential cookie.
func (c *client) credCookie(t *testing.T) string {
	t.Helper()
	u, _ := url.Parse(c.e.srv.URL)
	for _, ck := range c.jar.Cookies(u) {
		if ck.Name == "wm_cred" {
			return ck.Value
		}
	}
	t.Fatal("no credential cookie")
	return ""
}

// raw sends a request with exactly the given Cookie header, outside c's
// jar, as an attacker holding some of the cookies would.
func (c *client) raw(t *testing.T, method, path, cookie string, header ...string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(method, c.e.srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Cookie", cookie)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

// TestEveryRequestProvesBothHalves: a session cookie is served only with
// the credential cookie that opens under its key, whether or not the
// account's IMAP connection is kept; a wrong, missing or foreign
// credential cookie gets the login page and leaves the rightful session
// as it was (invariant S2).
func TestEveryRequestProvesBothHalves(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	alice, other := e.client(), e.client()
	alice.login(t, e.acct.Login, e.acct.Password)
	alice.page(t, "/m/INBOX", http.StatusOK) // the account's connection is now kept
	other.login(t, e.acct.Login, e.acct.Password)

	for _, tc := range []struct {
		name, cred string
	}{
		{"garbage", "garbage"},
		{"damaged", strings.Repeat("A", len(alice.credCookie(t)))},
		{"missing", ""},
		{"another session's", other.credCookie(t)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cookie := alice.cookieHeader(t, tc.cred)
			resp := alice.raw(t, "GET", "/m/INBOX", cookie)
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
				t.Errorf("GET /m/INBOX: %d %q, want a redirect to the login page", resp.StatusCode, resp.Header.Get("Location"))
			}
			if strings.Contains(string(body), "data-testid=\"row\"") {
				t.Error("the answer lists mail")
			}
			for _, ck := range resp.Cookies() {
				if ck.MaxAge < 0 || ck.Value == "" {
					t.Errorf("the answer clears cookie %s: the rightful session would end", ck.Name)
				}
			}
			// htmx gets a full-page redirect, not a fragment of mail.
			resp = alice.raw(t, "GET", "/m/INBOX", cookie, "HX-Request", "true", "HX-Target", "list")
			resp.Body.Close()
			if resp.StatusCode != http.StatusNoContent || !strings.HasPrefix(resp.Header.Get("HX-Redirect"), "/login") {
				t.Errorf("htmx: %d HX-Redirect %q", resp.StatusCode, resp.Header.Get("HX-Redirect"))
			}
			// A state change is refused as well.
			resp = alice.raw(t, "POST", "/logout", cookie)
			resp.Body.Close()
			if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
				t.Errorf("POST /logout: %d %q, want the login page", resp.StatusCode, resp.Header.Get("Location"))
			}
			// The rightful holder of both halves reads on.
			doc := alice.page(t, "/m/INBOX", http.StatusOK)
			if doc.Find("[data-testid=row]").Length() == 0 {
				t.Error("the rightful session lost its mail")
			}
		})
	}
	// The other session was never touched either.
	other.page(t, "/m/INBOX", http.StatusOK)
}
