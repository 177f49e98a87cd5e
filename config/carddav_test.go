package config

import (
	"strings"
	"testing"
)

func TestCardDAVFor(t *testing.T) {
	t.Parallel()
	c, err := Load(writeFile(t, `
[imap]
host = "imap.default.example"
[smtp]
host = "smtp.default.example"
[carddav]
url = "https://dav.default.example/"
[[domain]]
name = "example.com"
imap.host = "imap.example.com"
smtp.host = "smtp.example.com"
carddav.url = "https://dav.example.com/book/"
[[domain]]
name = "other.example"
imap.host = "imap.other.example"
smtp.host = "smtp.other.example"
`), nil)
	if err != nil {
		t.Fatal(err)
	}
	for login, want := range map[string]string{
		"alice@Example.COM":   "https://dav.example.com/book/",
		"bob@other.example":   "", // its own servers, no address book
		"carol@elsewhere.org": "https://dav.default.example/",
	} {
		if got := c.CardDAVFor(login); got != want {
			t.Errorf("CardDAVFor(%q) = %q, want %q", login, got, want)
		}
	}
}

func TestCardDAVURLChecked(t *testing.T) {
	t.Parallel()
	for url, problem := range map[string]string{
		"https://dav.example.org/":     "",
		"http://127.0.0.1:5232/":       "",
		"http://dav.example.org/":      "must be https",
		"https://user:pw@dav.example/": "must not hold a login",
		"ftp://dav.example.org/":       "must be an http(s) URL",
		"dav.example.org":              "must be an http(s) URL",
	} {
		env := map[string]string{"WEBMAIL_IMAP_HOST": "imap.example.org", "WEBMAIL_SMTP_HOST": "smtp.example.org", "WEBMAIL_CARDDAV_URL": url}
		_, err := Load("", func(k string) string { return env[k] })
		switch {
		case problem == "" && err != nil:
			t.Errorf("%s: %v", url, err)
		case problem != "" && (err == nil || !strings.Contains(err.Error(), "carddav.url: "+problem)):
			t.Errorf("%s: %v, want carddav.url: %s", url, err, problem)
		}
	}
}
