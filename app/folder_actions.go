package app

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/emersion/go-imap/v2"

	"webmail/views"
)

// actOnList applies an action to the messages checked in a list.
func (a *App) actOnList(w http.ResponseWriter, r *http.Request) error {
	mailbox, err := mailboxParam(r)
	if err != nil {
		return err
	}
	r.Body = http.MaxBytesReader(w, r.Body, 256<<10)
	if err := r.ParseForm(); err != nil {
		return errorf(http.StatusBadRequest, "The form could not be read.", err)
	}
	validity, err := strconv.ParseUint(r.PostForm.Get("validity"), 10, 32)
	if err != nil {
		return errorf(http.StatusBadRequest, "The form could not be read.", err)
	}
	uids, ok := parseUIDs(r.PostForm["uid"])
	if !ok {
		return errorf(http.StatusBadRequest, "The selection could not be read.", nil)
	}
	act := action{Name: r.PostForm.Get("action"), Dest: r.PostForm.Get("dest"), Confirm: r.PostForm.Get("confirm") == "1"}
	back := placeFrom(r, mailbox).URL()

	conn, release, err := a.conn(r)
	if err != nil {
		return err
	}
	out, err := a.apply(r, conn, mailbox, uint32(validity), uids, act)
	release()
	if err != nil {
		return err
	}
	if out.NeedsConfirm {
		return a.confirmDelete(w, r, views.FolderURL(mailbox, 1)+"/act", len(uids), back)
	}
	a.setNotice(r, out)
	http.Redirect(w, r, back, http.StatusSeeOther)
	return nil
}

// confirmDelete asks before deleting for good, carrying the same form.
func (a *App) confirmDelete(w http.ResponseWriter, r *http.Request, action string, n int, cancel string) error {
	p := views.ConfirmParams{
		Base:      a.base(r, "Delete for good?"),
		Question:  "Delete " + plural(n, "message", "messages") + " for good? This cannot be undone.",
		Action:    action,
		Button:    "Delete for good",
		CancelURL: cancel,
	}
	for k, vs := range r.PostForm {
		if k == "confirm" {
			continue
		}
		for _, v := range vs {
			p.Fields = append(p.Fields, views.Hidden{Name: k, Value: v})
		}
	}
	if isHTMX(r) {
		w.Header().Set("HX-Retarget", "body")
		w.Header().Set("HX-Reswap", "innerHTML")
		w.Header().Set("HX-Push-Url", "false")
	}
	return render(w, r, http.StatusOK, views.Confirm(p))
}

func parseUIDs(values []string) ([]imap.UID, bool) {
	var uids []imap.UID
	for _, v := range values {
		for _, f := range strings.Split(v, ",") {
			if f = strings.TrimSpace(f); f == "" {
				continue
			}
			n, err := strconv.ParseUint(f, 10, 32)
			if err != nil || n == 0 || len(uids) >= 10_000 {
				return nil, false
			}
			uids = append(uids, imap.UID(n))
		}
	}
	return uids, true
}

// setNotice keeps the outcome of an action for the page after the
// redirect: a sentence, and the undo form's fields.
func (a *App) setNotice(r *http.Request, out actionOutcome) {
	ctx := r.Context()
	a.sessions.Put(ctx, sessNotice, out.Notice)
	if u := out.Undo; u != nil {
		a.sessions.Put(ctx, sessUndo, url.Values{
			"from": {u.From}, "validity": {strconv.FormatUint(uint64(u.Validity), 10)},
			"uids": {u.UIDs}, "to": {u.To}, "until": {strconv.FormatInt(u.Until, 10)},
		}.Encode())
	}
}

// takeNotice returns and forgets the outcome kept by setNotice.
func (a *App) takeNotice(r *http.Request) (string, *views.Undo) {
	ctx := r.Context()
	notice := a.sessions.PopString(ctx, sessNotice)
	v, err := url.ParseQuery(a.sessions.PopString(ctx, sessUndo))
	if err != nil || v.Get("uids") == "" {
		return notice, nil
	}
	validity, _ := strconv.ParseUint(v.Get("validity"), 10, 32)
	until, _ := strconv.ParseInt(v.Get("until"), 10, 64)
	return notice, &views.Undo{From: v.Get("from"), Validity: uint32(validity), UIDs: v.Get("uids"), To: v.Get("to"), Until: until}
}

// undo moves messages back where an action took them from. The form
// carries everything; it is refused once its time is up.
func (a *App) undo(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, 256<<10)
	if err := r.ParseForm(); err != nil {
		return errorf(http.StatusBadRequest, "The form could not be read.", err)
	}
	f := r.PostForm
	validity, err1 := strconv.ParseUint(f.Get("validity"), 10, 32)
	until, err2 := strconv.ParseInt(f.Get("until"), 10, 64)
	uids, ok := parseUIDs([]string{f.Get("uids")})
	from, to := f.Get("from"), f.Get("to")
	if err1 != nil || err2 != nil || !ok || from == "" || to == "" {
		return errorf(http.StatusBadRequest, "The undo form could not be read.", nil)
	}
	back := placeFrom(r, to).URL()
	if a.now().Unix() > until {
		a.sessions.Put(r.Context(), sessNotice, "Too late to undo; the messages are in "+from+".")
		http.Redirect(w, r, back, http.StatusSeeOther)
		return nil
	}
	conn, release, err := a.conn(r)
	if err != nil {
		return err
	}
	_, err = conn.Move(r.Context(), from, uint32(validity), uids, to)
	release()
	if err != nil {
		return err
	}
	a.sessions.Put(r.Context(), sessNotice, "Undone: "+plural(len(uids), "message is", "messages are")+" back.")
	http.Redirect(w, r, back, http.StatusSeeOther)
	return nil
}
