package app

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/google/go-cmp/cmp"

	"webmail/app/carddav"
	"webmail/app/demo"
	"webmail/app/internal/radicale"
	"webmail/config"
)

// newContactsEnv is a webmail in front of a demo mailbox that holds only
// what the test appends, for the first account (password set apart).
func newContactsEnv(t testing.TB, opts ...envOption) *env {
	t.Helper()
	accts := demo.DefaultAccounts()
	accts[0].Password = "Pq7-wrT!zx93-secret"
	return newEnvWith(t, demo.Options{Accounts: accts, Empty: true}, opts...)
}

// appendMail puts a message with these header fields in the account's
// mailbox.
func (e *env) appendMail(t testing.TB, mailbox string, header ...string) {
	t.Helper()
	var b strings.Builder
	for _, h := range header {
		b.WriteString(h + "\r\n")
	}
	fmt.Fprintf(&b, "Subject: test %d\r\nMessage-ID: <%d@test>\r\n\r\nHello.\r\n", time.Now().UnixNano(), time.Now().UnixNano())
	if err := e.demo.Append(context.Background(), e.acct.Login, mailbox, []byte(b.String()), nil, time.Time{}); err != nil {
		t.Fatal(err)
	}
}

// correspondence fills Sent and INBOX: Bob written to three times, Bobby
// heard from once, Dave heard from, the person themself in both.
func (e *env) correspondence(t *testing.T) {
	t.Helper()
	self := "From: Demo <" + e.acct.Login + ">"
	for range 3 {
		e.appendMail(t, "Sent", self, "To: Bob Builder <bob@builder.example>", "Cc: "+e.acct.Login)
	}
	e.appendMail(t, "Sent", self, "To: carol@example.net", "Bcc: Hidden Henry <henry@example.net>")
	e.appendMail(t, "INBOX", "From: Bobby Tables <bobby@tables.example>", "To: "+e.acct.Login)
	e.appendMail(t, "INBOX", "From: \"Dave O'Neil\" <dave@oneil.example>", "To: "+e.acct.Login)
}

// suggest asks for the suggestions for q as htmx does, and returns their
// values.
func (c *client) suggest(t testing.TB, q string) []string {
	t.Helper()
	doc := c.page(t, "/contacts/suggest?q="+url.QueryEscape(q), http.StatusOK, "HX-Request", "true")
	var got []string
	doc.Find("[data-testid=suggestion]").Each(func(_ int, s *goquery.Selection) {
		v, _ := s.Attr("data-suggest-value")
		got = append(got, v)
	})
	return got
}

func TestSuggestionsFromSentAndInbox(t *testing.T) {
	t.Parallel()
	e := newContactsEnv(t)
	e.correspondence(t)
	c := e.client()
	c.login(t, e.acct.Login, e.acct.Password)

	for q, want := range map[string][]string{
		// Written to three times before heard from once.
		"bo":     {"Bob Builder <bob@builder.example>", "Bobby Tables <bobby@tables.example>"},
		"BUILD":  {"Bob Builder <bob@builder.example>"}, // a word of the name, any case
		"Sm":     nil,
		"tables": {"Bobby Tables <bobby@tables.example>"},
		"carol":  {"carol@example.net"},
		"henry":  {"Hidden Henry <henry@example.net>"}, // Bcc counts as written to
		"o'n":    {"Dave O'Neil <dave@oneil.example>"},
		"demo":   nil, // never oneself
		"zz":     nil,
	} {
		if diff := cmp.Diff(want, c.suggest(t, q)); diff != "" {
			t.Errorf("suggestions for %q (-want +got):\n%s", q, diff)
		}
	}

	// Without htmx the address is the Contacts page's search.
	resp := c.do(t, "GET", "/contacts/suggest?q=bo", nil)
	resp.Body.Close()
	if got := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || got != "/contacts?q=bo" {
		t.Errorf("without htmx: %d to %q, want 303 to /contacts?q=bo", resp.StatusCode, got)
	}

	// Logging out drops the session's addresses.
	if e.app.contacts.Len() != 1 {
		t.Fatalf("%d sessions hold addresses, want 1", e.app.contacts.Len())
	}
	c.do(t, "POST", "/logout", url.Values{}).Body.Close()
	if n := e.app.contacts.Len(); n != 0 {
		t.Errorf("after logout %d sessions hold addresses, want 0", n)
	}
}

