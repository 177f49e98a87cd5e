package app

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

// textBrowser acts as w3m or lynx do: it follows <a href> and submits
// <form>s, with cookies and redirects, and nothing else: no JavaScript, no
// CSS, no htmx, no Sec-Fetch or Origin headers. It finds links, fields
// and buttons by the words a person reads on the page.
type textBrowser struct {
	t   *testing.T
	hc  *http.Client
	url *url.URL
	doc *goquery.Document
}

func newTextBrowser(t *testing.T, e *env) *textBrowser {
	jar, _ := cookiejar.New(nil)
	u, _ := url.Parse(e.srv.URL + "/")
	return &textBrowser{t: t, hc: &http.Client{Jar: jar}, url: u}
}

// words is what a text browser shows for s: its text, spaces collapsed.
func words(s *goquery.Selection) string { return strings.Join(strings.Fields(s.Text()), " ") }

// open requests u (relative to the page) and shows the answer.
func (b *textBrowser) open(method, ref, contentType string, body io.Reader) {
	b.t.Helper()
	u, err := b.url.Parse(ref)
	if err != nil {
		b.t.Fatalf("link %q: %v", ref, err)
	}
	req, err := http.NewRequest(method, u.String(), body)
	if err != nil {
		b.t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := b.hc.Do(req)
	if err != nil {
		b.t.Fatalf("%s %s: %v", method, u, err)
	}
	defer resp.Body.Close()
	page, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		b.t.Fatalf("%s %s: status %d\n%s", method, resp.Request.URL, resp.StatusCode, page)
	}
	b.url = resp.Request.URL
	if b.doc, err = goquery.NewDocumentFromReader(bytes.NewReader(page)); err != nil {
		b.t.Fatal(err)
	}
}

// follow follows the first link whose words contain text.
func (b *textBrowser) follow(text string) {
	b.t.Helper()
	var href string
	b.doc.Find("a[href]").EachWithBreak(func(_ int, a *goquery.Selection) bool {
		if strings.Contains(words(a), text) {
			href, _ = a.Attr("href")
			return false
		}
		return true
	})
	if href == "" {
		b.t.Fatalf("no link %q on %s; the page reads:\n%s", text, b.url.Path, words(b.doc.Find("body")))
	}
	b.open("GET", href, "", nil)
}

// sees fails unless the page shows text.
func (b *textBrowser) sees(text string) {
	b.t.Helper()
	if !strings.Contains(words(b.doc.Find("body")), text) {
		b.t.Fatalf("%s does not say %q; it reads:\n%s", b.url.Path, text, words(b.doc.Find("body")))
	}
}

