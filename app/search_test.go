package app

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
)

func subjects(doc *goquery.Document, sel string) []string {
	var out []string
	doc.Find(sel + " [data-testid=row] .subject").Each(func(_ int, s *goquery.Selection) { out = append(out, text(s)) })
	return out
}

func TestSearchInFolder(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.client()
	c.login(t, e.acct.Login, e.acct.Password)

	for _, tc := range []struct {
		query, want string
	}{
		{`subject:"Photos from the hike"`, "Photos from the hike"},
		{`from:contoso subject:invoice`, "Your invoice INV-10042 is available"},
		{`Dolomites`, "Trip report: three days in the Dolomites"},
		{`subject:Москвы`, "Привет из Москвы"},
	} {
		t.Run(tc.query, func(t *testing.T) {
			doc := c.page(t, "/m/INBOX?q="+url.QueryEscape(tc.query), http.StatusOK)
			got := subjects(doc, "#list [data-testid=rows]")
			found := false
			for _, s := range got {
				found = found || s == tc.want
			}
			if !found || len(got) > 5 {
				t.Errorf("results %q, want %q among a few", got, tc.want)
			}
			if v := doc.Find("[data-testid=search-input]").AttrOr("value", ""); v != tc.query {
				t.Errorf("search box shows %q, want the query kept", v)
			}
		})
	}

	// is:unread matches only unread rows, and pages keep the query.
	doc := c.page(t, "/m/INBOX?q=is:unread", http.StatusOK)
	if n := doc.Find("#list [data-testid=rows] [data-testid=row]:not(.unread)").Length(); n != 0 {
		t.Errorf("is:unread shows %d read messages", n)
	}
	if !strings.Contains(text(doc.Find("[data-testid=result-count]")), "match") {
		t.Error("no result count")
	}
	href, _ := doc.Find("[data-testid=row] a").First().Attr("href")
	if !strings.Contains(href, "q=is%3Aunread") {
		t.Errorf("a result's link %q does not keep the search", href)
	}

	// An invalid query: a clear message, the query kept, no 500.
	for _, bad := range []string{`subject:"unclosed`, "after:tomorrowish", "a\r\nb LOGOUT"} {
		doc = c.page(t, "/m/INBOX?q="+url.QueryEscape(bad), http.StatusOK)
		if text(doc.Find("[data-testid=search-error]")) == "" {
			t.Errorf("%q: no error message", bad)
		}
		if v := doc.Find("[data-testid=search-input]").AttrOr("value", ""); v != strings.TrimSpace(bad) && !strings.Contains(bad, "\r") {
			t.Errorf("%q: box shows %q", bad, v)
		}
	}
}

func TestSearchAllFolders(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.client()
	c.login(t, e.acct.Login, e.acct.Password)
	doc := c.page(t, "/m/INBOX?scope=all&q="+url.QueryEscape(`subject:"Website launch checklist"`), http.StatusOK)
	if doc.Find("[data-testid=elsewhere]").Length() == 0 {
		t.Fatal("no matches from other folders (the thread has messages in Sent)")
	}
	var folders []string
	doc.Find("[data-testid=elsewhere] h2").Each(func(_ int, s *goquery.Selection) { folders = append(folders, text(s)) })
	if !strings.Contains(strings.Join(folders, " "), "Sent") {
		t.Errorf("other folders with matches: %v, want Sent among them", folders)
	}
}

func TestSortFallback(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.client()
	c.login(t, e.acct.Login, e.acct.Password)
	// The in-process server has no SORT: the fallback sorts here.
	doc := c.page(t, "/m/Sent?sort=-size", http.StatusOK)
	var sizes []string
	doc.Find("#list [data-testid=rows] .size").Each(func(_ int, s *goquery.Selection) { sizes = append(sizes, text(s)) })
	if len(sizes) < 2 {
		t.Fatalf("sizes %v", sizes)
	}
	if parseSize(sizes[0]) < parseSize(sizes[len(sizes)-1]) {
		t.Errorf("largest first: %v", sizes)
	}
	doc = c.page(t, "/m/Sent?sort=subject", http.StatusOK)
	got := subjects(doc, "#list [data-testid=rows]")
	for i := 1; i < len(got); i++ {
		if strings.ToLower(strings.TrimPrefix(got[i-1], "Re: ")) > strings.ToLower(strings.TrimPrefix(got[i], "Re: ")) {
			t.Errorf("not in subject order at %d: %q > %q", i, got[i-1], got[i])
			break
		}
	}
	if doc.Find("[data-testid=sort] option[selected]").AttrOr("value", "") != "subject" {
		t.Error("the sort choice is not kept")
	}
}

func parseSize(s string) float64 {
	num, unit, _ := strings.Cut(s, " ")
	n, _ := strconv.ParseFloat(num, 64)
	switch unit {
	case "kB":
		n *= 1e3
	case "MB":
		n *= 1e6
	}
	return n
}

// TestSearchStaysBounded sends queries that made other webmails loop or
// grow: each gets a page (or a message) and at most one page of rows.
func TestSearchStaysBounded(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.client()
	c.login(t, e.acct.Login, e.acct.Password)
	c.hc.Timeout = 20 * time.Second // a loop fails the test instead of hanging it
	for _, q := range []string{
		strings.Repeat("a OR ", 200) + "b",
		strings.Repeat(`"`, 501),
		strings.Repeat("x ", 10_000),
		`subject:"` + strings.Repeat("é", 300) + `"`,
		"* OR ALL", `\" OR ALL`, "{5}", "-", "NOT NOT NOT",
		"after:0001-01-01 before:9999-12-31",
	} {
		doc := c.page(t, "/m/INBOX?q="+url.QueryEscape(q), http.StatusOK)
		if n := doc.Find("#list [data-testid=rows] [data-testid=row]").Length(); n > 50 {
			t.Errorf("%.40q: %d rows on a page", q, n)
		}
	}
}
