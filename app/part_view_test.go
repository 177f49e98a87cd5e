package app

import (
	"bytes"
	"encoding/base64"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

// previewMessage has one attachment of each kind the message view treats
// apart: a PNG (a thumbnail), a PDF (viewed, no thumbnail), an SVG and an
// HTML file (downloaded only), and a "PNG" that is really HTML.
func previewMessage() []byte {
	png, _ := base64.StdEncoding.DecodeString("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==")
	part := func(typ, name string, body []byte) string {
		return "--b\r\nContent-Type: " + typ + "; name=\"" + name + "\"\r\nContent-Disposition: attachment; filename=\"" + name + "\"\r\n" +
			"Content-Transfer-Encoding: base64\r\n\r\n" + base64.StdEncoding.EncodeToString(body) + "\r\n"
	}
	return []byte("From: Previews <p@example.org>\r\nTo: alice@example.org\r\nSubject: Previews\r\n" +
		"Date: Mon, 02 Mar 2026 10:00:00 +0000\r\nMessage-ID: <previews@example.org>\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n" +
		"--b\r\nContent-Type: text/plain\r\n\r\nFiles.\r\n" +
		part("image/png", "dot.png", png) +
		part("application/pdf", "doc.pdf", []byte("%PDF-1.4\n%%EOF\n")) +
		part("image/svg+xml", "pic.svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`)) +
		part("text/html", "page.html", []byte(`<script>alert(1)</script>`)) +
		part("image/png", "fake.png", []byte(`<html><script>alert(1)</script></html>`)) +
		"--b--\r\n")
}

// TestAttachmentPreviews: images get a thumbnail and a View link, PDFs a
// View link; what is viewed comes with its own type, inline, never
// sniffed and sandboxed by its CSP (no origin, no script); SVG and HTML
// are never viewed.
func TestAttachmentPreviews(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.deliver(t, previewMessage())
	c := e.client()
	c.login(t, e.acct.Login, e.acct.Password)
	doc := c.page(t, c.findMessage(t, "INBOX", "Previews"), http.StatusOK)

	items := map[string]*goquery.Selection{}
	doc.Find("[data-testid=attachment]").Each(func(_ int, li *goquery.Selection) {
		items[text(li.Find("[data-testid=attachment-link]"))] = li
	})
	for _, tc := range []struct {
		name, typ   string
		thumb, view bool
	}{
		{"dot.png", "image/png", true, true},
		{"doc.pdf", "application/pdf", false, true},
		{"pic.svg", "", false, false},
		{"page.html", "", false, false},
		{"fake.png", "image/png", true, true},
	} {
		li := items[tc.name]
		if li == nil {
			t.Errorf("%s: not listed (listed: %v)", tc.name, len(items))
			continue
		}
		thumb := li.Find("img[data-testid=attachment-thumb]")
		if got := thumb.Length() == 1; got != tc.thumb {
			t.Errorf("%s: thumbnail shown = %v, want %v", tc.name, got, tc.thumb)
		}
		if tc.thumb && (thumb.AttrOr("loading", "") != "lazy" || thumb.AttrOr("src", "") != li.Find("[data-testid=attachment-view]").AttrOr("href", "")) {
			t.Errorf("%s: thumbnail %s is not the lazily loaded image the View link shows", tc.name, goquery.NodeName(thumb))
		}
		view := li.Find("a[data-testid=attachment-view]")
		if got := view.Length() == 1; got != tc.view {
			t.Errorf("%s: View link = %v, want %v", tc.name, got, tc.view)
		}
		if !tc.view {
			// Not viewable: the view URL refuses it too.
			href := li.Find("[data-testid=attachment-link]").AttrOr("href", "")
			resp := c.do(t, "GET", href+"/view", nil)
			resp.Body.Close()
			if resp.StatusCode != http.StatusNotFound {
				t.Errorf("%s: viewing it answers %d, want 404", tc.name, resp.StatusCode)
			}
			continue
		}
		if view.AttrOr("target", "") != "_blank" || !strings.Contains(view.AttrOr("rel", ""), "noopener") {
			t.Errorf("%s: the View link does not open a tab of its own: target=%q rel=%q", tc.name, view.AttrOr("target", ""), view.AttrOr("rel", ""))
		}
		resp := c.do(t, "GET", view.AttrOr("href", ""), nil)
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		h := resp.Header
		if resp.StatusCode != http.StatusOK || h.Get("Content-Type") != tc.typ || h.Get("X-Content-Type-Options") != "nosniff" ||
			!strings.HasPrefix(h.Get("Content-Disposition"), "inline;") || !strings.Contains(h.Get("Content-Disposition"), tc.name) {
			t.Errorf("%s: viewed with status %d, Content-Type %q, nosniff %q, Content-Disposition %q", tc.name, resp.StatusCode,
				h.Get("Content-Type"), h.Get("X-Content-Type-Options"), h.Get("Content-Disposition"))
		}
		csp := h.Get("Content-Security-Policy")
		if !strings.Contains(csp, "default-src 'none'") || !strings.HasSuffix(csp, "; sandbox") {
			t.Errorf("%s: viewed under CSP %q, want default-src 'none' and a sandbox without exceptions", tc.name, csp)
		}
		if tc.name == "doc.pdf" && !bytes.HasPrefix(b, []byte("%PDF-")) {
			t.Errorf("%s: viewed as %q", tc.name, b[:min(len(b), 16)])
		}
	}
}