// submit fills the fields named by their labels (the <label for> text or
// aria-label) and presses the button whose words are button, sending the
// form as a browser does: successful controls only, the button pressed,
// its formaction, the form's enctype.
func (b *textBrowser) submit(button string, fill map[string]string) {
	b.t.Helper()
	var pressed *goquery.Selection
	b.doc.Find("button, input[type=submit]").EachWithBreak(func(_ int, s *goquery.Selection) bool {
		w := words(s)
		if goquery.NodeName(s) == "input" {
			w = s.AttrOr("value", "")
		}
		if w == button {
			pressed = s
			return false
		}
		return true
	})
	if pressed == nil {
		b.t.Fatalf("no button %q on %s", button, b.url.Path)
	}
	form := pressed.Closest("form")
	if form.Length() == 0 {
		b.t.Fatalf("button %q is in no form", button)
	}
	values := map[*goquery.Selection]string{}
	for label, v := range fill {
		field := b.field(form, label)
		values[field] = v
	}
	type pair struct{ name, value string }
	var data []pair
	form.Find("input, textarea, select").Each(func(_ int, s *goquery.Selection) {
		name, ok := s.Attr("name")
		if !ok || name == "" || s.AttrOr("disabled", "x") != "x" {
			return
		}
		v, filled := "", false
		for f, fv := range values {
			if f.Nodes[0] == s.Nodes[0] {
				v, filled = fv, true
			}
		}
		switch {
		case goquery.NodeName(s) == "textarea":
			if !filled {
				v = strings.TrimPrefix(s.Text(), "\n")
			}
		case goquery.NodeName(s) == "select":
			opt := s.Find("option[selected]").First()
			if opt.Length() == 0 {
				opt = s.Find("option").First()
			}
			v = opt.AttrOr("value", words(opt))
		default:
			switch s.AttrOr("type", "text") {
			case "submit", "button", "reset", "file", "image":
				return
			case "checkbox", "radio":
				if _, checked := s.Attr("checked"); !checked {
					return
				}
				v = s.AttrOr("value", "on")
			default:
				if !filled {
					v = s.AttrOr("value", "")
				}
			}
		}
		data = append(data, pair{name, v})
	})
	if name := pressed.AttrOr("name", ""); name != "" {
		data = append(data, pair{name, pressed.AttrOr("value", "")})
	}
	action := pressed.AttrOr("formaction", form.AttrOr("action", b.url.String()))
	method := strings.ToUpper(form.AttrOr("method", "GET"))
	if method == "GET" {
		q := url.Values{}
		for _, p := range data {
			q.Add(p.name, p.value)
		}
		u, _ := b.url.Parse(action)
		u.RawQuery = q.Encode()
		b.open("GET", u.String(), "", nil)
		return
	}
	if form.AttrOr("enctype", "") == "multipart/form-data" {
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		for _, p := range data {
			mw.WriteField(p.name, p.value)
		}
		mw.Close()
		b.open("POST", action, mw.FormDataContentType(), &body)
		return
	}
	q := url.Values{}
	for _, p := range data {
		q.Add(p.name, p.value)
	}
	b.open("POST", action, "application/x-www-form-urlencoded", strings.NewReader(q.Encode()))
}

// field is form's control whose label reads label.
func (b *textBrowser) field(form *goquery.Selection, label string) *goquery.Selection {
	b.t.Helper()
	var found *goquery.Selection
	form.Find("label").EachWithBreak(func(_ int, l *goquery.Selection) bool {
		if words(l) != label {
			return true
		}
		if id := l.AttrOr("for", ""); id != "" {
			found = form.Find("#" + id)
		} else {
			found = l.Find("input, textarea, select")
		}
		return false
	})
	if found == nil || found.Length() == 0 {
		found = form.Find("[aria-label=" + jsonQuote(label) + "]")
	}
	if found.Length() == 0 {
		b.t.Fatalf("no field labelled %q in the form on %s", label, b.url.Path)
	}
	return found.First()
}

func jsonQuote(s string) string { return `"` + strings.ReplaceAll(s, `"`, `\"`) + `"` }

// TestTextBrowserWalk logs in, reads, replies and sends as a person with
// w3m or lynx would: links and forms only.
func TestTextBrowserWalk(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	b := newTextBrowser(t, e)

	b.open("GET", "/", "", nil)
	b.submit("Log in", map[string]string{"Login name": e.acct.Login, "Password": e.acct.Password})
	b.sees("Inbox")
	if b.url.Path != "/m/INBOX" {
		t.Fatalf("after logging in: %s, want the inbox", b.url.Path)
	}

	b.follow("Trip report: three days in the Dolomites")
	b.sees("Trip report: three days in the Dolomites")
	b.follow("Reply")
	if got := b.field(b.doc.Find("form"), "Subject").AttrOr("value", ""); got != "Re: Trip report: three days in the Dolomites" {
		t.Errorf("the reply's subject reads %q", got)
	}

	// The demo's SMTP login differs from IMAP: without JavaScript the form
	// asks for it with the message.
	b.submit("Send", map[string]string{
		"Message":         "Looks wonderful, thank you!\n",
		"SMTP login name": e.acct.SMTPLogin,
		"SMTP password":   e.acct.SMTPPassword,
	})
	b.sees("Message sent to")
	if b.url.Path != "/m/INBOX" {
		t.Errorf("after sending: %s, want the inbox", b.url.Path)
	}
	got := lastDelivery(t, e.demo)
	if msg := string(got.Data); !strings.Contains(msg, "Looks wonderful, thank you!") || !strings.Contains(msg, "Subject: Re: Trip report: three days in the Dolomites") {
		t.Errorf("the SMTP server received:\n%s", msg)
	}

	b.follow("Inbox")
	b.sees("Trip report: three days in the Dolomites")
}
