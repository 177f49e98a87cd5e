package app

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net/http"
	"time"

	"github.com/alexedwards/scs/v2"

	"webmail/app/mail"
	"webmail/app/vault"
	"webmail/config"
)

// Session keys. The session holds the account's identity and the key to
// its credential cookie, never the credential itself (invariant S2).
const (
	sessLogin  = "login"  // login name
	sessServer = "server" // IMAP host:port the login is bound to
	sessKey    = "key"    // vault key for the credential cookie
	sessID     = "sid"    // stable id of the session's kept IMAP connection
	sessFlash  = "flash"  // a one-time notice for the next page
	sessNotice = "notice" // what the last action on messages did
	sessUndo   = "undo"   // the fields of its undo form (no secret)
)

func newSessionManager(cfg config.Config, store scs.Store) *scs.SessionManager {
	s := scs.New()
	s.Store = store
	s.IdleTimeout = cfg.Session.IdleTimeout.Duration
	s.Lifetime = cfg.Session.Lifetime.Duration
	s.Cookie.Name = "wm_session"
	s.Cookie.HttpOnly = true
	s.Cookie.SameSite = http.SameSiteStrictMode
	s.Cookie.Path = "/"
	s.Cookie.Persist = false
	if cfg.SecureCookies() {
		s.Cookie.Name = "__Host-wm_session"
		s.Cookie.Secure = true
	}
	return s
}

// credCookieName is the cookie that carries the sealed credential.
func (a *App) credCookieName() string {
	if a.cfg.SecureCookies() {
		return "__Host-wm_cred"
	}
	return "wm_cred"
}

func (a *App) setCredCookie(w http.ResponseWriter, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{
		Name:     a.credCookieName(),
		Value:    value,
		Path:     "/",
		MaxAge:   maxAge,
		HttpOnly: true,
		Secure:   a.cfg.SecureCookies(),
		SameSite: http.SameSiteStrictMode,
	})
}

// account is the logged-in person as a request sees it.
type account struct {
	Login  string
	Server config.Server
	SMTP   config.SMTP
	sid    string
	key    []byte
	sealed string
}

type accountKey struct{}

// accountFrom returns the account the authenticate middleware found.
func accountFrom(r *http.Request) account {
	acct, _ := r.Context().Value(accountKey{}).(account)
	return acct
}

// account reads the session and the credential cookie; both must be there.
func (a *App) account(r *http.Request) (account, bool) {
	ctx := r.Context()
	login := a.sessions.GetString(ctx, sessLogin)
	key := a.sessions.GetBytes(ctx, sessKey)
	sid := a.sessions.GetString(ctx, sessID)
	c, err := r.Cookie(a.credCookieName())
	if login == "" || len(key) != vault.KeySize || sid == "" || err != nil || c.Value == "" {
		return account{}, false
	}
	imapSrv, smtpSrv := a.cfg.ServersFor(login)
	if imapSrv.Addr() != a.sessions.GetString(ctx, sessServer) {
		return account{}, false // the operator moved the domain; log in again
	}
	return account{Login: login, Server: imapSrv, SMTP: smtpSrv, sid: sid, key: key, sealed: c.Value}, true
}

// credentials unseals the login credential for one dial (invariant S3).
func (acct account) credentials() (string, string, error) {
	cred, err := vault.Open(acct.key, vault.Account{Login: acct.Login, Server: acct.Server.Addr()}, acct.sealed)
	if err != nil {
		return "", "", errSessionBroken
	}
	return cred.Login, cred.Password, nil
}

var errSessionBroken = errors.New("credential cookie does not open")

// startSession keeps the key and identity in a renewed session and sends
// the sealed credential to the browser (invariant S2).
func (a *App) startSession(w http.ResponseWriter, r *http.Request, srv config.Server, cred vault.Credential) (sid string, err error) {
	ctx := r.Context()
	if err := a.sessions.RenewToken(ctx); err != nil {
		return "", err
	}
	key := vault.NewKey()
	sealed, err := vault.Seal(key, vault.Account{Login: cred.Login, Server: srv.Addr()}, cred)
	if err != nil {
		return "", err
	}
	var b [16]byte
	rand.Read(b[:])
	sid = hex.EncodeToString(b[:])
	a.sessions.Put(ctx, sessLogin, cred.Login)
	a.sessions.Put(ctx, sessServer, srv.Addr())
	a.sessions.Put(ctx, sessKey, key)
	a.sessions.Put(ctx, sessID, sid)
	// The cookie lives as long as the session may; the key decides.
	a.setCredCookie(w, sealed, int(a.cfg.Session.Lifetime.Duration/time.Second))
	return sid, nil
}

// conn returns the session's kept IMAP connection for this request.
func (a *App) conn(r *http.Request) (*mail.Conn, func(), error) {
	acct := accountFrom(r)
	return a.pool.Acquire(r.Context(), acct.sid, acct.Server, acct.credentials)
}
