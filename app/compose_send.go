package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	netmail "net/mail"
	"strings"
	"unicode"
	"webmail"

	"github.com/a-h/templ"

	"webmail/app/compose"
	"webmail/app/mail"
	"webmail/app/message"
	"webmail/app/smtpcred"
	"webmail/app/usecase"
	"webmail/views"
	"webmail/views/locale"
)

// sendMessage sends the message of the compose form (POST /compose/send).
func (a *App) sendMessage(w http.ResponseWriter, r *http.Request) error {
	return a.postCompose(w, r, false)
}

// postCompose reads a posted compose form and sends the message, or saves
// it in Drafts when saveOnly (compose_draft.go).
func (a *App) postCompose(w http.ResponseWriter, r *http.Request, saveOnly bool) error {
	f, err := readComposeForm(w, r, a.maxUpload())
	if err != nil {
		return errorf(http.StatusBadRequest, tr(r, "ErrMessageUnreadable"), err)
	}
	defer f.cleanup()
	f.SaveOnly = saveOnly
	if err := a.submitCompose(w, r, f); err != nil {
		// When the session cannot go on, what was being written goes
		// back to the browser in the login form (and the sign-in
		// buttons), its files too: so the failure is answered here,
		// while they are still on disk.
		a.fail(w, r, carrying(err, f))
	}
	return nil
}

// maxUpload is the most the new files of a message may weigh together.
func (a *App) maxUpload() int64 { return int64(a.cfg.Limits.MaxAttachmentMB) << 20 }

// tooLargeText says that the new files weigh too much, in the words the
// page and its JavaScript both use.
func (a *App) tooLargeText(r *http.Request) string {
	return tr(r, "ErrAttachmentsTooLarge", "MB", a.cfg.Limits.MaxAttachmentMB)
}

// submitCompose saves or sends the message of a compose form. Whatever
// brings the form back keeps everything typed and every attachment (see
// comeBack); an error means the session cannot go on.
func (a *App) submitCompose(w http.ResponseWriter, r *http.Request, f *composeForm) error {
	damaged := f.refuseDamaged(r)
	p := a.composeParams(r, f.ComposeForm, tr(r, "NewMessage"))
	d, errs := a.draftFrom(r, f)
	for k, v := range errs {
		p.FieldErrors[k] = v
	}
	status := http.StatusUnprocessableEntity
	if f.TooLarge {
		// Said at the top too: the file input is at the end of the form.
		p.Error = tr(r, "ErrNotSentTooLarge")
		p.FieldErrors["attachments"] = a.tooLargeText(r)
		status = http.StatusRequestEntityTooLarge
	}
	at, err := a.collectAttachments(r, f)
	if err != nil {
		fl := a.classify(r, err)
		if fl.outcome != showError {
			return err
		}
		p.Error = tr(r, "ErrKeptUnreadableNotSent", "Reason", fl.msg)
		return a.comeBack(w, r, f, d, p, fl.status, false)
	}
	if at.lost > 0 {
		damaged = append(damaged, lostText(r, at.lost))
	}
	d.Attachments = at.forMessage()
	if _, err := a.renderBody(r, f, d, at, true); err != nil {
		return err
	}
	if len(damaged) > 0 {
		p.Error = tr(r, "ErrNotSentDamaged", "Problems", strings.Join(damaged, " "))
	}
	if len(p.FieldErrors) > 0 || len(damaged) > 0 {
		return a.comeBack(w, r, f, d, p, status, false)
	}

	if f.SaveOnly {
		return a.comeBack(w, r, f, d, p, http.StatusOK, true)
	}

	if !a.sends.allow(accountFrom(r).ID) {
		p.Error = tr(r, "ErrSendRate")
		return a.comeBack(w, r, f, d, p, http.StatusTooManyRequests, true)
	}
	auth, msg, status, err := a.smtpCredentials(r, f)
	if err != nil {
		return err
	}
	if msg != "" {
		p.Error = msg
		p.NeedSMTP = true
		return a.comeBack(w, r, f, d, p, status, true)
	}
	acct := accountFrom(r)
	sent, err := a.uc.Send(r.Context(), acct.mail(), usecase.Outgoing{
		Draft: d, SMTP: acct.SMTP.Server, Auth: auth, ReplyOf: formRef(f.ReplyOf), Replaces: formRef(f.Draft),
		Sender: envelopeSender(acct.Login, d),
	})
	if err != nil {
		var ae *usecase.AttachmentError
		if fl := a.classify(r, err); fl.outcome != showError {
			return err
		} else if errors.As(err, &ae) {
			p.Error = tr(r, "ErrKeptUnreadableNotSent", "Reason", fl.msg)
			return a.comeBack(w, r, f, d, p, fl.status, false)
		}
		status, msg := sendFailure(r, err)
		p.Error = msg
		if errors.Is(err, mail.ErrSMTPAuth) {
			p.NeedSMTP = true
		}
		a.log.Warn("send failed", "err", err.Error())
		return a.comeBack(w, r, f, d, p, status, true)
	}
	notFiled := notFiledText(r, sent.NotFiled)
	to := views.AddrNames(r.Context(), addrsOf(d.To))
	if isHTMX(r) {
		return render(w, r, http.StatusOK, views.ComposeSent(views.ComposeSentParams{Base: a.base(r, tr(r, "SentTitle")), To: to, NotFiled: notFiled}))
	}
	a.sessions.Put(r.Context(), sessFlash, strings.TrimSpace(tr(r, "FlashSentTo", "To", to)+" "+notFiled))
	seeOther(w, r, "/m/INBOX")
	return nil
}

