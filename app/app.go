// Package app is the webmail's HTTP application: routes, middleware,
// sessions and the handlers that turn mail into pages.
package app

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/alexedwards/scs/v2"
	"github.com/alexedwards/scs/v2/memstore"

	"webmail/app/contacts"
	"webmail/app/mail"
	"webmail/app/oauth"
	"webmail/app/oneclick"
	"webmail/app/sessionstore"
	"webmail/app/smtpcred"
	"webmail/app/usecase"
	"webmail/assets"
	"webmail/config"
	"webmail/views/locale"
)

// Options are the dependencies of an App that are not configuration.
type Options struct {
	Logger *slog.Logger
	// Store keeps sessions: by default Redis when session.redis_url is
	// set, else memory. Tests read it to prove no secret is ever in it.
	Store scs.Store
	// Dialer overrides how IMAP connections are made (tests trust their
	// own TLS certificates with it).
	Dialer *mail.Dialer
	// Now is the clock for list dates and token expiry; time.Now by
	// default.
	Now func() time.Time
	// OAuthClient talks to the OAuth providers; a client with a 15-second
	// timeout by default.
	OAuthClient *http.Client
	// OneClick sends one-click unsubscribe requests (list_unsubscribe.go):
	// by default to public https addresses only. Tests give one that may
	// reach their loopback listener; no configuration can.
	OneClick *oneclick.Client
	// Locale, if set, is the language of every request instead of the one
	// each asks for: tests render pages in the pseudo-locale with it
	// (locale.Pseudo) to find text that bypasses the catalogue.
	Locale *locale.Localizer
}

// App is the webmail. Create it with New, serve Handler, and run Run.
type App struct {
	cfg      config.Config
	log      *slog.Logger
	sessions *scs.SessionManager
	pool     *mail.Pool
	uc       *usecase.Service // what the webmail does, apart from HTTP
	dialer   mail.Dialer
	sealer   *smtpcred.Sealer
	assets   *assets.Set
	limits   *loginLimits
	sends    limiter
	live     *liveStreams // open live update streams (live.go)
	bodies   *bodyCache   // sanitised HTML bodies the frame asks for next (body_cache.go)
	now      func() time.Time
	metrics  *metricSet     // metrics.go
	routes   *http.ServeMux // the route table, to name the route of a request no handler saw
	ready    *readiness     // readyz.go
	draining atomic.Bool    // set by Drain: shutting down

	// OAuth sign-in (login_oauth.go, oauth_refresh.go).
	providers map[string]*oauth.Provider
	flows     *scs.SessionManager // sign-ins in progress
	refresh   *refresher

	// Addresses to suggest, per session, in memory only (contacts.go);
	// davClient carries the requests to address book servers.
	contacts  *contacts.Cache
	davClient *http.Client

	// The person's settings, per session, in memory for a short time
	// (settings.go); they live in the person's mailbox.
	prefs *settingsCache

	closers []func() error // what Run closes at the end (the Redis store)

	zones sync.Map // zone name → *time.Location, the zones readers asked for (timezone.go)

	oneClick *oneclick.Client // one-click unsubscribe requests (list_unsubscribe.go)

	locale *locale.Localizer // Options.Locale
}

