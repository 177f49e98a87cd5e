package oneclick

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"testing"
)

func TestPublic(t *testing.T) {
	t.Parallel()
	for addr, want := range map[string]bool{
		"93.184.215.14": true, "2606:4700::6810:85e5": true,
		"127.0.0.1": false, "::1": false, "10.1.2.3": false, "172.16.0.1": false, "192.168.1.1": false,
		"169.254.169.254": false, "fe80::1": false, "fc00::1": false, "fd12::1": false, "0.0.0.0": false, "::": false,
		"100.64.0.1": false, "224.0.0.1": false, "ff02::1": false, "255.255.255.255": false, "198.18.0.1": false,
		"::ffff:10.0.0.1": false, "::ffff:127.0.0.1": false, "64:ff9b::a00:1": false, "2002:a00:1::": false,
	} {
		if got := Public(netip.MustParseAddr(addr)); got != want {
			t.Errorf("Public(%s) = %v, want %v", addr, got, want)
		}
	}
}

// received is what a test list server saw.
type received struct {
	mu   sync.Mutex
	reqs []*http.Request
	body []string
}

func (r *received) add(req *http.Request) {
	b, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.reqs = append(r.reqs, req)
	r.body = append(r.body, string(b))
}

func (r *received) all() ([]*http.Request, []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.reqs, r.body
}

// listServer is a list's https endpoint on loopback, and a client allowed
// to reach it.
func listServer(t *testing.T, h http.HandlerFunc) (*httptest.Server, *received, *Client) {
	t.Helper()
	rec := &received{}
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec.add(r)
		h(w, r)
	}))
	t.Cleanup(srv.Close)
	pool := srv.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs
	c := New(Options{Allow: func(a netip.Addr) bool { return a.IsLoopback() }, RootCAs: pool})
	return srv, rec, c
}

func TestUnsubscribePostsOneClick(t *testing.T) {
	t.Parallel()
	srv, rec, c := listServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/u" {
			http.Redirect(w, r, "/done", http.StatusTemporaryRedirect) // keeps the POST
			return
		}
		http.SetCookie(w, &http.Cookie{Name: "track", Value: "1"})
		w.WriteHeader(http.StatusAccepted)
	})
	if err := c.Unsubscribe(t.Context(), srv.URL+"/u?id=42"); err != nil {
		t.Fatalf("Unsubscribe: %v", err)
	}
	if err := c.Unsubscribe(t.Context(), srv.URL+"/done"); err != nil {
		t.Fatalf("Unsubscribe again: %v", err)
	}
	reqs, bodies := rec.all()
	if len(reqs) != 3 {
		t.Fatalf("%d requests, want 3 (a redirect followed, then one)", len(reqs))
	}
	for i, r := range reqs {
		if r.Method != http.MethodPost || bodies[i] != Body {
			t.Errorf("request %d: %s %q, want POST %q", i, r.Method, bodies[i], Body)
		}
		if ct := r.Header.Get("Content-Type"); ct != "application/x-www-form-urlencoded" {
			t.Errorf("request %d: Content-Type %q", i, ct)
		}
		for _, h := range []string{"Cookie", "Referer", "Authorization"} {
			if v := r.Header.Get(h); v != "" {
				t.Errorf("request %d sent %s: %q", i, h, v)
			}
		}
	}
	if reqs[0].URL.RawQuery != "id=42" {
		t.Errorf("query %q", reqs[0].URL.RawQuery)
	}
}

func TestUnsubscribeRefuses(t *testing.T) {
	t.Parallel()
	srv, rec, c := listServer(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/to-http":
			http.Redirect(w, r, "http://"+r.Host+"/plain", http.StatusFound)
		case "/refuse":
			http.Error(w, "no such subscriber", http.StatusInternalServerError)
		case "/loop":
			http.Redirect(w, r, "/loop", http.StatusTemporaryRedirect)
		case "/big":
			w.Write([]byte(strings.Repeat("x", 4<<20)))
		}
	})
	strict := New(Options{RootCAs: srv.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs})
	for _, tc := range []struct {
		name   string
		c      *Client
		uri    string
		want   error
		served int // requests the list server sees
	}{
		{"loopback under the default policy", strict, srv.URL + "/ok", ErrRefused, 0},
		{"private address under the default policy", strict, "https://10.0.0.1:9/u", ErrRefused, 0},
		{"plain http", c, strings.Replace(srv.URL, "https:", "http:", 1) + "/ok", ErrRefused, 0},
		{"credentials", c, strings.Replace(srv.URL, "https://", "https://me:pw@", 1) + "/ok", ErrRefused, 0},
		{"redirect to http", c, srv.URL + "/to-http", ErrRefused, 1},
		{"an error answer", c, srv.URL + "/refuse", ErrRejected, 1},
		{"endless redirects", c, srv.URL + "/loop", ErrRejected, maxRedirects + 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before, _ := rec.all()
			err := tc.c.Unsubscribe(t.Context(), tc.uri)
			if !errors.Is(err, tc.want) {
				t.Errorf("err = %v, want %v", err, tc.want)
			}
			after, _ := rec.all()
			if n := len(after) - len(before); n != tc.served {
				t.Errorf("the list saw %d requests, want %d", n, tc.served)
			}
		})
	}
	// A large answer is read only so far, and still counts as success.
	if err := c.Unsubscribe(context.Background(), srv.URL+"/big"); err != nil {
		t.Errorf("large answer: %v", err)
	}
}
