package app

import (
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// TestReadSecretForm: the secret field comes back as bytes, decoded
// exactly, and is not in r.PostForm; the other fields are.
func TestReadSecretForm(t *testing.T) {
	t.Parallel()
	for _, pw := range []string{"Pq7-wrT!zx93", "a+b c&d=e%f", "pässwörd ✓", ""} {
		form := url.Values{"login": {"ann@example.org"}, "password": {pw}, "next": {"/m/INBOX?page=2"}}
		r := httptest.NewRequest("POST", "/login", strings.NewReader(form.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		got, err := readSecretForm(httptest.NewRecorder(), r, 1<<10, "password")
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != pw {
			t.Errorf("secret %q, want %q", got, pw)
		}
		if r.PostForm.Has("password") || r.PostForm.Get("login") != "ann@example.org" || r.PostForm.Get("next") != "/m/INBOX?page=2" {
			t.Errorf("PostForm = %v", r.PostForm)
		}
	}
	for name, body := range map[string]string{"bad escape": "password=%zz", "too long": strings.Repeat("x", 2<<10)} {
		r := httptest.NewRequest("POST", "/login", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if _, err := readSecretForm(httptest.NewRecorder(), r, 1<<10, "password"); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	r := httptest.NewRequest("POST", "/login", strings.NewReader("x=1"))
	r.Header.Set("Content-Type", "multipart/form-data; boundary=x")
	if _, err := readSecretForm(httptest.NewRecorder(), r, 1<<10, "password"); err == nil {
		t.Error("a multipart body was read as urlencoded")
	}
}