// lostText says that n kept attachments are no longer there.
func lostText(r *http.Request, n int) string {
	return tr(r, "ErrKeptLost", "Count", n)
}

// comeBack shows the form again with status, everything typed and every
// attachment kept. When the form holds files that no mailbox holds yet
// (new uploads, content the page carried), or save asks for it (a draft
// to save, a send that failed), the message is first saved in Drafts,
// replacing its earlier version: the files then wait in the person's own
// mailbox, not on this server, and the form lists them as parts of the
// new draft. When Drafts cannot be reached the page itself carries them.
// An error means the session cannot go on.
func (a *App) comeBack(w http.ResponseWriter, r *http.Request, f *composeForm, d *compose.Draft, p views.ComposeParams, status int, save bool) error {
	if f.att != nil && (save || f.att.hasNew()) {
		ref, err := a.uc.SaveDraft(r.Context(), accountFrom(r).mail(), d, formRef(f.Draft))
		if err == nil {
			p.Form.Draft = ref.String()
			p.Form.Kept = f.att.keptInDraft(d.HTML != "")
			saved := tr(r, "SavedInDrafts")
			switch {
			case f.SaveOnly && len(p.Form.Kept) > 0:
				saved = tr(r, "DraftSavedAtWithFiles", "Time", locale.From(r.Context()).Clock(a.now()))
			case f.SaveOnly:
				saved = tr(r, "DraftSavedAt", "Time", locale.From(r.Context()).Clock(a.now()))
			case len(p.Form.Kept) > 0:
				saved = tr(r, "SavedInDraftsWithFiles")
			}
			p.Notice = strings.TrimSpace(p.Notice + " " + saved)
			return a.composeAgain(w, r, p, status)
		}
		fl := a.classify(r, err)
		if fl.outcome != showError {
			return err
		}
		a.log.Warn("saving the draft failed", "err", err.Error())
		what := tr(r, "ErrNotSavedInDrafts")
		if f.att.hasNew() {
			what = tr(r, "ErrFilesNotSavedInDrafts")
		}
		p.Error = strings.TrimSpace(p.Error + " " + what + " " + fl.msg)
		if f.SaveOnly && status == http.StatusOK {
			status = fl.status
		}
	}
	p.Form.Kept = keptFor(r, f)
	return a.composeAgain(w, r, p, status)
}

// composeAgain shows the form again with what was typed. A form that
// carries files in the page is written as it renders, never held whole.
func (a *App) composeAgain(w http.ResponseWriter, r *http.Request, p views.ComposeParams, status int) error {
	c := views.ComposePage(p)
	if isHTMX(r) {
		p.Pane = true
		c = views.ComposePane(p)
	}
	return renderKept(w, r, status, c, p.Form.Kept)
}

// renderKept renders c, streaming it when kept carries content.
func renderKept(w http.ResponseWriter, r *http.Request, status int, c templ.Component, kept []views.KeptAttachment) error {
	for _, k := range kept {
		if k.Carried() {
			return renderStream(w, r, status, c)
		}
	}
	return render(w, r, status, c)
}

