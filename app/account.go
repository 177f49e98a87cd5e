package app

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"webmail/app/mail"
	"webmail/app/vault"
	"webmail/config"
)

// account is the logged-in person as a request sees it: the session's
// identity, and the credential its cookie proved to hold.
type account struct {
	Login    string // as the person typed it (the From address)
	ID       string // canonical identity; see accountID
	Server   config.Server
	SMTP     config.SMTP
	Provider string // OAuth provider name; "" for a password login
	mech     string // the SASL mechanism for its token (mail.Mech*)
	sid      string
	key      []byte
	// cred is the credential the cookie opened to, for this request only:
	// the authenticate middleware wipes it when the request ends
	// (invariant S3), and long requests (live streams, downloads) as soon
	// as they have dialled.
	cred vault.Credential
	// renew refreshes the OAuth token out of turn when the mail server
	// refuses one that looks valid; nil for a password, or once the
	// response has started (a new cookie could no longer be set).
	renew func(context.Context) (mail.Auth, error)
}

type accountKey struct{}

// accountFrom returns the account the authenticate middleware proved.
func accountFrom(r *http.Request) account {
	acct, _ := r.Context().Value(accountKey{}).(account)
	return acct
}

// accountID is the canonical identity of an account: the login name
// without surrounding space and in lower case (servers take
// Alice@Example.org and alice@example.org as one mailbox), and the IMAP
// server. Connection budgets, rate limits and sealed SMTP credentials go
// by it; connections are still lent only to the login they were made
// with.
func accountID(login string, srv config.Server) string {
	return canonicalLogin(login) + "\x00" + srv.Addr()
}

func canonicalLogin(login string) string { return strings.ToLower(strings.TrimSpace(login)) }

// auth is what the account's connections log in with.
func (acct account) auth() mail.Auth {
	if acct.cred.OAuth() {
		return mail.Auth{Login: acct.cred.Login, Token: acct.cred.AccessToken, Mechanism: acct.mech, Renew: acct.renew}
	}
	return mail.Auth{Login: acct.cred.Login, Password: acct.cred.Password}
}

// mail is the account as the connection pool knows it.
func (acct account) mail() mail.Account {
	return mail.Account{ID: acct.ID, Server: acct.Server, Auth: acct.auth()}
}

// Why a request is not served. Neither ends the session.
var (
	// errNoSession: no session, or it expired.
	errNoSession = errors.New("no session")
	// errNotProven: the request's credential cookie is missing, damaged
	// or another session's: it does not open under the session's key.
	errNotProven = errors.New("credential cookie does not open under the session's key")
)

// session reads the session's identity; errNoSession without one.
func (a *App) session(r *http.Request) (account, error) {
	ctx := r.Context()
	login := a.sessions.GetString(ctx, sessLogin)
	key := a.sessions.GetBytes(ctx, sessKey)
	sid := a.sessions.GetString(ctx, sessID)
	if login == "" || len(key) != vault.KeySize || sid == "" {
		return account{}, errNoSession
	}
	provider := a.sessions.GetString(ctx, sessProvider)
	imapSrv, smtpSrv := a.cfg.ServersFor(login)
	if provider != "" {
		p, ok := a.cfg.OAuthProvider(provider)
		if !ok {
			return account{}, errNoSession // the operator removed the provider
		}
		imapSrv, smtpSrv = a.cfg.ServersForOAuth(p, login)
	}
	if imapSrv.Addr() != a.sessions.GetString(ctx, sessServer) {
		return account{}, errNoSession // the operator moved the domain; log in again
	}
	return account{Login: login, ID: accountID(login, imapSrv), Server: imapSrv, SMTP: smtpSrv, Provider: provider, sid: sid, key: key}, nil
}

// prove opens the request's credential cookie under the session's key
// (invariant S2: a kept connection is no proof). The caller wipes
// acct.cred.
func (a *App) prove(r *http.Request, acct *account) error {
	sealed := a.credCookie(r)
	if sealed == "" {
		return errNotProven
	}
	cred, err := vault.Open(acct.key, vault.Account{Login: acct.Login, Server: acct.Server.Addr()}, sealed)
	if err != nil {
		return errNotProven
	}
	if cred.Provider != acct.Provider || cred.OAuth() && a.providers[cred.Provider] == nil {
		cred.Wipe()
		return errNotProven
	}
	acct.cred = cred
	return nil
}

// resolve finds the request's account, proves it, and renews its OAuth
// token when it is about to expire (writing the new cookie to w). It is
// the one place that resolves credentials.
func (a *App) resolve(w http.ResponseWriter, r *http.Request) (account, error) {
	acct, err := a.session(r)
	if err != nil {
		return account{}, err
	}
	if err := a.prove(r, &acct); err != nil {
		return account{}, err
	}
	if !acct.cred.OAuth() {
		return acct, nil
	}
	acct.mech = saslMechanism(a.providers[acct.Provider].Config())
	fresh, err := a.freshToken(r.Context(), w, r, acct, acct.cred, refreshDue)
	if err != nil {
		acct.cred.Wipe()
		return account{}, err
	}
	if fresh.AccessToken != acct.cred.AccessToken { // renewed, in a buffer of its own
		acct.cred.Wipe()
	}
	acct.cred = fresh
	acct.renew = func(ctx context.Context) (mail.Auth, error) {
		next, err := a.freshToken(ctx, w, r, acct, acct.cred, refreshNow)
		if err != nil {
			return mail.Auth{}, err
		}
		return mail.Auth{Login: next.Login, Token: next.AccessToken, Mechanism: acct.mech}, nil
	}
	return acct, nil
}
