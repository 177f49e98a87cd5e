package app

import (
	"bytes"
	"context"
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"webmail/app/demo"
	"webmail/app/internal/faultnet"
	"webmail/config"
)

// faultEnv is a webmail whose IMAP and SMTP connections go through
// fault-injecting proxies to the demo servers, with imap_timeout set to
// timeout.
type faultEnv struct {
	*env
	imap, smtp *faultnet.Proxy
	timeout    time.Duration
}

func newFaultEnv(t *testing.T, timeout time.Duration) *faultEnv {
	t.Helper()
	accts := demo.DefaultAccounts()
	accts[0].Password = "Pq7-wrT!zx93-secret"
	d, err := demo.Start(t.Context(), demo.Options{Accounts: accts})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	f := &faultEnv{timeout: timeout}
	f.imap = faultnet.NewProxy(t, d.IMAPAddr())
	f.smtp = faultnet.NewProxy(t, d.SMTPAddr())
	f.env = newEnvOn(t, d, func(c *config.Config) {
		host, port := splitHostPort(t, f.imap.Addr())
		c.IMAP = config.Server{Host: host, Port: port, Security: config.SecurityPlain}
		host, port = splitHostPort(t, f.smtp.Addr())
		c.SMTP.Server = config.Server{Host: host, Port: port, Security: config.SecurityPlain}
		c.IMAPTimeout = config.Duration{Duration: timeout}
	})
	return f
}

// within sends a request that must be answered within the timeout and
// about a second: the client gives up then, and the test fails.
func (c *client) within(t *testing.T, d time.Duration, method, path string, form [][2]string) (*http.Response, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	var body io.Reader
	var ct string
	if form != nil {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		for _, f := range form {
			mw.WriteField(f[0], f[1])
		}
		mw.Close()
		body, ct = &buf, mw.FormDataContentType()
	}
	req, err := http.NewRequestWithContext(ctx, method, c.e.srv.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return c.hc.Do(req)
}

// TestStalledServerAnswersInTime: a server that stops answering costs a
// request imap_timeout and about a second, a concurrent request of the
// same session as much (it does not queue behind the stuck connection),
// and once the server answers again the session works without a new
// login. It is not parallel: it bounds how long an answer takes.
func TestStalledServerAnswersInTime(t *testing.T) {
	f := newFaultEnv(t, time.Second)
	c := f.client()
	c.login(t, f.acct.Login, f.acct.Password)
	// The list before the stall: its first request dials within the
	// one-second imap_timeout, which a loaded machine can miss (504,
	// tried again, as after the stall below).
	eventually(t, "the list before the stall", func() bool {
		resp := c.do(t, "GET", "/m/INBOX", nil)
		defer resp.Body.Close()
		if resp.StatusCode == http.StatusGatewayTimeout {
			return false
		}
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET /m/INBOX before the stall: status %d", resp.StatusCode)
		}
		return true
	})

	f.imap.Stall()
	var wg sync.WaitGroup
	for _, path := range []string{"/m/INBOX", "/m/INBOX?page=2"} {
		wg.Go(func() {
			resp, err := c.within(t, f.timeout+time.Second, "GET", path, nil)
			if err != nil {
				t.Errorf("GET %s during the stall: %v (no answer within imap_timeout + 1 s)", path, err)
				return
			}
			doc := parse(t, resp, http.StatusGatewayTimeout)
			if got := text(doc.Find("[data-testid=error-message]")); !strings.Contains(got, "not answering") {
				t.Errorf("GET %s: %q, want the not-answering message", path, got)
			}
		})
	}
	wg.Wait()
	f.imap.Resume()
	// Same cookies, no new login: the list comes back. Its first request
	// dials afresh within the one-second imap_timeout, which a loaded
	// machine (CI under -race) can miss, so a 504 is retried; a login page
	// never is.
	var rows int
	eventually(t, "the list after the stall", func() bool {
		resp := c.do(t, "GET", "/m/INBOX", nil)
		if resp.StatusCode == http.StatusGatewayTimeout {
			resp.Body.Close()
			return false
		}
		rows = parse(t, resp, http.StatusOK).Find("[data-testid=row]").Length()
		return true
	})
	if rows == 0 {
		t.Error("no mail after the stall")
	}
}

