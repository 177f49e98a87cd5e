package app

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"webmail/app/demo"
	"webmail/config"
)

// newOAuthEnv is an env whose demo servers run the Demo ID provider and
// accept its tokens over the given SASL mechanisms.
func newOAuthEnv(t testing.TB, mechs []string, popt demo.ProviderOptions, opts ...envOption) *env {
	t.Helper()
	return newEnvWith(t, demo.Options{Empty: true, OAuth: &popt, TokenMechanisms: mechs}, opts...)
}

// oauthStart presses "Sign in with Demo ID" and returns where the webmail
// sends the browser: a page that moves on by itself (meta refresh), with a
// link for browsers that do not.
func (c *client) oauthStart(t testing.TB, form url.Values) *url.URL {
	t.Helper()
	doc := parse(t, c.do(t, "POST", "/login/oauth/demo", form), http.StatusOK)
	href := doc.Find("[data-testid=to-provider]").AttrOr("href", "")
	if refresh := doc.Find("meta[http-equiv=refresh]").AttrOr("content", ""); refresh != "0; url="+href || href == "" {
		t.Fatalf("sign-in page: refresh %q, link %q", refresh, href)
	}
	u, err := url.Parse(href)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// consent answers the provider's consent page as the person would, and
// returns where the provider sends the browser back to.
func (c *client) consent(t testing.TB, authURL *url.URL, account, decision string) *url.URL {
	t.Helper()
	resp, err := c.hc.Get(authURL.String())
	if err != nil {
		t.Fatal(err)
	}
	doc := parse(t, resp, http.StatusOK)
	form := url.Values{"account": {account}, "decision": {decision}}
	doc.Find("form input[type=hidden]").Each(func(_ int, s *goquery.Selection) {
		form.Add(s.AttrOr("name", ""), s.AttrOr("value", ""))
	})
	resp, err = c.hc.PostForm(authURL.Scheme+"://"+authURL.Host+authURL.Path, form)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound && resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("consent: status %d, want a redirect", resp.StatusCode)
	}
	back, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	return back
}

// callback follows the provider's redirect back to the webmail.
func (c *client) callback(t testing.TB, back *url.URL) *http.Response {
	t.Helper()
	if !strings.HasPrefix(back.String(), c.e.srv.URL+"/login/oauth/demo/callback?") {
		t.Fatalf("provider redirects to %s, not the webmail's callback", back)
	}
	resp, err := c.hc.Get(back.String()) // a cross-site navigation: no Sec-Fetch-Site same-origin
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

// oauthLogin signs in with Demo ID as account, all the way to the mailbox.
func (c *client) oauthLogin(t testing.TB, account string) {
	t.Helper()
	doc := parse(t, c.callback(t, c.consent(t, c.oauthStart(t, url.Values{}), account, "allow")), http.StatusOK)
	if doc.Find("[data-testid=signed-in]").Length() != 1 {
		t.Fatal("the callback did not show the signed-in page")
	}
}

// tokenLog records the token endpoint's answers, so tests can look for
// the tokens where they must not be.
type tokenLog struct {
	mu     sync.Mutex
	tokens []string
}

func (l *tokenLog) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/oidc/token" {
			next.ServeHTTP(w, r)
			return
		}
		rec := &recorder{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		var body struct {
			Access  string `json:"access_token"`
			Refresh string `json:"refresh_token"`
			ID      string `json:"id_token"`
		}
		if json.Unmarshal(rec.body.Bytes(), &body) == nil {
			l.mu.Lock()
			for _, s := range []string{body.Access, body.Refresh, body.ID} {
				if s != "" {
					l.tokens = append(l.tokens, s)
				}
			}
			l.mu.Unlock()
		}
	})
}

func (l *tokenLog) all() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.tokens...)
}

type recorder struct {
	http.ResponseWriter
	body bytes.Buffer
}

func (r *recorder) Write(b []byte) (int, error) {
	r.body.Write(b)
	return r.ResponseWriter.Write(b)
}

