package app

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"webmail/app/demo"
	"webmail/config"
)

// underPath serves the webmail under path, as public_url
// "http://127.0.0.1:PORT/mail" does.
func underPath(path string) envOption {
	return func(c *config.Config) { c.PublicURL += path }
}

// urlAttrs are the attributes that hold a URL the browser requests.
var urlAttrs = map[string]bool{
	"href": true, "src": true, "action": true, "formaction": true,
	"hx-get": true, "hx-post": true, "hx-put": true, "hx-patch": true, "hx-delete": true, "hx-sse:connect": true,
}

// allUnder fails t unless every URL in doc (links, forms, buttons, htmx
// requests, the event stream, scripts, styles, icons, a meta refresh) is
// under root + "/", or an in-page fragment, or another site's (a link in
// a message's text). It returns how many it checked.
func allUnder(t testing.TB, where string, doc *goquery.Document, root string) int {
	t.Helper()
	n := 0
	check := func(tag, attr, v string) {
		n++
		switch {
		case strings.HasPrefix(v, root+"/"), strings.HasPrefix(v, "#"):
		case strings.HasPrefix(v, "https://"), strings.HasPrefix(v, "http://") && !strings.Contains(v, "127.0.0.1"):
		default:
			t.Errorf("%s: <%s %s=%q> is not under %s/", where, tag, attr, v, root)
		}
	}
	doc.Find("*").Each(func(_ int, s *goquery.Selection) {
		node := s.Nodes[0]
		for _, a := range node.Attr {
			if urlAttrs[a.Key] {
				check(node.Data, a.Key, a.Val)
			}
			if node.Data == "meta" && a.Key == "content" && strings.HasPrefix(a.Val, "0; url=") {
				check(node.Data, a.Key, strings.TrimPrefix(a.Val, "0; url="))
			}
		}
	})
	return n
}

// follow GETs path (under the root) and every redirect after it, each
// Location under the root, until a page answers want; it checks the URLs
// of that page and returns it.
func (c *client) follow(t testing.TB, root, path string, want int) *goquery.Document {
	t.Helper()
	for range 10 {
		resp := c.do(t, "GET", path, nil)
		if resp.StatusCode/100 != 3 {
			doc := parse(t, resp, want)
			if allUnder(t, path, doc, root) == 0 && want == http.StatusOK {
				t.Errorf("%s: a page without a single URL", path)
			}
			return doc
		}
		resp.Body.Close()
		path = c.location(t, root, resp)
	}
	t.Fatalf("%s: too many redirects", path)
	return nil
}

// location is a redirect's Location, failing t unless it is under root.
func (c *client) location(t testing.TB, root string, resp *http.Response) string {
	t.Helper()
	loc := resp.Header.Get("Location")
	if !strings.HasPrefix(loc, root+"/") {
		t.Fatalf("%s %s: %d to %q, not under %s/", resp.Request.Method, resp.Request.URL.Path, resp.StatusCode, loc, root)
	}
	return loc
}

