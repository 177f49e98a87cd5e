package app

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"webmail"
	"webmail/app/usecase"
	"webmail/views"
)

// The verbs on messages (messages_read.go, messages_flag.go,
// messages_move.go, messages_delete.go) each have a route for the messages
// checked in a list and one for the message open in the message view.
// Both kinds of handler are made here: parse, call the use case, answer.

// actOnList applies verb to the messages checked in a list and goes back
// to the list, where the notice says what happened.
func (a *App) actOnList(w http.ResponseWriter, r *http.Request, verb usecase.Verb) error {
	mailbox, err := mailboxParam(r)
	if err != nil {
		return err
	}
	r.Body = http.MaxBytesReader(w, r.Body, 256<<10)
	if err := r.ParseForm(); err != nil {
		return errorf(http.StatusBadRequest, tr(r, "ErrFormUnreadable"), err)
	}
	validity, err := strconv.ParseUint(r.PostForm.Get("validity"), 10, 32)
	if err != nil {
		return errorf(http.StatusBadRequest, tr(r, "ErrFormUnreadable"), err)
	}
	place := placeFrom(r, mailbox)
	back := place.URL()
	all := r.PostForm.Get("all") == "1" // every message of the folder (or search)
	var uids []webmail.UID
	if !all {
		var ok bool
		if uids, ok = parseUIDs(r.PostForm["uid"]); !ok {
			return errorf(http.StatusBadRequest, tr(r, "ErrSelectionUnreadable"), nil)
		}
	}
	act := actionFrom(r, verb, webmail.Selection{Mailbox: mailbox, Validity: uint32(validity), UIDs: uids})
	act.All, act.Search = all, place.Query
	out, err := a.uc.Act(r.Context(), accountFrom(r).mail(), act)
	if err != nil {
		return err
	}
	if out.NeedsConfirm && all {
		return a.confirm(w, r, say(r, out.Question), say(r, out.Button), views.FolderURL(mailbox, 1)+"/"+string(verb), back)
	}
	if out.NeedsConfirm {
		return a.confirmDelete(w, r, views.FolderURL(mailbox, 1)+"/delete", len(uids), back)
	}
	a.setNotice(r, out)
	seeOther(w, r, back)
	return nil
}

// actOnMessage applies verb to the message open in the message view. When
// the message stays (flagging), the view shows it again; when it leaves
// the folder, the next message opens, as mail clients do (see
// usecase.ActOnMessage), or the list when there is none.
func (a *App) actOnMessage(w http.ResponseWriter, r *http.Request, verb usecase.Verb) error {
	ref, err := messageParam(r)
	if err != nil {
		return err
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		return errorf(http.StatusBadRequest, tr(r, "ErrFormUnreadable"), err)
	}
	place := placeFrom(r, ref.Mailbox)
	out, next, err := a.uc.ActOnMessage(r.Context(), accountFrom(r).mail(), actionFrom(r, verb, ref.Selection()), a.listQuery(r, place))
	if err != nil {
		return err
	}
	if out.NeedsConfirm {
		return a.confirmDelete(w, r, views.MessageURL(ref)+"/delete", 1, views.MessageURL(ref)+place.Suffix())
	}
	a.setNotice(r, out)
	target := place.URL()
	if !next.IsZero() {
		target = views.MessageURL(next) + place.Suffix()
	}
	seeOther(w, r, target)
	return nil
}

// actionFrom reads the rest of an action from its form.
func actionFrom(r *http.Request, verb usecase.Verb, sel webmail.Selection) usecase.Action {
	return usecase.Action{Verb: verb, Messages: sel, Dest: r.PostForm.Get("dest"), Confirmed: r.PostForm.Get("confirm") == "1"}
}

func parseUIDs(values []string) ([]webmail.UID, bool) {
	var uids []webmail.UID
	for _, v := range values {
		for _, f := range strings.Split(v, ",") {
			if f = strings.TrimSpace(f); f == "" {
				continue
			}
			n, err := strconv.ParseUint(f, 10, 32)
			if err != nil || n == 0 || len(uids) >= 10_000 {
				return nil, false
			}
			uids = append(uids, webmail.UID(n))
		}
	}
	return uids, true
}

// setNotice keeps the outcome of an action for the page after the
// redirect: a sentence, and the undo form's fields.
func (a *App) setNotice(r *http.Request, out usecase.Outcome) {
	ctx := r.Context()
	a.sessions.Put(ctx, sessNotice, say(r, out.Notice))
	if u := out.Undo; u != nil {
		a.sessions.Put(ctx, sessUndo, undoValues(*u).Encode())
	}
}

// takeNotice returns and forgets the outcome kept by setNotice.
func (a *App) takeNotice(r *http.Request) (string, *webmail.Undo) {
	ctx := r.Context()
	notice := a.sessions.PopString(ctx, sessNotice)
	v, err := url.ParseQuery(a.sessions.PopString(ctx, sessUndo))
	if err != nil {
		return notice, nil
	}
	u, ok := undoFrom(v)
	if !ok {
		return notice, nil
	}
	return notice, &u
}

// undoValues are the fields of an undo form; undoFrom reads them back.
func undoValues(u webmail.Undo) url.Values {
	return url.Values{
		"from": {u.Moved.Mailbox}, "validity": {strconv.FormatUint(uint64(u.Moved.Validity), 10)},
		"uids": {views.UIDList(u.Moved.UIDs)}, "to": {u.Back}, "until": {strconv.FormatInt(u.Until.Unix(), 10)},
	}
}

func undoFrom(v url.Values) (webmail.Undo, bool) {
	validity, err1 := strconv.ParseUint(v.Get("validity"), 10, 32)
	until, err2 := strconv.ParseInt(v.Get("until"), 10, 64)
	uids, ok := parseUIDs([]string{v.Get("uids")})
	from, to := v.Get("from"), v.Get("to")
	if err1 != nil || err2 != nil || !ok || len(uids) == 0 || from == "" || to == "" {
		return webmail.Undo{}, false
	}
	return webmail.Undo{Moved: webmail.Selection{Mailbox: from, Validity: uint32(validity), UIDs: uids}, Back: to, Until: time.Unix(until, 0)}, true
}
