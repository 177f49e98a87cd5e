package app

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"
	"golang.org/x/time/rate"

	"webmail/app/mail"
	"webmail/app/oauth"
	"webmail/app/vault"
	"webmail/config"
)

// refreshMargin is how long before its expiry an access token is renewed,
// on the first request that needs to dial with it.
const refreshMargin = 2 * time.Minute

// errSignInEnded means the provider no longer honours the sign-in (the
// refresh token was revoked or expired, or the mail server refused the
// token): the session ends and the person signs in again.
var errSignInEnded = errors.New("oauth sign-in ended")

// errRefreshLater means the token needs renewing but may not be yet (the
// session's refreshes are rate limited).
var errRefreshLater = errors.New("oauth token needs renewing")

// refresher coordinates token refreshes: one at a time per session
// (requests arriving together share it), at most a few per minute, and it
// remembers when each session last received new tokens so that a request
// still carrying the previous cookie uses its token while valid instead of
// refreshing again. It holds no token.
type refresher struct {
	flight singleflight.Group
	limit  *keyedLimiter

	mu     sync.Mutex
	issued map[string]time.Time // session id -> expiry of the newest tokens
}

func newRefresher() *refresher {
	return &refresher{
		limit:  newKeyedLimiter(rate.Every(20*time.Second), 3),
		issued: map[string]time.Time{},
	}
}

func (f *refresher) newest(sid string) time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.issued[sid]
}

func (f *refresher) record(sid string, expiry time.Time, now time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for k, exp := range f.issued {
		if exp.Before(now) {
			delete(f.issued, k)
		}
	}
	f.issued[sid] = expiry
}

func (f *refresher) forget(sid string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.issued, sid)
}

// refreshed is what one refresh yields to the requests sharing it.
type refreshed struct {
	cred   vault.Credential
	sealed string
}

// refreshMode says when freshToken asks the provider for new tokens.
type refreshMode int

const (
	refreshDue refreshMode = iota // when the token expires within refreshMargin
	refreshNow                    // now: the mail server refused the token
)

func saslMechanism(p config.OAuth) string {
	switch p.SASL {
	case "oauthbearer":
		return mail.MechOAuthBearer
	case "xoauth2":
		return mail.MechXOAuth2
	}
	return mail.MechAuto
}

// freshToken returns cred with an access token good for more than the
// margin, refreshing it as mode allows (see refresher).
func (a *App) freshToken(ctx context.Context, w http.ResponseWriter, r *http.Request, acct account, cred vault.Credential, mode refreshMode) (vault.Credential, error) {
	now := a.now()
	left := cred.Expiry.Sub(now)
	stillValid := left > 10*time.Second
	if mode == refreshNow {
		stillValid = false // the server said otherwise
	} else {
		if cred.Expiry.IsZero() || left > refreshMargin {
			return cred, nil
		}
		// This cookie predates the session's newest tokens, whose cookie
		// is on its way to the browser: its own token still serves.
		if stillValid && a.refresh.newest(acct.sid).After(cred.Expiry) {
			return cred, nil
		}
	}
	v, err, _ := a.refresh.flight.Do(acct.sid, func() (any, error) {
		if !a.refresh.limit.allow(acct.sid) {
			a.metrics.oauthRefreshes.WithLabelValues("deferred").Inc()
			return nil, errRefreshLater
		}
		// Requests sharing this refresh must not lose it when the first
		// one's client goes away.
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 20*time.Second)
		defer cancel()
		tok, err := a.providers[cred.Provider].Refresh(rctx, cred.RefreshToken)
		if err != nil {
			a.metrics.oauthRefreshes.WithLabelValues(refreshOutcome(err)).Inc()
			a.log.Warn("oauth refresh failed", "login", acct.Login, "provider", cred.Provider, "reason", err.Error())
			return nil, err
		}
		next := cred.Clone() // the requests sharing it wipe their own copies
		next.AccessToken, next.Expiry = tok.Access, tok.Expiry
		if tok.Refresh != "" {
			next.RefreshToken = tok.Refresh
		}
		sealed, err := vault.Seal(acct.key, vault.Account{Login: acct.Login, Server: acct.Server.Addr()}, next)
		if err != nil {
			a.metrics.oauthRefreshes.WithLabelValues("error").Inc()
			return nil, err
		}
		a.metrics.oauthRefreshes.WithLabelValues("ok").Inc()
		a.refresh.record(acct.sid, next.Expiry, a.now())
		a.log.Info("oauth refresh", "login", acct.Login, "provider", cred.Provider, "expires_in", next.Expiry.Sub(a.now()).Round(time.Second).String())
		return refreshed{cred: next, sealed: sealed}, nil
	})
	switch {
	case err == nil:
	case stillValid && (errors.Is(err, errRefreshLater) || errors.Is(err, oauth.ErrUnavailable)):
		return cred, nil // try again on a later request
	case errors.Is(err, oauth.ErrGrant):
		return vault.Credential{}, fmt.Errorf("%w: %w", errSignInEnded, err)
	case errors.Is(err, oauth.ErrUnavailable):
		return vault.Credential{}, errorf(http.StatusBadGateway, "Your sign-in needs renewing, but "+a.providerLabel(cred.Provider)+" cannot be reached right now. Please try again in a moment.", err)
	default:
		return vault.Credential{}, err
	}
	res := v.(refreshed)
	if err := a.setCredCookie(w, r, res.sealed, int(a.cfg.Session.Lifetime.Duration/time.Second)); err != nil {
		return vault.Credential{}, err
	}
	return res.cred.Clone(), nil
}

func (a *App) providerLabel(name string) string {
	if p, ok := a.cfg.OAuthProvider(name); ok {
		return p.Label
	}
	return name
}

// refreshOutcome names a failed refresh for the metrics.
func refreshOutcome(err error) string {
	switch {
	case errors.Is(err, oauth.ErrGrant):
		return "grant"
	case errors.Is(err, oauth.ErrUnavailable):
		return "unavailable"
	}
	return "error"
}
