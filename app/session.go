package app

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net/http"
	"strconv"
	"strings"
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
	// sessProvider names the OAuth provider of an OAuth sign-in; absent
	// for a password login.
	sessProvider = "provider"
)

func newSessionManager(cfg config.Config, store scs.Store) *scs.SessionManager {
	s := scs.New()
	s.Store = store
	s.IdleTimeout = cfg.Session.IdleTimeout.Duration
	s.Lifetime = cfg.Session.Lifetime.Duration
	s.Cookie.Name = "wm_session"
	s.Cookie.HttpOnly = true
	s.Cookie.SameSite = http.SameSiteStrictMode
	// Path=/ even when public_url has a path ("/mail"): __Host- cookies
	// must have it, and __Host- is worth more than a narrower path. It
	// stops a sibling subdomain from planting or overwriting our cookies
	// (session fixation), whereas a path is no boundary within an origin:
	// a page of another application on it can read ours anyway. The names
	// are ours (wm_), so two applications do not clash; two webmails on
	// one origin would, and should use a host each. The sealed credential
	// and the display name cookies follow the session's.
	s.Cookie.Path = "/"
	s.Cookie.Persist = false
	if cfg.SecureCookies() {
		s.Cookie.Name = "__Host-wm_session"
		s.Cookie.Secure = true
	}
	return s
}

// credCookieName is the cookie that carries the sealed credential. A
// credential too long for one cookie (OAuth tokens can be) continues in
// credCookieName()+"1", "2"…
func (a *App) credCookieName() string {
	if a.cfg.SecureCookies() {
		return "__Host-wm_cred"
	}
	return "wm_cred"
}

// Browsers keep at least 4096 bytes per cookie, name and attributes
// included; a chunk of 3800 leaves room for those.
const (
	credChunk     = 3800
	maxCredChunks = 4
)

// setCredCookie sends the sealed credential, split over as many cookies as
// it needs, and expires the chunks of a longer one that r carried. An empty
// value clears them all.
func (a *App) setCredCookie(w http.ResponseWriter, r *http.Request, value string, maxAge int) error {
	if len(value) > maxCredChunks*credChunk {
		return errCredTooLarge
	}
	for i := range maxCredChunks {
		name := a.credCookieName()
		if i > 0 {
			name += strconv.Itoa(i)
		}
		part, age := "", -1
		if len(value) > 0 {
			n := min(len(value), credChunk)
			part, value, age = value[:n], value[n:], maxAge
		} else if _, err := r.Cookie(name); err != nil && i > 0 {
			continue // nothing to clear
		}
		http.SetCookie(w, &http.Cookie{
			Name:     name,
			Value:    part,
			Path:     "/",
			MaxAge:   age,
			HttpOnly: true,
			Secure:   a.cfg.SecureCookies(),
			SameSite: http.SameSiteStrictMode,
		})
	}
	return nil
}

// errCredTooLarge means a credential would not fit the cookies browsers
// keep; oauth limits tokens so that it does not happen.
var errCredTooLarge = errors.New("sealed credential too large for its cookies")

// credCookie reads the sealed credential back from its chunks.
func (a *App) credCookie(r *http.Request) string {
	var b strings.Builder
	for i := range maxCredChunks {
		name := a.credCookieName()
		if i > 0 {
			name += strconv.Itoa(i)
		}
		c, err := r.Cookie(name)
		if err != nil || c.Value == "" {
			break
		}
		b.WriteString(c.Value)
	}
	return b.String()
}

// startSession keeps the key and identity in a renewed session and sends
// the sealed credential to the browser (invariants S2, S5).
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
	if cred.Provider != "" {
		a.sessions.Put(ctx, sessProvider, cred.Provider)
	}
	// The cookie lives as long as the session may; the key decides.
	if err := a.setCredCookie(w, r, sealed, int(a.cfg.Session.Lifetime.Duration/time.Second)); err != nil {
		return "", err
	}
	return sid, nil
}

// conn lends the request a connection of its account (mail.Pool), one
// with the request's folder selected if there is one.
func (a *App) conn(r *http.Request) (*mail.Conn, func(), error) {
	return a.pool.Acquire(r.Context(), accountFrom(r).mail(), r.PathValue("mailbox"))
}
