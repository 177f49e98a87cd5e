package app

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"webmail/config"
)

// connProxy is a TCP proxy in front of the IMAP server that counts the
// connections open through it.
type connProxy struct {
	addr        string
	open, total atomic.Int64
}

func newConnProxy(t testing.TB, upstream string) *connProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	p := &connProxy{addr: ln.Addr().String()}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			up, err := net.Dial("tcp", upstream)
			if err != nil {
				c.Close()
				continue
			}
			p.open.Add(1)
			p.total.Add(1)
			var once sync.Once
			closeBoth := func() {
				once.Do(func() {
					c.Close()
					up.Close()
					p.open.Add(-1)
				})
			}
			go func() { io.Copy(c, up); closeBoth() }()
			go func() { io.Copy(up, c); closeBoth() }()
		}
	}()
	return p
}

// newLiveEnv is a webmail whose IMAP connections go through a counting
// proxy. Its streams end before the test server closes.
func newLiveEnv(t *testing.T) (*env, *connProxy) {
	t.Helper()
	base := newEnv(t)
	proxy := newConnProxy(t, base.demo.IMAPAddr())
	e := newEnv(t, func(c *config.Config) {
		host, port := splitHostPort(t, proxy.addr)
		c.IMAP = config.Server{Host: host, Port: port, Security: config.SecurityPlain}
	})
	e.demo, e.acct = base.demo, base.acct
	t.Cleanup(e.app.EndStreams)
	return e, proxy
}

// sseEvent is one server-sent event; a comment counts as one.
type sseEvent struct {
	comment, id, event, data, retry string
}

// stream is an open event stream, read as htmx's SSE extension would.
type stream struct {
	t      testing.TB
	cancel context.CancelFunc
	events chan sseEvent
}

// openStream GETs an event stream with the client's cookies and reads it
// in the background.
func (c *client) openStream(t testing.TB, path string) *stream {
	t.Helper()
	return c.resumeStream(t, path, "")
}

