package app

import (
	"net/http"
	"strings"

	"webmail/assets"
)

// subresources are the Sec-Fetch-Dest values of requests a page makes for
// its images, styles, fonts, media and scripts. The app's own pages make
// them only for its assets and for attachments' thumbnails.
var subresources = map[string]bool{
	"image": true, "style": true, "font": true, "script": true, "audio": true, "video": true, "track": true,
	"object": true, "embed": true, "manifest": true, "worker": true, "sharedworker": true, "serviceworker": true,
	"audioworklet": true, "paintworklet": true, "xslt": true, "json": true,
}

// refuseSubresources answers 404 to a request for any other page of the
// app as an image, style sheet, font and the like. HTML mail's frame is
// same-origin with the app (views.FrameSandbox), so with remote content
// shown, an image or a CSS url() in a message naming the app's own pages
// would be fetched with the person's cookies: opening a message marks it
// read, and no mail may do that to another. Browsers without
// Sec-Fetch-Dest (Safari before 16.4) send none and are served.
func refuseSubresources(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if dest := r.Header.Get("Sec-Fetch-Dest"); subresources[dest] && !subresourceAllowed(r.URL.Path, dest) {
			http.Error(w, "Not found.", http.StatusNotFound)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// subresourceAllowed: assets are anything a page loads; a part shown in
// the browser is an attachment's thumbnail.
func subresourceAllowed(path, dest string) bool {
	if strings.HasPrefix(path, assets.Prefix) {
		return true
	}
	return dest == "image" && strings.HasPrefix(path, "/m/") && strings.HasSuffix(path, "/view") && strings.Contains(path, "/part/")
}
