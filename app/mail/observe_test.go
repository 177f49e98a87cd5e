package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"webmail/app/internal/dovecot"
	"webmail/config"
)

// TestProbe against a real Dovecot: implicit TLS, STARTTLS and plain are
// ready; a certificate not trusted is a TLS failure, a closed port
// unavailable.
func TestProbe(t *testing.T) {
	t.Parallel()
	s := dovecot.Start(t, dovecot.Options{TLS: true})
	trusted := Dialer{TLSConfig: &tls.Config{RootCAs: s.CertPool()}}
	server := func(addr string, sec config.Security) config.Server {
		srv := loopbackServer(t, addr)
		srv.Security = sec
		return srv
	}
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedAddr := closed.Addr().String()
	closed.Close()
	for name, tc := range map[string]struct {
		d    Dialer
		srv  config.Server
		want error
	}{
		"tls":                   {trusted, server(s.TLSAddr(), config.SecurityTLS), nil},
		"starttls":              {trusted, server(s.Addr(), config.SecurityStartTLS), nil},
		"plain":                 {trusted, server(s.Addr(), config.SecurityPlain), nil},
		"tls, untrusted":        {Dialer{}, server(s.TLSAddr(), config.SecurityTLS), ErrTLS},
		"starttls, untrusted":   {Dialer{}, server(s.Addr(), config.SecurityStartTLS), ErrTLS},
		"tls on the plain port": {trusted, server(s.Addr(), config.SecurityTLS), ErrTLS},
		"closed":                {trusted, server(closedAddr, config.SecurityTLS), ErrUnavailable},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			err := tc.d.Probe(ctx, tc.srv)
			if tc.want == nil && err != nil || tc.want != nil && !errors.Is(err, tc.want) {
				t.Errorf("Probe = %v, want %v", err, tc.want)
			}
		})
	}
}

// TestObserver: the Observer hears each dial and command by name with its
// outcome, and nothing of the account.
func TestObserver(t *testing.T) {
	t.Parallel()
	s := dovecot.Start(t, dovecot.Options{})
	var (
		mu     sync.Mutex
		events []string
	)
	note := func(s string) { mu.Lock(); events = append(events, s); mu.Unlock() }
	d := Dialer{Timeout: 5 * time.Second, Observer: &Observer{
		Command: func(name string, _ time.Duration, err error) { note(name + " " + Outcome(err)) },
		Dial:    func(outcome string, _ time.Duration) { note("dial " + outcome) },
	}}
	ctx := context.Background()
	srv := loopbackServer(t, s.Addr())
	if _, err := d.Dial(ctx, srv, Auth{Login: dovecot.DefaultLogin, Password: "wrong"}); !errors.Is(err, ErrAuth) {
		t.Fatalf("Dial with a wrong password = %v", err)
	}
	c, err := d.Dial(ctx, srv, Auth{Login: dovecot.DefaultLogin, Password: dovecot.DefaultPassword})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.ListPage(ctx, "INBOX", 1); err != nil {
		t.Fatal(err)
	}
	if _, err := c.ListPage(ctx, "No such folder", 1); !errors.Is(err, ErrNotFound) {
		t.Fatalf("ListPage of a missing folder = %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	want := []string{"dial auth", "dial ok", "select ok", "select not_found"}
	if diff := cmp.Diff(want, events); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
}
