package app

import (
	"bufio"
	"bytes"
	"fmt"
	"net/http"
	"strconv"
	"sync"

	"github.com/a-h/templ"

	"webmail/views"
)

// base fills what every page needs.
func (a *App) base(r *http.Request, title string) views.Base {
	b := views.Base{
		Title: title,
		Assets: views.Assets{
			CSS:     a.assets.URL("app.css"),
			HTMX:    a.assets.URL("htmx-4.0.1.min.js"),
			SSE:     a.assets.URL("hx-sse-4.0.1.min.js"),
			JS:      a.assets.URL("app.js"),
			Compose: a.assets.URL("compose.js"),
			Keys:    a.assets.URL("keys.js"),
			Message: a.assets.URL("message.js"),
			Forms:   a.assets.URL("forms.css"),
			Icon:    a.assets.URL("icon.svg"),
			Sprite:  a.assets.URL("icons.svg"),
		},
		Theme:   a.theme(r),
		Density: "comfortable",
	}
	if acct := accountFrom(r); acct.Login != "" {
		b.Account = acct.Login
		b.Flash = a.sessions.PopString(r.Context(), sessFlash)
		b.Density = a.cachedSettings(r).Density
	}
	return b
}

var pagePool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// render writes a component as HTML with the given status. The page is
// rendered whole before anything is sent: a failing component still gets
// a proper error page, and the response goes out in one write (templ
// would otherwise flush the compressor mid-page).
func render(w http.ResponseWriter, r *http.Request, status int, c templ.Component) error {
	buf := pagePool.Get().(*bytes.Buffer)
	buf.Reset()
	defer pagePool.Put(buf)
	if err := c.Render(r.Context(), buf); err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	h.Add("Vary", "HX-Request, HX-Target")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
	return nil
}

// renderStream writes a component as it renders, for a page too large to
// hold (one that carries files back). A failure once it has begun breaks
// the answer off, so that it cannot pass for whole.
func renderStream(w http.ResponseWriter, r *http.Request, status int, c templ.Component) error {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Add("Vary", "HX-Request, HX-Target")
	w.WriteHeader(status)
	bw := bufio.NewWriterSize(w, 64<<10)
	if err := c.Render(r.Context(), bw); err != nil {
		return fmt.Errorf("%w: %w", errBrokenOff, err)
	}
	return bw.Flush()
}
