package app

import (
	"net/http"
	"net/mail"
	"net/url"

	"webmail/app/compose"
	"webmail/views"
)

// suggestionsShown is how many recipients one keystroke offers.
const suggestionsShown = 8

// suggestContacts is GET /contacts/suggest?q=bo: the recipients
// whose address or name starts with q, as the list htmx swaps in under
// the field. Without htmx it is the Contacts page's search.
func (a *App) suggestContacts(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	if !isHTMX(r) {
		seeOther(w, r, "/contacts?"+url.Values{"q": {q.Get("q")}}.Encode())
		return nil
	}
	var p views.SuggestionsParams
	x, err := a.contactIndex(r)
	if err != nil {
		return err
	}
	for _, c := range x.Suggest(q.Get("q"), suggestionsShown) {
		value := compose.FormatAddressList([]*mail.Address{{Name: c.Name, Address: c.Email}})
		p.Items = append(p.Items, views.Suggestion{Value: value, Name: c.Name, Email: c.Email})
	}
	w.Header().Set("Cache-Control", "no-store")
	return render(w, r, http.StatusOK, views.ContactSuggestions(p))
}
