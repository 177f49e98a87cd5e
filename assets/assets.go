// Package assets holds the stylesheet, the vendored htmx build and our few
// lines of JavaScript, embedded in the binary and served under URLs that
// carry a hash of their content, so browsers may cache them for good.
// Our stylesheet and scripts are kept readable here, with their comments,
// and minified once at start (tdewolff/minify): what is sent weighs a
// third less.
//
// htmx is htmx.org 4.0.1 from the npm registry, file dist/htmx.min.js,
// sha256 a0abb04f2f45a1f89d1d4844023245537e5e6014c87b144553e0607b4cc32130.
package assets

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/tdewolff/minify/v2"
	"github.com/tdewolff/minify/v2/css"
	"github.com/tdewolff/minify/v2/js"
)

//go:embed *.css *.js *.svg
var files embed.FS

// Set serves the embedded files under hashed names.
type Set struct {
	byHashed map[string]file   // "app.3f2a9c1b.css" -> file
	urls     map[string]string // "app.css" -> "/assets/app.3f2a9c1b.css"
}

type file struct {
	data  []byte
	gz    []byte // data gzipped once at the best level, for text; nil if it saves nothing
	etag  string
	ctype string
}

// Prefix is where the assets are served.
const Prefix = "/assets/"

// New hashes every embedded file.
func New() *Set {
	s := &Set{byHashed: map[string]file{}, urls: map[string]string{}}
	entries, _ := fs.ReadDir(files, ".")
	for _, e := range entries {
		data, err := files.ReadFile(e.Name())
		if err != nil {
			panic(err) // embedded: cannot fail
		}
		data = minified(e.Name(), data)
		sum := sha256.Sum256(data)
		h := hex.EncodeToString(sum[:])[:12]
		ext := path.Ext(e.Name())
		hashed := strings.TrimSuffix(e.Name(), ext) + "." + h + ext
		s.byHashed[hashed] = file{data: data, gz: gzipped(data), etag: `"` + h + `"`, ctype: mime.TypeByExtension(ext)}
		s.urls[e.Name()] = Prefix + hashed
	}
	return s
}

// URL returns the hashed URL of an embedded file, e.g. URL("app.css").
func (s *Set) URL(name string) string {
	if u, ok := s.urls[name]; ok {
		return u
	}
	panic("assets: no file " + name)
}

// ServeHTTP serves GET /assets/{name} with immutable caching and ETags.
func (s *Set) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f, ok := s.byHashed[strings.TrimPrefix(r.URL.Path, Prefix)]
	if !ok {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	h.Set("Content-Type", f.ctype)
	h.Add("Vary", "Accept-Encoding")
	if f.gz != nil && acceptsGzip(r.Header.Get("Accept-Encoding")) {
		// Compressed once, at the best level: the response compressor
		// leaves a body that says its encoding alone.
		h.Set("Content-Encoding", "gzip")
		h.Set("ETag", strings.TrimSuffix(f.etag, `"`)+`-gz"`)
		http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(f.gz))
		return
	}
	h.Set("ETag", f.etag)
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(f.data))
}

// minified is our stylesheet or script without comments and needless
// spaces; vendored builds (*.min.js) and the icons are left as they are.
// A file the minifier cannot read is served as written (TestMinified
// keeps that from happening unseen).
func minified(name string, data []byte) []byte {
	var mediatype string
	switch {
	case strings.HasSuffix(name, ".min.js"):
		return data
	case strings.HasSuffix(name, ".css"):
		mediatype = "text/css"
	case strings.HasSuffix(name, ".js"):
		mediatype = "text/javascript"
	default:
		return data
	}
	out, err := minifier.Bytes(mediatype, data)
	if err != nil {
		return data
	}
	return out
}

var minifier = func() *minify.M {
	m := minify.New()
	m.AddFunc("text/css", css.Minify)
	m.AddFunc("text/javascript", js.Minify)
	return m
}()

// gzipped is data compressed at gzip's best level, or nil when that does
// not make it smaller (the icons are small already).
func gzipped(data []byte) []byte {
	var b bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
	zw.Write(data)
	zw.Close()
	if b.Len() >= len(data)*9/10 {
		return nil
	}
	return b.Bytes()
}

// acceptsGzip reads an Accept-Encoding header: gzip (or *) listed without
// q=0.
func acceptsGzip(header string) bool {
	for _, part := range strings.Split(header, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if name = strings.ToLower(strings.TrimSpace(name)); name != "gzip" && name != "*" {
			continue
		}
		q := strings.ReplaceAll(strings.ToLower(params), " ", "")
		return q != "q=0" && q != "q=0.0" && q != "q=0.00" && q != "q=0.000"
	}
	return false
}