// rewriteTokens lets a test change the token endpoint's answers.
func rewriteTokens(edit func(map[string]any)) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path != "/oidc/token" {
				next.ServeHTTP(w, r)
				return
			}
			rec := &bufferedResponse{header: http.Header{}}
			next.ServeHTTP(rec, r)
			body := rec.body.Bytes()
			var m map[string]any
			if rec.status == 0 || rec.status == http.StatusOK {
				if json.Unmarshal(body, &m) == nil {
					edit(m)
					body, _ = json.Marshal(m)
				}
			}
			for k, v := range rec.header {
				w.Header()[k] = v
			}
			w.Header().Del("Content-Length")
			if rec.status != 0 {
				w.WriteHeader(rec.status)
			}
			w.Write(body)
		})
	}
}

type bufferedResponse struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (b *bufferedResponse) Header() http.Header         { return b.header }
func (b *bufferedResponse) WriteHeader(status int)      { b.status = status }
func (b *bufferedResponse) Write(p []byte) (int, error) { return b.body.Write(p) }

func TestOAuthSignIn(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		mechs []string
		sasl  string
	}{
		{"OAUTHBEARER", []string{"OAUTHBEARER"}, "auto"},
		{"XOAUTH2 fallback", []string{"XOAUTH2"}, "auto"},
		{"XOAUTH2 configured", []string{"OAUTHBEARER", "XOAUTH2"}, "xoauth2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newOAuthEnv(t, tc.mechs, demo.ProviderOptions{}, func(c *config.Config) { c.OAuth[0].SASL = tc.sasl })
			c := e.client()

			login := c.page(t, "/login", http.StatusOK)
			if got := text(login.Find("[data-testid=oauth-demo]")); got != "Sign in with Demo ID" {
				t.Fatalf("login page button %q", got)
			}
			auth := c.oauthStart(t, url.Values{})
			q := auth.Query()
			if q.Get("code_challenge_method") != "S256" || len(q.Get("code_challenge")) != 43 || q.Get("state") == "" || q.Get("nonce") == "" {
				t.Errorf("authorization request lacks PKCE S256, state or nonce: %v", q)
			}
			if q.Get("response_type") != "code" || q.Has("code_verifier") {
				t.Errorf("not the code flow, or the verifier leaked: %v", q)
			}
			if got := q.Get("scope"); got != "openid email "+demo.MailScope {
				t.Errorf("scope = %q", got)
			}
			if got := q.Get("redirect_uri"); got != e.srv.URL+"/login/oauth/demo/callback" {
				t.Errorf("redirect_uri = %q", got)
			}

			resp := c.callback(t, c.consent(t, auth, "alice@example.org", "allow"))
			doc := parse(t, resp, http.StatusOK)
			refresh := doc.Find(`meta[http-equiv=refresh]`).AttrOr("content", "")
			if refresh != "0; url=/m/INBOX" {
				t.Errorf("signed-in page refresh %q", refresh)
			}
			if href := doc.Find("[data-testid=continue]").AttrOr("href", ""); href != "/m/INBOX" {
				t.Errorf("continue link %q", href)
			}
			inbox := c.page(t, "/m/INBOX", http.StatusOK)
			if got := text(inbox.Find("[data-testid=account]")); got != "alice@example.org" {
				t.Errorf("signed in as %q", got)
			}
			if !strings.Contains(e.logs.String(), `msg="oauth login" login=alice@example.org provider=demo`) {
				t.Errorf("no audit line for the sign-in:\n%s", e.logs.String())
			}
			// A new connection (the pool's is dropped) signs in with the token again.
			e.dropConns("alice@example.org")
			c.page(t, "/m/INBOX", http.StatusOK)
			// SMTP takes the token over the same mechanism.
			resp = c.postMultipart(t, "/compose/send", [][2]string{{"to", "demo@example.org"}, {"subject", "via " + tc.name}, {"body", "x"}}, nil)
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("send: status %d", resp.StatusCode)
			}
			if got := lastDelivery(t, e.demo); got.From != "alice@example.org" {
				t.Errorf("delivered from %q", got.From)
			}
		})
	}
}

