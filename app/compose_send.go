package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	netmail "net/mail"
	"os"
	"strings"

	"github.com/emersion/go-imap/v2"

	"webmail/app/compose"
	"webmail/app/mail"
	"webmail/app/message"
	"webmail/app/smtpcred"
	"webmail/views"
)

// postCompose sends the message or saves it as a draft.
func (a *App) postCompose(w http.ResponseWriter, r *http.Request) error {
	maxUpload := int64(a.cfg.Limits.MaxAttachmentMB) << 20
	r.Body = http.MaxBytesReader(w, r.Body, maxUpload+8<<20)
	f, err := readComposeForm(r, maxUpload)
	if err != nil {
		return errorf(http.StatusBadRequest, "The message could not be read. If you attached files, they may be too large.", err)
	}
	defer f.cleanup()
	// When the session cannot go on, what was being written goes back to
	// the browser in the login form (and the sign-in buttons).
	return carrying(a.submitCompose(w, r, f), f)
}

// submitCompose saves or sends the message of a compose form.
func (a *App) submitCompose(w http.ResponseWriter, r *http.Request, f *composeForm) error {
	p := a.composeParams(r, f.ComposeForm, "New message")
	if f.TooLarge {
		p.FieldErrors["attachments"] = fmt.Sprintf("The attachments are larger than %d MB together. Attach fewer or smaller files.", a.cfg.Limits.MaxAttachmentMB)
		return a.composeAgain(w, r, p, http.StatusRequestEntityTooLarge)
	}
	d, errs := a.draftFrom(r, f)
	for k, v := range errs {
		p.FieldErrors[k] = v
	}
	if len(p.FieldErrors) > 0 {
		return a.composeAgain(w, r, p, http.StatusUnprocessableEntity)
	}

	if f.Action == "draft" {
		ref, err := a.saveDraft(r, d, f)
		if err != nil {
			return err
		}
		p.Form.Draft = ref.String()
		p.Error = ""
		p.Notice = "Draft saved at " + a.now().Format("15:04") + "."
		return a.composeAgain(w, r, p, http.StatusOK)
	}

	if !a.sends.allow(accountFrom(r).ID) {
		p.Error = "You have sent many messages in a short time. Please wait a while before sending more; your draft is saved."
		if ref, err := a.saveDraft(r, d, f); err == nil {
			p.Form.Draft = ref.String()
		}
		return a.composeAgain(w, r, p, http.StatusTooManyRequests)
	}
	auth, msg, status, err := a.smtpCredentials(r, f)
	if err != nil {
		return err
	}
	if msg != "" {
		p.Error = msg
		p.NeedSMTP = true
		if ref, err := a.saveDraft(r, d, f); err == nil {
			p.Form.Draft = ref.String()
			p.Error += " Your message is saved in Drafts."
		}
		return a.composeAgain(w, r, p, status)
	}
	if err := a.send(r, d, f, auth); err != nil {
		if over := a.classify(r, err); over.outcome == sessionOver {
			return err
		}
		status, msg := sendFailure(err)
		p.Error = msg
		if ref, err2 := a.saveDraft(r, d, f); err2 == nil {
			p.Form.Draft = ref.String()
			p.Error += " Your message is saved in Drafts."
		}
		if errors.Is(err, mail.ErrSMTPAuth) {
			p.NeedSMTP = true
		}
		a.log.Warn("send failed", "err", err.Error())
		return a.composeAgain(w, r, p, status)
	}
	to := views.AddrNames(addrsOf(d.To))
	if isHTMX(r) {
		return render(w, r, http.StatusOK, views.SentPane(views.SentParams{Base: a.base(r, "Sent"), To: to}))
	}
	a.sessions.Put(r.Context(), sessFlash, "Message sent to "+to+".")
	http.Redirect(w, r, "/m/INBOX", http.StatusSeeOther)
	return nil
}

// composeAgain shows the form again with what was typed.
func (a *App) composeAgain(w http.ResponseWriter, r *http.Request, p views.ComposeParams, status int) error {
	if isHTMX(r) {
		p.Pane = true
		return render(w, r, status, views.ComposePane(p))
	}
	return render(w, r, status, views.ComposePage(p))
}

