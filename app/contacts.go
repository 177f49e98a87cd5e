package app

import (
	"context"
	"errors"
	"net/http"
	"time"

	"webmail"
	"webmail/app/carddav"
	"webmail/app/contacts"
)

// Bounds of the addresses kept per session (app/contacts): how many
// sessions have them in memory at once and how much memory they take
// together (5,000 addresses take about 0.8 MB), for how long before they
// are collected again, how many address book entries are read, and how
// many the compose form's datalist offers.
const (
	contactSessions = 1000
	contactsBudget  = 64 << 20
	contactsTTL     = 10 * time.Minute
	bookLimit       = 5000
	datalistSize    = 50
)

func newContactCache(idle time.Duration, now func() time.Time) *contacts.Cache {
	return contacts.NewCache(contactSessions, contactsBudget, min(contactsTTL, idle), now)
}

// sweepContacts drops the addresses of sessions unseen for their TTL
// until ctx ends.
func (a *App) sweepContacts(ctx context.Context) {
	t := time.NewTicker(time.Minute)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			a.contacts.Sweep()
		}
	}
}

// addressBook is a CardDAV client of the request's account, with the
// request's credential (never kept); nil when the operator configured no
// address book for it.
func (a *App) addressBook(r *http.Request) *carddav.Client {
	acct := accountFrom(r)
	u := a.cfg.CardDAVFor(acct.Login)
	if u == "" {
		return nil
	}
	auth := carddav.Auth{Login: acct.cred.Login, Password: acct.cred.Password}
	if acct.cred.OAuth() {
		auth = carddav.Auth{Token: acct.cred.AccessToken}
	}
	c, err := carddav.New(u, auth, a.davClient)
	if err != nil { // config validated the URL
		a.log.Error("carddav client", "err", err.Error())
		return nil
	}
	return c
}

// contactIndex is the session's addresses (cached; see contacts.Cache):
// those of the person's recent mail, and of their address book. An
// address book that fails leaves the mail's (a Partial index) and is
// tried again a minute later.
func (a *App) contactIndex(r *http.Request) (*contacts.Index, error) {
	acct := accountFrom(r)
	return a.contacts.Get(r.Context(), acct.sid, func(ctx context.Context) (*contacts.Index, error) {
		collected, err := a.uc.Correspondents(ctx, acct.mail(), acct.Login)
		if err != nil {
			return nil, err
		}
		var book []webmail.Contact
		partial := false
		if c := a.addressBook(r); c != nil {
			if book, err = c.List(ctx, bookLimit); err != nil {
				if ctx.Err() != nil {
					return nil, ctx.Err()
				}
				a.log.Warn("address book unavailable", "login", acct.Login, "err", err.Error())
				partial = true
			}
		}
		x := contacts.NewIndex(collected, book)
		x.Partial = partial
		return x, nil
	})
}

// recipientChoices are the addresses the compose form's datalist offers.
// A form shown again after a failed post takes them only if they are at
// hand: the mail server may be what failed.
func (a *App) recipientChoices(r *http.Request) []webmail.Contact {
	var x *contacts.Index
	if r.Method == http.MethodGet {
		var err error
		if x, err = a.contactIndex(r); err != nil {
			a.log.Debug("no recipient choices", "err", err.Error())
			return nil
		}
	} else if x = a.contacts.Peek(accountFrom(r).sid); x == nil {
		return nil
	}
	return x.Top(datalistSize)
}

// bookFailure is what a person is told when the address book fails, with
// the status of the answer.
func bookFailure(r *http.Request, err error) error {
	switch {
	case errors.Is(err, carddav.ErrRefused):
		return errorf(http.StatusForbidden, tr(r, "ErrBookRefused"), err)
	case errors.Is(err, carddav.ErrNoBook):
		return errorf(http.StatusNotFound, tr(r, "ErrNoBook"), err)
	case errors.Is(err, carddav.ErrUnreachable):
		return errorf(http.StatusServiceUnavailable, tr(r, "ErrBookUnreachable"), err)
	}
	return err
}
