package mail

import (
	"context"
	"errors"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"webmail/app/demo"
	"webmail/config"
)

func loopbackServer(t *testing.T, addr string) config.Server {
	t.Helper()
	host, port, _ := net.SplitHostPort(addr)
	n, _ := strconv.Atoi(port)
	return config.Server{Host: host, Port: n, Security: config.SecurityPlain}
}

// TestBearerRefused: a token the servers refuse is an authentication
// failure, whichever mechanism carried it, never "server unavailable"
// (which would tell the person to try again later).
func TestBearerRefused(t *testing.T) {
	for _, mech := range []string{MechOAuthBearer, MechXOAuth2} {
		t.Run(mech, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			d, err := demo.Start(ctx, demo.Options{Empty: true, OAuth: &demo.ProviderOptions{}, TokenMechanisms: []string{mech}})
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			auth := Auth{Login: "alice@example.org", Token: "not-a-token"}
			dialer := Dialer{Timeout: 5 * time.Second}

			if _, err := dialer.Dial(ctx, loopbackServer(t, d.IMAPAddr()), auth); !errors.Is(err, ErrAuth) {
				t.Errorf("IMAP: err = %v, want ErrAuth", err)
			}
			if err := dialer.CheckSMTP(ctx, loopbackServer(t, d.SMTPAddr()), auth); !errors.Is(err, ErrSMTPAuth) {
				t.Errorf("SMTP: err = %v, want ErrSMTPAuth", err)
			}
			// A password login still works beside the bearer mechanisms.
			c, err := dialer.Dial(ctx, loopbackServer(t, d.IMAPAddr()), Auth{Login: "alice@example.org", Password: "alice"})
			if err != nil {
				t.Fatalf("password login: %v", err)
			}
			c.Close()
		})
	}
}

func TestSASLClientChoice(t *testing.T) {
	srv := config.Server{Host: "imap.example.org", Port: 993}
	offers := func(list ...string) func(string) bool {
		return func(m string) bool {
			for _, o := range list {
				if o == m {
					return true
				}
			}
			return false
		}
	}
	for _, tc := range []struct {
		name   string
		auth   Auth
		offers []string
		want   string
	}{
		{"password", Auth{Login: "a", Password: "p"}, []string{"OAUTHBEARER"}, "PLAIN"},
		{"auto prefers OAUTHBEARER", Auth{Login: "a", Token: "t"}, []string{"XOAUTH2", "OAUTHBEARER"}, "OAUTHBEARER"},
		{"auto falls back", Auth{Login: "a", Token: "t"}, []string{"XOAUTH2"}, "XOAUTH2"},
		{"auto with nothing offered", Auth{Login: "a", Token: "t"}, nil, "XOAUTH2"},
		{"configured", Auth{Login: "a", Token: "t", Mechanism: "xoauth2"}, []string{"OAUTHBEARER", "XOAUTH2"}, "XOAUTH2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mech, ir, err := tc.auth.saslClient(srv, offers(tc.offers...)).Start()
			if err != nil || mech != tc.want {
				t.Fatalf("Start = %q, %v; want %q", mech, err, tc.want)
			}
			if mech == MechXOAuth2 && string(ir) != "user=a\x01auth=Bearer t\x01\x01" {
				t.Errorf("XOAUTH2 initial response %q", ir)
			}
			if mech == MechOAuthBearer && !strings.Contains(string(ir), "auth=Bearer t\x01") {
				t.Errorf("OAUTHBEARER initial response %q", ir)
			}
		})
	}
}

// TestRenewOnce: after a refusal the dial is tried once more with the
// renewed Auth, never more, and a failed renewal is the answer.
func TestRenewOnce(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	d, err := demo.Start(ctx, demo.Options{Empty: true, OAuth: &demo.ProviderOptions{}})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	imap, smtp := loopbackServer(t, d.IMAPAddr()), loopbackServer(t, d.SMTPAddr())
	dialer := Dialer{Timeout: 5 * time.Second}

	renewals := 0
	auth := Auth{Login: "alice@example.org", Token: "refused", Renew: func(context.Context) (Auth, error) {
		renewals++
		return Auth{Login: "alice@example.org", Token: "refused too", Renew: func(context.Context) (Auth, error) {
			t.Error("renewed a renewal")
			return Auth{}, nil
		}}, nil
	}}
	if _, err := dialer.Dial(ctx, imap, auth); !errors.Is(err, ErrAuth) || renewals != 1 {
		t.Errorf("IMAP: err %v after %d renewals, want ErrAuth after 1", err, renewals)
	}
	if err := dialer.CheckSMTP(ctx, smtp, auth); !errors.Is(err, ErrSMTPAuth) || renewals != 2 {
		t.Errorf("SMTP: err %v after %d renewals, want ErrSMTPAuth after 2", err, renewals)
	}
	ended := errors.New("sign-in ended")
	auth.Renew = func(context.Context) (Auth, error) { return Auth{}, ended }
	if _, err := dialer.Dial(ctx, imap, auth); !errors.Is(err, ended) {
		t.Errorf("failed renewal: err %v, want its error", err)
	}
}
