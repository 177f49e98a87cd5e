package app

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"webmail/app/mail"
	"webmail/app/smtpcred"
)

// metricSet holds the App's Prometheus series, in a registry of its own (no
// global registry: two Apps in one test binary do not collide). Labels
// carry route patterns, method names, command names and outcome kinds,
// all from fixed sets: never an account, mailbox, address or secret.
type metricSet struct {
	reg *prometheus.Registry

	requests        *prometheus.CounterVec   // route, method, status
	requestDuration *prometheus.HistogramVec // route, method

	imapCommands        *prometheus.CounterVec   // command, outcome
	imapCommandDuration *prometheus.HistogramVec // command
	imapDials           *prometheus.CounterVec   // outcome
	imapDialDuration    prometheus.Histogram
	smtpSends           *prometheus.CounterVec // outcome

	logins          *prometheus.CounterVec // method, outcome
	sessionsStarted *prometheus.CounterVec // method
	sessionsEnded   *prometheus.CounterVec // reason
	oauthRefreshes  *prometheus.CounterVec // outcome
	argon2Wait      prometheus.Histogram
}

func newMetrics() *metricSet {
	m := &metricSet{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "webmail_http_requests_total",
			Help: "HTTP requests by route pattern (\"unmatched\" when no route matched), method and status (499: the client went away).",
		}, []string{"route", "method", "status"}),
		requestDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "webmail_http_request_duration_seconds",
			Help:    "Time to serve an HTTP request, by route pattern and method (live update streams last as long as they are open).",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"route", "method"}),
		imapCommands: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "webmail_imap_commands_total",
			Help: "IMAP commands by coarse name (a few pipelined commands count as one) and outcome (ok, or the kind of error).",
		}, []string{"command", "outcome"}),
		imapCommandDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "webmail_imap_command_duration_seconds",
			Help:    "Time an IMAP command took, by coarse name (idle: until the watcher woke).",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"command"}),
		imapDials: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "webmail_imap_dials_total",
			Help: "IMAP connections attempted (connect, TLS, greeting and login) by outcome: ok, auth, limit, timeout, tls, closed, unavailable, canceled, error.",
		}, []string{"outcome"}),
		imapDialDuration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "webmail_imap_dial_duration_seconds",
			Help:    "Time to connect and log in to an IMAP server, whatever the outcome.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}),
		smtpSends: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "webmail_smtp_sends_total",
			Help: "Messages submitted over SMTP by outcome: ok, auth, rejected, recipient, too_large, timeout, tls, closed, unavailable, canceled, error.",
		}, []string{"outcome"}),
		logins: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "webmail_logins_total",
			Help: "Login attempts by method (password, oauth) and outcome (ok, or why not).",
		}, []string{"method", "outcome"}),
		sessionsStarted: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "webmail_sessions_started_total",
			Help: "Sessions started, by login method. Started minus ended is not the number alive: sessions that time out end unseen.",
		}, []string{"method"}),
		sessionsEnded: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "webmail_sessions_ended_total",
			Help: "Sessions ended by the webmail, by reason: logout, refused (the mail server or provider no longer takes the credential). Timeouts are not counted.",
		}, []string{"reason"}),
		oauthRefreshes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "webmail_oauth_refreshes_total",
			Help: "OAuth access token refreshes by outcome: ok, grant (the provider refused), unavailable, deferred (rate limited, tried later), error.",
		}, []string{"outcome"}),
		argon2Wait: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "webmail_argon2_queue_wait_seconds",
			Help:    "Time an Argon2id derivation waited for a slot (argon2.max_concurrent) before it ran.",
			Buckets: []float64{.0001, .001, .01, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}),
	}
	m.reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.requests, m.requestDuration,
		m.imapCommands, m.imapCommandDuration, m.imapDials, m.imapDialDuration, m.smtpSends,
		m.logins, m.sessionsStarted, m.sessionsEnded, m.oauthRefreshes, m.argon2Wait,
	)
	return m
}

