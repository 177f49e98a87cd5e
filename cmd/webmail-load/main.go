// Command webmail-load drives a mixed load against a running webmail: it
// logs in a number of sessions of one account, then, for a fixed time, each
// session lists the inbox, opens messages from the list, searches, and
// holds live-update streams open, one request after another. At the end
// it prints the throughput, the median and 99th percentile latency of each
// kind of request, and the errors by kind and status.
//
//	WEBMAIL_LOAD_PASSWORD=demo go run ./cmd/webmail-load \
//	    -url http://127.0.0.1:8080 -login demo@example.org -sessions 20 -duration 30s
//
// The password comes from -password-file, else WEBMAIL_LOAD_PASSWORD, else
// -password (which leaves it in the shell history). Only loopback URLs are
// accepted unless -allow-remote is given: a load test is something to aim
// deliberately.
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/signal"
	"slices"
	"strings"
	"sync"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/PuerkitoBio/goquery"
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
	base         *url.URL
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
	rawURL := fs.String("url", "http://127.0.0.1:8080", "base URL of the webmail")
	login := fs.String("login", "demo@example.org", "login name of the account every session uses")
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
		loginTimeout: *timeout,
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
	u, err := url.Parse(*rawURL)
	switch {
	case err != nil:
		return options{}, fmt.Errorf("-url: %w", err)
	case u.Scheme != "http" && u.Scheme != "https", u.Host == "":
		return options{}, fmt.Errorf("-url %q: want http://host:port or https://host:port", *rawURL)
	case u.Path != "" && u.Path != "/":
		return options{}, fmt.Errorf("-url %q: no path, please (the webmail is not served under a sub-path)", *rawURL)
	case !o.allowRemote && !isLoopback(u.Hostname()):
		return options{}, fmt.Errorf("-url %q is not a loopback address: give -allow-remote to load another machine", *rawURL)
	}
	u.Path = ""
	o.base = u
	switch {
	case o.login == "":
		return options{}, errors.New("-login is empty")
	case o.password == "":
		return options{}, errors.New("no password: give -password-file, WEBMAIL_LOAD_PASSWORD or -password")
	case o.sessions < 1 || o.sessions > maxSessions:
		return options{}, fmt.Errorf("-sessions %d: want 1 to %d", o.sessions, maxSessions)
	case o.duration <= 0 || o.duration > maxDuration:
		return options{}, fmt.Errorf("-duration %v: want more than 0 and at most %v", o.duration, maxDuration)
	case o.maxRequests < 1:
		return options{}, fmt.Errorf("-max-requests %d: want at least 1", o.maxRequests)
	case o.timeout <= 0 || o.streamHold < 0:
		return options{}, errors.New("-timeout and -stream-hold must be positive")
	case len(o.searchTerms) == 0:
		return options{}, errors.New("-search has no query")
	}
	return o, nil
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

	fmt.Fprintf(stdout, "logging in %d sessions as %s at %s\n", o.sessions, o.login, o.base)
	sessions := make([]*session, o.sessions)
	g := make(chan error, o.sessions)
	for i := range sessions {
		jar, _ := cookiejar.New(nil)
		s := &session{o: &o, index: i, rng: rand.New(rand.NewPCG(uint64(i), 1)), hc: &http.Client{
			Transport: transport,
			Jar:       jar,
			// Redirects are answers to check, not to follow.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}}
		sessions[i] = s
		go func() { g <- s.login(ctx) }()
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

	rec := newRecorder(o.maxRequests)
	loadCtx, cancel := context.WithTimeout(ctx, o.duration)
	defer cancel()
	start := time.Now()
	var wg sync.WaitGroup
	for _, s := range sessions {
		wg.Go(func() { s.drive(loadCtx, rec) })
	}
	wg.Wait()
	elapsed := time.Since(start)
	for _, s := range sessions {
		s.logout(ctx)
	}
	rec.report(stdout, o, elapsed)
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if n := rec.errorCount(); n > 0 {
		return fmt.Errorf("%d requests failed", n)
	}
	return nil
}

// session is one browser: a cookie jar and the message links it last saw.
type session struct {
	o     *options
	hc    *http.Client
	rng   *rand.Rand
	index int // of the session, from 0
	sent  int
	links []string
	term  int
}

// errLoginRefused is a wrong login name or password.
var errLoginRefused = errors.New("the webmail refused the login name or password")

func (s *session) login(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, s.o.loginTimeout)
	defer cancel()
	form := url.Values{"login": {s.o.login}, "password": {s.o.password}, "next": {""}}
	req, err := s.request(ctx, "POST", "/login", strings.NewReader(form.Encode()))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := s.hc.Do(req)
	if err != nil {
		return err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusSeeOther, http.StatusFound:
		return nil
	case http.StatusUnauthorized:
		return errLoginRefused
	case http.StatusTooManyRequests:
		return errors.New("login rate limited (status 429): raise limits.login_per_ip, limits.login_per_user and limits.login_burst on the webmail for the test, or use fewer sessions")
	default:
		return fmt.Errorf("POST /login: status %d", resp.StatusCode)
	}
}

func (s *session) logout(ctx context.Context) {
	ctx, cancel := context.WithTimeout(ctx, s.o.timeout)
	defer cancel()
	req, err := s.request(ctx, "POST", "/logout", nil)
	if err != nil {
		return
	}
	if resp, err := s.hc.Do(req); err == nil {
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
}

// request is a request as a same-origin browser sends it, which is what
// the webmail's cross-origin protection lets through.
func (s *session) request(ctx context.Context, method, path string, body io.Reader) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, method, s.o.base.String()+path, body)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	req.Header.Set("User-Agent", "webmail-load")
	return req, nil
}

