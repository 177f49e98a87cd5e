package app

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"golang.org/x/sync/singleflight"

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
// refreshing again. It holds no token. With sessions in Redis all of this
// is shared by the instances (rdb): the lock makes one refresh at a time
// per session across instances, and a request on another instance that
// carries the cookie the refresh replaced waits for the new one instead
// of spending a rotated refresh token again.
type refresher struct {
	flight singleflight.Group
	limit  limiter
	rdb    *goredis.Client // nil: this instance only
	log    *slog.Logger

	mu     sync.Mutex
	issued map[string]issue // session id -> the newest tokens
}

// issue is when a session last received new tokens, and their expiry.
type issue struct{ at, expiry time.Time }

func newRefresher(rdb *goredis.Client, log *slog.Logger) *refresher {
	return &refresher{
		limit:  newLimiter("refresh", 3, time.Minute, 3, rdb, log),
		rdb:    rdb,
		log:    log,
		issued: map[string]issue{},
	}
}

func refreshKey(kind, sid string) string {
	h := sha256.Sum256([]byte(sid))
	return "webmail:refresh:" + kind + ":" + hex.EncodeToString(h[:16])
}

// newest is the session's newest tokens, as far as any instance knows.
func (f *refresher) newest(ctx context.Context, sid string) issue {
	f.mu.Lock()
	is := f.issued[sid]
	f.mu.Unlock()
	if f.rdb == nil {
		return is
	}
	v, err := f.rdb.Get(ctx, refreshKey("issued", sid)).Result()
	if err != nil {
		if !errors.Is(err, goredis.Nil) {
			f.log.Warn("shared refresh bookkeeping unavailable", "err", err.Error())
		}
		return is
	}
	var at, exp int64
	if _, err := fmt.Sscanf(v, "%d %d", &at, &exp); err == nil && time.Unix(0, exp).After(is.expiry) {
		is = issue{at: time.Unix(0, at), expiry: time.Unix(0, exp)}
	}
	return is
}

func (f *refresher) record(ctx context.Context, sid string, expiry time.Time, now time.Time) {
	f.mu.Lock()
	for k, is := range f.issued {
		if is.expiry.Before(now) {
			delete(f.issued, k)
		}
	}
	f.issued[sid] = issue{at: now, expiry: expiry}
	f.mu.Unlock()
	if f.rdb != nil {
		v := fmt.Sprintf("%d %d", now.UnixNano(), expiry.UnixNano())
		if err := f.rdb.Set(ctx, refreshKey("issued", sid), v, expiry.Sub(now)+time.Minute).Err(); err != nil {
			f.log.Warn("shared refresh bookkeeping unavailable", "err", err.Error())
		}
	}
}

func (f *refresher) forget(ctx context.Context, sid string) {
	f.mu.Lock()
	delete(f.issued, sid)
	f.mu.Unlock()
	if f.rdb != nil {
		f.rdb.Del(ctx, refreshKey("issued", sid), refreshKey("lock", sid))
	}
}

// unlockScript deletes the lock only if it is still the caller's.
var unlockScript = goredis.NewScript(`if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("DEL", KEYS[1]) end return 0`)

// lock takes the session's refresh lock across instances; ok is false
// when another instance holds it. Without Redis, or when it does not
// answer, the instance's own singleflight is the lock.
func (f *refresher) lock(ctx context.Context, sid string) (unlock func(), ok bool) {
	if f.rdb == nil {
		return func() {}, true
	}
	token := rand.Text()
	got, err := f.rdb.SetNX(ctx, refreshKey("lock", sid), token, 30*time.Second).Result()
	if err != nil {
		f.log.Warn("shared refresh lock unavailable", "err", err.Error())
		return func() {}, true
	}
	if !got {
		return nil, false
	}
	return func() { unlockScript.Run(context.WithoutCancel(ctx), f.rdb, []string{refreshKey("lock", sid)}, token) }, true
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
		// is on its way to the browser: its own token still serves. An
		// expired one waits for that cookie rather than refresh again with
		// a refresh token the provider may have rotated away.
		if is := a.refresh.newest(ctx, acct.sid); is.expiry.After(cred.Expiry) {
			if stillValid {
				return cred, nil
			}
			if now.Sub(is.at) < time.Minute {
				return vault.Credential{}, errRefreshLater
			}
		}
	}
	v, err, _ := a.refresh.flight.Do(acct.sid, func() (any, error) {
		if !a.refresh.limit.allow(acct.sid) {
			a.metrics.oauthRefreshes.WithLabelValues("deferred").Inc()
			return nil, errRefreshLater
		}
		unlock, ok := a.refresh.lock(ctx, acct.sid)
		if !ok { // another instance is refreshing this session
			return nil, errRefreshLater
		}
		defer unlock()
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
		a.refresh.record(rctx, acct.sid, next.Expiry, a.now())
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
		return vault.Credential{}, errorf(http.StatusBadGateway, tr(r, "ErrRefreshUnreachable", "Provider", a.providerLabel(cred.Provider)), err)
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
