package app

import (
	"bytes"
	"net/http"
	"strings"

	"github.com/a-h/templ"

	"webmail/app/message"
	"webmail/views"
)

// printMessage shows a message ready to print, without the app around
// it: its header, its body and the names and sizes of its attachments.
// The body is the text, or the sanitised HTML (?view=text picks the text
// where there is both), fetched in one FETCH as the message view does.
// The HTML is part of the page here, not a frame, so that it prints
// whole; it keeps the mail's inline styles but not its style sheets,
// which could restyle the page's own header, and the page's CSP lets no
// script but the page's own run and no remote content load unless the
// person asked for it (?remote=1).
func (a *App) printMessage(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	remote := q.Get("remote") == "1"
	om, err := a.openMessage(r)
	if err != nil {
		return err
	}
	defer om.release()
	ctx := r.Context()
	mode := views.BodyHTML
	if q.Get("view") == string(views.BodyText) {
		mode = views.BodyText
	}
	f := &bodyFetch{}
	b := f.add(&om.layout, "", mode)
	fetched, err := om.conn.Sections(ctx, om.ref, f.parts, bodyLimit)
	if err != nil {
		return err
	}
	om.release()

	p := views.MessagePrintParams{
		Base:    a.base(r, views.Subject(r.Context(), om.msg.Envelope.Subject)),
		Msg:     &om.msg.Message,
		BackURL: views.MessageURL(om.ref),
		Zone:    a.readerZone(r),
	}
	if v := placeFrom(r, om.ref.Mailbox).Values(); len(v) > 0 {
		p.BackURL += "?" + v.Encode()
	}
	switch {
	case b.text != nil:
		text, _, _ := message.DecodeText(bytes.NewReader(fetched[b.first]), *b.text, bodyLimit)
		flowed, delSp := b.text.Flowed()
		p.TextHTML = composeLinks(message.TextToHTML(text, flowed, delSp), views.Root(ctx))
		om.layout.ResolveInline(nil)
	case b.html != nil:
		out := a.sanitizeFetched(fetched[b.first], *b.html, b.inline, fetched[b.first+1:b.first+1+len(b.inline)], remote)
		p.HTML = withoutStyleSheets(out.HTML)
		p.RemoteFound = out.RemoteBlocked
		om.layout.ResolveInline(out.CIDs)
	default:
		p.TextHTML = `<p class="muted">This message has no text.</p>`
		om.layout.ResolveInline(nil)
	}
	p.Attachments = attachmentLinks(om.ref, om.layout.Attachments)
	for _, m := range om.layout.Messages {
		p.Attachments = append(p.Attachments, attachmentLink(om.ref, m.Part))
	}

	img := "'self' data:"
	if remote {
		img += " https: http:"
	}
	// The mail's inline style attributes need 'unsafe-inline'; they are
	// filtered to an allow-list of properties by the sanitiser.
	w.Header().Set("Content-Security-Policy", "default-src 'none'; script-src 'nonce-"+templ.GetNonce(ctx)+"'; style-src 'self' 'unsafe-inline'; img-src "+img+
		"; font-src data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'; object-src 'none'")
	w.Header().Set("Cache-Control", "private, no-store")
	return render(w, r, http.StatusOK, views.MessagePrint(p))
}

// withoutStyleSheets drops the <style> element that SanitizeHTML puts
// first in its output, keeping the markup.
func withoutStyleSheets(html string) string {
	if !strings.HasPrefix(html, "<style>\n") {
		return html
	}
	if _, rest, ok := strings.Cut(html, "</style>\n"); ok {
		return rest
	}
	return ""
}