// resumeStream is openStream as the browser reconnects: with the id of the
// last event it got, if any.
func (c *client) resumeStream(t testing.TB, path, lastEventID string) *stream {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, err := http.NewRequestWithContext(ctx, "GET", c.e.srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if lastEventID != "" {
		req.Header.Set("Last-Event-ID", lastEventID)
	}
	req.Header.Set("HX-Request", "true")
	req.Header.Set("Accept", "text/html, text/event-stream")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	resp, err := c.hc.Do(req)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	if ct := resp.Header.Get("Content-Type"); resp.StatusCode != http.StatusOK || ct != "text/event-stream" {
		cancel()
		resp.Body.Close()
		t.Fatalf("GET %s: status %d, Content-Type %q", path, resp.StatusCode, ct)
	}
	s := &stream{t: t, cancel: cancel, events: make(chan sseEvent, 64)}
	go func() {
		defer close(s.events)
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
		var ev sseEvent
		seen := false
		for sc.Scan() {
			line := sc.Text()
			if line == "" {
				if seen {
					s.events <- ev
				}
				ev, seen = sseEvent{}, false
				continue
			}
			field, value, _ := strings.Cut(line, ":")
			value = strings.TrimPrefix(value, " ")
			switch field {
			case "":
				ev.comment = value
			case "id":
				ev.id = value
			case "event":
				ev.event = value
			case "retry":
				ev.retry = value
			case "data":
				if ev.data != "" {
					ev.data += "\n"
				}
				ev.data += value
			}
			seen = true
		}
	}()
	return s
}

// waitFor returns the first event that ok accepts, failing after d or
// when the stream ends first.
func (s *stream) waitFor(d time.Duration, what string, ok func(sseEvent) bool) sseEvent {
	s.t.Helper()
	deadline := time.After(d)
	var skipped []sseEvent
	for {
		select {
		case ev, open := <-s.events:
			if !open {
				s.t.Fatalf("stream ended before %s; got %q", what, skipped)
			}
			if ok(ev) {
				return ev
			}
			skipped = append(skipped, ev)
		case <-deadline:
			s.t.Fatalf("no %s within %v; got %q", what, d, skipped)
		}
	}
}

// ended reports whether the stream ends within d (events are drained).
func (s *stream) ended(d time.Duration) bool {
	deadline := time.After(d)
	for {
		select {
		case _, open := <-s.events:
			if !open {
				return true
			}
		case <-deadline:
			return false
		}
	}
}

// endedNow reports whether the stream has ended, without waiting (the
// events that came are drained).
func (s *stream) endedNow() bool {
	for {
		select {
		case _, open := <-s.events:
			if !open {
				return true
			}
		default:
			return false
		}
	}
}

func isData(ev sseEvent) bool { return ev.data != "" }

func named(name string) func(sseEvent) bool {
	return func(ev sseEvent) bool { return ev.event == name }
}

// watching waits until the stream's watcher is ready: its first event
// names the page's place in the mailbox.
func (s *stream) watching() {
	s.t.Helper()
	s.waitFor(5*time.Second, "the watcher's first id", func(ev sseEvent) bool { return ev.id != "" })
}

// idling waits for a heartbeat after the watcher's start: the watcher has
// then been in IDLE for a while. (go-imap's server answers IDLE before it
// listens for news, and what happens in between waits for the next
// command; a heartbeat's time is ample margin.)
func (s *stream) idling() {
	s.t.Helper()
	s.watching()
	s.waitFor(5*time.Second, "a heartbeat", func(ev sseEvent) bool { return ev == sseEvent{} })
}

// liveURL reads the stream address from a folder page, as htmx would.
func (c *client) liveURL(t testing.TB, folder string) string {
	t.Helper()
	doc := c.page(t, "/m/"+url.PathEscape(folder), http.StatusOK)
	u, ok := doc.Find("[data-testid=live]").Attr("hx-sse:connect")
	if !ok {
		t.Fatalf("%s has no live update stream", folder)
	}
	return u
}

func liveMessage(subject string) []byte {
	return []byte("From: Live Sender <live@example.org>\r\n" +
		"To: demo@example.org\r\n" +
		"Subject: " + subject + "\r\n" +
		"Date: " + time.Now().Format(time.RFC1123Z) + "\r\n" +
		"Message-ID: <" + strconv.FormatInt(time.Now().UnixNano(), 36) + "@example.org>\r\n" +
		"Content-Type: text/plain; charset=utf-8\r\n\r\nJust arrived.\r\n")
}

// eventually polls cond for up to 5 seconds.
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !cond(); {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not after 5 s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// setLimits changes the bounds of the streams for a test.
func (h *liveStreams) setLimits(max int, heartbeat time.Duration) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.max, h.heartbeat = max, heartbeat
}

func (h *liveStreams) setPerSession(n int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.perSession = n
}

// goroutinesStable closes idle HTTP connections and returns the goroutine
// count once it has stopped moving.
func goroutinesStable() int {
	last, same := -1, 0
	for deadline := time.Now().Add(5 * time.Second); same < 5 && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		http.DefaultTransport.(*http.Transport).CloseIdleConnections()
		if n := runtime.NumGoroutine(); n == last {
			same++
		} else {
			last, same = n, 0
		}
	}
	return last
}

// goroutinesSettle waits for the goroutine count to drop to at most want,
// after idle HTTP connections are closed, and returns the count.
func goroutinesSettle(want int) int {
	n := 0
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		http.DefaultTransport.(*http.Transport).CloseIdleConnections()
		if n = runtime.NumGoroutine(); n <= want {
			break
		}
	}
	return n
}

