package app

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"webmail/app/demo"
	"webmail/config"
)

// signInFails follows a callback that must fail: the login page with its
// message and the sign-in buttons, and no session afterwards.
func (c *client) signInFails(t testing.TB, resp *http.Response, status int, message string) {
	t.Helper()
	doc := parse(t, resp, status)
	if got := text(doc.Find("[data-testid=login-error]")); !strings.Contains(got, message) {
		t.Errorf("message %q, want it to contain %q", got, message)
	}
	if doc.Find("[data-testid=oauth-demo]").Length() != 1 {
		t.Error("the failure page offers no way to sign in again")
	}
	c.noSession(t)
}

func (c *client) noSession(t testing.TB) {
	t.Helper()
	resp := c.do(t, "GET", "/m/INBOX", nil)
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
		t.Errorf("after the failure /m/INBOX answers %d %s: a session exists", resp.StatusCode, resp.Header.Get("Location"))
	}
}

func TestOAuthBadPaths(t *testing.T) {
	t.Parallel()
	t.Run("denied", func(t *testing.T) {
		t.Parallel()
		e := newOAuthEnv(t, nil, demo.ProviderOptions{})
		c := e.client()
		c.signInFails(t, c.callback(t, c.consent(t, c.oauthStart(t, nil), "alice@example.org", "deny")), http.StatusUnauthorized, "You did not allow access at Demo ID")
		if !strings.Contains(e.logs.String(), `msg="oauth login failed" provider=demo reason=access_denied`) {
			t.Errorf("no audit line for the refusal:\n%s", e.logs.String())
		}
	})
	t.Run("wrong state", func(t *testing.T) {
		t.Parallel()
		e := newOAuthEnv(t, nil, demo.ProviderOptions{})
		c := e.client()
		back := c.consent(t, c.oauthStart(t, nil), "alice@example.org", "allow")
		q := back.Query()
		q.Set("state", q.Get("state")+"x")
		back.RawQuery = q.Encode()
		c.signInFails(t, c.callback(t, back), http.StatusBadRequest, "was not started here")
	})
	t.Run("another browser's callback", func(t *testing.T) {
		t.Parallel()
		e := newOAuthEnv(t, nil, demo.ProviderOptions{})
		back := e.client().consent(t, e.client().oauthStart(t, nil), "alice@example.org", "allow")
		// The victim's browser never started this sign-in (login CSRF).
		e.client().signInFails(t, e.client().callback(t, back), http.StatusBadRequest, "was not started here")
	})
	t.Run("replayed code", func(t *testing.T) {
		t.Parallel()
		e := newOAuthEnv(t, nil, demo.ProviderOptions{})
		c := e.client()
		first := c.consent(t, c.oauthStart(t, nil), "alice@example.org", "allow")
		resp := c.callback(t, first)
		parse(t, resp, http.StatusOK)
		resp = c.do(t, "POST", "/logout", url.Values{})
		resp.Body.Close()
		// A new sign-in, answered with the first one's code.
		second := c.consent(t, c.oauthStart(t, nil), "alice@example.org", "allow")
		q := second.Query()
		q.Set("code", first.Query().Get("code"))
		second.RawQuery = q.Encode()
		c.signInFails(t, c.callback(t, second), http.StatusUnauthorized, "the code was refused, expired or already used")
	})
	t.Run("wrong verifier", func(t *testing.T) {
		t.Parallel()
		e := newOAuthEnv(t, nil, demo.ProviderOptions{Middleware: func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == "/oidc/token" {
					r.ParseForm()
					if r.PostForm.Get("grant_type") == "authorization_code" {
						r.PostForm.Set("code_verifier", strings.Repeat("A", 43))
						body := r.PostForm.Encode()
						r.Body, r.ContentLength = io.NopCloser(strings.NewReader(body)), int64(len(body))
						r.Form, r.PostForm = nil, nil
					}
				}
				next.ServeHTTP(w, r)
			})
		}})
		c := e.client()
		c.signInFails(t, c.callback(t, c.consent(t, c.oauthStart(t, nil), "alice@example.org", "allow")), http.StatusUnauthorized, "the code was refused")
	})
	t.Run("tampered ID token", func(t *testing.T) {
		t.Parallel()
		e := newOAuthEnv(t, nil, demo.ProviderOptions{Middleware: rewriteTokens(func(m map[string]any) {
			id, _ := m["id_token"].(string)
			// Another account's name in the payload, signature kept.
			parts := strings.Split(id, ".")
			if len(parts) == 3 {
				m["id_token"] = parts[0] + "." + strings.Replace(parts[1], parts[1][10:14], "AAAA", 1) + "." + parts[2]
			}
		})})
		c := e.client()
		c.signInFails(t, c.callback(t, c.consent(t, c.oauthStart(t, nil), "alice@example.org", "allow")), http.StatusUnauthorized, "could not be verified")
	})
	t.Run("mail server refuses the token", func(t *testing.T) {
		t.Parallel()
		e := newOAuthEnv(t, nil, demo.ProviderOptions{Middleware: rewriteTokens(func(m map[string]any) {
			m["access_token"] = "not-one-the-mail-server-takes"
		})})
		c := e.client()
		c.signInFails(t, c.callback(t, c.consent(t, c.oauthStart(t, nil), "alice@example.org", "allow")), http.StatusUnauthorized, "The mail server did not accept the sign-in from Demo ID for alice@example.org")
		if !strings.Contains(e.logs.String(), `reason="IMAP refused the token"`) || !strings.Contains(e.logs.String(), "login=alice@example.org") {
			t.Errorf("no audit line naming the account:\n%s", e.logs.String())
		}
	})
	t.Run("ID token for another client", func(t *testing.T) {
		t.Parallel()
		var realID string
		// The webmail is registered as "other-client"; the provider mints
		// for its own client ID: the audience does not match.
		e := newOAuthEnv(t, nil, demo.ProviderOptions{Middleware: func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				swap := func(v url.Values) {
					if v.Get("client_id") == "other-client" {
						v.Set("client_id", realID)
					}
				}
				q := r.URL.Query()
				swap(q)
				r.URL.RawQuery = q.Encode()
				if r.Method == http.MethodPost && r.URL.Path == "/oidc/token" {
					r.ParseForm()
					swap(r.PostForm)
					if id, secret, ok := r.BasicAuth(); ok && id == "other-client" {
						r.SetBasicAuth(realID, secret)
					}
					body := r.PostForm.Encode()
					r.Body, r.ContentLength = io.NopCloser(strings.NewReader(body)), int64(len(body))
					r.Form, r.PostForm = nil, nil
				}
				next.ServeHTTP(w, r)
			})
		}}, func(c *config.Config) { c.OAuth[0].ClientID = "other-client" })
		realID = e.demo.Provider().ClientID()
		c := e.client()
		c.signInFails(t, c.callback(t, c.consent(t, c.oauthStart(t, nil), "alice@example.org", "allow")), http.StatusUnauthorized, "could not be verified")
		if !strings.Contains(e.logs.String(), "audience") {
			t.Errorf("the log does not say the audience was wrong:\n%s", e.logs.String())
		}
	})
	t.Run("provider unreachable at the callback", func(t *testing.T) {
		t.Parallel()
		e := newOAuthEnv(t, nil, demo.ProviderOptions{})
		c := e.client()
		back := c.consent(t, c.oauthStart(t, nil), "alice@example.org", "allow")
		e.demo.Provider().Close()
		c.signInFails(t, c.callback(t, back), http.StatusBadGateway, "Demo ID cannot be reached right now")
	})
	t.Run("provider unreachable at the start", func(t *testing.T) {
		t.Parallel()
		e := newOAuthEnv(t, nil, demo.ProviderOptions{})
		e.demo.Provider().Close()
		c := e.client()
		resp := c.do(t, "POST", "/login/oauth/demo", url.Values{})
		c.signInFails(t, resp, http.StatusBadGateway, "Demo ID cannot be reached right now")
	})
	t.Run("rate limited", func(t *testing.T) {
		t.Parallel()
		e := newOAuthEnv(t, nil, demo.ProviderOptions{})
		c := e.client()
		for range e.app.cfg.Limits.LoginBurst {
			c.oauthStart(t, nil)
		}
		c.signInFails(t, c.do(t, "POST", "/login/oauth/demo", url.Values{}), http.StatusTooManyRequests, "Too many sign-in attempts")
	})
	t.Run("unknown provider", func(t *testing.T) {
		t.Parallel()
		e := newOAuthEnv(t, nil, demo.ProviderOptions{})
		resp := e.client().do(t, "POST", "/login/oauth/nope", url.Values{})
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("status %d, want 404", resp.StatusCode)
		}
	})
}

