package app

import (
	"context"
	"net/http"
	"sync"
	"time"

	"webmail/app/mail"
	"webmail/config"
)

// Readiness (GET /readyz) tells a load balancer whether to send this
// instance requests: not while it shuts down (Drain), nor while a server it
// needs does not answer. The result is kept for readyTTL, so that however
// often the balancer asks, the mail servers see at most one probe each per
// readyTTL.
const (
	readyTTL     = 5 * time.Second
	readyTimeout = 2 * time.Second // bound of one check
)

// readyCheck is one thing readiness waits for: each configured IMAP
// server, and Redis when sessions live there.
type readyCheck struct {
	name  string // shown in the answer: no host, no address
	check func(ctx context.Context) error
}

// readiness runs its checks at most once per ttl and keeps the result.
type readiness struct {
	checks       []readyCheck
	ttl, timeout time.Duration

	mu     sync.Mutex // held while checking: callers meanwhile wait for the result
	at     time.Time  // when the result was found; zero before the first
	failed string     // the first check that failed, "" when all passed
	err    error
}

func newReadiness(checks ...readyCheck) *readiness {
	return &readiness{checks: checks, ttl: readyTTL, timeout: readyTimeout}
}

// state returns the name and error of the first failing check, or "" and
// nil, checking again when the kept result is older than ttl.
func (rd *readiness) state(ctx context.Context) (failed string, err error) {
	rd.mu.Lock()
	defer rd.mu.Unlock()
	if !rd.at.IsZero() && time.Since(rd.at) < rd.ttl {
		return rd.failed, rd.err
	}
	rd.failed, rd.err = "", nil
	for _, c := range rd.checks {
		// A balancer that hangs up does not cut a check short: the
		// result serves the next callers.
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), rd.timeout)
		err := c.check(cctx)
		cancel()
		if err != nil {
			rd.failed, rd.err = c.name, err
			break
		}
	}
	rd.at = time.Now()
	return rd.failed, rd.err
}

// imapChecks probes every configured IMAP server once: the default one,
// those of the [[domain]] entries and of the OAuth providers.
func (a *App) imapChecks(d mail.Dialer) []readyCheck {
	var checks []readyCheck
	seen := map[string]bool{}
	add := func(srv config.Server) {
		if srv.Host == "" || seen[srv.Addr()] {
			return
		}
		seen[srv.Addr()] = true
		checks = append(checks, readyCheck{name: "imap", check: func(ctx context.Context) error {
			err := d.Probe(ctx, srv)
			if err != nil {
				a.log.Warn("readyz: IMAP server not ready", "server", srv.Addr(), "err", err.Error())
			}
			return err
		}})
	}
	add(a.cfg.IMAP)
	for _, dm := range a.cfg.Domains {
		add(dm.IMAP)
	}
	for _, p := range a.cfg.OAuth {
		add(p.IMAP)
	}
	return checks
}

// Drain marks the App as shutting down: readyz answers 503 from now on, so
// that a load balancer stops sending requests before the server stops
// taking them. Requests are still served.
func (a *App) Drain() { a.draining.Store(true) }

// healthz says the process is alive and serving.
func (a *App) healthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	w.Write([]byte("ok\n"))
}

// readyz says whether this instance should get requests: 200, or 503 with
// the reason ("draining", or the name of the failing check).
func (a *App) readyz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if a.draining.Load() {
		w.WriteHeader(http.StatusServiceUnavailable)
		w.Write([]byte("draining\n"))
		return
	}
	if failed, err := a.ready.state(r.Context()); err != nil {
		w.WriteHeader(http.StatusServiceUnavailable)
		w.Write([]byte("not ready: " + failed + "\n"))
		return
	}
	w.Write([]byte("ready\n"))
}