// TestLiveNewMail is not parallel, nor is TestLiveManyTabs: they count the
// program's goroutines.
func TestLiveNewMail(t *testing.T) {
	e, proxy := newLiveEnv(t)
	e.app.live.setLimits(maxStreams, 100*time.Millisecond)
	c := e.client()
	c.login(t, e.acct.Login, e.acct.Password)

	doc := c.page(t, "/m/INBOX", http.StatusOK)
	if href, _ := doc.Find("[data-testid=check-mail]").Attr("href"); href != "/m/INBOX" {
		t.Errorf("Check for new mail links to %q, want /m/INBOX", href)
	}
	path, _ := doc.Find("[data-testid=live]").Attr("hx-sse:connect")
	if !strings.Contains(path, "since=") {
		t.Errorf("stream %q of the first page does not ask for rows", path)
	}
	validity, _ := doc.Find("input[name=validity]").Attr("value")

	baseGoroutines := goroutinesStable()
	baseConns := proxy.open.Load()

	s := c.openStream(t, path)
	s.idling()
	if got := proxy.open.Load() - baseConns; got != 1 {
		t.Errorf("%d IMAP connections opened for the stream, want 1 (the kept one serves requests)", got)
	}

	if err := e.demo.Append(context.Background(), e.acct.Login, "INBOX", liveMessage("Breaking: live update works"), nil, time.Now()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Log(e.logs.String())
		}
	})
	ev := s.waitFor(5*time.Second, "an update with the new message", isData)
	frag, err := goquery.NewDocumentFromReader(strings.NewReader(ev.data))
	if err != nil {
		t.Fatal(err)
	}
	rows := frag.Find(`hx-partial[hx-target="#bulk > ol.rows"]`)
	if got := text(rows.Find("[data-testid=row] .subject")); got != "Breaking: live update works" {
		t.Errorf("new row subject = %q\n%s", got, ev.data)
	}
	if rows.Find("[data-testid=row].unread").Length() != 1 {
		t.Error("the new row is not marked unread")
	}
	if got := frag.Find(`hx-partial[hx-target="#folders"] [data-testid=folder]`).Length(); got == 0 {
		t.Error("no folder tree in the update")
	}
	inboxCount := text(frag.Find(`hx-partial[hx-target="#folders"] [data-role=inbox] [data-testid=unseen]`))
	if title := text(frag.Find("title")); title != "Inbox ("+inboxCount+") · Webmail" {
		t.Errorf("title = %q, want the inbox's unread count %s", title, inboxCount)
	}
	if v, _, _ := strings.Cut(ev.id, "."); v != validity {
		t.Errorf("event id %q, want it to start with UIDVALIDITY %s", ev.id, validity)
	}

	// The next page shows the counts the update showed, without a LIST.
	doc = c.page(t, "/m/INBOX", http.StatusOK)
	if got := text(doc.Find("[data-role=inbox] [data-testid=unseen]")); got != inboxCount {
		t.Errorf("next page: inbox count %s, want %s as the update said", got, inboxCount)
	}

	// The browser goes away: stream, watcher and IMAP connection end.
	s.cancel()
	eventually(t, "stream closed", func() bool { return e.app.live.count() == 0 && e.app.pool.Stats().Watching == 0 })
	eventually(t, "watcher's IMAP connection closed", func() bool { return proxy.open.Load() == baseConns })
	if n := goroutinesSettle(baseGoroutines + 2); n > baseGoroutines+2 {
		t.Errorf("goroutines: %d after the stream ended, %d before it", n, baseGoroutines)
	}
}

// TestLiveOnlyCounts: a later page, a search or a sort gets no rows, only
// the counts and the title.
func TestLiveOnlyCounts(t *testing.T) {
	t.Parallel()
	e, _ := newLiveEnv(t)
	e.app.live.setLimits(maxStreams, 100*time.Millisecond)
	c := e.client()
	c.login(t, e.acct.Login, e.acct.Password)
	doc := c.page(t, "/m/INBOX?page=2", http.StatusOK)
	path, _ := doc.Find("[data-testid=live]").Attr("hx-sse:connect")
	if strings.Contains(path, "since=") {
		t.Errorf("stream %q of page 2 asks for rows", path)
	}
	s := c.openStream(t, path)
	s.idling()
	if err := e.demo.Append(context.Background(), e.acct.Login, "INBOX", liveMessage("Counts only"), nil, time.Now()); err != nil {
		t.Fatal(err)
	}
	ev := s.waitFor(5*time.Second, "an update", isData)
	if strings.Contains(ev.data, "Counts only") || strings.Contains(ev.data, "ol.rows") {
		t.Errorf("page 2 got rows:\n%s", ev.data)
	}
	if !strings.Contains(ev.data, `hx-target="#folders"`) || !strings.Contains(ev.data, "<title>Inbox (") {
		t.Errorf("update lacks the tree or the title:\n%s", ev.data)
	}
	s.cancel()
}

