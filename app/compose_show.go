package app

import (
	"net/http"
	"net/mail"
	"net/url"
	"strings"
	"webmail"

	"webmail/views"
)

// composeParams fills the compose form.
func (a *App) composeParams(r *http.Request, f views.ComposeForm, title string) views.ComposeParams {
	acct := accountFrom(r)
	st := a.settings(r)
	if f.From == "" {
		f.From = defaultFrom(st, acct.Login)
	}
	return views.ComposeParams{
		Base:        a.base(r, title),
		Form:        f,
		FieldErrors: map[string]string{},
		// Without JavaScript the browser cannot send saved credentials, so
		// the fields show; the JavaScript hides them when it has a blob.
		NeedSMTP:   !acct.SMTP.UseIMAPCredentials,
		TokenSends: acct.Provider != "",
		MaxUpload:  a.maxUpload(),
		TooLarge:   a.tooLargeText(r),
		Recipients: a.recipientChoices(r),
		From:       a.fromChoices(r, st),
	}
}

// showComposeForm renders a new or prepared message.
func (a *App) showComposeForm(w http.ResponseWriter, r *http.Request, f views.ComposeForm, title string) error {
	p := a.composeParams(r, f, title)
	if htmxTarget(r) == views.TargetMessage {
		p.Pane = true
		if err := a.paneBeside(r, &p); err != nil {
			return err
		}
		return render(w, r, http.StatusOK, views.ComposePane(p))
	}
	return render(w, r, http.StatusOK, views.ComposePage(p))
}

// showCompose is GET /compose, pre-filled from ?to=&cc=&subject=&body= or
// from a mailto: URL (?mailto=).
func (a *App) showCompose(w http.ResponseWriter, r *http.Request) error {
	a.settings(r) // read (and kept) before a draft's connection is held
	q := r.URL.Query()
	f := views.ComposeForm{To: q.Get("to"), Cc: q.Get("cc"), Bcc: q.Get("bcc"), Subject: q.Get("subject"), Body: q.Get("body")}
	if m := q.Get("mailto"); m != "" {
		f = fromMailto(m)
	}
	f.Markdown = true // see formFromDraft
	if ref, err := webmail.ParseMessageRef(q.Get("draft")); err == nil {
		return a.showDraft(w, r, ref)
	}
	a.startForm(r, &f, "", false, false)
	return a.showComposeForm(w, r, f, tr(r, "NewMessage"))
}

// fromMailto reads an RFC 6068 mailto: URL.
func fromMailto(s string) views.ComposeForm {
	u, err := url.Parse(s)
	if err != nil || !strings.EqualFold(u.Scheme, "mailto") {
		return views.ComposeForm{}
	}
	to, _ := url.PathUnescape(u.Opaque)
	q := u.Query()
	if extra := q.Get("to"); extra != "" {
		to = strings.Trim(to+", "+extra, ", ")
	}
	return views.ComposeForm{To: to, Cc: q.Get("cc"), Bcc: q.Get("bcc"), Subject: q.Get("subject"), Body: q.Get("body")}
}

// mailAddress is the From address: the login name when it is an e-mail
// address, with the display name from settings.
func mailAddress(login, name string) (*mail.Address, error) {
	a, err := mail.ParseAddress(login)
	if err != nil {
		return nil, err
	}
	a.Name = name
	return a, nil
}

// paneBeside finds the folder whose list the form opens beside (the page
// htmx sends from, HX-Current-URL), so that its title steps down to an
// h2. A page that is not a folder's, or a folder not in the tree, leaves
// it unknown.
func (a *App) paneBeside(r *http.Request, p *views.ComposeParams) error {
	rest, ok := strings.CutPrefix(a.currentPath(r), "/m/")
	if !ok {
		return nil
	}
	seg, _, _ := strings.Cut(rest, "/")
	mailbox, err := url.PathUnescape(seg)
	if err != nil || !webmail.ValidMailboxName(mailbox) {
		return nil
	}
	conn, release, err := a.conn(r)
	if err != nil {
		return err
	}
	defer release()
	folders, err := conn.Folders(r.Context(), false) // cached
	if err != nil {
		return err
	}
	if f, ok := webmail.FindFolder(folders, mailbox); ok {
		p.Beside = f
	}
	return nil
}