// refuseDamaged checks the fields the form carries for the webmail
// rather than for the person: In-Reply-To, References, and the
// references to the original, the forwarded message and the earlier
// draft. One that is not what the webmail wrote (a line break in it, an
// invalid message identifier, a broken reference) is emptied, and the
// sentence returned says so; sending again goes on without it.
func (f *composeForm) refuseDamaged(r *http.Request) []string {
	var out []string
	probe := compose.Draft{InReplyTo: f.InReplyTo}
	for _, id := range strings.Fields(f.References) {
		probe.References = append(probe.References, strings.Trim(id, "<>"))
	}
	bad := map[string]bool{}
	for _, fe := range probe.Validate() {
		bad[fe.Field] = true
	}
	if f.InReplyTo != "" && (bad["in-reply-to"] || strings.ContainsFunc(f.InReplyTo, unicode.IsControl)) {
		f.InReplyTo = ""
		out = append(out, tr(r, "DamagedInReplyTo"))
	}
	if f.References != "" && (bad["references"] || strings.ContainsFunc(f.References, unicode.IsControl)) {
		f.References = ""
		out = append(out, tr(r, "DamagedReferences"))
	}
	if _, err := webmail.ParseMessageRef(f.ReplyOf); f.ReplyOf != "" && err != nil {
		f.ReplyOf = ""
		out = append(out, tr(r, "DamagedReplyOf"))
	}
	if _, err := webmail.ParseMessageRef(f.ForwardOf); f.ForwardOf != "" && err != nil {
		f.ForwardOf = ""
		out = append(out, tr(r, "DamagedForwardOf"))
	}
	if _, err := webmail.ParseMessageRef(f.Draft); f.Draft != "" && err != nil {
		f.Draft = ""
		out = append(out, tr(r, "DamagedDraft"))
	}
	return out
}

// draftFrom checks the form and builds the message, without its
// attachments (collectAttachments); errs maps form fields to what is
// wrong with them. Invalid addresses are left out of the message, which
// can then still be saved as a draft; the form keeps them as typed.
func (a *App) draftFrom(r *http.Request, f *composeForm) (*compose.Draft, map[string]string) {
	errs := map[string]string{}
	d := &compose.Draft{Subject: f.Subject, Body: f.Body, Date: a.now(), InReplyTo: strings.TrimSpace(f.InReplyTo)}
	from, replyTo, problem := a.sender(r, a.settings(r), f.From)
	if problem != "" {
		errs["from"] = problem
		if len(a.fromChoices(r, a.settings(r))) == 0 {
			errs["to"] = problem // no From field to show it by
		}
	}
	d.From, d.ReplyTo = from, replyTo
	for _, fld := range []struct {
		name, value string
		dst         *[]*netmail.Address
	}{{"to", f.To, &d.To}, {"cc", f.Cc, &d.Cc}, {"bcc", f.Bcc, &d.Bcc}} {
		list, bad := compose.ParseAddressList(fld.name, fld.value)
		*fld.dst = list
		if len(bad) > 0 {
			var msgs []string
			for _, b := range bad {
				msgs = append(msgs, fmt.Sprintf("%q: %s", b.Input, b.Problem))
			}
			errs[fld.name] = tr(r, "ErrInvalidAddress", "Problems", strings.Join(msgs, "; "))
		}
	}
	for _, id := range strings.Fields(f.References) {
		d.References = append(d.References, strings.Trim(id, "<>"))
	}
	for _, fe := range d.Validate() {
		switch fe.Field {
		case "in-reply-to", "references", "message-id":
			// refuseDamaged emptied these already.
		default:
			if _, ok := errs[fe.Field]; !ok {
				errs[fe.Field] = sentence(fe.Problem)
			}
		}
	}
	return d, errs
}