func TestComposeOffersRecipientsWithoutJS(t *testing.T) {
	t.Parallel()
	e := newContactsEnv(t)
	e.correspondence(t)
	c := e.client()
	c.login(t, e.acct.Login, e.acct.Password)

	doc := c.page(t, "/compose", http.StatusOK)
	var options [][2]string
	doc.Find("datalist#recipient-choices option").Each(func(_ int, s *goquery.Selection) {
		v, _ := s.Attr("value")
		options = append(options, [2]string{v, text(s)})
	})
	// Most often met first: written to counts twice.
	want := [][2]string{
		{"bob@builder.example", "Bob Builder"},
		{"carol@example.net", ""},
		{"henry@example.net", "Hidden Henry"},
		{"bobby@tables.example", "Bobby Tables"},
		{"dave@oneil.example", "Dave O'Neil"},
	}
	if diff := cmp.Diff(want, options); diff != "" {
		t.Errorf("datalist (-want +got):\n%s", diff)
	}
	for _, f := range []string{"to", "cc", "bcc"} {
		if l, _ := doc.Find("input[name=" + f + "]").Attr("list"); l != "recipient-choices" {
			t.Errorf("the %s field's list = %q, want recipient-choices", f, l)
		}
	}

	// A long list is a textarea, where it wraps.
	long := "Bob Builder <bob@builder.example>, Bobby Tables <bobby@tables.example>, carol@example.net"
	doc = c.page(t, "/compose?"+url.Values{"to": {long}}.Encode(), http.StatusOK)
	if got := text(doc.Find("textarea[name=to]")); got != long {
		t.Errorf("long To field: textarea holds %q, want %q", got, long)
	}
	if doc.Find("input[name=cc][list]").Length() != 1 {
		t.Error("the short Cc field lost its datalist")
	}
}

func TestContactsPageWithoutAddressBook(t *testing.T) {
	t.Parallel()
	e := newContactsEnv(t)
	e.correspondence(t)
	c := e.client()
	c.login(t, e.acct.Login, e.acct.Password)

	doc := c.page(t, "/contacts", http.StatusOK)
	if got := contactEmails(doc); len(got) != 5 {
		t.Errorf("contacts = %v, want the 5 addresses met", got)
	}
	if doc.Find("[data-testid=contacts-source]").Length() != 1 || doc.Find("[data-testid=contact-add-form]").Length() != 0 {
		t.Error("without an address book the page should say where the list comes from, and offer no adding")
	}
	doc = c.page(t, "/contacts?q=TABLES", http.StatusOK)
	if diff := cmp.Diff([]string{"bobby@tables.example"}, contactEmails(doc)); diff != "" {
		t.Errorf("search (-want +got):\n%s", diff)
	}
	if href, _ := doc.Find("[data-testid=contact] a").Attr("href"); href != "/compose?to=bobby%40tables.example" {
		t.Errorf("a contact links to %q, want a compose form to it", href)
	}
	doc = c.page(t, "/contacts?q=nobody", http.StatusOK)
	if doc.Find("[data-testid=contacts-empty]").Length() != 1 {
		t.Error("a search that finds nobody says so")
	}
	// The message view offers no adding either.
	href := c.findMessage(t, "INBOX", firstSubject(t, c))
	if c.page(t, href, http.StatusOK).Find("[data-testid=add-sender-form]").Length() != 0 {
		t.Error("Add to contacts offered without an address book")
	}
}

func firstSubject(t *testing.T, c *client) string {
	t.Helper()
	return text(c.page(t, "/m/INBOX", http.StatusOK).Find("[data-testid=row] .subject").First())
}

func contactEmails(doc *goquery.Document) []string {
	var out []string
	doc.Find("[data-testid=contact-email]").Each(func(_ int, s *goquery.Selection) { out = append(out, text(s)) })
	return out
}

