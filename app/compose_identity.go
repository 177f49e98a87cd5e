package app

import (
	"net/http"
	netmail "net/mail"
	"strings"

	"webmail"
	"webmail/app/usecase"
	"webmail/views"
)

// fromChoices are the addresses the compose form offers as From: the
// login's own (unless an identity has it) and the person's identities.
func (a *App) fromChoices(r *http.Request, st webmail.Settings) []views.FromChoice {
	login := accountFrom(r).Login
	var out []views.FromChoice
	if _, err := netmail.ParseAddress(login); err == nil {
		if _, ok := st.Identity(login); !ok {
			out = append(out, views.FromChoice{Address: login, Name: a.displayName(r)})
		}
	}
	for _, id := range st.Identities {
		out = append(out, views.FromChoice{Address: id.Address, Name: id.Name})
	}
	return out
}

// defaultFrom is the address a new message is sent from: the default
// identity's, else the login's.
func defaultFrom(st webmail.Settings, login string) string {
	if id, ok := st.DefaultIdentity(); ok {
		return id.Address
	}
	return login
}

// sender is the From and Reply-To of a message sent from the address
// chosen ("" for the default): the login's, with the name from the
// sending settings, or an identity's. problem says why it cannot be
// sent from.
func (a *App) sender(r *http.Request, st webmail.Settings, chosen string) (from, replyTo *netmail.Address, problem string) {
	login := accountFrom(r).Login
	if chosen == "" {
		chosen = defaultFrom(st, login)
	}
	if id, ok := st.Identity(chosen); ok {
		if err := usecase.CheckIdentity(login, id); err != nil {
			return nil, nil, tr(r, "ErrCannotSendFrom", "Address", id.Address, "Reason", identityProblem(r, err))
		}
		from = &netmail.Address{Name: id.Name, Address: id.Address}
		if id.ReplyTo != "" {
			replyTo = &netmail.Address{Address: id.ReplyTo}
		}
		return from, replyTo, ""
	}
	if !strings.EqualFold(chosen, login) {
		return nil, nil, tr(r, "ErrNotYourAddress")
	}
	from, err := mailAddress(login, a.displayName(r))
	if err != nil {
		return nil, nil, tr(r, "ErrNoFromAddress")
	}
	return from, nil, ""
}

// signed is the body a new form starts with, given the signature of the
// address it is sent from: after the text for a new message; for a reply
// or forward (quoted below what is typed: body starts with two empty
// lines), above the quote, or below it when the person writes below
// quotes (replyBelow).
func signed(body, signature string, quoting, replyBelow bool) string {
	sig := ""
	if signature = strings.TrimRight(strings.ReplaceAll(signature, "\r\n", "\n"), "\n "); signature != "" {
		sig = "-- \n" + signature + "\n"
	}
	switch {
	case !quoting:
		if sig == "" {
			return body
		}
		return strings.TrimRight(body, "\n") + "\n\n" + sig
	case replyBelow:
		out := strings.TrimLeft(body, "\n")
		out = strings.TrimRight(out, "\n") + "\n\n\n"
		if sig != "" {
			out += "\n" + sig
		}
		return out
	default:
		if sig == "" {
			return body
		}
		return "\n\n" + sig + body
	}
}

// startForm sets a new form's From (chosen: the address a reply was
// addressed to, else the default) and puts the signature of that address
// in the body.
func (a *App) startForm(r *http.Request, f *views.ComposeForm, chosen string, quoting, reply bool) {
	st := a.settings(r)
	login := accountFrom(r).Login
	if chosen == "" || !strings.EqualFold(chosen, login) && !hasIdentity(st, chosen) {
		chosen = defaultFrom(st, login)
	}
	f.From = chosen
	sig := ""
	if id, ok := st.Identity(chosen); ok {
		sig = id.Signature
	}
	f.Body = signed(f.Body, sig, quoting, reply && st.ReplyBelow)
}

func hasIdentity(st webmail.Settings, addr string) bool {
	_, ok := st.Identity(addr)
	return ok
}

// ownAddresses are the addresses a reply recognises as the person's: the
// login and every identity.
func ownAddresses(st webmail.Settings, login string) []string {
	out := []string{strings.ToLower(login)}
	for _, id := range st.Identities {
		out = append(out, id.Address)
	}
	return out
}

// identityProblem is why an identity cannot be sent from, in the
// request's language.
func identityProblem(r *http.Request, err error) string {
	e := webmail.ErrorOf(err)
	if e == nil {
		return ""
	}
	msg, fields := sayError(r, e)
	if f := fields["address"]; f != "" {
		return f
	}
	return msg
}