// smtpCredentials decides what to log in to SMTP with: the sealed blob the
// browser sent, the fields typed for this send, the login credentials when
// the server accepts them, or the OAuth token. msg is set when sending
// cannot go on; err when the session cannot.
func (a *App) smtpCredentials(r *http.Request, f *composeForm) (auth mail.Auth, msg string, status int, err error) {
	acct := accountFrom(r)
	if acct.Provider != "" {
		// The token serves SMTP as well; S4's SMTP credentials do not apply.
		return acct.auth(), "", 0, nil
	}
	cred := acct.cred
	refuse := func(status int, msg string) (mail.Auth, string, int, error) { return mail.Auth{}, msg, status, nil }
	switch {
	case len(f.smtpPassword) > 0:
		if strings.TrimSpace(f.SMTPLogin) == "" {
			return refuse(http.StatusUnprocessableEntity, tr(r, "ErrSMTPLoginMissing"))
		}
		return mail.Auth{Login: strings.TrimSpace(f.SMTPLogin), Password: viewString(f.smtpPassword)}, "", 0, nil
	case f.SMTPBlob != "":
		smtp, err := a.sealer.Open(r.Context(), cred.Password, smtpcred.Account{Login: canonicalLogin(acct.Login), Server: acct.Server.Addr()}, f.SMTPBlob)
		switch {
		case err == nil:
			f.opened = smtp // wiped with the form
			return mail.Auth{Login: smtp.Login, Password: smtp.Password}, "", 0, nil
		case errors.Is(err, smtpcred.ErrWrongPassword):
			return refuse(http.StatusUnprocessableEntity, tr(r, "ErrSMTPBlobOldPassword"))
		case errors.Is(err, smtpcred.ErrOtherAccount):
			return refuse(http.StatusUnprocessableEntity, tr(r, "ErrSMTPBlobOtherAccount"))
		case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
			return refuse(http.StatusServiceUnavailable, tr(r, "ErrServerBusy"))
		default:
			return refuse(http.StatusUnprocessableEntity, tr(r, "ErrSMTPBlobDamaged"))
		}
	case acct.SMTP.UseIMAPCredentials:
		return mail.Auth{Login: cred.Login, Password: cred.Password}, "", 0, nil
	}
	return refuse(http.StatusUnprocessableEntity, tr(r, "ErrSMTPNeeded"))
}

// notFiledText says why no copy of a sent message is in Sent, or "".
func notFiledText(r *http.Request, err error) string {
	if err == nil {
		return ""
	}
	fl, ok := imapFailure(err)
	if !ok {
		return tr(r, "ErrNotFiledRefused")
	}
	return tr(r, "ErrNotFiled", "Reason", tr(r, fl.msg))
}

// formRef reads a message address a form carries; a damaged one
// (refuseDamaged emptied it) is the zero address.
func formRef(s string) webmail.MessageRef {
	ref, _ := webmail.ParseMessageRef(s)
	return ref
}

// streamPart reads one decoded part of a message from IMAP on a connection
// of its own, as a stream.
func (a *App) streamPart(ctx context.Context, acct account, ref webmail.MessageRef, p message.Part) (io.ReadCloser, error) {
	conn, release, err := a.pool.AcquireLong(ctx, acct.mail())
	if err != nil {
		return nil, err
	}
	pr, pw := io.Pipe()
	go func() {
		err := conn.Stream(ctx, ref, p.Path, func(_ int64, body io.Reader) error {
			_, err := io.Copy(pw, message.DecodeBinary(body, p.Encoding))
			return err
		})
		release()
		pw.CloseWithError(err)
	}()
	return pr, nil
}

func addrsOf(list []*netmail.Address) []webmail.Address {
	out := make([]webmail.Address, 0, len(list))
	for _, a := range list {
		mbox, host, _ := strings.Cut(a.Address, "@")
		out = append(out, webmail.Address{Name: a.Name, Mailbox: mbox, Host: host})
	}
	return out
}

func addrsFromEnvelope(list []webmail.Address) []*netmail.Address {
	out := make([]*netmail.Address, 0, len(list))
	for _, a := range list {
		if a.Addr() == "" {
			continue
		}
		out = append(out, &netmail.Address{Name: a.Name, Address: a.Addr()})
	}
	return out
}

// sentence makes a problem fragment a sentence for the page.
func sentence(s string) string {
	if s == "" {
		return s
	}
	s = strings.ToUpper(s[:1]) + s[1:]
	if !strings.HasSuffix(s, ".") {
		s += "."
	}
	return s
}

// envelopeSender is the SMTP envelope sender: the login's address,
// whichever identity From shows, so bounces come to the login's mailbox
// and the sending server sees who is logged in; From's address when the
// login is no address.
func envelopeSender(login string, d *compose.Draft) string {
	if a, err := netmail.ParseAddress(login); err == nil {
		return a.Address
	}
	return d.From.Address
}
