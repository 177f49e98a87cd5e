package app

import (
	"net/http"
	"strings"

	"webmail/app/contacts"
	"webmail/views"
)

// contactsShown is the most the Contacts page lists at once.
const contactsShown = 200

// showContacts is GET /contacts?q=: the address book, searched by name or
// address; without one (or while it fails), the addresses of the
// person's recent mail.
func (a *App) showContacts(w http.ResponseWriter, r *http.Request) error {
	p := views.ContactsParams{Base: a.base(r, tr(r, "Contacts")), Query: strings.TrimSpace(r.URL.Query().Get("q"))}
	return a.renderContacts(w, r, http.StatusOK, p)
}

// renderContacts fills p's list and renders the page with status.
func (a *App) renderContacts(w http.ResponseWriter, r *http.Request, status int, p views.ContactsParams) error {
	var x *contacts.Index
	if book := a.addressBook(r); book != nil {
		p.CanAdd = true
		// Read afresh: the page shows the book as it is now.
		list, err := book.List(r.Context(), bookLimit)
		if err == nil {
			x, p.Book = contacts.NewIndex(nil, list), true
		} else if r.Context().Err() != nil {
			return r.Context().Err()
		} else {
			a.log.Warn("address book unavailable", "login", accountFrom(r).Login, "err", err.Error())
			p.Problem = a.classify(r, bookFailure(r, err)).msg
		}
	}
	if x == nil {
		var err error
		if x, err = a.contactIndex(r); err != nil {
			return err
		}
	}
	found := x.Search(p.Query, contactsShown+1, p.Book)
	p.More = len(found) > contactsShown
	p.Contacts = found[:min(len(found), contactsShown)]
	return render(w, r, status, views.ContactsShow(p))
}
