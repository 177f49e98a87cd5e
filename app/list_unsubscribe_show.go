package app

import (
	"net/http"
	"net/url"

	"webmail"
	"webmail/views"
)

// showListUnsubscribe asks before leaving the mailing list a message came
// from: the one-click request the webmail would send, or the e-mail to
// write, or the list's own page. The ways come from the message's header,
// read again here, never from the request.
func (a *App) showListUnsubscribe(w http.ResponseWriter, r *http.Request) error {
	p, err := a.listUnsubscribeParams(r)
	if err != nil {
		return err
	}
	return render(w, r, http.StatusOK, views.ListUnsubscribe(p))
}

// listUnsubscribeParams reads the message's List-Unsubscribe fields (with
// its envelope, one FETCH) and fills the page.
func (a *App) listUnsubscribeParams(r *http.Request) (views.ListUnsubscribeParams, error) {
	om, err := a.openMessage(r)
	if err != nil {
		return views.ListUnsubscribeParams{}, err
	}
	om.release()
	msg := om.msg
	u := msg.Unsubscribe
	if !u.Offered() {
		return views.ListUnsubscribeParams{}, errorf(http.StatusNotFound, tr(r, "ErrNoUnsubscribe"), nil)
	}
	place := placeFrom(r, om.ref.Mailbox)
	name := listName(msg.Message)
	p := views.ListUnsubscribeParams{
		Base:    a.base(r, tr(r, "UnsubscribeFrom", "List", name)),
		List:    name,
		Offer:   u,
		Action:  views.MessageURL(om.ref) + "/unsubscribe",
		BackURL: views.MessageURL(om.ref),
	}
	if v := place.Values(); len(v) > 0 {
		p.BackURL += "?" + v.Encode()
	}
	for k, vs := range place.Values() {
		for _, v := range vs {
			p.Hidden = append(p.Hidden, views.Hidden{Name: k, Value: v})
		}
	}
	if u.Mailto != "" {
		p.ComposeURL = unsubscribeCompose(u.Mailto)
	}
	return p, nil
}

// listName names a list for the person: its List-Id, else the sender.
func listName(m webmail.Message) string {
	if m.Unsubscribe.List != "" {
		return m.Unsubscribe.List
	}
	if len(m.Envelope.From) > 0 {
		if f := m.Envelope.From[0]; f.Name != "" {
			return f.Name
		} else if f.Mailbox != "" {
			return f.Mailbox + "@" + f.Host
		}
	}
	return "this list"
}

// unsubscribeCompose is the compose page pre-filled from a mailto: URI
// (to, cc, subject, body), with "unsubscribe" as the subject when it
// gives none.
func unsubscribeCompose(mailto string) string {
	f := fromMailto(mailto)
	if f.Subject == "" {
		f.Subject = "unsubscribe"
	}
	v := url.Values{}
	for k, s := range map[string]string{"to": f.To, "cc": f.Cc, "bcc": f.Bcc, "subject": f.Subject, "body": f.Body} {
		if s != "" {
			v.Set(k, s)
		}
	}
	return "/compose?" + v.Encode()
}
