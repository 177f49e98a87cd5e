package app

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"webmail/views"
)

func TestMount(t *testing.T) {
	t.Parallel()
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Path", r.URL.Path)
		w.Header().Set("X-Root", views.Root(r.Context()))
		w.Header().Set("X-Next", views.Path(r.Context(), "/m/INBOX"))
	})
	tests := []struct {
		base, method, target string
		status               int
		path, root, location string
	}{
		{"", "GET", "/m/INBOX", 200, "/m/INBOX", "", ""},
		{"", "GET", "/", 200, "/", "", ""},
		{"/mail", "GET", "/mail/m/INBOX?page=2", 200, "/m/INBOX", "/mail", ""},
		{"/mail", "GET", "/mail/", 200, "/", "/mail", ""},
		{"/mail", "GET", "/mail/m/a%2Fb", 200, "/m/a/b", "/mail", ""},
		{"/mail", "GET", "/mail", 301, "", "", "/mail/"},
		{"/mail", "POST", "/mail", 404, "", "", ""},
		{"/mail", "GET", "/", 404, "", "", ""},
		{"/mail", "GET", "/mailbox", 404, "", "", ""},
		{"/mail", "GET", "/m/INBOX", 404, "", "", ""},
		{"/a/b", "GET", "/a/b/login", 200, "/login", "/a/b", ""},
	}
	for _, tt := range tests {
		w := httptest.NewRecorder()
		mount(tt.base, h).ServeHTTP(w, httptest.NewRequest(tt.method, tt.target, nil))
		got := [3]string{w.Header().Get("X-Path"), w.Header().Get("X-Root"), w.Header().Get("Location")}
		want := [3]string{tt.path, tt.root, tt.location}
		if w.Code != tt.status || got != want {
			t.Errorf("%s %s under %q: %d %q, want %d %q", tt.method, tt.target, tt.base, w.Code, got, tt.status, want)
		}
		if tt.status == 200 && w.Header().Get("X-Next") != tt.root+"/m/INBOX" {
			t.Errorf("%s under %q: views.Path gives %q", tt.target, tt.base, w.Header().Get("X-Next"))
		}
	}
}
