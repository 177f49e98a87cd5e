package app

import (
	"context"
	"net/http"
	"net/url"
	"testing"
	"time"

	"webmail/app/internal/dovecot"
	"webmail/views"
)

// tokyoMessage was written in Tokyo: 10:05 +0900 is 01:05 UTC, and
// 20:05 the evening before in New York (EST, -0500).
var tokyoMessage = []byte("From: Aiko <aiko@example.jp>\r\nTo: alice@example.org\r\nSubject: From Tokyo\r\n" +
	"Date: Mon, 02 Mar 2026 10:05:00 +0900\r\nMessage-ID: <tokyo@example.jp>\r\n\r\nOhayo.\r\n")

var tokyoDate = time.Date(2026, 3, 2, 10, 5, 0, 0, time.FixedZone("", 9*60*60))

// dates opens the Inbox and its one message and returns the row's date
// and the message header's date.
func (c *client) dates(t *testing.T) (row, header string) {
	t.Helper()
	doc := c.page(t, "/m/INBOX", http.StatusOK)
	r := doc.Find("[data-testid=row]").First()
	msg := c.page(t, r.Find("a").AttrOr("href", ""), http.StatusOK)
	return text(r.Find("time")), text(msg.Find("[data-testid=hdr-date]"))
}

// TestTimeZones: dates are in the reader's zone (the browser's tz cookie,
// else the zone chosen in the settings, else the server's), and the
// sender's own time follows where the offsets differ.
func TestTimeZones(t *testing.T) {
	t.Parallel()
	e, dc := newDovecotEnv(t, dovecot.Options{})
	dc.Deliver(t, dovecot.DefaultLogin, "INBOX", tokyoMessage)
	newYork, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(e.srv.URL)

	t.Run("browser zone", func(t *testing.T) {
		t.Parallel()
		c := e.client()
		c.login(t, e.acct.Login, e.acct.Password)
		c.jar.SetCookies(u, []*http.Cookie{{Name: "tz", Value: "America/New_York", Path: "/"}})
		row, header := c.dates(t)
		want := "Sun, 1 Mar 2026 20:05 (Mon 10:05 +0900 sender's time)"
		if header != want {
			t.Errorf("header date %q, want %q", header, want)
		}
		if want := views.ListDate(context.Background(), tokyoDate, time.Now().In(newYork)); row != want {
			t.Errorf("list date %q, want %q (New York's)", row, want)
		}
	})

	t.Run("invalid zone falls back to the server's", func(t *testing.T) {
		t.Parallel()
		c := e.client()
		c.login(t, e.acct.Login, e.acct.Password)
		for _, bad := range []string{"Mars/Olympus_Mons", "../../../etc/passwd", "Local", string(make([]byte, 100))} {
			c.jar.SetCookies(u, []*http.Cookie{{Name: "tz", Value: url.PathEscape(bad), Path: "/"}})
			_, header := c.dates(t)
			if want := views.FullDate(context.Background(), tokyoDate, time.Local); header != want {
				t.Errorf("tz=%q: header date %q, want the server's zone: %q", bad, header, want)
			}
		}
	})

	t.Run("chosen in the settings, without JavaScript", func(t *testing.T) {
		t.Parallel()
		// The chosen zone is kept in the mailbox: a mailbox of its own,
		// so the other subtests keep theirs.
		e, dc := newDovecotEnv(t, dovecot.Options{})
		dc.Deliver(t, dovecot.DefaultLogin, "INBOX", tokyoMessage)
		c := e.client()
		c.login(t, e.acct.Login, e.acct.Password)
		c.jar.SetCookies(u, []*http.Cookie{{Name: "tz", Value: "America/New_York", Path: "/"}})

		doc := parse(t, c.do(t, "POST", "/settings/timezone", url.Values{"tz": {"Asia/Tokio"}}), http.StatusUnprocessableEntity)
		if doc.Find("[data-testid=tz-error]").Length() != 1 || doc.Find("[data-testid=tz-input]").AttrOr("value", "") != "Asia/Tokio" {
			t.Errorf("a misspelt zone: no error, or the input lost: %q", text(doc.Find("[data-testid=tz-form]")))
		}

		doc = parse(t, c.do(t, "POST", "/settings/timezone", url.Values{"tz": {"Asia/Tokyo"}}), http.StatusOK)
		if got, want := text(doc.Find("[data-testid=tz-in-use]")), "Dates are shown in Asia/Tokyo (chosen here)."; got != want {
			t.Errorf("zone in use %q, want %q", got, want)
		}
		if _, header := c.dates(t); header != "Mon, 2 Mar 2026 10:05" {
			t.Errorf("header date %q, want Tokyo's time and no sender's time", header)
		}
		// Kept in the mailbox, not in this browser: another browser
		// (here without any zone of its own) shows Tokyo's time too.
		other := e.client()
		other.login(t, e.acct.Login, e.acct.Password)
		if _, header := other.dates(t); header != "Mon, 2 Mar 2026 10:05" {
			t.Errorf("another browser: header date %q, want Tokyo's time", header)
		}

		parse(t, c.do(t, "POST", "/settings/timezone", url.Values{"tz": {""}}), http.StatusOK)
		if _, header := c.dates(t); header != "Sun, 1 Mar 2026 20:05 (Mon 10:05 +0900 sender's time)" {
			t.Errorf("after forgetting the chosen zone: header date %q, want the browser's zone again", header)
		}
		settings := c.page(t, "/settings/sending", http.StatusOK)
		if got, want := text(settings.Find("[data-testid=tz-in-use]")), "Dates are shown in America/New_York (this browser's zone)."; got != want {
			t.Errorf("zone in use %q, want %q", got, want)
		}
	})
}