// TestSMTPStallAnswersInTime: the same for the sending server; the message
// is kept in the form and saved in Drafts. It is not parallel either.
func TestSMTPStallAnswersInTime(t *testing.T) {
	f := newFaultEnv(t, time.Second)
	c := f.client()
	c.login(t, f.acct.Login, f.acct.Password)
	f.smtp.Stall()
	resp, err := c.within(t, f.timeout+time.Second, "POST", "/compose/send", [][2]string{
		{"to", "ann@example.net"}, {"subject", "Stalled"}, {"body", "Still here"},
		{"smtp_login", f.acct.SMTPLogin}, {"smtp_password", f.acct.SMTPPassword},
	})
	if err != nil {
		t.Fatalf("send to a stalled server: %v (no answer within imap_timeout + 1 s)", err)
	}
	doc := parse(t, resp, http.StatusGatewayTimeout)
	if got := text(doc.Find("[data-testid=compose-error]")); !strings.Contains(got, "sending server is not answering") {
		t.Errorf("compose error %q, want the not-answering message", got)
	}
	if got := text(doc.Find("[data-testid=compose-notice]")); !strings.Contains(got, "saved in Drafts") {
		t.Errorf("compose notice %q, want the draft saved", got)
	}
	if got := doc.Find("[data-testid=body-input]").Text(); got != "Still here" {
		t.Errorf("body %q, want what was typed", got)
	}
}

// TestDownloadCutAborts: a download whose IMAP connection dies after the
// headers went out fails in the browser (the body is not ended as if
// whole), and the log says so.
func TestDownloadCutAborts(t *testing.T) {
	t.Parallel()
	f := newFaultEnv(t, 5*time.Second)
	c := f.client()
	c.login(t, f.acct.Login, f.acct.Password)
	doc := c.page(t, c.findMessage(t, "INBOX", "Weekly backup: backup-archive.zip (5 MB)"), http.StatusOK)
	href, _ := doc.Find("[data-testid=attachment-link]").First().Attr("href")
	f.imap.CutAfter(1 << 20)
	resp := c.do(t, "GET", href, nil)
	n, err := io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if err == nil {
		t.Fatalf("the download ended cleanly after %d bytes of a 5 MB file", n)
	}
	logs := f.logs.String()
	if !strings.Contains(logs, "answer broken off") || !strings.Contains(logs, "outcome=aborted") {
		t.Errorf("the log does not record the broken download:\n%s", logs)
	}
	f.imap.CutAfter(-1)
	c.page(t, "/m/INBOX", http.StatusOK)
}

// TestClosedMidCommand: a server that drops the connection in the middle
// of a command gets its own words.
func TestClosedMidCommand(t *testing.T) {
	t.Parallel()
	f := newFaultEnv(t, 5*time.Second)
	c := f.client()
	c.login(t, f.acct.Login, f.acct.Password)
	c.page(t, "/m/INBOX", http.StatusOK)
	f.imap.CutAfter(1)
	doc := c.page(t, "/m/INBOX", http.StatusBadGateway)
	if got := text(doc.Find("[data-testid=error-message]")); !strings.Contains(got, "closed the connection") {
		t.Errorf("%q, want the closed-connection message", got)
	}
}

// TestClientGoneIsNotAnError: a browser that gives up on a slow page is
// logged at info level with status 499, not as a failed request.
func TestClientGoneIsNotAnError(t *testing.T) {
	t.Parallel()
	f := newFaultEnv(t, 5*time.Second)
	c := f.client()
	c.login(t, f.acct.Login, f.acct.Password)
	c.page(t, "/m/INBOX", http.StatusOK)
	f.imap.Stall()
	if _, err := c.within(t, 300*time.Millisecond, "GET", "/m/INBOX", nil); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("the request did not time out at the client: %v", err)
	}
	eventually(t, "the request logged", func() bool { return strings.Contains(f.logs.String(), "status=499") })
	logs := f.logs.String()
	if !strings.Contains(logs, `level=INFO msg=request method=GET path=/m/INBOX status=499`) || strings.Contains(logs, "level=ERROR") {
		t.Errorf("want an info line with status 499 and no error:\n%s", logs)
	}
	f.imap.Resume()
}
