package app

import (
	"net/http"
	"net/mail"
	"strings"
	"unicode"

	"webmail/views"
)

// addContact is POST /contacts: a new vCard with the name and address in
// the person's address book, then back to where the form was (the
// message whose sender it was, or the Contacts page) with a confirmation.
func (a *App) addContact(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		return errorf(http.StatusBadRequest, tr(r, "ErrFormUnreadable"), err)
	}
	name := strings.TrimSpace(r.PostForm.Get("name"))
	email := strings.TrimSpace(r.PostForm.Get("email"))
	back := safeNext(r.PostForm.Get("back"))
	if back == "" {
		back = "/contacts"
	}
	if problem := contactProblem(r, name, email); problem != "" {
		p := views.ContactsParams{Base: a.base(r, tr(r, "Contacts")), Error: problem, Name: name, Email: email}
		return a.renderContacts(w, r, http.StatusUnprocessableEntity, p)
	}
	book := a.addressBook(r)
	if book == nil {
		return errorf(http.StatusNotFound, tr(r, "ErrNoAddressBook"), nil)
	}
	added, err := book.Add(r.Context(), name, email)
	if err != nil {
		return bookFailure(r, err)
	}
	a.contacts.Forget(accountFrom(r).sid) // suggestions read the book again
	who := email
	if name != "" {
		who = name + " <" + email + ">"
	}
	msg := tr(r, "ContactExists", "Who", who)
	if added {
		msg = tr(r, "ContactAdded", "Who", who)
	}
	a.sessions.Put(r.Context(), sessFlash, msg)
	a.redirect(w, r, back)
	return nil
}

// contactProblem says what is wrong with a contact to add, "" if nothing.
func contactProblem(r *http.Request, name, email string) string {
	if len(name) > 200 || strings.ContainsFunc(name, unicode.IsControl) {
		return tr(r, "ErrContactName")
	}
	a, err := mail.ParseAddress(email)
	if err != nil || a.Name != "" || a.Address != email || !strings.Contains(email, "@") {
		return tr(r, "ErrContactEmail")
	}
	return ""
}