// New builds the application from a validated configuration.
func New(cfg config.Config, opt Options) (*App, error) {
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	var closers []func() error
	var rdb *goredis.Client // the sessions' Redis, which also keeps the rate limits
	if opt.Store == nil && cfg.Session.RedisURL != "" {
		rs, err := sessionstore.NewRedis(sessionstore.Options{URL: cfg.Session.RedisURL, Password: cfg.Session.RedisPassword.Reveal(), Timeout: cfg.Session.RedisTimeout.Duration})
		if err != nil {
			return nil, err
		}
		opt.Store, closers, rdb = rs, append(closers, rs.Close), rs.Client()
	}
	if opt.Store == nil {
		opt.Store = memstore.New()
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.OneClick == nil {
		opt.OneClick = oneclick.New(oneclick.Options{})
	}
	d := mail.Dialer{Timeout: cfg.IMAPTimeout.Duration}
	if opt.Dialer != nil {
		d = *opt.Dialer
	}
	m := newMetrics()
	d.Observer = m.observer()
	a := &App{
		cfg:    cfg,
		locale: opt.Locale,
		log:    opt.Logger,
		pool:   mail.NewPool(d, mail.PoolOptions{Budget: cfg.IMAPConnections, Idle: cfg.ConnIdle.Duration, Wait: cfg.IMAPTimeout.Duration}),
		dialer: d,
		sealer: smtpcred.NewSealer(smtpcred.Params{
			Time:      cfg.Argon2.Time,
			MemoryKiB: cfg.Argon2.MemoryKiB,
			Threads:   cfg.Argon2.Threads,
		}, cfg.Argon2.MaxConcurrent),
		assets:  assets.New(),
		limits:  newLoginLimits(cfg.Limits, rdb, opt.Logger),
		sends:   newLimiter("send", cfg.Limits.SendPerHour, time.Hour, min(max(cfg.Limits.SendPerHour, 1), 10), rdb, opt.Logger),
		now:     opt.Now,
		live:    newLiveStreams(),
		bodies:  newBodyCache(opt.Now),
		metrics: m,

		contacts:  newContactCache(cfg.Session.IdleTimeout.Duration, opt.Now),
		davClient: &http.Client{Timeout: cfg.IMAPTimeout.Duration, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }},

		prefs: newSettingsCache(opt.Now),

		providers: map[string]*oauth.Provider{},
		refresh:   newRefresher(rdb, opt.Logger),
	}
	a.sealer.ObserveWait(func(d time.Duration) { m.argon2Wait.Observe(d.Seconds()) })
	m.watch(a.pool, a.live, a.sealer, a.draining.Load)
	checks := a.imapChecks(d)
	if rdb != nil {
		checks = append(checks, readyCheck{name: "redis", check: func(ctx context.Context) error { return rdb.Ping(ctx).Err() }})
	}
	a.ready = newReadiness(checks...)
	a.uc = usecase.New(a.pool, usecase.Options{Dialer: d, Now: opt.Now, Logger: opt.Logger})
	for _, p := range cfg.OAuth {
		a.providers[p.Name] = oauth.New(p, opt.OAuthClient, opt.Now)
	}
	a.sessions = newSessionManager(cfg, opt.Store)
	a.flows = newFlowManager(cfg, opt.Store)
	a.sessions.ErrorFunc = func(w http.ResponseWriter, r *http.Request, err error) {
		a.fail(w, r, err)
	}
	a.flows.ErrorFunc = a.sessions.ErrorFunc
	a.closers = closers
	a.oneClick = opt.OneClick
	return a, nil
}

// Run keeps the connection pool tidy until ctx ends, then closes every
// kept IMAP connection.
func (a *App) Run(ctx context.Context) {
	go a.sweepContacts(ctx)
	a.pool.Run(ctx)
	for _, c := range a.closers {
		c()
	}
}

// Connections returns how many IMAP connections the app holds.
func (a *App) Connections() mail.Stats { return a.pool.Stats() }

// MemoryLimit is the soft memory limit main sets (unless GOMEMLIMIT is
// given): room for the Argon2id derivations allowed at once, half as much
// again for the garbage collector to work in (a quarter made it thrash:
// 50 concurrent sends took 23 s instead of 5), and 128 MiB for the rest of
// the server. Without it, finished derivations' 64 MiB arrays wait for
// the next collection and the heap can reach twice the bound.
func MemoryLimit(cfg config.Config) int64 {
	argon := int64(cfg.Argon2.MaxConcurrent) * int64(cfg.Argon2.MemoryKiB) << 10
	return argon + argon/2 + 128<<20
}