// draftFrom checks the form and builds the message; errs maps form fields
// to what is wrong with them.
func (a *App) draftFrom(r *http.Request, f *composeForm) (*compose.Draft, map[string]string) {
	errs := map[string]string{}
	d := &compose.Draft{Subject: f.Subject, Body: f.Body, Date: a.now(), InReplyTo: strings.TrimSpace(f.InReplyTo)}
	from, err := mailAddress(accountFrom(r).Login, a.displayName(r))
	if err != nil {
		errs["to"] = "Your login name is not an e-mail address, so there is no address to send from."
	}
	d.From = from
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
			errs[fld.name] = "Not a valid address: " + strings.Join(msgs, "; ")
		}
	}
	for _, id := range strings.Fields(f.References) {
		d.References = append(d.References, strings.Trim(id, "<>"))
	}
	for _, u := range f.Uploads {
		d.Attachments = append(d.Attachments, compose.Attachment{Filename: u.Name, ContentType: u.Type, Open: openFile(u.Path)})
	}
	for _, fe := range d.Validate() {
		if _, ok := errs[fe.Field]; !ok {
			errs[fe.Field] = sentence(fe.Problem)
		}
	}
	return d, errs
}

func openFile(path string) func() (io.ReadCloser, error) {
	return func() (io.ReadCloser, error) { return os.Open(path) }
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
			return refuse(http.StatusUnprocessableEntity, "Enter the SMTP login name as well.")
		}
		return mail.Auth{Login: strings.TrimSpace(f.SMTPLogin), Password: viewString(f.smtpPassword)}, "", 0, nil
	case f.SMTPBlob != "":
		smtp, err := a.sealer.Open(r.Context(), cred.Password, smtpcred.Account{Login: canonicalLogin(acct.Login), Server: acct.Server.Addr()}, f.SMTPBlob)
		switch {
		case err == nil:
			f.opened = smtp // wiped with the form
			return mail.Auth{Login: smtp.Login, Password: smtp.Password}, "", 0, nil
		case errors.Is(err, smtpcred.ErrWrongPassword):
			return refuse(http.StatusUnprocessableEntity, "The SMTP credentials saved in this browser were sealed with your previous login password, so they cannot be opened. Enter them again below (and save them again in Settings).")
		case errors.Is(err, smtpcred.ErrOtherAccount):
			return refuse(http.StatusUnprocessableEntity, "The SMTP credentials saved in this browser belong to another account. Enter yours below.")
		case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
			return refuse(http.StatusServiceUnavailable, "The server is busy. Please try again in a moment.")
		default:
			return refuse(http.StatusUnprocessableEntity, "The SMTP credentials saved in this browser are damaged and cannot be opened. Enter them again below.")
		}
	case acct.SMTP.UseIMAPCredentials:
		return mail.Auth{Login: cred.Login, Password: cred.Password}, "", 0, nil
	}
	return refuse(http.StatusUnprocessableEntity, "Your mail server needs separate credentials for sending. Enter them below, or save them once in Settings → Sending.")
}

// send submits the message, files a copy in Sent, marks the original
// answered and removes the draft it came from.
func (a *App) send(r *http.Request, d *compose.Draft, f *composeForm, auth mail.Auth) error {
	ctx := r.Context()
	if err := a.addForwarded(r, d, f); err != nil {
		return err
	}
	spool, size, err := spoolMessage(d, false)
	if err != nil {
		return err
	}
	defer os.Remove(spool.Name())
	defer spool.Close()
	if err := a.dialer.Send(ctx, accountFrom(r).SMTP.Server, auth, d.From.Address, compose.Recipients(d), size, io.NewSectionReader(spool, 0, size)); err != nil {
		return err
	}
	// Sent: after this point the message is out; failures are logged.
	conn, release, err := a.conn(r)
	if err != nil {
		a.log.Warn("after send: no IMAP connection", "err", err.Error())
		return nil
	}
	defer release()
	if sent, err := conn.FolderByRole(ctx, mail.RoleSent); err == nil {
		if copyFile, copySize, err := spoolMessage(d, true); err == nil {
			_, _, err = conn.Append(ctx, sent, []imap.Flag{imap.FlagSeen}, d.Date, copySize, io.NewSectionReader(copyFile, 0, copySize))
			copyFile.Close()
			os.Remove(copyFile.Name())
			if err != nil {
				a.log.Warn("after send: copy to Sent failed", "err", err.Error())
			}
		}
	}
	if ref, ok := parseRef(f.ReplyOf); ok {
		if err := conn.SetFlag(ctx, ref.Mailbox, ref.Validity, ref.UID, imap.FlagAnswered, true); err != nil {
			a.log.Warn("after send: \\Answered failed", "err", err.Error())
		}
	}
	if ref, ok := parseRef(f.Draft); ok {
		if err := conn.Remove(ctx, ref.Mailbox, ref.Validity, ref.UID); err != nil {
			a.log.Warn("after send: removing the draft failed", "err", err.Error())
		}
	}
	return nil
}