// The kinds of request, with the share of the load each gets.
const (
	kindList   = "list"
	kindOpen   = "open"
	kindSearch = "search"
	kindStream = "stream"
)

var kinds = []string{kindList, kindOpen, kindSearch, kindStream}

// pick chooses the next kind of request: first a list (for links), then
// each kind once starting at the session's own offset, so that even a short
// run with few sessions covers every kind, then at random.
func (s *session) pick() string {
	s.sent++
	if s.sent <= len(kinds) {
		if s.sent == 1 {
			return kindList
		}
		return kinds[1+(s.index+s.sent-2)%(len(kinds)-1)]
	}
	switch n := s.rng.IntN(100); {
	case len(s.links) == 0 || n < 35:
		return kindList
	case n < 70:
		return kindOpen
	case n < 90:
		return kindSearch
	default:
		return kindStream
	}
}

// drive sends one request after another until ctx ends or the recorder
// is full.
func (s *session) drive(ctx context.Context, rec *recorder) {
	for ctx.Err() == nil {
		kind := s.pick()
		var (
			d      time.Duration
			status int
			err    error
		)
		switch kind {
		case kindList:
			d, status, err = s.page(ctx, "/m/"+url.PathEscape(s.o.mailbox), true)
		case kindOpen:
			if len(s.links) == 0 {
				continue // the folder is empty
			}
			d, status, err = s.page(ctx, s.links[s.rng.IntN(len(s.links))], false)
		case kindSearch:
			q := s.o.searchTerms[s.term%len(s.o.searchTerms)]
			s.term++
			d, status, err = s.page(ctx, "/m/"+url.PathEscape(s.o.mailbox)+"?q="+url.QueryEscape(q), false)
		case kindStream:
			d, status, err = s.stream(ctx)
		}
		if err != nil && ctx.Err() != nil {
			return // cut by the end of the run: not counted
		}
		if !rec.add(kind, d, status, err) {
			return
		}
	}
}

