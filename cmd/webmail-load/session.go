package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/PuerkitoBio/goquery"
)

// session is one browser: a cookie jar and the message links it last saw.
type session struct {
	o       *options
	hc      *http.Client
	rng     *rand.Rand
	index   int    // of the session, from 0
	account string // the login name
	sent    int    // requests picked
	calls   int    // requests made, logins and logouts included
	links   []string
	term    int
}

// errLoginRefused is a wrong login name or password.
var errLoginRefused = errors.New("the webmail refused the login name or password")

func (s *session) login(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, s.o.loginTimeout)
	defer cancel()
	form := url.Values{"login": {s.account}, "password": {s.o.password}, "next": {""}}
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
	// Each request goes to the next instance, as through a load balancer
	// without affinity.
	base := s.o.bases[(s.index+s.calls)%len(s.o.bases)]
	s.calls++
	req, err := http.NewRequestWithContext(ctx, method, base.String()+path, body)
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
	if s.o.think > 0 {
		// People do not all click at the same instant: with a think
		// time, each session starts within one.
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Duration(s.rng.Int64N(int64(s.o.think)))):
		}
	}
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
		if s.o.think > 0 {
			pause := s.o.think/2 + time.Duration(s.rng.Int64N(int64(s.o.think)))
			select {
			case <-ctx.Done():
				return
			case <-time.After(pause):
			}
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
