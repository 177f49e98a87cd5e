package app

import (
	"net/http"
	"strings"

	"webmail/views"
)

// showMessageBody serves a sanitised HTML body as its own document, for a
// sandboxed iframe of the message view: the message's own, or with
// ?part= that of an attached message. The view has just sanitised it and
// kept it (body_cache.go), so this costs no IMAP command; only when it is
// gone is the body fetched and sanitised again. Its CSP allows no script
// at all, and remote images and styles only when the person asked for
// them; its sandbox is the frame's (views.FrameSandbox): same-origin, so
// the app's script can size the frame, but never scripts or forms.
func (a *App) showMessageBody(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	remote := q.Get("remote") == "1"
	section := q.Get("part")
	if len(section) > 64 || strings.Trim(section, "0123456789.") != "" {
		return errorf(http.StatusNotFound, tr(r, "ErrNoHTMLBody"), nil)
	}
	ref, err := messageParam(r)
	if err != nil {
		return err
	}
	key := bodyKey{sid: accountFrom(r).sid, ref: ref, section: section, remote: remote}
	html, ok := a.bodies.get(key)
	if !ok {
		if html, err = a.fetchMessageBody(r, section, remote); err != nil {
			return err
		}
		a.bodies.put(key, html)
	}
	src := "data:"
	if remote {
		src = "data: https: http:"
	}
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'none'; img-src "+src+"; style-src 'unsafe-inline' "+strings.TrimPrefix(src, "data:")+
		"; font-src "+src+"; script-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'self'; sandbox "+views.FrameSandbox)
	h.Set("X-Frame-Options", "SAMEORIGIN")
	h.Set("Cache-Control", "private, no-store")
	return render(w, r, http.StatusOK, views.MessageBody(views.MessageBodyParams{HTML: html}))
}

// fetchMessageBody fetches and sanitises the HTML body of the message (or
// of the message attached at section) with its inline images, in one
// FETCH.
func (a *App) fetchMessageBody(r *http.Request, section string, remote bool) (string, error) {
	om, err := a.openMessage(r)
	if err != nil {
		return "", err
	}
	defer om.release()
	layout := &om.layout
	if section != "" {
		m, ok := layout.FindMessage(section)
		if !ok {
			return "", errorf(http.StatusNotFound, tr(r, "ErrNoHTMLBody"), nil)
		}
		layout = &m.Layout
	}
	if layout.HTML == nil {
		return "", errorf(http.StatusNotFound, tr(r, "ErrNoHTMLBody"), nil)
	}
	f := &bodyFetch{}
	b := f.add(layout, section, views.BodyHTML)
	fetched, err := om.conn.Sections(r.Context(), om.ref, f.parts, bodyLimit)
	if err != nil {
		return "", err
	}
	om.release()
	out := a.sanitizeFetched(fetched[0], *b.html, b.inline, fetched[1:], remote)
	return out.HTML, nil
}