// page GETs path, wanting 200; from a list it keeps the message links.
func (s *session) page(ctx context.Context, path string, keepLinks bool) (time.Duration, int, error) {
	ctx, cancel := context.WithTimeout(ctx, s.o.timeout)
	defer cancel()
	req, err := s.request(ctx, "GET", path, nil)
	if err != nil {
		return 0, 0, err
	}
	start := time.Now()
	resp, err := s.hc.Do(req)
	if err != nil {
		return time.Since(start), 0, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	d := time.Since(start)
	if err != nil {
		return d, resp.StatusCode, err
	}
	if resp.StatusCode != http.StatusOK {
		return d, resp.StatusCode, nil
	}
	if keepLinks {
		doc, err := goquery.NewDocumentFromReader(bytes.NewReader(body))
		if err != nil {
			return d, resp.StatusCode, err
		}
		links := s.links[:0]
		doc.Find("[data-testid=row] a[href]").Each(func(_ int, a *goquery.Selection) {
			if h, _ := a.Attr("href"); strings.HasPrefix(h, "/m/") {
				links = append(links, h)
			}
		})
		s.links = links
	}
	return d, resp.StatusCode, nil
}

// stream opens the folder's live-update stream, holds it open for
// stream-hold, and closes it. Its latency is the time to the first bytes
// of the stream (the webmail sends a comment at once).
func (s *session) stream(ctx context.Context) (time.Duration, int, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	req, err := s.request(ctx, "GET", "/m/"+url.PathEscape(s.o.mailbox)+"/events", nil)
	if err != nil {
		return 0, 0, err
	}
	req.Header.Set("Accept", "text/event-stream")
	start := time.Now()
	first := time.AfterFunc(s.o.timeout, cancel) // bound the wait for the first bytes
	resp, err := s.hc.Do(req)
	if err != nil {
		first.Stop()
		return time.Since(start), 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		first.Stop()
		return time.Since(start), resp.StatusCode, nil
	}
	buf := make([]byte, 4096)
	n, err := resp.Body.Read(buf)
	d := time.Since(start)
	if !first.Stop() || n == 0 {
		return d, resp.StatusCode, fmt.Errorf("no event: %w", err)
	}
	// The webmail declines to watch (too many streams for the account, or
	// the server unavailable) with one event and the end of the stream.
	for _, refusal := range []string{"busy", "unavailable", "close"} {
		if bytes.Contains(buf[:n], []byte("event: "+refusal+"\n")) {
			return d, resp.StatusCode, streamRefused(refusal)
		}
	}
	// Held open, as a browser with the page open would, reading what comes.
	hold := time.AfterFunc(s.o.streamHold, cancel)
	defer hold.Stop()
	for {
		if _, err := resp.Body.Read(buf); err != nil {
			break
		}
	}
	return d, resp.StatusCode, nil
}

// streamRefused is the event with which the webmail declined a stream.
type streamRefused string

func (e streamRefused) Error() string { return "event " + string(e) }

// recorder collects the latency and outcome of every request.
type recorder struct {
	mu     sync.Mutex
	max    int
	n      int
	lat    map[string][]time.Duration
	errors map[string]int // "kind status" or "kind error text"
}

func newRecorder(max int) *recorder {
	return &recorder{max: max, lat: map[string][]time.Duration{}, errors: map[string]int{}}
}

// add records one request; false once the run's request bound is reached.
func (r *recorder) add(kind string, d time.Duration, status int, err error) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.n >= r.max {
		return false
	}
	r.n++
	switch {
	case err != nil:
		r.errors[kind+" "+errorClass(err)]++
	case status != http.StatusOK:
		r.errors[fmt.Sprintf("%s status %d", kind, status)]++
	default:
		r.lat[kind] = append(r.lat[kind], d)
	}
	return r.n < r.max
}

// errorClass names an error without its variable parts (ports, paths).
func errorClass(err error) string {
	var ne net.Error
	var refused streamRefused
	switch {
	case errors.As(err, &refused):
		return refused.Error()
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return "timeout"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, io.ErrUnexpectedEOF):
		return "connection reset"
	}
	return "error"
}

func (r *recorder) errorCount() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, c := range r.errors {
		n += c
	}
	return n
}

func (r *recorder) report(w io.Writer, o options, elapsed time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	fmt.Fprintf(w, "%d sessions for %v: %d requests, %.1f req/s, %d errors\n",
		o.sessions, elapsed.Round(time.Millisecond), r.n, float64(r.n)/elapsed.Seconds(), r.n-r.okCount())
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "kind\tok\treq/s\tp50\tp99\t")
	for _, k := range kinds {
		lat := slices.Clone(r.lat[k])
		slices.Sort(lat)
		fmt.Fprintf(tw, "%s\t%d\t%.1f\t%s\t%s\t\n", k, len(lat), float64(len(lat))/elapsed.Seconds(),
			fmtDuration(percentile(lat, 50)), fmtDuration(percentile(lat, 99)))
	}
	tw.Flush()
	if len(r.errors) > 0 {
		fmt.Fprintln(w, "errors:")
		for _, k := range slices.Sorted(maps.Keys(r.errors)) {
			fmt.Fprintf(w, "  %s: %d\n", k, r.errors[k])
		}
	}
	if n := len(r.lat[kindStream]); n > 0 {
		fmt.Fprintf(w, "stream latency is the time to the first bytes; each stream was then held open %v\n", o.streamHold)
	}
}

func (r *recorder) okCount() int {
	n := 0
	for _, l := range r.lat {
		n += len(l)
	}
	return n
}

// percentile is the nearest-rank percentile p of sorted durations.
func percentile(sorted []time.Duration, p int) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := (len(sorted)*p + 99) / 100
	return sorted[max(i, 1)-1]
}

func fmtDuration(d time.Duration) string {
	if d == 0 {
		return "-"
	}
	return fmt.Sprintf("%.1fms", float64(d.Microseconds())/1000)
}