// watch registers the gauges read from the App's parts at scrape time.
func (m *metricSet) watch(pool *mail.Pool, live *liveStreams, sealer *smtpcred.Sealer, draining func() bool) {
	gauge := func(name, help string, f func() float64) prometheus.Collector {
		return prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, f)
	}
	m.reg.MustRegister(
		gauge("webmail_imap_connections_open", "IMAP connections held, in use or kept idle, live update watchers included.",
			func() float64 { return float64(pool.Stats().Open) }),
		gauge("webmail_imap_connections_idle", "IMAP connections kept idle for the next request.",
			func() float64 { return float64(pool.Stats().Idle) }),
		gauge("webmail_imap_watchers", "IMAP connections watching a folder for live updates.",
			func() float64 { return float64(pool.Stats().Watching) }),
		gauge("webmail_live_streams_open", "Live update streams (server-sent events) open.",
			func() float64 { return float64(live.count()) }),
		gauge("webmail_argon2_derivations_running", "Argon2id derivations running now.",
			func() float64 { return float64(sealer.Running()) }),
		gauge("webmail_argon2_derivations_waiting", "Argon2id derivations waiting for a slot now.",
			func() float64 { return float64(sealer.Waiting()) }),
		gauge("webmail_draining", "Whether the webmail is shutting down: 1 from Drain on (readyz then answers 503), else 0.",
			func() float64 {
				if draining() {
					return 1
				}
				return 0
			}),
	)
}

// observer is what the mail adapter tells the metrics.
func (m *metricSet) observer() *mail.Observer {
	return &mail.Observer{
		Command: func(name string, took time.Duration, err error) {
			m.imapCommands.WithLabelValues(name, mail.Outcome(err)).Inc()
			m.imapCommandDuration.WithLabelValues(name).Observe(took.Seconds())
		},
		Dial: func(outcome string, took time.Duration) {
			m.imapDials.WithLabelValues(outcome).Inc()
			m.imapDialDuration.Observe(took.Seconds())
		},
		Send: func(outcome string) { m.smtpSends.WithLabelValues(outcome).Inc() },
	}
}

// request counts one served request. route is the mux's pattern without
// its method ("/m/{mailbox}"); the method is one of the standard ones or
// "other", so that a client cannot make up series.
func (m *metricSet) request(route, method string, status int, took time.Duration) {
	if route == "" {
		route = "unmatched"
	} else if i := strings.IndexByte(route, ' '); i >= 0 {
		route = route[i+1:]
	}
	method = metricMethod(method)
	m.requests.WithLabelValues(route, method, statusLabel(status)).Inc()
	m.requestDuration.WithLabelValues(route, method).Observe(took.Seconds())
}

func metricMethod(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions:
		return m
	}
	return "other"
}

// statusLabel spells common statuses without allocating.
func statusLabel(s int) string {
	switch s {
	case 200:
		return "200"
	case 204:
		return "204"
	case 303:
		return "303"
	case 304:
		return "304"
	case 404:
		return "404"
	}
	return strconv.Itoa(s)
}

// login counts a login attempt; method is "password" or "oauth".
func (m *metricSet) login(method, outcome string) {
	m.logins.WithLabelValues(method, outcome).Inc()
	if outcome == "ok" {
		m.sessionsStarted.WithLabelValues(method).Inc()
	}
}

// serveMetrics serves the exposition to the addresses metrics.allow lists,
// judged by the connection's peer (r.RemoteAddr), never X-Forwarded-For,
// which a client can write. Others get a 404, as if there were nothing.
func (a *App) serveMetrics(allow []netip.Prefix) http.Handler {
	h := a.MetricsHandler()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !peerAllowed(r.RemoteAddr, allow) {
			http.NotFound(w, r)
			return
		}
		h.ServeHTTP(w, r)
	})
}

func peerAllowed(remote string, allow []netip.Prefix) bool {
	host, _, err := net.SplitHostPort(remote)
	if err != nil {
		return false
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return false
	}
	ip = ip.Unmap().WithZone("")
	for _, p := range allow {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// MetricsHandler serves the exposition to anyone: main serves it on
// metrics.listen when that is set. On the main listener, /metrics is
// served only to metrics.allow.
func (a *App) MetricsHandler() http.Handler {
	return promhttp.HandlerFor(a.metrics.reg, promhttp.HandlerOpts{ErrorLog: slogPromLogger{a}})
}

// slogPromLogger passes promhttp's errors to the App's log.
type slogPromLogger struct{ a *App }

func (l slogPromLogger) Println(v ...any) {
	l.a.log.Warn("metrics", "err", fmt.Sprint(v...))
}