func TestServedUnderSubPath(t *testing.T) {
	t.Parallel()
	const root = "/mail"
	e := newEnvWith(t, demo.Options{OAuth: &demo.ProviderOptions{}}, underPath(root))
	c := e.client()

	// Outside the root is not ours; the root without its slash moves.
	for path, want := range map[string]int{"/": 404, "/login": 404, "/m/INBOX": 404, "/assets/x.css": 404, "/mailbox": 404, "/mail": 301} {
		resp := c.do(t, "GET", path, nil)
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("GET %s: %d, want %d", path, resp.StatusCode, want)
		}
	}
	if resp := c.do(t, "GET", root, nil); resp.Header.Get("Location") != root+"/" {
		t.Errorf("GET %s: Location %q, want %s/", root, resp.Header.Get("Location"), root)
	}

	// Without a session: the login page, the page wanted kept for after.
	resp := c.do(t, "GET", root+"/m/Archive", nil)
	resp.Body.Close()
	if loc := c.location(t, root, resp); loc != root+"/login?next=%2Fm%2FArchive" {
		t.Errorf("to login: %q", loc)
	}
	resp = c.do(t, "GET", root+"/m/INBOX", nil, "HX-Request", "true")
	resp.Body.Close()
	if got := resp.Header.Get("HX-Redirect"); !strings.HasPrefix(got, root+"/login?") {
		t.Errorf("htmx to login: HX-Redirect %q", got)
	}
	login := c.follow(t, root, root+"/", http.StatusOK)
	if got := login.Find("[data-testid=login-form]").AttrOr("action", ""); got != root+"/login" {
		t.Errorf("login form posts to %q", got)
	}
	css := login.Find("link[rel=stylesheet]").AttrOr("href", "")
	if resp := c.do(t, "GET", css, nil); resp.StatusCode != http.StatusOK || resp.Header.Get("Cache-Control") == "" {
		t.Errorf("GET %s: %d", css, resp.StatusCode)
	}

	wanted := c.follow(t, root, root+"/m/Archive", http.StatusOK).Find("[data-testid=login-form] input[name=next]").AttrOr("value", "")
	resp = c.do(t, "POST", root+"/login", url.Values{"login": {e.acct.Login}, "password": {e.acct.Password}, "next": {wanted}})
	resp.Body.Close()
	if loc := c.location(t, root, resp); loc != root+"/m/Archive" {
		t.Errorf("after login: %q, want the page wanted", loc)
	}
	for _, ck := range resp.Cookies() {
		if ck.Path != "/" {
			t.Errorf("cookie %s: path %q, want /", ck.Name, ck.Path)
		}
	}
	inbox := c.follow(t, root, root+"/", http.StatusOK)
	if got := inbox.Find("[data-testid=live]").AttrOr("hx-sse:connect", ""); !strings.HasPrefix(got, root+"/m/INBOX/events?") {
		t.Errorf("event stream %q", got)
	}
	// The event stream answers there.
	resp = c.do(t, "GET", inbox.Find("[data-testid=live]").AttrOr("hx-sse:connect", ""), nil, "Accept", "text/event-stream")
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		t.Errorf("event stream: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	resp.Body.Close()

	// A fragment for htmx.
	frag := parse(t, c.do(t, "GET", root+"/m/INBOX?page=2", nil, "HX-Request", "true", "HX-Target", "list"), http.StatusOK)
	if allUnder(t, "the list fragment", frag, root) == 0 {
		t.Error("the list fragment has no URL")
	}

	// Open a message, archive it by its button's formaction.
	rows := inbox.Find("[data-testid=row]")
	first := rows.Eq(0).Find("a").AttrOr("href", "")
	msg := c.follow(t, root, first, http.StatusOK)
	archive := msg.Find("[data-testid=archive]")
	if got := archive.AttrOr("formaction", ""); got != first+"/archive" {
		t.Errorf("Archive posts to %q, want %q", got, first+"/archive")
	}
	resp = c.press(t, archive)
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("archive: %d", resp.StatusCode)
	}
	c.follow(t, root, c.location(t, root, resp), http.StatusOK)
	if c.follow(t, root, root+"/m/Archive", http.StatusOK).Find("[data-testid=row]").Length() == 0 {
		t.Error("no message in Archive after archiving")
	}

	// The other pages, and the error page.
	for path, want := range map[string]int{"/folders/manage": 200, "/settings/sending": 200, "/m/INBOX?q=from%3Aann": 200, "/m/INBOX?threads=1": 200, "/m/No%20such": 404} {
		c.follow(t, root, root+path, want)
	}

	// Write and send.
	compose := c.follow(t, root, root+"/compose", http.StatusOK)
	if got := compose.Find("[data-testid=send]").AttrOr("formaction", ""); got != root+"/compose/send" {
		t.Errorf("Send posts to %q", got)
	}
	settings := parse(t, c.do(t, "POST", root+"/settings/sending", url.Values{"smtp_login": {e.acct.SMTPLogin}, "smtp_password": {e.acct.SMTPPassword}}), http.StatusOK)
	allUnder(t, "settings saved", settings, root)
	blob := settings.Find("[data-smtp-blob]").AttrOr("data-smtp-blob", "")
	resp = c.postMultipart(t, root+"/compose/send", [][2]string{{"to", "ann@example.net"}, {"subject", "From under /mail"}, {"body", "Hello"}, {"smtp_blob", blob}}, nil)
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("send: %d", resp.StatusCode)
	}
	c.follow(t, root, c.location(t, root, resp), http.StatusOK)

	// Log out.
	resp = c.do(t, "POST", root+"/logout", url.Values{})
	resp.Body.Close()
	if loc := c.location(t, root, resp); loc != root+"/login?logged_out=1" {
		t.Errorf("after logout: %q", loc)
	}
}

// TestOAuthUnderSubPath signs in with the demo provider under /mail: the
// redirect URI, the flow cookie's path and the page after carry the root.
func TestOAuthUnderSubPath(t *testing.T) {
	t.Parallel()
	const root = "/mail"
	e := newOAuthEnv(t, nil, demo.ProviderOptions{}, underPath(root))
	c := e.client()
	resp := c.do(t, "POST", root+"/login/oauth/demo", url.Values{})
	for _, ck := range resp.Cookies() {
		if strings.Contains(ck.Name, "wm_oauth") && ck.Path != root+"/login/oauth/" {
			t.Errorf("cookie %s: path %q, want %s/login/oauth/", ck.Name, ck.Path, root)
		}
	}
	doc := parse(t, resp, http.StatusOK)
	to, err := url.Parse(doc.Find("[data-testid=to-provider]").AttrOr("href", ""))
	if err != nil {
		t.Fatal(err)
	}
	if got := to.Query().Get("redirect_uri"); got != e.srv.URL+root+"/login/oauth/demo/callback" {
		t.Errorf("redirect_uri %q", got)
	}
	back := c.consent(t, to, e.demo.Accounts()[0].Login, "allow")
	if !strings.HasPrefix(back.String(), e.srv.URL+root+"/login/oauth/demo/callback?") {
		t.Fatalf("provider redirects to %s", back)
	}
	resp, err = c.hc.Get(back.String())
	if err != nil {
		t.Fatal(err)
	}
	signedIn := parse(t, resp, http.StatusOK)
	if n := allUnder(t, "signed in", signedIn, root); n == 0 {
		t.Error("signed-in page without URLs")
	}
	c.follow(t, root, signedIn.Find("[data-testid=continue]").AttrOr("href", ""), http.StatusOK)
}