func TestOAuthSendAndSettings(t *testing.T) {
	t.Parallel()
	e := newOAuthEnv(t, nil, demo.ProviderOptions{})
	c := e.client()
	c.oauthLogin(t, "alice@example.org")

	settings := c.page(t, "/settings/sending", http.StatusOK)
	if got := text(settings.Find("[data-testid=smtp-status]")); !strings.Contains(got, "Demo ID") || !strings.Contains(got, "do not apply") {
		t.Errorf("settings say %q", got)
	}
	if settings.Find("[data-testid=smtp-form]").Length() != 0 {
		t.Error("settings offer SMTP credentials to an OAuth sign-in")
	}
	for _, path := range []string{"/settings/sending", "/settings/sending/forget"} {
		resp := c.do(t, "POST", path, url.Values{"smtp_login": {"x"}, "smtp_password": {"y"}})
		doc := parse(t, resp, http.StatusUnprocessableEntity)
		if got := text(doc.Find("[data-testid=settings-error]")); !strings.Contains(got, "separate SMTP credentials do not apply") {
			t.Errorf("%s: error %q", path, got)
		}
		if doc.Find("[data-smtp-clear], [data-smtp-blob]").Length() != 0 {
			t.Errorf("%s: the browser is told to keep or drop SMTP credentials an OAuth sign-in cannot have", path)
		}
	}
	// The name is its own: an OAuth sign-in keeps one too.
	resp := c.do(t, "POST", "/settings/sending/name", url.Values{"display_name": {"Alice A."}})
	if doc := parse(t, resp, http.StatusOK); doc.Find("#display_name").AttrOr("value", "") != "Alice A." {
		t.Error("the name was not saved for an OAuth sign-in")
	}

	compose := c.page(t, "/compose", http.StatusOK)
	if compose.Find("input[name=smtp_password]").Length() != 0 {
		t.Error("compose asks an OAuth sign-in for an SMTP password")
	}
	resp = c.postMultipart(t, "/compose/send", [][2]string{
		{"to", "demo@example.org"}, {"subject", "Sent with a token"}, {"body", "Hi"},
	}, nil)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("send: status %d\n%s", resp.StatusCode, body)
	}
	got := lastDelivery(t, e.demo)
	if got.From != "alice@example.org" || !bytes.Contains(got.Data, []byte("Subject: Sent with a token")) {
		t.Errorf("delivered from %q:\n%s", got.From, got.Data)
	}
}

func TestOAuthRefreshAndLogout(t *testing.T) {
	tokens := &tokenLog{}
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	e := newOAuthEnv(t, nil, demo.ProviderOptions{Middleware: tokens.middleware})
	c := e.client()
	c.oauthLogin(t, "alice@example.org")
	before := c.credValue()

	// 59 minutes on: the hour-long token is within the refresh margin. A
	// send needs SMTP with it, so it refreshes, and the cookie changes.
	e.advance(59 * time.Minute)
	send := func(subject string) {
		t.Helper()
		resp := c.postMultipart(t, "/compose/send", [][2]string{{"to", "demo@example.org"}, {"subject", subject}, {"body", "x"}}, nil)
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("send %q: status %d", subject, resp.StatusCode)
		}
	}
	send("after refresh")
	if strings.Count(e.logs.String(), `msg="oauth refresh"`) != 1 {
		t.Fatalf("want one refresh logged:\n%s", e.logs.String())
	}
	after := c.credValue()
	if after == before || after == "" {
		t.Fatal("the credential cookie was not rewritten after the refresh")
	}
	// Half an hour later the new token is still good: no second refresh.
	e.advance(30 * time.Minute)
	send("no refresh needed")
	if n := strings.Count(e.logs.String(), `msg="oauth refresh"`); n != 1 {
		t.Errorf("%d refreshes, want 1", n)
	}

	noTokens(t, e, tmp, tokens)

	revoked := e.demo.Provider().Revocations()
	resp := c.do(t, "POST", "/logout", url.Values{})
	resp.Body.Close()
	if e.demo.Provider().Revocations() != revoked+1 {
		t.Error("logout did not revoke the tokens at the provider")
	}
	if !strings.Contains(e.logs.String(), `msg="oauth revocation" login=alice@example.org provider=demo token=refresh_token`) {
		t.Errorf("no audit line for the revocation:\n%s", e.logs.String())
	}
	for _, tok := range tokens.all() {
		if _, err := e.demo.Provider().ValidateToken(tok); err == nil {
			t.Errorf("a token still validates after logout")
		}
	}

	noTokens(t, e, tmp, tokens)
}