// TestLiveReconnectCatchesUp: after a reconnection (Last-Event-ID) the
// browser hears of what it missed.
func TestLiveReconnectCatchesUp(t *testing.T) {
	t.Parallel()
	e, _ := newLiveEnv(t)
	c := e.client()
	c.login(t, e.acct.Login, e.acct.Password)
	path := c.liveURL(t, "INBOX")
	s := c.openStream(t, path)
	first := s.waitFor(5*time.Second, "the first id", func(ev sseEvent) bool { return ev.id != "" })
	s.cancel()
	if err := e.demo.Append(context.Background(), e.acct.Login, "INBOX", liveMessage("While you were away"), nil, time.Now()); err != nil {
		t.Fatal(err)
	}
	eventually(t, "first stream gone", func() bool { return e.app.live.count() == 0 })

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", e.srv.URL+path, nil)
	req.Header.Set("HX-Request", "true")
	req.Header.Set("Last-Event-ID", first.id)
	resp, err := c.hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	r := bufio.NewReader(resp.Body)
	done := make(chan string, 1)
	go func() {
		for {
			line, err := r.ReadString('\n')
			if strings.Contains(line, "While you were away") || err != nil {
				done <- line
				return
			}
		}
	}()
	select {
	case line := <-done:
		if !strings.Contains(line, "While you were away") {
			t.Errorf("reconnected stream ended without the missed message")
		}
	case <-time.After(5 * time.Second):
		t.Error("reconnected stream did not bring the missed message")
	}
}

// TestLiveBounds: a share of streams per session, the newest wins; a cap
// on all streams; a logout and an expired session end them.
func TestLiveBounds(t *testing.T) {
	t.Parallel()
	e, proxy := newLiveEnv(t)
	e.app.live.setLimits(2, 100*time.Millisecond) // session checks come with heartbeats
	e.app.live.setPerSession(1)
	clients := make([]*client, 3)
	paths := make([]string, 3)
	for i := range clients {
		clients[i] = e.client()
		clients[i].login(t, e.acct.Login, e.acct.Password)
		paths[i] = clients[i].liveURL(t, "INBOX")
	}
	baseConns := proxy.open.Load()

	t.Run("a new stream replaces the session's old one", func(t *testing.T) {
		old := clients[0].openStream(t, paths[0])
		old.watching()
		fresh := clients[0].openStream(t, paths[0])
		old.waitFor(5*time.Second, "a close event on the replaced stream", named("close"))
		if !old.ended(5 * time.Second) {
			t.Error("the replaced stream stays open")
		}
		fresh.watching()
		if got := e.app.live.count(); got != 1 {
			t.Errorf("%d streams open, want 1", got)
		}
		if got := e.app.pool.Stats().Watching; got != 1 {
			t.Errorf("%d watchers, want 1", got)
		}
		eventually(t, "one watcher connection", func() bool { return proxy.open.Load()-baseConns == 1 })
	})

	t.Run("the cap on all streams", func(t *testing.T) {
		second := clients[1].openStream(t, paths[1])
		second.watching()
		third := clients[2].openStream(t, paths[2])
		ev := third.waitFor(5*time.Second, "a busy event", named("busy"))
		if ev.retry != "60000" {
			t.Errorf("busy retry = %q, want 60000 ms", ev.retry)
		}
		if !third.ended(5 * time.Second) {
			t.Error("a refused stream stays open")
		}
		// A session at its share may still replace its stream.
		again := clients[1].openStream(t, paths[1])
		again.watching()
		second.waitFor(5*time.Second, "a close event on the replaced stream", named("close"))
		if got := e.app.live.count(); got != 2 {
			t.Errorf("%d streams open, want 2", got)
		}
	})

	t.Run("logout ends the session's stream", func(t *testing.T) {
		e.app.live.setLimits(maxStreams, 100*time.Millisecond)
		s := clients[2].openStream(t, paths[2])
		s.watching()
		resp := clients[2].do(t, "POST", "/logout", url.Values{})
		resp.Body.Close()
		s.waitFor(5*time.Second, "a close event after logout", named("close"))
		if !s.ended(5 * time.Second) {
			t.Error("stream open after logout")
		}
	})

	t.Run("an expired session ends its stream", func(t *testing.T) {
		s := clients[1].openStream(t, paths[1])
		s.watching()
		u, _ := url.Parse(e.srv.URL)
		for _, ck := range clients[1].jar.Cookies(u) {
			if ck.Name == "wm_session" {
				e.store.Delete(ck.Value) // as the idle timeout would
			}
		}
		s.waitFor(5*time.Second, "a close event after expiry", named("close"))
		if !s.ended(5 * time.Second) {
			t.Error("stream open after its session expired")
		}
	})

	e.app.EndStreams()
	eventually(t, "streams closed", func() bool { return e.app.live.count() == 0 && e.app.pool.Stats().Watching == 0 })
	eventually(t, "watcher connections closed", func() bool { return proxy.open.Load() == baseConns })
}