// withCardDAV points the default servers' address book at u.
func withCardDAV(u string) envOption {
	return func(c *config.Config) { c.CardDAV.URL = u }
}

// newBookEnv is a webmail whose person has an address book on a private
// Radicale, with the same login and password as their mail.
func newBookEnv(t *testing.T) (*env, *radicale.Server) {
	t.Helper()
	accts := demo.DefaultAccounts()
	accts[0].Password = "Pq7-wrT!zx93-secret"
	dav := radicale.Start(t, radicale.Options{Users: []radicale.User{{Login: accts[0].Login, Password: accts[0].Password}}, Books: true})
	e := newEnvWith(t, demo.Options{Accounts: accts, Empty: true}, withCardDAV(dav.URL()))
	return e, dav
}

func (e *env) addToBook(t *testing.T, dav *radicale.Server, name, email string) {
	t.Helper()
	c, err := carddav.New(dav.URL(), carddav.Auth{Login: e.acct.Login, Password: e.acct.Password}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Add(context.Background(), name, email); err != nil {
		t.Fatal(err)
	}
}

func TestSuggestionsFromAddressBook(t *testing.T) {
	t.Parallel()
	e, dav := newBookEnv(t)
	e.correspondence(t)
	e.addToBook(t, dav, "Zoë Zimmermann", "zoe@zimmer.example")
	e.addToBook(t, dav, "Robert Builder", "BOB@builder.example") // the book's name wins
	c := e.client()
	c.login(t, e.acct.Login, e.acct.Password)

	if diff := cmp.Diff([]string{"Zoë Zimmermann <zoe@zimmer.example>"}, c.suggest(t, "zo")); diff != "" {
		t.Errorf("suggestions from the book (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"Robert Builder <BOB@builder.example>"}, c.suggest(t, "rob")); diff != "" {
		t.Errorf("an address in mail and book (-want +got):\n%s", diff)
	}

	// The Contacts page is the address book, searched.
	doc := c.page(t, "/contacts", http.StatusOK)
	if diff := cmp.Diff([]string{"BOB@builder.example", "zoe@zimmer.example"}, contactEmails(doc)); diff != "" {
		t.Errorf("contacts page (-want +got):\n%s", diff)
	}
	doc = c.page(t, "/contacts?q=zimm", http.StatusOK)
	if diff := cmp.Diff([]string{"zoe@zimmer.example"}, contactEmails(doc)); diff != "" {
		t.Errorf("search (-want +got):\n%s", diff)
	}
}

func TestAddSenderToContacts(t *testing.T) {
	t.Parallel()
	e, dav := newBookEnv(t)
	e.correspondence(t)
	c := e.client()
	c.login(t, e.acct.Login, e.acct.Password)

	href := c.findMessage(t, "INBOX", firstSubject(t, c))
	doc := c.page(t, href, http.StatusOK)
	form := doc.Find("[data-testid=add-sender-form]")
	if form.Length() != 1 {
		t.Fatal("the message offers no Add to contacts")
	}
	fields := url.Values{}
	form.Find("input").Each(func(_ int, s *goquery.Selection) {
		n, _ := s.Attr("name")
		v, _ := s.Attr("value")
		fields.Set(n, v)
	})
	action, _ := form.Attr("action")
	resp := c.do(t, "POST", action, fields)
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != href {
		t.Fatalf("add: %d to %q, want 303 back to %q", resp.StatusCode, resp.Header.Get("Location"), href)
	}
	doc = c.page(t, href, http.StatusOK)
	if got := text(doc.Find("[data-testid=flash]")); got != `Added Dave O'Neil <dave@oneil.example> to your contacts.` {
		t.Errorf("confirmation = %q", got)
	}
	if cards := dav.Cards(t, e.acct.Login, e.acct.Password); !strings.Contains(cards, "EMAIL:dave@oneil.example") || !strings.Contains(cards, "FN:Dave O'Neil") {
		t.Errorf("Radicale serves:\n%s", cards)
	}
	if diff := cmp.Diff([]string{"dave@oneil.example"}, contactEmails(c.page(t, "/contacts", http.StatusOK))); diff != "" {
		t.Errorf("contacts page after adding (-want +got):\n%s", diff)
	}

	// Twice is once.
	c.do(t, "POST", action, fields).Body.Close()
	if got := text(c.page(t, href, http.StatusOK).Find("[data-testid=flash]")); got != `Dave O'Neil <dave@oneil.example> is already in your contacts.` {
		t.Errorf("adding again: %q", got)
	}
	if n := strings.Count(dav.Cards(t, e.acct.Login, e.acct.Password), "BEGIN:VCARD"); n != 1 {
		t.Errorf("%d cards, want 1", n)
	}

	// The Contacts page's form: a bad address comes back with what was
	// typed.
	doc = parse(t, c.do(t, "POST", "/contacts", url.Values{"name": {"Eve"}, "email": {"eve at example"}}), http.StatusUnprocessableEntity)
	if doc.Find("[data-testid=contact-add-error]").Length() != 1 || doc.Find("[data-testid=contact-add-email]").AttrOr("value", "") != "eve at example" {
		t.Error("a bad address is not explained with the input kept")
	}
}

func TestAddressBookDown(t *testing.T) {
	t.Parallel()
	e, dav := newBookEnv(t)
	e.correspondence(t)
	c := e.client()
	c.login(t, e.acct.Login, e.acct.Password)
	dav.Stop()

	doc := c.page(t, "/contacts", http.StatusOK)
	if got := text(doc.Find("[data-testid=contacts-problem]")); got != "Your address book cannot be reached right now. Please try again later." {
		t.Errorf("problem = %q", got)
	}
	if got := contactEmails(doc); len(got) != 5 {
		t.Errorf("meanwhile the page lists %v, want the 5 addresses from mail", got)
	}
	// Suggestions still come from mail.
	if got := c.suggest(t, "bob"); len(got) != 2 {
		t.Errorf("suggestions with the book down: %v", got)
	}
	resp := c.do(t, "POST", "/contacts", url.Values{"name": {"Zed"}, "email": {"zed@example.org"}})
	doc = parse(t, resp, http.StatusServiceUnavailable)
	body, _ := doc.Html()
	if !strings.Contains(body, "Your address book cannot be reached right now.") {
		t.Errorf("adding with the book down does not say so:\n%s", body)
	}
	for _, internal := range []string{"dial", "connection refused", "carddav:", "127.0.0.1"} {
		if strings.Contains(body, internal) {
			t.Errorf("the page shows internal error text %q", internal)
		}
	}
}

func TestAddressBookRefuses(t *testing.T) {
	t.Parallel()
	accts := demo.DefaultAccounts()
	accts[0].Password = "Pq7-wrT!zx93-secret"
	// Radicale knows another password: it refuses the person's.
	dav := radicale.Start(t, radicale.Options{Users: []radicale.User{{Login: accts[0].Login, Password: "other"}}, Books: true})
	e := newEnvWith(t, demo.Options{Accounts: accts, Empty: true}, withCardDAV(dav.URL()))
	c := e.client()
	c.login(t, e.acct.Login, e.acct.Password)
	doc := parse(t, c.do(t, "POST", "/contacts", url.Values{"email": {"zed@example.org"}}), http.StatusForbidden)
	if got := text(doc.Find("[data-testid=error-message]")); !strings.Contains(got, "Your address book refused this") {
		body, _ := doc.Html()
		t.Errorf("refused: %q\n%s", got, body)
	}
}

// TestNoSecretAtRestWithContacts is invariant S1 with an address book:
// the password goes to Radicale with every request, and yet is nowhere
// the server writes, whatever the book answers.
func TestNoSecretAtRestWithContacts(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	e, dav := newBookEnv(t)
	e.correspondence(t)
	c := e.client()
	c.login(t, e.acct.Login, e.acct.Password)
	c.page(t, "/compose", http.StatusOK)
	c.suggest(t, "bo")
	c.do(t, "POST", "/contacts", url.Values{"name": {"Zed"}, "email": {"zed@example.org"}}).Body.Close()
	c.page(t, "/contacts", http.StatusOK)
	dav.Stop()
	c.page(t, "/contacts", http.StatusOK)
	all, _ := e.store.All()
	checkNoSecret(t, e, tmp, all)
}
