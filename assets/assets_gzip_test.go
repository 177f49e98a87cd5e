package assets

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestServesPrecompressed: a browser that takes gzip gets the stylesheet
// compressed once at the best level (what the first load weighs), one
// that refuses it gets the file as it is, and both decode to the file.
func TestServesPrecompressed(t *testing.T) {
	s := New()
	src, _ := files.ReadFile("app.css")
	want := minified("app.css", src)
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
			t.Errorf("Accept-Encoding %q: the body is not app.css, minified", tc.accept)
		}
	}
}

// TestMinified: our stylesheet and scripts go out minified, every one of
// them readable by the minifier (one it cannot read would go out whole,
// unseen), and the vendored builds as they came.
func TestMinified(t *testing.T) {
	entries, _ := files.ReadDir(".")
	for _, e := range entries {
		name := e.Name()
		src, _ := files.ReadFile(name)
		ours := (strings.HasSuffix(name, ".css") || strings.HasSuffix(name, ".js")) && !strings.HasSuffix(name, ".min.js")
		if !ours {
			if !bytes.Equal(minified(name, src), src) {
				t.Errorf("%s was changed; it is served as it came", name)
			}
			continue
		}
		mediatype := map[bool]string{true: "text/css", false: "text/javascript"}[strings.HasSuffix(name, ".css")]
		out, err := minifier.Bytes(mediatype, src)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if len(out) > len(src)*9/10 {
			t.Errorf("%s: minified to %d bytes of %d", name, len(out), len(src))
		}
		t.Logf("%s: %d -> %d bytes", name, len(src), len(out))
	}
}
