// Command webmail-load drives a mixed load against a running webmail: it
// logs in a number of sessions of one account (or of several accounts
// sharing a password), then, for a fixed time, each session lists the
// inbox, opens messages from the list, searches, and holds live-update
// streams open, one request after another. At the end it prints the
// throughput, the median and 99th percentile latency of each kind of
// request, and the errors by kind and status.
//
//	WEBMAIL_LOAD_PASSWORD=demo go run ./cmd/webmail-load \
//	    -url http://127.0.0.1:8080 -login demo@example.org -sessions 20 -duration 30s
//
// Given several URLs (instances of one deployment sharing a Redis), each
// session sends each request to the next instance in turn, as a load
// balancer without affinity would. Given their /metrics URLs, it also
// reports each instance's memory, goroutines, open files and IMAP
// connections before the logins, at the peak of the load, and after the
// logouts.
//
// The password comes from -password-file, else WEBMAIL_LOAD_PASSWORD, else
// -password (which leaves it in the shell history). Only loopback URLs are
// accepted unless -allow-remote is given: a load test is something to aim
// deliberately.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "webmail-load:", err)
		os.Exit(1)
	}
}

// Bounds on what one run may ask for, so a typo cannot start an endless
// or unbounded load.
const (
	maxSessions = 1000
	maxDuration = time.Hour
)

// options are the command line, checked.
type options struct {
	bases        []*url.URL // one per instance, all of one host
	metrics      []*url.URL // the instances' /metrics, if given
	settle       time.Duration
	accounts     int
	loginsAtOnce int
	think        time.Duration
	login        string
	password     string
	sessions     int
	duration     time.Duration
	streamHold   time.Duration
	maxRequests  int
	timeout      time.Duration
	allowRemote  bool
	mailbox      string
	searchTerms  []string
	loginTimeout time.Duration
}

