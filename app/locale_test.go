package app

import (
	"net/http"
	"strings"
	"testing"
	"unicode"

	"github.com/PuerkitoBio/goquery"
	"golang.org/x/net/html"

	"webmail/app/demo"
	"webmail/views/locale"
)

// TestNothingUntranslated renders every main page in the pseudo-locale,
// which marks each string that comes from the catalogue ⟦like this⟧, and
// fails on any text a person would see without the mark: a text node, or
// an aria-label, placeholder, title, alt, or a button's value. Mail data
// (subjects, addresses, folder names, bodies) sits in elements marked
// translate="no" and is left out. A string added without the catalogue
// fails here, named with its page.
func TestNothingUntranslated(t *testing.T) {
	t.Parallel()
	d, err := demo.Start(t.Context(), demo.Options{Accounts: demo.DefaultAccounts()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	e := newEnvApp(t, d, func(o *Options) { o.Locale = locale.Pseudo() })
	c := e.client()
	check := func(name, path string, want int) *goquery.Document {
		t.Helper()
		doc := c.page(t, path, want)
		for _, bad := range untranslated(doc) {
			t.Errorf("%s (%s): untranslated %s", name, path, bad)
		}
		return doc
	}
	check("login", "/login", http.StatusOK)
	c.login(t, e.acct.Login, e.acct.Password)
	list := check("list", "/m/INBOX", http.StatusOK)
	// The rows are mail data (translate="no"); what the webmail writes in
	// them is its own.
	for _, sel := range []string{`[data-testid=row] .pick input`, `[data-testid=row] .mark`} {
		list.Find(sel).Each(func(_ int, s *goquery.Selection) {
			for _, a := range []string{"aria-label", "title"} {
				if v, ok := s.Attr(a); ok && !strings.Contains(v, locale.Mark) {
					t.Errorf("list: untranslated %s=%q in %s", a, v, sel)
				}
			}
		})
	}
	if d := text(list.Find(`[data-testid=row] .date`).Last()); strings.ContainsFunc(d, unicode.IsLetter) && !strings.Contains(d, locale.Mark) {
		t.Errorf("list: untranslated date %q", d)
	}
	msg, _ := list.Find(`[data-testid="row"] a`).First().Attr("href")
	if msg == "" {
		t.Fatal("the list shows no message")
	}
	check("message", msg, http.StatusOK)
	check("print", strings.SplitN(msg, "?", 2)[0]+"/print", http.StatusOK)
	threads := check("conversations", "/m/INBOX?threads=1", http.StatusOK)
	if conv, _ := threads.Find(`[data-testid="conversation"] a`).First().Attr("href"); conv != "" {
		check("conversation", conv, http.StatusOK)
	} else {
		t.Error("the list of conversations shows none")
	}
	check("compose", "/compose", http.StatusOK)
	check("reply", strings.SplitN(msg, "?", 2)[0]+"/reply", http.StatusOK)
	check("settings", "/settings/sending", http.StatusOK)
	check("settings, reading and identities", "/settings", http.StatusOK)
	check("folders", "/folders/manage", http.StatusOK)
	check("contacts", "/contacts", http.StatusOK)
	check("search", "/m/INBOX?q=nothing-matches-this", http.StatusOK)
	check("error", "/m/No-such-folder-here", http.StatusNotFound)
}

// untranslated lists the visible text of doc that lacks the pseudo-locale's
// mark, outside translate="no".
func untranslated(doc *goquery.Document) []string {
	var out []string
	marked := func(s string) bool {
		return strings.Contains(s, locale.Mark) || !strings.ContainsFunc(s, unicode.IsLetter)
	}
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			for _, a := range n.Attr {
				if a.Key == "translate" && a.Val == "no" {
					return
				}
			}
			switch n.Data {
			case "script", "style", "svg":
				return
			}
			for _, a := range n.Attr {
				switch {
				case a.Key == "aria-label", a.Key == "placeholder", a.Key == "title", a.Key == "alt",
					a.Key == "value" && (n.Data == "button" || n.Data == "input" && (attr(n, "type") == "submit" || attr(n, "type") == "button")):
					if !marked(a.Val) {
						out = append(out, "<"+n.Data+"> "+a.Key+"="+strings.TrimSpace(a.Val))
					}
				}
			}
		}
		if n.Type == html.TextNode && n.Parent != nil && n.Parent.Data != "textarea" {
			if s := strings.TrimSpace(n.Data); !marked(s) {
				out = append(out, "text in <"+n.Parent.Data+">: "+s)
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	for _, n := range doc.Nodes {
		walk(n)
	}
	return out
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

// TestLanguageFromBrowser: the login page speaks the browser's language,
// with <html lang dir>, and says that the answer depends on the header.
func TestLanguageFromBrowser(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.client()
	for _, tc := range []struct{ accept, lang, dir, heading string }{
		{"de-CH,de;q=0.9,en;q=0.8", "de", "ltr", "Anmelden"},
		{"ar-SA,ar;q=0.9", "ar", "rtl", "تسجيل الدخول"},
		{"fr-FR", "en", "ltr", "Log in"},
	} {
		resp := c.do(t, "GET", "/login", nil, "Accept-Language", tc.accept)
		if !strings.Contains(strings.Join(resp.Header.Values("Vary"), ","), "Accept-Language") {
			t.Errorf("%s: Vary %q lacks Accept-Language", tc.accept, resp.Header.Values("Vary"))
		}
		doc := parse(t, resp, http.StatusOK)
		h := doc.Find("html")
		if lang, _ := h.Attr("lang"); lang != tc.lang {
			t.Errorf("%s: lang %q, want %q", tc.accept, lang, tc.lang)
		}
		if dir, _ := h.Attr("dir"); dir != tc.dir {
			t.Errorf("%s: dir %q, want %q", tc.accept, dir, tc.dir)
		}
		if got := text(doc.Find("h1")); got != tc.heading {
			t.Errorf("%s: heading %q, want %q", tc.accept, got, tc.heading)
		}
	}
}
