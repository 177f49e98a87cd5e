package app

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/google/go-cmp/cmp"

	"webmail/views"
)

// findMessage pages through a folder until a row has the subject, and
// returns the row's link.
func (c *client) findMessage(t testing.TB, folder, subject string) string {
	t.Helper()
	href, _ := c.findRow(t, folder, subject).Find("a").Attr("href")
	return href
}

// findRow pages through a folder until a row has the subject.
func (c *client) findRow(t testing.TB, folder, subject string) *goquery.Selection {
	t.Helper()
	for page := 1; page < 20; page++ {
		doc := c.page(t, "/m/"+url.PathEscape(folder)+"?page="+strconv.Itoa(page), http.StatusOK)
		var row *goquery.Selection
		doc.Find("[data-testid=row]").EachWithBreak(func(_ int, s *goquery.Selection) bool {
			if text(s.Find(".subject")) == subject {
				row = s
				return false
			}
			return true
		})
		if row != nil {
			return row
		}
		if doc.Find("[data-testid=next]").Length() == 0 {
			break
		}
	}
	t.Fatalf("no message %q in %s", subject, folder)
	return nil
}

func TestBrowseFoldersAndPages(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.client()
	c.login(t, e.acct.Login, e.acct.Password)

	doc := c.page(t, "/m/INBOX", http.StatusOK)
	var labels []string
	doc.Find("[data-testid=folder-label]").Each(func(_ int, s *goquery.Selection) { labels = append(labels, text(s)) })
	wantFirst := []string{"Inbox", "Drafts", "Sent", "Archive", "Junk", "Trash"}
	if len(labels) < len(wantFirst) {
		t.Fatalf("folders = %v", labels)
	}
	if diff := cmp.Diff(wantFirst, labels[:len(wantFirst)]); diff != "" {
		t.Errorf("role folders first, in order (-want +got):\n%s", diff)
	}
	nested := doc.Find("[data-testid=folder].depth-2")
	if nested.Length() == 0 {
		t.Errorf("no nested folder at depth 2 in the tree")
	}
	if n := doc.Find("[data-testid=folder][data-role=inbox] [data-testid=unseen]"); text(n) == "" {
		t.Errorf("Inbox shows no unread count")
	}
	if got := doc.Find("[data-testid=row]").Length(); got != 50 {
		t.Errorf("page 1 has %d rows, want 50", got)
	}
	if got := text(doc.Find("[data-testid=page-of]")); got != "Page 1 of 6" {
		t.Errorf("pager says %q, want Page 1 of 6", got)
	}
	// Each row's box is named by its row, without JavaScript too (a
	// screen reader would say "Select" fifty times otherwise).
	names := map[string]bool{}
	doc.Find("[data-testid=row] input[name=uid]").Each(func(i int, box *goquery.Selection) {
		ids, _ := box.Attr("aria-labelledby")
		var name []string
		for _, id := range strings.Fields(ids) {
			name = append(name, text(doc.Find("#"+id)))
		}
		n := strings.Join(name, " ")
		subject := text(box.Closest("[data-testid=row]").Find(".subject"))
		if !strings.Contains(n, subject) || names[n] {
			t.Errorf("row %d's box is named %q (subject %q); named before: %v", i, n, subject, names[n])
		}
		names[n] = true
	})
	first := text(doc.Find("[data-testid=row] .subject").First())

	doc = c.page(t, "/m/INBOX?page=2", http.StatusOK)
	if got := text(doc.Find("[data-testid=page-of]")); got != "Page 2 of 6" {
		t.Errorf("pager says %q, want Page 2 of 6", got)
	}
	if text(doc.Find("[data-testid=row] .subject").First()) == first {
		t.Errorf("page 2 starts with the same message as page 1")
	}
	doc = c.page(t, "/m/INBOX?page=6", http.StatusOK)
	if got := doc.Find("[data-testid=row]").Length(); got != 300-5*50 {
		t.Errorf("last page has %d rows, want %d", got, 300-5*50)
	}
	if doc.Find("[data-testid=next]").Length() != 0 {
		t.Errorf("last page offers a next page")
	}
	c.page(t, "/m/INBOX?page=7", http.StatusNotFound)
	c.page(t, "/m/No%20such%20folder", http.StatusNotFound)

	// A nested folder by its full name, escaped in one path segment.
	doc = c.page(t, "/m/"+url.PathEscape("Projects/Website"), http.StatusOK)
	if got := text(doc.Find("[data-testid=folder-title]")); got != "Website" {
		t.Errorf("nested folder title = %q, want Website", got)
	}
}

