package app

import (
	"bytes"
	"net/http"
	"strings"
	"webmail"

	"github.com/emersion/go-imap/v2"

	"webmail/app/compose"
	"webmail/app/message"
	"webmail/views"
)

// original reads what a reply or forward quotes: envelope, References and
// the text (or HTML) body.
func (a *App) original(r *http.Request, om *openedMessage) (compose.Original, error) {
	ctx := r.Context()
	o := compose.Original{Envelope: om.msg.Envelope}
	refs, err := om.conn.References(ctx, om.ref)
	if err != nil {
		return o, err
	}
	o.References = refs
	part := om.layout.Text
	if part == nil {
		part = om.layout.HTML
	}
	if part == nil {
		return o, nil
	}
	bodies, err := om.conn.Sections(ctx, om.ref, []message.Part{*part}, bodyLimit)
	if err != nil {
		return o, err
	}
	text, _, _ := message.DecodeText(bytes.NewReader(bodies[0]), *part, bodyLimit)
	if part == om.layout.Text {
		if flowed, delSp := part.Flowed(); flowed {
			text = compose.Unflow(text, delSp)
		}
		o.Text = text
	} else {
		o.HTML = text
	}
	return o, nil
}

// showReply prepares a reply (?all=1: to everyone) to a message.
func (a *App) showReply(w http.ResponseWriter, r *http.Request) error {
	st := a.settings(r) // before a connection is held: reading them borrows one
	om, err := a.openMessage(r)
	if err != nil {
		return err
	}
	defer om.release()
	o, err := a.original(r, om)
	if err != nil {
		return err
	}
	acct := accountFrom(r)
	all := r.URL.Query().Get("all") == "1"
	d := compose.Reply(o, ownAddresses(st, acct.Login), all)
	om.release()
	f := formFromDraft(d)
	f.ReplyOf = om.ref.String()
	chosen := ""
	if d.From != nil {
		chosen = d.From.Address
	}
	a.startForm(r, &f, chosen, true, true)
	title := tr(r, "Reply")
	if all {
		title = tr(r, "ReplyToAll")
	}
	return a.showComposeForm(w, r, f, title)
}

// showForward prepares a forward with the original's attachments.
func (a *App) showForward(w http.ResponseWriter, r *http.Request) error {
	om, err := a.openMessage(r)
	if err != nil {
		return err
	}
	defer om.release()
	o, err := a.original(r, om)
	if err != nil {
		return err
	}
	om.release()
	f := formFromDraft(compose.Forward(o))
	f.ForwardOf = om.ref.String()
	f.Kept = keptParts("f:", om.msg.Structure)
	a.startForm(r, &f, "", true, false)
	return a.showComposeForm(w, r, f, tr(r, "Forward"))
}

// showDraft opens a saved draft back into the compose form.
func (a *App) showDraft(w http.ResponseWriter, r *http.Request, ref webmail.MessageRef) error {
	conn, release, err := a.conn(r)
	if err != nil {
		return err
	}
	defer release()
	msg, err := conn.Message(r.Context(), ref)
	if err != nil {
		return err
	}
	om := &openedMessage{conn: conn, release: release, ref: ref, msg: msg, layout: message.LayoutOf(msg.Structure)}
	o, err := a.original(r, om)
	if err != nil {
		return err
	}
	env := msg.Envelope
	f := views.ComposeForm{
		To: compose.FormatAddressList(addrsFromEnvelope(env.To)), Cc: compose.FormatAddressList(addrsFromEnvelope(env.Cc)), Bcc: compose.FormatAddressList(addrsFromEnvelope(env.Bcc)),
		Subject: env.Subject, Body: o.Text, References: strings.Join(o.References, " "), Draft: ref.String(),
		// The webmail saves a Markdown body as text and HTML, a plain
		// one as text alone: a draft with both was Markdown (another
		// program's draft with both is read as Markdown too, its text
		// part being what it was typed as).
		Markdown: om.layout.Text != nil && om.layout.HTML != nil,
	}
	if len(env.InReplyTo) > 0 {
		f.InReplyTo = env.InReplyTo[0]
	}
	if len(env.From) > 0 {
		f.From = env.From[0].Addr()
	}
	f.Kept = keptParts("d:", msg.Structure)
	for _, p := range om.layout.Inline {
		// The images the Markdown showed inline, found again by name.
		if f.Markdown && compose.ValidContentID(p.ContentID) && p.OriginalName != "" {
			f.Inline = append(f.Inline, p.ContentID+" "+p.OriginalName)
		}
	}
	return a.showComposeForm(w, r, f, tr(r, "DraftTitle"))
}

// keptParts lists the attachments of a message the form opens (a draft,
// "d:", or a message to forward, "f:"), each to send along unless
// unticked, streamed from the message when the new one is written.
func keptParts(prefix string, bs imap.BodyStructure) []views.KeptAttachment {
	var out []views.KeptAttachment
	for _, p := range attachableParts(bs) {
		out = append(out, views.KeptAttachment{Value: prefix + p.Section(), Name: p.DownloadName(), Size: decodedSize(p)})
	}
	return out
}

// formFromDraft fills the form with a prepared reply or forward. A new
// message is Markdown unless the person chooses plain text: the text part
// goes out as typed either way, and the Markdown read (see
// compose.MarkdownHTML) leaves ordinary text as it is.
func formFromDraft(d compose.Draft) views.ComposeForm {
	return views.ComposeForm{
		To: compose.FormatAddressList(d.To), Cc: compose.FormatAddressList(d.Cc), Bcc: compose.FormatAddressList(d.Bcc),
		Subject: d.Subject, Body: d.Body, Markdown: true, InReplyTo: d.InReplyTo, References: strings.Join(d.References, " "),
	}
}