func parseOptions(args []string, getenv func(string) string, stdout io.Writer) (options, error) {
	fs := flag.NewFlagSet("webmail-load", flag.ContinueOnError)
	fs.SetOutput(stdout)
	rawURL := fs.String("url", "http://127.0.0.1:8080", "base URL of the webmail; several, separated by commas, for instances of one deployment (same host, any ports)")
	rawMetrics := fs.String("metrics", "", "the instances' /metrics URLs, separated by commas, to report their memory, goroutines, open files and IMAP connections")
	settle := fs.Duration("settle", 10*time.Second, "with -metrics, how long after the logouts to look again")
	login := fs.String("login", "demo@example.org", "login name every session uses; with -accounts, {n} in it is replaced by 1 to the number of accounts")
	think := fs.Duration("think", 0, "a session's pause between requests, on average (each pause is drawn between half and one and a half times it), as a person reads; 0 sends one request after another")
	loginsAtOnce := fs.Int("logins-at-once", 10, "logins in flight at once while the sessions log in")
	accounts := fs.Int("accounts", 1, "spread the sessions over this many accounts (all with the one password)")
	passwordFile := fs.String("password-file", "", "file holding the password (else WEBMAIL_LOAD_PASSWORD, else -password)")
	password := fs.String("password", "", "the password (prefer -password-file or WEBMAIL_LOAD_PASSWORD: this stays in the shell history)")
	sessions := fs.Int("sessions", 10, fmt.Sprintf("sessions logged in and driven at once, 1 to %d", maxSessions))
	duration := fs.Duration("duration", 30*time.Second, fmt.Sprintf("how long the load runs after login, at most %v", maxDuration))
	streamHold := fs.Duration("stream-hold", 3*time.Second, "how long a live-update stream is held open")
	maxRequests := fs.Int("max-requests", 1_000_000, "stop after this many requests, whatever the time")
	timeout := fs.Duration("timeout", 30*time.Second, "bound of one request")
	allowRemote := fs.Bool("allow-remote", false, "accept a URL whose host is not a loopback address")
	mailbox := fs.String("mailbox", "INBOX", "the folder listed, searched and watched")
	terms := fs.String("search", "invoice,meeting,report,hello,from:alice", "comma-separated search queries, used in turn")
	if err := fs.Parse(args); err != nil {
		return options{}, err
	}
	if fs.NArg() > 0 {
		return options{}, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	o := options{
		login: *login, sessions: *sessions, duration: *duration, streamHold: *streamHold,
		maxRequests: *maxRequests, timeout: *timeout, allowRemote: *allowRemote, mailbox: *mailbox,
		loginTimeout: *timeout, accounts: *accounts, settle: *settle, loginsAtOnce: *loginsAtOnce, think: *think,
	}
	for t := range strings.SplitSeq(*terms, ",") {
		if t = strings.TrimSpace(t); t != "" {
			o.searchTerms = append(o.searchTerms, t)
		}
	}
	switch {
	case *passwordFile != "":
		b, err := os.ReadFile(*passwordFile)
		if err != nil {
			return options{}, fmt.Errorf("password file: %w", err)
		}
		o.password = strings.TrimRight(string(b), "\r\n")
	case getenv("WEBMAIL_LOAD_PASSWORD") != "":
		o.password = getenv("WEBMAIL_LOAD_PASSWORD")
	default:
		o.password = *password
	}
	var err error
	if o.bases, err = parseURLs("-url", *rawURL, o.allowRemote, false); err != nil {
		return options{}, err
	}
	for _, u := range o.bases[1:] {
		if u.Hostname() != o.bases[0].Hostname() {
			return options{}, fmt.Errorf("-url: instances at %s and %s: give them one host name (a browser sends its cookies to one host, whatever the port)", o.bases[0].Host, u.Host)
		}
	}
	if *rawMetrics != "" {
		if o.metrics, err = parseURLs("-metrics", *rawMetrics, o.allowRemote, true); err != nil {
			return options{}, err
		}
	}
	switch {
	case o.login == "":
		return options{}, errors.New("-login is empty")
	case o.loginsAtOnce < 1:
		return options{}, fmt.Errorf("-logins-at-once %d: want at least 1", o.loginsAtOnce)
	case o.accounts < 1 || o.accounts > maxSessions:
		return options{}, fmt.Errorf("-accounts %d: want 1 to %d", o.accounts, maxSessions)
	case o.accounts > 1 && !strings.Contains(o.login, "{n}"):
		return options{}, errors.New("-accounts: -login needs {n} where the account's number goes, such as user{n}@example.org")
	case o.password == "":
		return options{}, errors.New("no password: give -password-file, WEBMAIL_LOAD_PASSWORD or -password")
	case o.sessions < 1 || o.sessions > maxSessions:
		return options{}, fmt.Errorf("-sessions %d: want 1 to %d", o.sessions, maxSessions)
	case o.duration <= 0 || o.duration > maxDuration:
		return options{}, fmt.Errorf("-duration %v: want more than 0 and at most %v", o.duration, maxDuration)
	case o.maxRequests < 1:
		return options{}, fmt.Errorf("-max-requests %d: want at least 1", o.maxRequests)
	case o.timeout <= 0 || o.streamHold < 0 || o.settle < 0 || o.think < 0:
		return options{}, errors.New("-timeout, -stream-hold, -settle and -think must be positive")
	case len(o.searchTerms) == 0:
		return options{}, errors.New("-search has no query")
	}
	return o, nil
}

// parseURLs reads a comma-separated list of http(s) URLs. Base URLs have no
// path (the webmail is not served under a sub-path); metrics URLs do.
func parseURLs(flagName, list string, allowRemote, withPath bool) ([]*url.URL, error) {
	var urls []*url.URL
	for raw := range strings.SplitSeq(list, ",") {
		raw = strings.TrimSpace(raw)
		u, err := url.Parse(raw)
		switch {
		case err != nil:
			return nil, fmt.Errorf("%s: %w", flagName, err)
		case u.Scheme != "http" && u.Scheme != "https", u.Host == "":
			return nil, fmt.Errorf("%s %q: want http://host:port or https://host:port", flagName, raw)
		case !withPath && u.Path != "" && u.Path != "/":
			return nil, fmt.Errorf("%s %q: no path, please (the webmail is not served under a sub-path)", flagName, raw)
		case !allowRemote && !isLoopback(u.Hostname()):
			return nil, fmt.Errorf("%s %q is not a loopback address: give -allow-remote to load another machine", flagName, raw)
		}
		if !withPath {
			u.Path = ""
		}
		urls = append(urls, u)
	}
	return urls, nil
}

// accountLogin is the login name of session i: with several accounts,
// sessions take them in turn.
func accountLogin(o options, i int) string {
	if o.accounts == 1 {
		return o.login
	}
	return strings.ReplaceAll(o.login, "{n}", strconv.Itoa(i%o.accounts+1))
}

// hosts lists the instances' host:port for the report.
func hosts(urls []*url.URL) string {
	var h []string
	for _, u := range urls {
		h = append(h, u.Host)
	}
	return strings.Join(h, ", ")
}

// isLoopback says whether host is "localhost" or a loopback IP address.
// Other names are refused: what they resolve to is not ours to know.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// run is the whole program, so tests can run it with their own arguments.
func run(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	o, err := parseOptions(args, getenv, stdout)
	if err != nil {
		return err
	}
	transport := &http.Transport{
		Proxy:               nil, // a load aimed at loopback goes to loopback
		MaxIdleConnsPerHost: o.sessions * 2,
		IdleConnTimeout:     90 * time.Second,
	}
	defer transport.CloseIdleConnections()

	var watch *watcher
	if len(o.metrics) > 0 {
		watch = newWatcher(o.metrics, &http.Client{Transport: transport, Timeout: o.timeout})
		watch.snapshot(ctx, "before")
	}
	fmt.Fprintf(stdout, "logging in %d sessions as %s at %s\n", o.sessions, o.login, hosts(o.bases))
	sessions := make([]*session, o.sessions)
	g := make(chan error, o.sessions)
	// Logins ramp up a few at a time, as people arrive: hundreds at the
	// same instant would measure the IMAP server's login processes.
	gate := make(chan struct{}, o.loginsAtOnce)
	loginStart := time.Now()
	for i := range sessions {
		jar, _ := cookiejar.New(nil)
		s := &session{o: &o, index: i, account: accountLogin(o, i), rng: rand.New(rand.NewPCG(uint64(i), 1)), hc: &http.Client{
			Transport: transport,
			Jar:       jar,
			// Redirects are answers to check, not to follow.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}}
		sessions[i] = s
		go func() {
			gate <- struct{}{}
			defer func() { <-gate }()
			g <- s.login(ctx)
		}()
	}
	var loginErrs []error
	for range sessions {
		if err := <-g; err != nil {
			loginErrs = append(loginErrs, err)
		}
	}
	if len(loginErrs) > 0 {
		return fmt.Errorf("login failed for %d of %d sessions: %w", len(loginErrs), o.sessions, loginErrs[0])
	}
	fmt.Fprintf(stdout, "logged in in %v\n", time.Since(loginStart).Round(time.Millisecond))

	rec := newRecorder(o.maxRequests)
	loadCtx, cancel := context.WithTimeout(ctx, o.duration)
	defer cancel()
	if watch != nil {
		watch.snapshot(ctx, "logged in")
		go watch.peak(loadCtx, time.Second)
	}
	start := time.Now()
	var wg sync.WaitGroup
	for _, s := range sessions {
		wg.Go(func() { s.drive(loadCtx, rec) })
	}
	wg.Wait()
	elapsed := time.Since(start)
	if watch != nil {
		watch.raise(ctx) // the load's end, before the logouts
	}
	for _, s := range sessions {
		s.logout(ctx)
	}
	rec.report(stdout, o, elapsed)
	if watch != nil {
		watch.snapshot(ctx, "logged out")
		if o.settle > 0 {
			select {
			case <-ctx.Done():
			case <-time.After(o.settle):
				watch.snapshot(ctx, fmt.Sprintf("+%v", o.settle))
			}
		}
		watch.report(stdout)
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if n := rec.errorCount(); n > 0 {
		return fmt.Errorf("%d requests failed", n)
	}
	return nil
}