// TestLiveManyTabs opens 50 streams for 5 sessions of one account at
// once, as 10 tabs each: each session keeps its share of streams, all of
// them share one watcher and one IMAP connection, and goroutines come
// back down when the tabs close.
func TestLiveManyTabs(t *testing.T) {
	const sessions, tabs = 5, 10
	e, proxy := newLiveEnv(t)
	clients := make([]*client, sessions)
	paths := make([]string, sessions)
	for i := range clients {
		clients[i] = e.client()
		clients[i].login(t, e.acct.Login, e.acct.Password)
		paths[i] = clients[i].liveURL(t, "INBOX")
	}
	baseGoroutines := goroutinesStable()
	baseTotal := proxy.total.Load()

	var (
		mu      sync.Mutex
		streams []*stream
		wg      sync.WaitGroup
	)
	for i := range sessions {
		for range tabs {
			wg.Go(func() {
				s := clients[i].openStream(t, paths[i])
				mu.Lock()
				streams = append(streams, s)
				mu.Unlock()
			})
		}
	}
	wg.Wait()
	const open = sessions * maxStreamsPerSession
	eventually(t, "each session's share of streams", func() bool { return e.app.live.count() == open })
	eventually(t, "one watcher shared by all streams of the account", func() bool { return e.app.pool.Stats().Watching == 1 })
	// The server holds its share of each session's streams: the others,
	// replaced, end, and only they.
	ended := map[*stream]bool{}
	eventually(t, "the replaced streams to end", func() bool {
		for _, s := range streams {
			if s.endedNow() {
				ended[s] = true
			}
		}
		return len(ended) >= sessions*tabs-open
	})
	if len(ended) != sessions*tabs-open {
		t.Errorf("%d streams ended, want the %d replaced ones", len(ended), sessions*tabs-open)
	}
	if got, budget := proxy.open.Load(), int64(e.app.cfg.IMAPConnections); got > budget {
		t.Errorf("%d IMAP connections open, want at most the account's %d", got, budget)
	}
	// Per open stream: the webmail's HTTP connection, its background read
	// and the stream's handler (3); the test client's connection and
	// reader (3); the one watcher's goroutines are shared.
	perStream := float64(goroutinesStable()-baseGoroutines) / open
	t.Logf("%.1f goroutines per open stream, all parties in this process; %d IMAP dials for %d stream requests",
		perStream, proxy.total.Load()-baseTotal, sessions*tabs)
	if perStream > 8 {
		t.Errorf("%.1f goroutines per open stream, want at most 8", perStream)
	}

	for _, s := range streams {
		s.cancel()
	}
	eventually(t, "streams closed", func() bool { return e.app.live.count() == 0 && e.app.pool.Stats().Watching == 0 })
	eventually(t, "the watcher's IMAP connection closed", func() bool { return proxy.open.Load() == int64(e.app.pool.Stats().Open) })
	if n := goroutinesSettle(baseGoroutines + 2); n > baseGoroutines+2 {
		t.Errorf("goroutines: %d after the tabs closed, %d before", n, baseGoroutines)
	}
}

