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
		return errorf(http.StatusNotFound, tr(r, "ErrNoOneClick"), nil)
	}
	err = a.oneClick.Unsubscribe(r.Context(), p.Offer.OneClick)
	if err == nil {
		a.sessions.Put(r.Context(), sessFlash, tr(r, "UnsubscribedFrom", "List", p.List))
		seeOther(w, r, p.BackURL)
		return nil
	}
	host := ""
	if u, perr := url.Parse(p.Offer.OneClick); perr == nil {
		host = u.Host // the URI's path and query may name the person
	}
	a.log.Info("one-click unsubscribe failed", "host", host, "err", err.Error())
	p.Error = unsubscribeFailure(r, err)
	return render(w, r, http.StatusBadGateway, views.ListUnsubscribe(p))
}

// unsubscribeFailure says in words why a one-click request failed.
func unsubscribeFailure(r *http.Request, err error) string {
	var timeout net.Error
	switch {
	case errors.Is(err, oneclick.ErrRejected):
		return tr(r, "ErrListRejected")
	case errors.Is(err, oneclick.ErrRefused):
		return tr(r, "ErrListRefused")
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &timeout) && timeout.Timeout():
		return tr(r, "ErrListTimeout")
	default:
		return tr(r, "ErrListUnreachable")
	}
}