func TestHTMXGetsOnlyTheTargetedPane(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.client()
	c.login(t, e.acct.Login, e.acct.Password)
	for _, tc := range []struct {
		target, path, want, notWant string
	}{
		{"list", "/m/INBOX", "[data-testid=rows]", "#folders"},
		{"main", "/m/Sent", "#folders", "html"},
		{"message", "/m/INBOX", ".placeholder", "[data-testid=rows]"},
	} {
		t.Run(tc.target, func(t *testing.T) {
			resp := c.do(t, "GET", tc.path, nil, "HX-Request", "true", "HX-Target", "section#"+tc.target, "Accept-Encoding", "gzip")
			sent, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			body := sent
			if resp.Header.Get("Content-Encoding") == "gzip" {
				zr, err := gzip.NewReader(bytes.NewReader(sent))
				if err != nil {
					t.Fatal(err)
				}
				body, _ = io.ReadAll(zr)
			}
			if bytes.Contains(body, []byte("<html")) {
				t.Fatalf("htmx request got a full page")
			}
			doc, _ := goquery.NewDocumentFromReader(bytes.NewReader(body))
			if doc.Find(tc.want).Length() == 0 {
				t.Errorf("fragment lacks %s", tc.want)
			}
			if tc.notWant != "html" && doc.Find(tc.notWant).Length() != 0 {
				t.Errorf("fragment has %s, which is not in the target", tc.notWant)
			}
			// The budget is what is sent; what the browser parses is logged.
			if tc.target == "list" {
				t.Logf("50-row list fragment: %d bytes sent, %d parsed", len(sent), len(body))
				if resp.Header.Get("Content-Encoding") != "gzip" || len(sent) > 25_000 {
					t.Errorf("50-row list fragment is %d bytes sent (%s), budget 25 KB gzipped", len(sent), resp.Header.Get("Content-Encoding"))
				}
			}
		})
	}
	// A history restore asks for the whole page.
	resp := c.do(t, "GET", "/m/INBOX", nil, "HX-Request", "true", "HX-Target", "body", "HX-History-Restore-Request", "true")
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !bytes.Contains(body, []byte("<html")) {
		t.Errorf("history restore did not get the full page")
	}
}