// TestOAuthRevokedRefreshToken: access withdrawn at the provider, then the
// access token expires. The next request that needs it cannot refresh:
// the session ends with a message, and a message being written survives
// into the next sign-in.
func TestOAuthRevokedRefreshToken(t *testing.T) {
	t.Parallel()
	tokens := &tokenLog{}
	e := newOAuthEnv(t, nil, demo.ProviderOptions{Middleware: tokens.middleware})
	c := e.client()
	c.oauthLogin(t, "alice@example.org")
	p := e.demo.Provider()
	for _, tok := range tokens.all() {
		form := url.Values{"token": {tok}, "client_id": {p.ClientID()}, "client_secret": {p.ClientSecret()}}
		resp, err := http.PostForm(strings.TrimSuffix(p.Issuer(), "/")+"/revoke", form)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	e.advance(61 * time.Minute)

	resp := c.postMultipart(t, "/compose/send", [][2]string{
		{"to", "demo@example.org"}, {"subject", "Half-written"}, {"body", "Words I typed"},
	}, nil)
	doc := parse(t, resp, http.StatusUnauthorized)
	if got := text(doc.Find("[data-testid=login-error]")); !strings.Contains(got, "Your sign-in with Demo ID has ended") {
		t.Errorf("message %q", got)
	}
	if !strings.Contains(e.logs.String(), `msg="oauth refresh failed" login=alice@example.org provider=demo reason=`) ||
		!strings.Contains(e.logs.String(), "invalid_grant") {
		t.Errorf("no audit line for the failed refresh:\n%s", e.logs.String())
	}
	button := doc.Find("form:has([data-testid=oauth-demo])")
	carried := url.Values{}
	button.Find("input[type=hidden]").Each(func(_ int, s *goquery.Selection) {
		carried.Add(s.AttrOr("name", ""), s.AttrOr("value", ""))
	})
	if carried.Get("c_body") != "Words I typed" || carried.Get("c_subject") != "Half-written" || carried.Get("login_hint") != "alice@example.org" {
		t.Fatalf("the sign-in button does not carry the message and the account: %v", carried)
	}
	c.noSession(t)

	// Signing in again gives the message back.
	resp = c.callback(t, c.consent(t, c.oauthStart(t, carried), "alice@example.org", "allow"))
	doc = parse(t, resp, http.StatusOK)
	if got := doc.Find("[data-testid=body-input]").Text(); got != "Words I typed" {
		t.Errorf("after signing in again the body is %q", got)
	}
	if got := doc.Find("input[name=subject]").AttrOr("value", ""); got != "Half-written" {
		t.Errorf("after signing in again the subject is %q", got)
	}
}

// TestOAuthSignInEndsOnBrowse: a plain page that needs a new connection
// after the sign-in ended sends the person to the login page with a reason.
func TestOAuthSignInEndsOnBrowse(t *testing.T) {
	t.Parallel()
	tokens := &tokenLog{}
	e := newOAuthEnv(t, nil, demo.ProviderOptions{Middleware: tokens.middleware})
	c := e.client()
	c.oauthLogin(t, "alice@example.org")
	p := e.demo.Provider()
	for _, tok := range tokens.all() {
		resp, _ := http.PostForm(strings.TrimSuffix(p.Issuer(), "/")+"/revoke", url.Values{"token": {tok}, "client_id": {p.ClientID()}, "client_secret": {p.ClientSecret()}})
		resp.Body.Close()
	}
	e.advance(61 * time.Minute)
	resp := c.do(t, "GET", "/m/INBOX", nil)
	resp.Body.Close()
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || loc != "/login?ended=demo&hint=alice%40example.org" {
		t.Fatalf("got %d %q, want 303 to the login page saying why", resp.StatusCode, loc)
	}
	doc := c.page(t, loc, http.StatusOK)
	if got := text(doc.Find("[data-testid=login-error]")); !strings.Contains(got, "Your sign-in with Demo ID has ended") {
		t.Errorf("login page says %q", got)
	}
	c.noSession(t)
	// Signing in again asks the provider for the same account.
	hint := doc.Find("form:has([data-testid=oauth-demo]) input[name=login_hint]").AttrOr("value", "")
	if hint != "alice@example.org" {
		t.Fatalf("the sign-in button carries login_hint %q", hint)
	}
	if got := c.oauthStart(t, url.Values{"login_hint": {hint}}).Query().Get("login_hint"); got != "alice@example.org" {
		t.Errorf("the authorization request has login_hint %q", got)
	}
}
