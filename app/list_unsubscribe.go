package app

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/url"

	"webmail/app/oneclick"
	"webmail/views"
)

// unsubscribeList sends the one-click unsubscribe request (RFC 8058) of
// the message's list, once the person confirmed on showListUnsubscribe's
// page. The webmail's server makes the request, as from nobody (see
// app/oneclick); the URI is read from the message again, never taken from
// the form. Accepted: back to the message, saying so. Not accepted: the
// page again, saying why in words, with the list's other ways.
func (a *App) unsubscribeList(w http.ResponseWriter, r *http.Request) error {
	p, err := a.listUnsubscribeParams(r)
	if err != nil {
		return err
	}
	if p.Offer.OneClick == "" {
		return errorf(http.StatusNotFound, "This list does not take a one-click request. Use the way it offers instead.", nil)
	}
	err = a.oneClick.Unsubscribe(r.Context(), p.Offer.OneClick)
	if err == nil {
		a.sessions.Put(r.Context(), sessFlash, "You asked to unsubscribe from "+p.List+", and the list accepted. Its mail may take a few days to stop.")
		seeOther(w, r, p.BackURL)
		return nil
	}
	host := ""
	if u, perr := url.Parse(p.Offer.OneClick); perr == nil {
		host = u.Host // the URI's path and query may name the person
	}
	a.log.Info("one-click unsubscribe failed", "host", host, "err", err.Error())
	p.Error = unsubscribeFailure(err)
	return render(w, r, http.StatusBadGateway, views.ListUnsubscribe(p))
}

// unsubscribeFailure says in words why a one-click request failed.
func unsubscribeFailure(err error) string {
	var timeout net.Error
	switch {
	case errors.Is(err, oneclick.ErrRejected):
		return "The list did not accept the request to unsubscribe. Try again later, or use another way below if the list offers one."
	case errors.Is(err, oneclick.ErrRefused):
		return "The list did not accept the request: its address is not a public https address, which is all the webmail sends to."
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &timeout) && timeout.Timeout():
		return "The list did not accept the request: its server did not answer in time. Try again later."
	default:
		return "The list did not accept the request: its server could not be reached. Try again later."
	}
}
