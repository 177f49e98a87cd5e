package app

import (
	"net/http"

	"webmail/app/usecase"
	"webmail/views"
)

// deleteMessages moves the messages checked in a list to Trash; in Trash
// and Junk it deletes them for good, once confirmed.
func (a *App) deleteMessages(w http.ResponseWriter, r *http.Request) error {
	return a.actOnList(w, r, usecase.Delete)
}

// deleteMessage is deleteMessages for the open message.
func (a *App) deleteMessage(w http.ResponseWriter, r *http.Request) error {
	return a.actOnMessage(w, r, usecase.Delete)
}

// confirmDelete asks before deleting n messages for good: the form posts
// the same fields to action, the same route, again, confirmed.
func (a *App) confirmDelete(w http.ResponseWriter, r *http.Request, action string, n int, cancel string) error {
	question := tr(r, "ConfirmDeleteMessages", "Count", n)
	return a.confirm(w, r, question, tr(r, "DeleteForGood"), action, cancel)
}

// confirm asks question before an action that cannot be undone: the
// form posts the same fields to action again, confirmed.
func (a *App) confirm(w http.ResponseWriter, r *http.Request, question, button, action, cancel string) error {
	p := views.ConfirmParams{
		Base:      a.base(r, button+"?"),
		Question:  question,
		Action:    action,
		Button:    button,
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
