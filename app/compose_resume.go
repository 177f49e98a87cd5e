package app

import (
	"net/http"
	"net/url"

	"webmail/views"
)

// When the session ends while the person is writing, the login page
// carries the message back: its fields in hidden fields, its attachments
// as hidden "c_keep" fields. Parts of the person's draft or forwarded
// message travel by reference; files no mailbox holds (new uploads,
// content a page carried) travel in the page itself, in the password
// form, which then posts as multipart/form-data. Nothing is kept on the
// server. After the login the message is saved in Drafts at once, files
// and all, and the compose form lists them from there.

// carriedFields are the compose fields a login form carries. The SMTP
// password is not: it is never sent back to the browser.
var carriedFields = []string{"to", "cc", "bcc", "subject", "body", "format", "in_reply_to", "references", "reply_of", "forward_of", "draft", "smtp_login"}

// maxDroppedBytes bounds the names of the files the sign-in buttons do
// not carry ("c_dropped"), which the flow session keeps.
const maxDroppedBytes = 2 << 10

// carryCompose reads the compose form of a request that cannot be served
// and attaches it to err, for the login page to carry; done removes its
// files once the page is written.
func (a *App) carryCompose(w http.ResponseWriter, r *http.Request, err error) (done func(), carried error) {
	f, ferr := readComposeForm(w, r, a.maxUpload())
	if ferr != nil {
		return func() {}, err
	}
	return f.cleanup, carrying(err, f)
}

// loginCarrying renders the login page with f's message in hidden fields,
// for the password form and the sign-in buttons alike; hint is the account
// the buttons ask the provider for.
func (a *App) loginCarrying(w http.ResponseWriter, r *http.Request, f *composeForm, hint, msg string) {
	p := views.LoginParams{Base: a.base(r, tr(r, "LogIn")), Error: msg, Providers: a.providerButtons(), Hint: hint}
	p.Carry, p.CarryKeep = carryOf(r, f)
	if f.TooLarge {
		p.Error += " " + a.tooLargeText(r) + " " + tr(r, "FilesNotKept")
	}
	if isHTMX(r) {
		// A fragment would land in the compose pane; the whole page is
		// the login form.
		w.Header().Set("HX-Retarget", "body")
		w.Header().Set("HX-Reswap", "innerHTML")
	}
	if err := renderKept(w, r, http.StatusUnauthorized, views.Login(p), p.CarryKeep); err != nil {
		a.fail(w, r, err) // broken off: the page streamed a file that failed
	}
}

// carryOf is what a login page carries of f: its fields, and its
// attachments in order.
func carryOf(r *http.Request, f *composeForm) ([]views.Hidden, []views.KeptAttachment) {
	carry := []views.Hidden{{Name: "resume", Value: "compose"}}
	for _, name := range carriedFields {
		if v := f.get(name); v != "" {
			carry = append(carry, views.Hidden{Name: "c_" + name, Value: v})
		}
	}
	if f.dropped != "" {
		carry = append(carry, views.Hidden{Name: "c_dropped", Value: f.dropped})
	}
	return carry, keptFor(r, f)
}

// resumedCompose reads the message a login form carried back: its fields
// and attachments (the form's keeps, whose files it owns), and the names
// of files a sign-in button could not carry. ok is false if it carries
// none.
func resumedCompose(values url.Values, keeps []keep) (f *composeForm, ok bool) {
	if values.Get("resume") != "compose" {
		return nil, false
	}
	f = &composeForm{Keep: keeps}
	for _, name := range carriedFields {
		f.set(name, values.Get("c_"+name))
	}
	if d := values.Get("c_dropped"); len(d) <= maxDroppedBytes {
		f.dropped = d
	}
	return f, true
}

// carriedRefs are the carried keep values that name parts of the
// person's mail: what a sign-in button carries.
func carriedRefs(values []string) []keep {
	var out []keep
	for _, v := range values {
		if _, _, ok := splitKeep(v); ok {
			out = append(out, keep{ref: v})
		}
	}
	return out
}

// resumeCompose shows the message a login carried back. One with files no
// mailbox holds is saved in Drafts first (see comeBack); intro says how
// the person got here.
func (a *App) resumeCompose(w http.ResponseWriter, r *http.Request, f *composeForm, intro string) error {
	// Damaged hidden fields are dropped quietly here: the person is
	// about to see the form and send it.
	f.refuseDamaged(r)
	p := a.composeParams(r, f.ComposeForm, tr(r, "NewMessage"))
	p.Notice = intro + " " + tr(r, "HereIsYourMessage")
	if f.dropped != "" {
		p.Notice += " " + tr(r, "AttachAgain", "Names", f.dropped)
	}
	d, _ := a.draftFrom(r, f)
	at, err := a.collectAttachments(r, f)
	if err != nil {
		fl := a.classify(r, err)
		if fl.outcome != showError {
			return err
		}
		p.Error = tr(r, "ErrKeptUnreadable", "Reason", fl.msg)
		return a.comeBack(w, r, f, d, p, http.StatusOK, false)
	}
	if at.lost > 0 {
		p.Error = lostText(r, at.lost)
	}
	d.Attachments = at.forMessage()
	if _, err := a.renderBody(r, f, d, at, true); err != nil {
		return err
	}
	if at.hasNew() {
		p.Notice = intro // comeBack says where the message is
	}
	return a.comeBack(w, r, f, d, p, http.StatusOK, false)
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
	case "format":
		if f.Markdown {
			return formatMarkdown
		}
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