// noTokens is S1 for OAuth: no token in the session store, the logs or
// temp files, not even a JWT's payload or signature alone.
func noTokens(t *testing.T, e *env, tmp string, tokens *tokenLog) {
	t.Helper()
	all, _ := e.store.All()
	list := tokens.all()
	if len(list) < 5 {
		t.Fatalf("recorded %d tokens; the check would prove little", len(list))
	}
	if len(all) == 0 && !strings.Contains(e.logs.String(), "logout") {
		t.Fatal("the session store is empty while signed in: the check would prove nothing")
	}
	for _, tok := range list {
		for _, part := range tokenParts(tok) {
			for _, v := range all {
				if bytes.Contains(v, []byte(part)) {
					t.Errorf("session store holds token bytes %.12q…", part)
				}
			}
			if strings.Contains(e.logs.String(), part) {
				t.Errorf("log holds token bytes %.12q…", part)
			}
			checkTempFree(t, tmp, []byte(part))
		}
	}
}

// tokenParts are the distinctive pieces of a token: a JWT's header is the
// same for every token, so its payload and signature are searched.
func tokenParts(tok string) []string {
	parts := strings.Split(tok, ".")
	if len(parts) == 3 {
		return parts[1:]
	}
	return []string{tok}
}

// credValue is the sealed credential the browser holds.
func (c *client) credValue() string {
	u, _ := url.Parse(c.e.srv.URL)
	var b strings.Builder
	for _, ck := range c.jar.Cookies(u) {
		if strings.HasPrefix(ck.Name, "wm_cred") {
			b.WriteString(ck.Value)
		}
	}
	return b.String()
}

// advance moves the webmail's and the provider's clocks on together.
func (e *env) advance(d time.Duration) {
	e.skew.Add(int64(d))
	e.demo.Provider().FastForward(d)
}

// checkTempFree fails if any file under dir holds b.
func checkTempFree(t *testing.T, dir string, b []byte) {
	t.Helper()
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		if data, _ := os.ReadFile(p); bytes.Contains(data, b) {
			t.Errorf("temp file %s holds token bytes", p)
		}
		return nil
	})
}

// TestOAuthConcurrentRefresh: requests of one session that all need the
// token when it is due share one refresh, and every one of them succeeds.
func TestOAuthConcurrentRefresh(t *testing.T) {
	t.Parallel()
	e := newOAuthEnv(t, nil, demo.ProviderOptions{})
	c := e.client()
	c.oauthLogin(t, "alice@example.org")
	e.advance(59 * time.Minute)

	const n = 6
	var wg sync.WaitGroup
	status := make([]int, n)
	cookies := make([]string, n)
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			resp := c.postMultipart(t, "/compose/send", [][2]string{{"to", "demo@example.org"}, {"subject", "together " + strconv.Itoa(i)}, {"body", "x"}}, nil)
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			status[i] = resp.StatusCode
			for _, ck := range resp.Cookies() {
				if ck.Name == "wm_cred" {
					cookies[i] = ck.Value
				}
			}
		})
	}
	close(start)
	wg.Wait()
	for i, s := range status {
		if s != http.StatusSeeOther {
			t.Errorf("send %d: status %d", i, s)
		}
	}
	if got := strings.Count(e.logs.String(), `msg="oauth refresh"`); got != 1 {
		t.Errorf("%d refreshes for %d concurrent requests, want 1", got, n)
	}
	var set string
	for _, v := range cookies {
		if v != "" && set != "" && v != set {
			t.Error("two responses set different credential cookies")
		}
		if v != "" {
			set = v
		}
	}
	if set == "" {
		t.Error("no response carried the refreshed cookie")
	}
	// The session goes on with the cookie the browser kept.
	e.dropConns("alice@example.org")
	c.page(t, "/m/INBOX", http.StatusOK)
	if got := strings.Count(e.logs.String(), `msg="oauth refresh"`); got != 1 {
		t.Errorf("%d refreshes after the browser took the new cookie, want 1", got)
	}
}

