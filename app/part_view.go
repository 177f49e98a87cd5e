package app

import (
	"mime"
	"net/http"

	"webmail/app/message"
)

// viewable is the type a part is shown in the browser as: the images a
// browser draws as images, and PDF, for its own viewer. Nothing else is
// shown: SVG (a document that can hold script), HTML and the rest are
// only downloaded.
var viewable = map[string]bool{
	"image/png": true, "image/jpeg": true, "image/gif": true, "image/webp": true, "image/avif": true, "image/bmp": true,
	"application/pdf": true,
}

// thumbMax is the largest image (encoded, as the server counts it) shown
// as a thumbnail: the browser loads the whole image for it, so a large
// one is only offered to view, on demand.
const thumbMax = 2 << 20

// thumbnail tells whether a part is shown as a thumbnail in the message
// view.
func thumbnail(p message.Part) bool {
	return viewable[p.Type] && p.Type != "application/pdf" && p.Size <= thumbMax
}

// viewPart streams an image or PDF attachment for the browser to show
// (a thumbnail, or the part in a tab of its own). What the message says
// its type is decides nothing the browser would run: the response is
// never sniffed (nosniff), and its CSP sandboxes it with no script and no
// origin, so a PDF or an image never shares the app's origin.
func (a *App) viewPart(w http.ResponseWriter, r *http.Request) error {
	return a.servePart(w, r, func(part message.Part) (func(http.Header), error) {
		if !viewable[part.Type] {
			return nil, errorf(http.StatusNotFound, tr(r, "ErrAttachmentNotViewable"), nil)
		}
		return func(h http.Header) {
			h.Set("Content-Type", part.Type)
			h.Set("Content-Disposition", mime.FormatMediaType("inline", map[string]string{"filename": part.DownloadName()}))
		}, nil
	})
}
