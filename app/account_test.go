package app

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"webmail/config"
)

// TestAccountIdentityIsCanonical: Demo@Example.org and demo@example.org,
// which the server takes as one mailbox, are one account here too: SMTP
// credentials sealed in one session open in the other, the two share one
// connection budget, and one send limit.
func TestAccountIdentityIsCanonical(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(c *config.Config) { c.Limits.SendPerHour = 2 })
	upper, lower := e.client(), e.client()
	const upperLogin = "Demo@Example.org"
	if !strings.EqualFold(upperLogin, e.acct.Login) || upperLogin == e.acct.Login {
		t.Fatalf("the demo account is %s", e.acct.Login)
	}
	upper.login(t, upperLogin, e.acct.Password)
	lower.login(t, e.acct.Login, e.acct.Password)

	blob := upper.saveSMTP(t, e.acct.SMTPLogin, e.acct.SMTPPassword)
	send := func(c *client, subject string) int {
		t.Helper()
		resp := c.postMultipart(t, "/compose/send", [][2]string{{"to", "ann@example.net"}, {"subject", subject}, {"body", "x"}, {"smtp_blob", blob}}, nil)
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := send(lower, "Blob from the other spelling"); got != http.StatusSeeOther {
		t.Fatalf("send with the blob sealed for %s: status %d, want 303", upperLogin, got)
	}
	if got := lastDelivery(t, e.demo); !strings.Contains(string(got.Data), "Blob from the other spelling") {
		t.Errorf("delivered %q", got.Data[:min(len(got.Data), 80)])
	}
	if got := send(upper, "Second"); got != http.StatusSeeOther {
		t.Fatalf("second send: %d", got)
	}
	if got := send(lower, "Third"); got != http.StatusTooManyRequests {
		t.Errorf("third send of the hour across both spellings: %d, want 429", got)
	}

	upper.page(t, "/m/INBOX", http.StatusOK)
	lower.page(t, "/m/INBOX", http.StatusOK)
	if s := e.app.pool.Stats(); s.Accounts != 1 || s.Open > e.app.cfg.IMAPConnections {
		t.Errorf("pool %+v: want one account within its budget of %d", s, e.app.cfg.IMAPConnections)
	}
}