// TestOAuthRefreshRateLimited: a provider that hands out tokens already
// inside the refresh margin does not get asked again on every request.
func TestOAuthRefreshRateLimited(t *testing.T) {
	t.Parallel()
	e := newOAuthEnv(t, nil, demo.ProviderOptions{AccessTTL: 90 * time.Second})
	c := e.client()
	c.oauthLogin(t, "alice@example.org")
	for i := range 6 {
		resp := c.postMultipart(t, "/compose/send", [][2]string{{"to", "demo@example.org"}, {"subject", "s" + strconv.Itoa(i)}, {"body", "x"}}, nil)
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("send %d: status %d (the still valid token should have served)", i, resp.StatusCode)
		}
	}
	if got := strings.Count(e.logs.String(), `msg="oauth refresh"`); got != 3 {
		t.Errorf("%d refreshes for 6 sends with 90-second tokens, want the burst of 3", got)
	}
}

// TestOAuthFormActionStaysSelf: the sign-in button's answer is a page, not
// a redirect, because browsers check CSP form-action against every redirect
// after a form's POST, including the provider's own redirects to origins
// the webmail cannot know. So form-action stays 'self'.
func TestOAuthFormActionStaysSelf(t *testing.T) {
	t.Parallel()
	e := newOAuthEnv(t, nil, demo.ProviderOptions{Addr: "localhost:0"})
	resp := e.client().do(t, "POST", "/login/oauth/demo", url.Values{})
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Location") != "" {
		t.Errorf("the sign-in button answers %d, Location %q: want a page", resp.StatusCode, resp.Header.Get("Location"))
	}
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "form-action 'self';") {
		t.Errorf("CSP %q: form-action is not just 'self'", csp)
	}
}

// BenchmarkOAuthSignIn is one whole sign-in through HTTP: the button, the
// provider's consent, the callback (code exchange, ID token check, IMAP
// AUTHENTICATE with the token), with the in-process provider.
func BenchmarkOAuthSignIn(b *testing.B) {
	e := newOAuthEnv(b, nil, demo.ProviderOptions{}, func(c *config.Config) {
		c.Limits.LoginPerIP, c.Limits.LoginBurst = 1_000_000, 1_000_000
	})
	b.ReportAllocs()
	for b.Loop() {
		c := e.client()
		c.oauthLogin(b, "alice@example.org")
	}
}

// TestOAuthStaleCookieAfterRefresh: a request sent with the cookie from
// before a refresh (another tab's, or one in flight while the browser took
// the new cookie) uses its own still valid token instead of refreshing
// again, which a provider that rotates refresh tokens would punish.
func TestOAuthStaleCookieAfterRefresh(t *testing.T) {
	t.Parallel()
	e := newOAuthEnv(t, nil, demo.ProviderOptions{})
	c := e.client()
	c.oauthLogin(t, "alice@example.org")
	u, _ := url.Parse(e.srv.URL)
	stale := e.client()
	stale.jar.SetCookies(u, c.jar.Cookies(u))

	e.advance(59 * time.Minute)
	send := func(c *client, subject string) {
		t.Helper()
		resp := c.postMultipart(t, "/compose/send", [][2]string{{"to", "demo@example.org"}, {"subject", subject}, {"body", "x"}}, nil)
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("send %q: status %d", subject, resp.StatusCode)
		}
	}
	send(c, "refreshes")
	send(stale, "old cookie")
	if got := strings.Count(e.logs.String(), `msg="oauth refresh"`); got != 1 {
		t.Errorf("%d refreshes, want 1: the old cookie's token was still good", got)
	}
	// Once that token has expired, the old cookie refreshes for itself.
	e.advance(90 * time.Second)
	send(stale, "old cookie, expired token")
	if got := strings.Count(e.logs.String(), `msg="oauth refresh"`); got != 2 {
		t.Errorf("%d refreshes, want 2", got)
	}
}

