package app

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// TestRefuseSubresources: the app's pages are never served as an image,
// style sheet or font (what a same-origin mail frame could ask for), but
// navigations, frames, htmx requests, assets and thumbnails are.
func TestRefuseSubresources(t *testing.T) {
	t.Parallel()
	h := refuseSubresources(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusTeapot) }))
	for _, tc := range []struct {
		path, dest string
		served     bool
	}{
		{"/m/INBOX/1/5", "document", true},
		{"/m/INBOX/1/5", "", true},
		{"/m/INBOX/1/5", "empty", true},
		{"/m/INBOX/1/5/body", "iframe", true},
		{"/m/INBOX/1/5", "image", false},
		{"/m/INBOX/1/5", "style", false},
		{"/m/INBOX/1/5", "font", false},
		{"/compose", "image", false},
		{"/m/INBOX/1/5/part/2", "image", false},
		{"/m/INBOX/1/5/part/2/view", "image", true},
		{"/m/INBOX/1/5/part/2/view", "style", false},
		{"/assets/app.0123456789ab.css", "style", true},
		{"/assets/icons.0123456789ab.svg", "image", true},
	} {
		r := httptest.NewRequest("GET", tc.path, nil)
		if tc.dest != "" {
			r.Header.Set("Sec-Fetch-Dest", tc.dest)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if served := w.Code == http.StatusTeapot; served != tc.served {
			t.Errorf("GET %s as %q: served = %v (status %d), want %v", tc.path, tc.dest, served, w.Code, tc.served)
		}
	}
}
