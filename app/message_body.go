package app

import (
	"bytes"
	"io"
	"net/http"
	"strings"

	"webmail/app/message"
	"webmail/views"
)

// inlineLimit bounds the cid: images inlined into one HTML body.
const inlineLimit = 8 << 20

// showMessageBody serves the sanitised HTML body as its own document, for
// the sandboxed iframe of the message view. Its CSP allows no script at
// all, and remote images and styles only when the person asked for them.
func (a *App) showMessageBody(w http.ResponseWriter, r *http.Request) error {
	remote := r.URL.Query().Get("remote") == "1"
	om, err := a.openMessage(r)
	if err != nil {
		return err
	}
	defer om.release()
	layout := om.layout
	if layout.HTML == nil {
		return errorf(http.StatusNotFound, "This message has no HTML body.", nil)
	}
	// The HTML and its inline images in one FETCH.
	parts := [][]int{layout.HTML.Path}
	var inline []message.Part
	var total int64
	for _, p := range layout.Inline {
		if total+p.Size <= inlineLimit {
			inline = append(inline, p)
			parts = append(parts, p.Path)
			total += p.Size
		}
	}
	bodies, err := om.conn.Sections(r.Context(), om.ref, parts, bodyLimit)
	if err != nil {
		return err
	}
	om.release()
	html, _, _ := message.DecodeText(bytes.NewReader(bodies[0]), *layout.HTML, bodyLimit)
	cids := make(map[string]string, len(inline))
	for i, p := range inline {
		var b bytes.Buffer
		if _, err := io.Copy(&b, message.DecodeBinary(bytes.NewReader(bodies[i+1]), p.Encoding)); err == nil {
			if uri, ok := message.ImageDataURI(b.Bytes()); ok {
				cids[p.ContentID] = uri
			}
		}
	}
	out := message.SanitizeHTML(html, message.SanitizeOptions{
		AllowRemote: remote,
		CID: func(id string) (string, bool) {
			src, ok := cids[id]
			return src, ok
		},
	})

	src := "data:"
	if remote {
		src = "data: https: http:"
	}
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'none'; img-src "+src+"; style-src 'unsafe-inline' "+strings.TrimPrefix(src, "data:")+
		"; font-src "+src+"; base-uri 'none'; form-action 'none'; frame-ancestors 'self'; sandbox allow-popups allow-popups-to-escape-sandbox")
	h.Set("X-Frame-Options", "SAMEORIGIN")
	h.Set("Cache-Control", "private, no-store")
	return render(w, r, http.StatusOK, views.MessageBody(views.MessageBodyParams{HTML: composeLinks(out.HTML, a.cfg.PublicURL)}))
}