// BenchmarkIdleStreams opens one live update stream for each of 500
// sessions of one account and reports what an open stream costs the
// webmail: heap, goroutine stacks, goroutines (the account's one watcher
// is shared). The demo server runs in a child process and the streams are
// raw TCP connections nobody reads, so only the webmail's side is
// measured.
func BenchmarkIdleStreams(b *testing.B) {
	const sessions = 500
	e := benchEnv(b, 0, 0)
	b.Cleanup(e.app.EndStreams)
	u, _ := url.Parse(e.srv.URL)
	reqs := make([]string, sessions)
	for i := range reqs {
		c := e.client()
		c.login(b, e.acct.Login, e.acct.Password)
		path := c.liveURL(b, "INBOX")
		var cookies []string
		for _, ck := range c.jar.Cookies(u) {
			cookies = append(cookies, ck.Name+"="+ck.Value)
		}
		reqs[i] = "GET " + path + " HTTP/1.1\r\nHost: " + u.Host + "\r\nCookie: " + strings.Join(cookies, "; ") +
			"\r\nHX-Request: true\r\nAccept: text/event-stream\r\nSec-Fetch-Site: same-origin\r\n\r\n"
	}
	var heap, stacks, goroutines float64
	for b.Loop() {
		http.DefaultTransport.(*http.Transport).CloseIdleConnections()
		runtime.GC()
		h0, s0, g0 := heapBytes(), stackBytes(), runtime.NumGoroutine()
		conns := make([]net.Conn, sessions)
		var wg sync.WaitGroup
		sem := make(chan struct{}, 50)
		for i := range conns {
			wg.Go(func() {
				sem <- struct{}{}
				defer func() { <-sem }()
				conns[i] = openRawStream(b, u.Host, reqs[i])
			})
		}
		wg.Wait()
		if got := e.app.pool.Stats().Watching; got != 1 {
			b.Fatalf("%d watchers, want 1", got)
		}
		runtime.GC()
		heap = float64(heapBytes()-h0) / sessions
		stacks = float64(stackBytes()-s0) / sessions
		goroutines = float64(runtime.NumGoroutine()-g0) / sessions
		for _, c := range conns {
			c.Close()
		}
		eventually(b, "streams closed", func() bool { return e.app.live.count() == 0 && e.app.pool.Stats().Watching == 0 })
	}
	b.ReportMetric(heap/1024, "heap-KB/stream")
	b.ReportMetric(stacks/1024, "stack-KB/stream")
	b.ReportMetric(goroutines, "goroutines/stream")
}

// openRawStream sends req and reads until the watcher is up (its first
// "id:" line), then leaves the connection unread.
func openRawStream(b *testing.B, host, req string) net.Conn {
	c, err := net.Dial("tcp", host)
	if err != nil {
		b.Error(err)
		return nil
	}
	if _, err := io.WriteString(c, req); err != nil {
		b.Error(err)
		return c
	}
	c.SetReadDeadline(time.Now().Add(30 * time.Second))
	var got []byte
	buf := make([]byte, 512)
	for !strings.Contains(string(got), "\nid: ") {
		n, err := c.Read(buf)
		got = append(got, buf[:n]...)
		if err != nil {
			b.Error(fmt.Errorf("stream: %w after %q", err, got))
			return c
		}
	}
	c.SetReadDeadline(time.Time{})
	return c
}

func stackBytes() int64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/stacks:bytes"}}
	metrics.Read(s)
	return int64(s[0].Value.Uint64())
}

// TestLiveFolderScreen: the phone's folder screen names its stream so, and
// an update's folder tree keeps "Folders" the page's h1 there.
func TestLiveFolderScreen(t *testing.T) {
	t.Parallel()
	e, _ := newLiveEnv(t)
	e.app.live.setLimits(maxStreams, 100*time.Millisecond)
	c := e.client()
	c.login(t, e.acct.Login, e.acct.Password)
	doc := c.page(t, "/folders", http.StatusOK)
	if got := text(doc.Find("#folders h1")); got != "Folders" {
		t.Fatalf("the folder screen's h1 is %q", got)
	}
	path, _ := doc.Find("[data-testid=live]").Attr("hx-sse:connect")
	s := c.openStream(t, path)
	s.idling()
	if err := e.demo.Append(context.Background(), e.acct.Login, "INBOX", liveMessage("On the folder screen"), nil, time.Now()); err != nil {
		t.Fatal(err)
	}
	ev := s.waitFor(5*time.Second, "an update", isData)
	if !strings.Contains(ev.data, `<h1 class="pane-title">Folders</h1>`) {
		t.Errorf("the update's folder tree has no h1 Folders:\n%s", ev.data)
	}
	s.cancel()
}