func TestReadEachKindOfMessage(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.client()
	c.login(t, e.acct.Login, e.acct.Password)

	t.Run("plain text with links and quotes", func(t *testing.T) {
		doc := c.page(t, c.findMessage(t, "INBOX", "Useful links for your first week"), http.StatusOK)
		body := doc.Find("[data-testid=text-body]")
		if body.Length() == 0 {
			t.Fatal("no text body")
		}
		body.Find("a").Each(func(_ int, a *goquery.Selection) {
			href, _ := a.Attr("href")
			if !strings.HasPrefix(href, "http://") && !strings.HasPrefix(href, "https://") && !strings.HasPrefix(href, "/compose?mailto=mailto%3A") {
				t.Errorf("text body links to %q", href)
			}
		})
		if body.Find("a[href^='/compose?mailto=']").Length() == 0 {
			t.Error("mailto: links do not open this webmail's compose page")
		}
		if body.Find("a[href^='https://']").Length() == 0 {
			t.Error("no https link made clickable")
		}
		doc = c.page(t, c.findMessage(t, "INBOX", "Re: Dinner on Saturday?"), http.StatusOK)
		if doc.Find("[data-testid=text-body] blockquote").Length() == 0 {
			t.Error("quoted lines are not styled as quotes")
		}
	})

	t.Run("legacy charsets", func(t *testing.T) {
		for subject, want := range map[string]string{
			"Réservation confirmée pour le dîner à Genève": "Françoise Müller",
			"Don’t miss it: “Spring Sale” – 20 € off":      "save 20 € on every order",
			"会議の議事録について":                                   "デモさん",
			"Привет из Москвы":                             "Пишу вам из Москвы",
		} {
			href := c.findMessage(t, "INBOX", subject)
			sep := "?"
			if strings.Contains(href, "?") {
				sep = "&"
			}
			doc := c.page(t, href+sep+"view=text", http.StatusOK) // the windows-1252 one has HTML too
			if got := text(doc.Find("[data-testid=msg-subject]")); got != subject {
				t.Errorf("subject = %q, want %q", got, subject)
			}
			if got := text(doc.Find("[data-testid=text-body]")); !strings.Contains(got, want) {
				t.Errorf("%s: body lacks %q:\n%s", subject, want, got)
			}
		}
	})

	t.Run("html newsletter with remote images", func(t *testing.T) {
		href := c.findMessage(t, "INBOX", "Spring Collection: up to 40% off trail gear")
		doc := c.page(t, href, http.StatusOK)
		frame := doc.Find("iframe[data-testid=html-body]")
		src, _ := frame.Attr("src")
		sandbox, _ := frame.Attr("sandbox")
		// Same-origin lets the app's script size the frame; never with
		// scripts, forms, top navigation or modals.
		if src == "" || sandbox != views.FrameSandbox || strings.Contains(sandbox, "allow-scripts") || strings.Contains(sandbox, "allow-forms") ||
			strings.Contains(sandbox, "allow-top-navigation") || strings.Contains(sandbox, "allow-modals") {
			t.Fatalf("frame src=%q sandbox=%q", src, sandbox)
		}
		if doc.Find("[data-testid=remote-blocked]").Length() == 0 {
			t.Error("no notice that remote content is blocked")
		}
		resp := c.do(t, "GET", src, nil)
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		csp := resp.Header.Get("Content-Security-Policy")
		if !strings.Contains(csp, "img-src data:;") || !strings.Contains(csp, "script-src 'none'") || !strings.Contains(csp, "; sandbox "+views.FrameSandbox) {
			t.Errorf("frame CSP = %q", csp)
		}
		fdoc, _ := goquery.NewDocumentFromReader(bytes.NewReader(b))
		if fdoc.Find("table").Length() == 0 {
			t.Error("newsletter tables were removed")
		}
		fdoc.Find("img").Each(func(_ int, img *goquery.Selection) {
			if s, _ := img.Attr("src"); strings.HasPrefix(s, "http") {
				t.Errorf("remote image kept while blocked: %s", s)
			}
		})
		// Asking for remote content keeps the images and widens the CSP.
		show, _ := doc.Find("[data-testid=show-remote]").Attr("href")
		doc = c.page(t, show, http.StatusOK)
		src, _ = doc.Find("iframe[data-testid=html-body]").Attr("src")
		resp = c.do(t, "GET", src, nil)
		b, _ = io.ReadAll(resp.Body)
		resp.Body.Close()
		if !bytes.Contains(b, []byte(`src="http`)) {
			t.Error("remote images still removed after 'show remote content'")
		}
		if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "https:") {
			t.Errorf("frame CSP with remote content = %q", csp)
		}
	})

	t.Run("alternative offers both versions", func(t *testing.T) {
		doc := c.page(t, c.findMessage(t, "INBOX", "Team offsite agenda (Thursday)"), http.StatusOK)
		if doc.Find("[data-testid=alternatives]").Length() == 0 {
			t.Fatal("no choice between HTML and plain text")
		}
		textURL, _ := doc.Find("[data-testid=show-text]").Attr("href")
		doc = c.page(t, textURL, http.StatusOK)
		if doc.Find("[data-testid=text-body]").Length() == 0 || doc.Find("[data-testid=html-body]").Length() != 0 {
			t.Error("the plain-text choice does not show the text part")
		}
	})

	t.Run("inline cid image", func(t *testing.T) {
		doc := c.page(t, c.findMessage(t, "INBOX", "Happy birthday card for you"), http.StatusOK)
		src, _ := doc.Find("iframe[data-testid=html-body]").Attr("src")
		resp := c.do(t, "GET", src, nil)
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if !bytes.Contains(b, []byte(`src="data:image/`)) {
			t.Error("cid: image not served from the message")
		}
	})

	t.Run("attachments stream with safe headers", func(t *testing.T) {
		doc := c.page(t, c.findMessage(t, "INBOX", "Your invoice INV-10042 is available"), http.StatusOK)
		link := doc.Find("[data-testid=attachment-link]").First()
		href, _ := link.Attr("href")
		if !strings.HasSuffix(text(link), ".pdf") {
			t.Errorf("attachment name = %q", text(link))
		}
		resp := c.do(t, "GET", href, nil)
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !bytes.HasPrefix(b, []byte("%PDF-")) {
			t.Fatalf("download: status %d, starts %q", resp.StatusCode, b[:min(len(b), 8)])
		}
		if cd := resp.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment;") || !strings.Contains(cd, ".pdf") {
			t.Errorf("Content-Disposition = %q", cd)
		}
		if resp.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Error("download without nosniff")
		}

		doc = c.page(t, c.findMessage(t, "INBOX", "Weekly backup: backup-archive.zip (5 MB)"), http.StatusOK)
		href, _ = doc.Find("[data-testid=attachment-link]").First().Attr("href")
		resp = c.do(t, "GET", href, nil)
		h := sha256.New()
		n, _ := io.Copy(h, resp.Body)
		resp.Body.Close()
		if n < 4<<20 {
			t.Errorf("big attachment is %d bytes, want several MB", n)
		}
	})

	t.Run("view source", func(t *testing.T) {
		href := c.findMessage(t, "INBOX", "Photos from the hike")
		resp := c.do(t, "GET", href+"/source", nil)
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") || !bytes.Contains(b, []byte("Subject: Photos from the hike")) {
			t.Errorf("source: %s\n%.200s", resp.Header.Get("Content-Type"), b)
		}
	})
}

