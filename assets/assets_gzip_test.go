package assets

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http/httptest"
	"testing"
)

// TestServesPrecompressed: a browser that takes gzip gets the stylesheet
// compressed once at the best level (what the first load weighs), one
// that refuses it gets the file as it is, and both decode to the file.
func TestServesPrecompressed(t *testing.T) {
	s := New()
	want, _ := files.ReadFile("app.css")
	for _, tc := range []struct {
		accept string
		gz     bool
	}{
		{"gzip, deflate, br", true},
		{"br;q=1.0, gzip;q=0.8", true},
		{"gzip;q=0", false},
		{"", false},
		{"identity", false},
	} {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest("GET", s.URL("app.css"), nil)
		req.Header.Set("Accept-Encoding", tc.accept)
		s.ServeHTTP(rec, req)
		body := rec.Body.Bytes()
		if got := rec.Header().Get("Content-Encoding") == "gzip"; got != tc.gz {
			t.Errorf("Accept-Encoding %q: gzip %v, want %v", tc.accept, got, tc.gz)
			continue
		}
		if tc.gz {
			if len(body) >= len(want)/3 {
				t.Errorf("Accept-Encoding %q: %d bytes for a %d-byte file", tc.accept, len(body), len(want))
			}
			zr, err := gzip.NewReader(bytes.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			body, _ = io.ReadAll(zr)
		}
		if !bytes.Equal(body, want) {
			t.Errorf("Accept-Encoding %q: the body is not app.css", tc.accept)
		}
	}
}