// saveDraft files the message in Drafts, replacing the earlier version.
func (a *App) saveDraft(r *http.Request, d *compose.Draft, f *composeForm) (msgRef, error) {
	ctx := r.Context()
	if err := a.addForwarded(r, d, f); err != nil {
		return msgRef{}, err
	}
	spool, size, err := spoolMessage(d, true)
	if err != nil {
		return msgRef{}, err
	}
	defer os.Remove(spool.Name())
	defer spool.Close()
	conn, release, err := a.conn(r)
	if err != nil {
		return msgRef{}, err
	}
	defer release()
	drafts, err := conn.FolderByRole(ctx, mail.RoleDrafts)
	if err != nil {
		return msgRef{}, errorf(http.StatusConflict, "There is no Drafts folder to save the message in.", err)
	}
	validity, uid, err := conn.Append(ctx, drafts, []imap.Flag{imap.FlagDraft, imap.FlagSeen}, d.Date, size, io.NewSectionReader(spool, 0, size))
	if err != nil {
		return msgRef{}, err
	}
	if old, ok := parseRef(f.Draft); ok && !(old.Mailbox == drafts && old.UID == uid) {
		if err := conn.Remove(ctx, old.Mailbox, old.Validity, old.UID); err != nil && !errors.Is(err, mail.ErrNotFound) {
			a.log.Warn("removing the previous draft failed", "err", err.Error())
		}
	}
	return msgRef{Mailbox: drafts, Validity: validity, UID: uid}, nil
}

// spoolMessage writes the message to a temporary file, so it can be sent
// and filed without holding it (or its attachments) in memory.
func spoolMessage(d *compose.Draft, withBcc bool) (*os.File, int64, error) {
	f, err := os.CreateTemp("", "webmail-msg-*")
	if err != nil {
		return nil, 0, err
	}
	n, err := d.WriteTo(f, withBcc)
	if err != nil {
		f.Close()
		os.Remove(f.Name())
		return nil, 0, err
	}
	return f, n, nil
}

// addForwarded attaches the original's attachments to a forward, streamed
// from IMAP when the message is written.
func (a *App) addForwarded(r *http.Request, d *compose.Draft, f *composeForm) error {
	ref, ok := parseRef(f.ForwardOf)
	if !ok || f.forwardAdded {
		return nil
	}
	conn, release, err := a.conn(r)
	if err != nil {
		return err
	}
	msg, err := conn.Message(r.Context(), ref.Mailbox, ref.Validity, ref.UID)
	release()
	if err != nil {
		return err
	}
	layout := message.LayoutOf(msg.Structure)
	layout.ResolveInline(nil)
	acct := accountFrom(r)
	for _, p := range layout.Attachments {
		d.Attachments = append(d.Attachments, compose.Attachment{
			Filename:    p.DownloadName(),
			ContentType: p.Type,
			Open: func() (io.ReadCloser, error) {
				return a.streamPart(r.Context(), acct, ref, p)
			},
		})
	}
	f.forwardAdded = true
	return nil
}

// streamPart reads one decoded part of a message from IMAP on a connection
// of its own, as a stream.
func (a *App) streamPart(ctx context.Context, acct account, ref msgRef, p message.Part) (io.ReadCloser, error) {
	conn, release, err := a.pool.AcquireLong(ctx, acct.mail())
	if err != nil {
		return nil, err
	}
	pr, pw := io.Pipe()
	go func() {
		err := conn.Stream(ctx, ref.Mailbox, ref.Validity, ref.UID, p.Path, func(_ int64, body io.Reader) error {
			_, err := io.Copy(pw, message.DecodeBinary(body, p.Encoding))
			return err
		})
		release()
		pw.CloseWithError(err)
	}()
	return pr, nil
}

func addrsOf(list []*netmail.Address) []imap.Address {
	out := make([]imap.Address, 0, len(list))
	for _, a := range list {
		mbox, host, _ := strings.Cut(a.Address, "@")
		out = append(out, imap.Address{Name: a.Name, Mailbox: mbox, Host: host})
	}
	return out
}

func addrsFromIMAP(list []imap.Address) []*netmail.Address {
	out := make([]*netmail.Address, 0, len(list))
	for _, a := range list {
		if a.IsGroupStart() || a.IsGroupEnd() || a.Addr() == "" {
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