func TestOpeningMarksReadAndMarkUnread(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.client()
	c.login(t, e.acct.Login, e.acct.Password)
	doc := c.page(t, "/m/INBOX", http.StatusOK)
	row := doc.Find("[data-testid=row].unread").First()
	if row.Length() == 0 {
		t.Fatal("no unread message on the first page")
	}
	uid, _ := row.Attr("data-uid")
	href, _ := row.Find("a").Attr("href")
	unreadBefore := text(doc.Find("[data-testid=folder][data-role=inbox] [data-testid=unseen]"))

	c.page(t, href, http.StatusOK)
	doc = c.page(t, "/m/INBOX", http.StatusOK)
	if doc.Find("[data-testid=row][data-uid='" + uid + "']").HasClass("unread") {
		t.Error("message still unread after opening it")
	}
	if got := text(doc.Find("[data-testid=folder][data-role=inbox] [data-testid=unseen]")); got == unreadBefore {
		t.Errorf("Inbox unread count stayed %s after reading", got)
	}

	resp := c.do(t, "POST", href+"/unread", url.Values{"page": {"1"}})
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/m/INBOX" {
		t.Fatalf("mark unread: %d → %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	doc = c.page(t, "/m/INBOX", http.StatusOK)
	if !doc.Find("[data-testid=row][data-uid='" + uid + "']").HasClass("unread") {
		t.Error("message not unread after 'mark unread'")
	}
	if got := text(doc.Find("[data-testid=folder][data-role=inbox] [data-testid=unseen]")); got != unreadBefore {
		t.Errorf("Inbox unread count = %s, want %s again", got, unreadBefore)
	}
}

func TestStaleUIDValidityIsNotFound(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.client()
	c.login(t, e.acct.Login, e.acct.Password)
	href := c.findMessage(t, "INBOX", "Photos from the hike")
	parts := strings.Split(href, "/") // /m/INBOX/{validity}/{uid}
	parts[3] = "999999"
	doc := c.page(t, strings.Join(parts, "/"), http.StatusNotFound)
	if doc.Find("[data-testid=error-message]").Length() == 0 {
		t.Error("no error message on the 404 page")
	}
}

// TestFragmentsByTarget: an htmx request gets only the part of the
// mailbox page it swaps in; a plain request gets the whole page.
func TestFragmentsByTarget(t *testing.T) {
	e := newEnv(t)
	c := e.client()
	c.login(t, e.acct.Login, e.acct.Password)
	first := c.page(t, "/m/INBOX", http.StatusOK).Find("[data-testid=row] a").First().AttrOr("href", "")
	for _, tc := range []struct {
		path, target string
		want, absent []string
	}{
		{"/m/INBOX", "", []string{"html", "#main", "#folders", "[data-testid=rows]", "#message"}, nil},
		{"/m/INBOX", "main", []string{"title", "#main", "#folders", "[data-testid=rows]"}, []string{"html"}},
		{"/m/INBOX", "list", []string{"[data-testid=rows]", "[data-testid=bulk-form]"}, []string{"html", "#main", "#folders", "#message"}},
		{first, "message", []string{"title", "[data-testid=message]"}, []string{"html", "#main", "[data-testid=rows]"}},
		{first, "", []string{"html", "#main", "[data-testid=rows]", "[data-testid=message]"}, nil},
	} {
		var header []string
		if tc.target != "" {
			header = []string{"HX-Request", "true", "HX-Target", tc.target}
		}
		resp := c.do(t, "GET", tc.path, nil, header...)
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s for %q: status %d", tc.path, tc.target, resp.StatusCode)
		}
		has := func(sel string) bool {
			if sel == "html" || sel == "title" { // goquery adds both to fragments
				return strings.Contains(string(b), "<"+sel)
			}
			doc, _ := goquery.NewDocumentFromReader(bytes.NewReader(b))
			return doc.Find(sel).Length() > 0
		}
		for _, sel := range tc.want {
			if !has(sel) {
				t.Errorf("%s for %q: no %s", tc.path, tc.target, sel)
			}
		}
		for _, sel := range tc.absent {
			if has(sel) {
				t.Errorf("%s for %q: has %s, which it does not swap", tc.path, tc.target, sel)
			}
		}
	}
}

// TestListBesideAMessage: a list answer alone (a page turned) while a
// message stays open beside it has the folder's name as an h2, the
// message's subject keeping the page's one h1; from the folder's own
// page it is the h1.
func TestListBesideAMessage(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.client()
	c.login(t, e.acct.Login, e.acct.Password)
	for _, tc := range []struct{ from, want string }{
		{"/m/INBOX", "h1"},
		{"/m/INBOX/1/300", "h2"},
		{"/compose", "h2"},
	} {
		resp := c.do(t, "GET", "/m/INBOX?page=2", nil, "HX-Request", "true", "HX-Target", "#list", "HX-Current-URL", e.srv.URL+tc.from)
		doc := parse(t, resp, http.StatusOK)
		if got := goquery.NodeName(doc.Find("[data-testid=folder-title]")); got != tc.want {
			t.Errorf("from %s the list's title is an %s, want %s", tc.from, got, tc.want)
		}
	}
}
