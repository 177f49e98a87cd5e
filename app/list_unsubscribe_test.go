package app

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/alexedwards/scs/v2/memstore"

	"webmail/app/demo"
	"webmail/app/oneclick"
)

// newOneClickEnv is newEnv with the one-click client c (nil: the
// production one), which the App takes at New.
func newOneClickEnv(t *testing.T, c *oneclick.Client) *env {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	d, err := demo.Start(ctx, demo.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	srv := httptest.NewUnstartedServer(nil)
	cfg := testConfig(t, d.IMAPAddr(), d.SMTPAddr())
	cfg.PublicURL = "http://" + srv.Listener.Addr().String()
	e := &env{demo: d, store: memstore.New(), logs: &syncBuffer{}, acct: d.Accounts()[0]}
	log := slog.New(slog.NewTextHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	e.app = mustNew(t, cfg, Options{Logger: log, Store: e.store, OneClick: c})
	go e.app.Run(ctx)
	srv.Config.Handler = e.app.Handler()
	srv.Start()
	e.srv = srv
	t.Cleanup(e.srv.Close)
	return e
}

// listServer is a mailing list's https endpoint on loopback: it records
// what it receives and answers with status. allowed is a one-click
// client that may reach it (the production one may not).
type listServer struct {
	*httptest.Server
	allowed *oneclick.Client
	status  int

	mu   sync.Mutex
	reqs []*http.Request
	body []string
}

func newListServer(t *testing.T, status int) *listServer {
	t.Helper()
	l := &listServer{status: status}
	l.Server = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		l.mu.Lock()
		l.reqs, l.body = append(l.reqs, r), append(l.body, string(b))
		l.mu.Unlock()
		w.WriteHeader(l.status)
	}))
	t.Cleanup(l.Close)
	l.allowed = oneclick.New(oneclick.Options{
		Allow:   func(a netip.Addr) bool { return a.IsLoopback() },
		RootCAs: l.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs,
	})
	return l
}

func (l *listServer) received() ([]*http.Request, []string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.reqs, l.body
}

// listMessage is a message of a mailing list with these extra header
// lines.
func listMessage(subject string, header ...string) []byte {
	return fmt.Appendf(nil, "From: Example News <news@lists.example.com>\r\nTo: alice@example.org\r\nSubject: %s\r\n"+
		"Date: Mon, 02 Mar 2026 10:00:00 +0000\r\nMessage-ID: <%d@lists.example.com>\r\n%s\r\nThis week's news.\r\n",
		subject, time.Now().UnixNano(), strings.Join(header, ""))
}

func (e *env) deliver(t *testing.T, raw []byte) {
	t.Helper()
	if err := e.demo.Append(t.Context(), e.acct.Login, "INBOX", raw, nil, time.Now()); err != nil {
		t.Fatal(err)
	}
}

// TestUnsubscribeOneClick: a list message with List-Unsubscribe-Post
// shows "Unsubscribe"; it asks first, and only once confirmed does the
// webmail's server POST the one-click body to the list, without cookie or
// Referer; the person is told.
func TestUnsubscribeOneClick(t *testing.T) {
	t.Parallel()
	list := newListServer(t, http.StatusOK)
	e := newOneClickEnv(t, list.allowed)
	e.deliver(t, listMessage("Weekly news", "List-Id: \"Example News\" <news.lists.example.com>\r\n",
		"List-Unsubscribe: <mailto:leave@lists.example.com>, <"+list.URL+"/u/alice?t=x1>\r\n",
		"List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"))
	c := e.client()
	c.login(t, e.acct.Login, e.acct.Password)
	href := c.findMessage(t, "INBOX", "Weekly news")

	doc := c.page(t, href, http.StatusOK)
	link := doc.Find("[data-testid=message] [data-testid=unsubscribe]")
	if link.Length() != 1 {
		t.Fatal("no Unsubscribe action on a list message")
	}
	doc = c.page(t, link.AttrOr("href", ""), http.StatusOK)
	if got := text(doc.Find("[data-testid=unsubscribe] h1")); got != "Unsubscribe from Example News?" {
		t.Errorf("confirmation %q", got)
	}
	if n, _ := list.received(); len(n) != 0 {
		t.Fatalf("the list got %d requests before the person confirmed", len(n))
	}
	if doc.Find("[data-testid=unsubscribe-mailto]").Length() != 0 {
		t.Error("the mailto way is offered alongside one-click")
	}
	resp := c.submit(t, doc.Find("[data-testid=unsubscribe-form]"))
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("confirm: status %d, want 303", resp.StatusCode)
	}
	reqs, bodies := list.received()
	if len(reqs) != 1 {
		t.Fatalf("the list got %d requests, want 1", len(reqs))
	}
	r := reqs[0]
	if r.Method != http.MethodPost || r.URL.RequestURI() != "/u/alice?t=x1" || bodies[0] != "List-Unsubscribe=One-Click" {
		t.Errorf("the list got %s %s %q", r.Method, r.URL.RequestURI(), bodies[0])
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/x-www-form-urlencoded" {
		t.Errorf("Content-Type %q", ct)
	}
	for _, h := range []string{"Cookie", "Referer", "Authorization", "Origin"} {
		if v := r.Header.Get(h); v != "" {
			t.Errorf("the request to the list carries %s: %q", h, v)
		}
	}
	doc = c.page(t, resp.Header.Get("Location"), http.StatusOK)
	if got := text(doc.Find("[data-testid=flash]")); !strings.HasPrefix(got, "You asked to unsubscribe from Example News") {
		t.Errorf("outcome %q", got)
	}
}