// TestOAuthRefusedTokenRenewed: a provider that says nothing of expiry
// (no expires_in) gets no refresh ahead of time; when the mail server then
// refuses the expired token, one refresh out of turn and a second try keep
// the session going, for IMAP and for SMTP.
func TestOAuthRefusedTokenRenewed(t *testing.T) {
	t.Parallel()
	e := newOAuthEnv(t, nil, demo.ProviderOptions{Middleware: rewriteTokens(func(m map[string]any) { delete(m, "expires_in") })})
	c := e.client()
	c.oauthLogin(t, "alice@example.org")
	e.advance(61 * time.Minute)

	e.dropConns("alice@example.org")
	c.page(t, "/m/INBOX", http.StatusOK)
	if got := strings.Count(e.logs.String(), `msg="oauth refresh"`); got != 1 {
		t.Fatalf("%d refreshes after IMAP refused the token, want 1", got)
	}

	e.advance(61 * time.Minute)
	resp := c.postMultipart(t, "/compose/send", [][2]string{{"to", "demo@example.org"}, {"subject", "renewed"}, {"body", "x"}}, nil)
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("send after SMTP refused the token: status %d", resp.StatusCode)
	}
	if got := strings.Count(e.logs.String(), `msg="oauth refresh"`); got != 2 {
		t.Errorf("%d refreshes, want 2", got)
	}
}

// TestOAuthSeveralProviders: every configured provider has its button, in
// configuration order, and a sign-in goes through the one pressed.
func TestOAuthSeveralProviders(t *testing.T) {
	t.Parallel()
	e := newOAuthEnv(t, nil, demo.ProviderOptions{}, func(c *config.Config) {
		second := c.OAuth[0]
		second.Name, second.Label = "work", "Work SSO"
		c.OAuth = append(c.OAuth, second)
	})
	c := e.client()
	doc := c.page(t, "/login", http.StatusOK)
	var buttons []string
	doc.Find("[data-testid=providers] button").Each(func(_ int, s *goquery.Selection) { buttons = append(buttons, text(s)) })
	if want := []string{"Sign in with Demo ID", "Sign in with Work SSO"}; strings.Join(buttons, "|") != strings.Join(want, "|") {
		t.Fatalf("buttons %q, want %q", buttons, want)
	}
	page := parse(t, c.do(t, "POST", "/login/oauth/work", url.Values{}), http.StatusOK)
	auth, _ := url.Parse(page.Find("[data-testid=to-provider]").AttrOr("href", ""))
	if got := auth.Query().Get("redirect_uri"); got != e.srv.URL+"/login/oauth/work/callback" {
		t.Fatalf("redirect_uri %q", got)
	}
	back := c.consent(t, auth, "alice@example.org", "allow")
	resp, err := c.hc.Get(back.String())
	if err != nil {
		t.Fatal(err)
	}
	signedIn := parse(t, resp, http.StatusOK)
	if got := text(signedIn.Find("[data-testid=signed-in] p").First()); got != "You are signed in with Work SSO." {
		t.Errorf("signed-in page says %q", got)
	}
	c.page(t, "/m/INBOX", http.StatusOK)
	// The other provider's callback cannot finish this provider's flow.
	flow := c.consent(t, c.oauthStart(t, nil), "alice@example.org", "allow")
	wrong, _ := url.Parse(strings.Replace(flow.String(), "/login/oauth/demo/", "/login/oauth/work/", 1))
	resp, err = c.hc.Get(wrong.String())
	if err != nil {
		t.Fatal(err)
	}
	parse(t, resp, http.StatusBadRequest)
}
