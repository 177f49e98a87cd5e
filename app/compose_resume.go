package app

import (
	"net/http"

	"webmail/views"
)

// carriedFields are the compose fields a login form carries when the
// session ended while the person was writing. The SMTP password and the
// uploads are not carried: the password is never sent back to the
// browser, and files cannot be put back into a file input.
var carriedFields = []string{"to", "cc", "bcc", "subject", "body", "in_reply_to", "references", "reply_of", "forward_of", "draft", "smtp_login"}

// carryCompose reads the compose form of a request that cannot be served
// and attaches it to err, for the login page to carry. Nothing is stored
// on the server.
func (a *App) carryCompose(w http.ResponseWriter, r *http.Request, err error) error {
	f, ferr := readComposeForm(r, int64(a.cfg.Limits.MaxAttachmentMB)<<20)
	if ferr != nil {
		return err
	}
	f.cleanup()
	return carrying(err, f)
}

// loginCarrying renders the login page with f's message in hidden fields,
// for the password form and the sign-in buttons alike; hint is the account
// the buttons ask the provider for.
func (a *App) loginCarrying(w http.ResponseWriter, r *http.Request, f *composeForm, hint, msg string) {
	p := views.LoginParams{Base: a.base(r, "Log in"), Error: msg, Providers: a.providerButtons(), Hint: hint}
	p.Carry = append(p.Carry, views.Hidden{Name: "resume", Value: "compose"})
	for _, name := range carriedFields {
		if v := f.get(name); v != "" {
			p.Carry = append(p.Carry, views.Hidden{Name: "c_" + name, Value: v})
		}
	}
	if isHTMX(r) {
		// A fragment would land in the compose pane; the whole page is
		// the login form.
		w.Header().Set("HX-Retarget", "body")
		w.Header().Set("HX-Reswap", "innerHTML")
	}
	render(w, r, http.StatusUnauthorized, views.Login(p))
}

// resumedCompose is the compose form a login carried back.
func resumedCompose(r *http.Request) (views.ComposeForm, bool) {
	if r.PostForm.Get("resume") != "compose" {
		return views.ComposeForm{}, false
	}
	f := &composeForm{}
	for _, name := range carriedFields {
		f.set(name, r.PostForm.Get("c_"+name))
	}
	return f.ComposeForm, true
}

func (f *composeForm) get(name string) string {
	switch name {
	case "to":
		return f.To
	case "cc":
		return f.Cc
	case "bcc":
		return f.Bcc
	case "subject":
		return f.Subject
	case "body":
		return f.Body
	case "in_reply_to":
		return f.InReplyTo
	case "references":
		return f.References
	case "reply_of":
		return f.ReplyOf
	case "forward_of":
		return f.ForwardOf
	case "draft":
		return f.Draft
	case "smtp_login":
		return f.SMTPLogin
	}
	return ""
}