// TestUnsubscribeNotAccepted: a list that answers with an error, and a
// list address the production policy refuses (loopback here, as private
// addresses are), are told apart in words, without internal text, and
// the list's other ways are offered.
func TestUnsubscribeNotAccepted(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		status  int
		allowed bool // the test's client, or production's
		want    string
		reached int
	}{
		{"list refuses", http.StatusInternalServerError, true, "The list did not accept the request to unsubscribe.", 1},
		{"private address", http.StatusOK, false, "not a public https address", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			list := newListServer(t, tc.status)
			var oc *oneclick.Client
			if tc.allowed {
				oc = list.allowed
			}
			e := newOneClickEnv(t, oc)
			e.deliver(t, listMessage("Daily deals", "List-Unsubscribe: <"+list.URL+"/u>, <mailto:leave@lists.example.com?subject=stop>\r\n",
				"List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"))
			c := e.client()
			c.login(t, e.acct.Login, e.acct.Password)
			href := c.findMessage(t, "INBOX", "Daily deals")
			doc := c.page(t, href+"/unsubscribe", http.StatusOK)
			doc = parse(t, c.submit(t, doc.Find("[data-testid=unsubscribe-form]")), http.StatusBadGateway)
			msg := text(doc.Find("[data-testid=unsubscribe-error]"))
			if !strings.Contains(msg, tc.want) {
				t.Errorf("message %q, want it to say %q", msg, tc.want)
			}
			for _, internal := range []string{"oneclick", "status", "127.0.0.1", "dial", "500"} {
				if strings.Contains(doc.Text(), internal) {
					t.Errorf("the page shows internal text %q", internal)
				}
			}
			if doc.Find("[data-testid=unsubscribe-mailto]").Length() != 1 {
				t.Error("the e-mail way is not offered after the failure")
			}
			if n, _ := list.received(); len(n) != tc.reached {
				t.Errorf("the list got %d requests, want %d", len(n), tc.reached)
			}
		})
	}
}

// TestUnsubscribeMailto: without one-click, the mailto: way opens compose
// pre-filled from the URI, after the confirmation page; an https page
// without one-click is a link out; a message of no list offers nothing.
func TestUnsubscribeMailto(t *testing.T) {
	t.Parallel()
	e := newOneClickEnv(t, nil)
	e.deliver(t, listMessage("Club letter", "List-Id: Club <club.example.org>\r\n",
		"List-Unsubscribe: <mailto:club-leave@example.org?subject=Leave%20club&body=please%20remove%20me>\r\n"))
	e.deliver(t, listMessage("Shop letter", "List-Unsubscribe: <https://shop.example.com/unsub?u=1>\r\n"))
	e.deliver(t, listMessage("From a friend"))
	c := e.client()
	c.login(t, e.acct.Login, e.acct.Password)

	href := c.findMessage(t, "INBOX", "Club letter")
	doc := c.page(t, c.page(t, href, http.StatusOK).Find("[data-testid=unsubscribe]").AttrOr("href", ""), http.StatusOK)
	if doc.Find("[data-testid=unsubscribe-form]").Length() != 0 {
		t.Error("a one-click form for a list without one-click")
	}
	compose := doc.Find("[data-testid=unsubscribe-mailto]").AttrOr("href", "")
	if compose == "" {
		t.Fatal("no way to write the e-mail")
	}
	doc = c.page(t, compose, http.StatusOK)
	for name, want := range map[string]string{"to": "club-leave@example.org", "subject": "Leave club"} {
		if got := doc.Find("[name="+name+"]").AttrOr("value", ""); got != want {
			t.Errorf("compose %s = %q, want %q", name, got, want)
		}
	}
	if got := text(doc.Find("textarea[name=body]")); got != "please remove me" {
		t.Errorf("compose body %q", got)
	}
	resp := c.do(t, "POST", href+"/unsubscribe", url.Values{})
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("one-click POST for a mailto list: status %d, want 404", resp.StatusCode)
	}

	href = c.findMessage(t, "INBOX", "Shop letter")
	doc = c.page(t, href+"/unsubscribe", http.StatusOK)
	web := doc.Find("[data-testid=unsubscribe-web]")
	if web.AttrOr("href", "") != "https://shop.example.com/unsub?u=1" || web.AttrOr("rel", "") != "noopener noreferrer" {
		t.Errorf("link to the list's page: href %q rel %q", web.AttrOr("href", ""), web.AttrOr("rel", ""))
	}

	href = c.findMessage(t, "INBOX", "From a friend")
	if c.page(t, href, http.StatusOK).Find("[data-testid=unsubscribe]").Length() != 0 {
		t.Error("Unsubscribe offered on a message of no list")
	}
	resp = c.do(t, "GET", href+"/unsubscribe", nil)
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("unsubscribe page of a message of no list: status %d, want 404", resp.StatusCode)
	}
}
