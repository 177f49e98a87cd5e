package app

// Live updates of an open folder. The list carries a hidden element with
// hx-sse:connect (views/live.templ); the htmx SSE extension opens
// GET /m/{mailbox}/events and swaps in what arrives: new rows on top of
// the list, rows whose marks changed elsewhere (morphed in place), rows
// deleted elsewhere (removed), the message count, the folder tree with
// fresh counts, the page title. The stream's URL names the rows the page
// shows and their marks (views.ShownRows), so the watcher reports what
// differs from the page, not from the moment the stream began. On the
// server every stream of an account that follows one mailbox shares one
// watcher (mail.Pool.Subscribe): an IMAP connection of the account's
// budget that EXAMINEs the mailbox and IDLEs, so the other connections
// stay free for requests and a person with many tabs and devices costs
// one connection per folder watched. Without JavaScript none of this
// runs; the list header has a plain "Check for new mail" link.
//
// The extension is vendored as assets/hx-sse-4.0.1.min.js: htmx.org 4.0.1
// from the npm registry, file dist/ext/hx-sse.min.js, sha256
// 18ef2761356ec1fe0bb6d92612315b37517a7c1e9856b661c5ae81fef239d103.

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"webmail"

	"github.com/klauspost/compress/gzhttp"

	"webmail/app/mail"
	"webmail/views"
)

// Bounds of the live streams. Each open stream holds a few goroutines and
// a share of its account's watcher (BenchmarkIdleStreams measures them).
const (
	maxStreams           = 1000 // open streams, all sessions together
	maxStreamsPerSession = 8    // tabs; a session's newest stream replaces its oldest
	heartbeatEvery       = 25 * time.Second
	sseWriteTimeout      = 30 * time.Second
	// How long a browser waits before it asks again, when the streams are
	// all taken or the mail server cannot be reached.
	busyRetry        = time.Minute
	unavailableRetry = 30 * time.Second
)

// Why a stream ends, other than its browser going away.
var (
	errReplaced     = errors.New("live: a newer stream of the session replaced this one")
	errSessionEnded = errors.New("live: the session ended")
	errShutdown     = errors.New("live: the server is shutting down")
)

// liveStreams keeps count of the open streams, by session.
type liveStreams struct {
	max, perSession int
	heartbeat       time.Duration

	mu        sync.Mutex
	bySession map[string][]*liveStream
	n         int
	closed    bool
}

type liveStream struct {
	sid    string
	cancel context.CancelCauseFunc
}

func newLiveStreams() *liveStreams {
	return &liveStreams{max: maxStreams, perSession: maxStreamsPerSession, heartbeat: heartbeatEvery, bySession: map[string][]*liveStream{}}
}

// open registers a stream of session sid, replacing the session's oldest
// one when it has its share already. It fails when all streams are taken.
func (h *liveStreams) open(parent context.Context, sid string) (ctx context.Context, s *liveStream, ok bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	list := h.bySession[sid]
	full := len(list) >= h.perSession
	if h.closed || !full && h.n >= h.max {
		return nil, nil, false
	}
	ctx, cancel := context.WithCancelCause(parent)
	s = &liveStream{sid: sid, cancel: cancel}
	if full {
		list[0].cancel(errReplaced)
		list = slices.Delete(slices.Clone(list), 0, 1)
	} else {
		h.n++
	}
	h.bySession[sid] = append(list, s)
	return ctx, s, true
}

// finish forgets s.
func (h *liveStreams) finish(s *liveStream) {
	h.mu.Lock()
	list := h.bySession[s.sid]
	if i := slices.Index(list, s); i >= 0 {
		list = slices.Delete(slices.Clone(list), i, i+1)
		h.n--
		if len(list) == 0 {
			delete(h.bySession, s.sid)
		} else {
			h.bySession[s.sid] = list
		}
	}
	h.mu.Unlock()
	s.cancel(nil)
}

// endSession ends the streams of session sid (logout).
func (h *liveStreams) endSession(sid string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, s := range h.bySession[sid] {
		s.cancel(errSessionEnded)
	}
}

// closeAll ends every stream and refuses new ones.
func (h *liveStreams) closeAll() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.closed = true
	for _, list := range h.bySession {
		for _, s := range list {
			s.cancel(errShutdown)
		}
	}
}

// every returns how often an idle stream sends a heartbeat and checks its
// session.
func (h *liveStreams) every() time.Duration {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.heartbeat
}

// count returns the number of open streams.
func (h *liveStreams) count() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.n
}

// EndStreams ends every live update stream and refuses new ones, so that
// http.Server.Shutdown need not wait for them: register it with
// RegisterOnShutdown. The browsers reconnect to the next server.
func (a *App) EndStreams() { a.live.closeAll() }

// folderEvents streams live updates of a folder as server-sent events.
// Once the stream has begun, every outcome is an event (a failed write
// ends it quietly): "close" ends it for good (replaced, logged out, folder
// gone), a "retry" field sets how long the browser waits before it
// reconnects.
func (a *App) folderEvents(w http.ResponseWriter, r *http.Request) error {
	mailbox, err := mailboxParam(r)
	if err != nil {
		return err
	}
	acct := accountFrom(r)
	opt := watchOptions(r, mailbox)
	place := placeFrom(r, mailbox)
	view := views.ScreenList
	if r.URL.Query().Get("view") == "folders" {
		view = views.ScreenFolders // the phone's folder screen: "Folders" stays its h1
	}
	sse := newEventWriter(w)
	ctx, s, ok := a.live.open(r.Context(), acct.sid)
	if !ok {
		sse.event("busy", busyRetry)
		return nil
	}
	defer a.live.finish(s)
	// The headers go out at once: htmx stops its request timer on them.
	if err := sse.comment("live"); err != nil {
		return nil
	}
	// No renewal out of turn: the headers are out, a new cookie could not
	// follow.
	acct.renew = nil
	sub, err := a.pool.Subscribe(ctx, acct.mail(), opt)
	// The watcher has dialled, or another stream's serves: the stream,
	// which may last hours, needs the credential no more (S3).
	acct.cred.Wipe()
	switch {
	case err == nil:
	case ctx.Err() != nil:
		return sse.end(ctx)
	case errors.Is(err, mail.ErrNotFound), errors.Is(err, mail.ErrAuth):
		// Nothing to watch, or the login no longer works: the next page
		// says so.
		sse.event("close", 0)
		return nil
	case errors.Is(err, mail.ErrBusy):
		// The account watches as many folders as its connections allow.
		sse.event("busy", busyRetry)
		return nil
	default:
		a.log.Warn("live updates: watch failed", "mailbox", mailbox, "err", err.Error())
		sse.event("unavailable", unavailableRetry)
		return nil
	}
	defer sub.Close()
	if err := sse.id(eventID(opt.Validity, opt.Since, opt.ModSeq)); err != nil {
		return nil
	}
	token := a.sessions.Token(r.Context())
	zone := a.readerZone(r)
	heartbeat := a.live.every()
	for {
		u, err := sub.Next(ctx, heartbeat)
		switch {
		case ctx.Err() != nil:
			return sse.end(ctx)
		case err != nil:
			// The browser reconnects, and a new watcher dials again.
			a.log.Info("live updates: watcher failed", "mailbox", mailbox, "err", err.Error())
			return nil
		case u == nil:
			if !a.sessionAlive(token) { // idle or absolute expiry
				sse.event("close", 0)
				return nil
			}
			err = sse.comment("")
		default:
			err = a.sendUpdate(ctx, sse, opt, place, view, u, zone)
		}
		if err != nil {
			return nil
		}
	}
}

// watchOptions reads what the page shows (views.LiveURL) and, after a
// reconnection, the last event the browser got.
func watchOptions(r *http.Request, mailbox string) mail.WatchOptions {
	q := r.URL.Query()
	opt := mail.WatchOptions{Mailbox: mailbox}
	if v, err := strconv.ParseUint(q.Get("validity"), 10, 32); err == nil {
		opt.Validity = uint32(v)
	}
	if v, err := strconv.ParseUint(q.Get("since"), 10, 32); err == nil {
		opt.Rows, opt.Since = true, webmail.UID(v)
	}
	opt.Shown = parseShownRows(q.Get("rows"))
	if id := r.Header.Get("Last-Event-ID"); id != "" {
		// What happened while the browser was away is news.
		opt.Report = true
		if v, uid, modseq, ok := parseEventID(id); ok && v == opt.Validity {
			opt.Since = max(opt.Since, uid)
			opt.ModSeq = modseq
		}
	}
	return opt
}

// parseShownRows reads views.ShownRows: at most mail.MaxShown rows, and
// none when the list is not well formed.
func parseShownRows(s string) map[webmail.UID]webmail.Flags {
	if s == "" {
		return nil
	}
	out := map[webmail.UID]webmail.Flags{}
	// Dots; commas from pages rendered before they were dots.
	for _, item := range strings.FieldsFunc(s, func(r rune) bool { return r == '.' || r == ',' }) {
		digits := strings.TrimRight(item, "sfad")
		n, err := strconv.ParseUint(digits, 10, 32)
		if err != nil || n == 0 || len(out) >= mail.MaxShown {
			return nil
		}
		marks := item[len(digits):]
		out[webmail.UID(n)] = webmail.Flags{
			Seen:     strings.Contains(marks, "s"),
			Flagged:  strings.Contains(marks, "f"),
			Answered: strings.Contains(marks, "a"),
			Draft:    strings.Contains(marks, "d"),
		}
	}
	return out
}

// eventID names an event by the mailbox's UIDVALIDITY, the highest UID
// the browser has been told of and, with CONDSTORE, the MODSEQ up to
// which its rows are in step (0: unknown).
func eventID(validity uint32, last webmail.UID, modseq uint64) string {
	id := strconv.FormatUint(uint64(validity), 10) + "." + strconv.FormatUint(uint64(last), 10)
	if modseq > 0 {
		id += "." + strconv.FormatUint(modseq, 10)
	}
	return id
}

func parseEventID(id string) (validity uint32, last webmail.UID, modseq uint64, ok bool) {
	parts := strings.Split(id, ".")
	if len(parts) < 2 || len(parts) > 3 {
		return 0, 0, 0, false
	}
	v, err1 := strconv.ParseUint(parts[0], 10, 32)
	u, err2 := strconv.ParseUint(parts[1], 10, 32)
	if err1 != nil || err2 != nil {
		return 0, 0, 0, false
	}
	if len(parts) == 3 {
		m, err := strconv.ParseUint(parts[2], 10, 64)
		if err != nil {
			return 0, 0, 0, false
		}
		modseq = m
	}
	return uint32(v), webmail.UID(u), modseq, true
}

// sendUpdate renders an update as htmx partials and sends it. (The
// watcher's fresh folder counts are already in the account's folder
// cache, which the next page shows.) Dates are in the reader's zone.
func (a *App) sendUpdate(ctx context.Context, sse *eventWriter, opt mail.WatchOptions, place views.Place, view views.Screen, u *mail.Update, zone *time.Location) error {
	p := views.LiveParams{MailboxParams: views.MailboxParams{View: view, Now: a.now().In(zone), Folders: u.Folders, Place: place}}
	p.Current = findFolder(u.Folders, u.Mailbox)
	// Not a.base: it would take the session's flash message.
	p.Base = views.Base{Title: folderTitle(ctx, p.Current), Assets: views.Assets{Sprite: a.assets.URL("icons.svg")}}
	if opt.Rows || len(u.Changed) > 0 {
		p.List = &webmail.Page{Mailbox: u.Mailbox, UIDValidity: u.UIDValidity, Number: place.Page}
	}
	if opt.Rows {
		p.List.Messages = u.New
	}
	p.Changed, p.Gone = u.Changed, u.Gone
	if views.LiveTotal(place) && (opt.Validity == 0 || opt.Validity == u.UIDValidity) {
		p.Total = &u.Total
	}
	var buf bytes.Buffer
	if err := views.LiveUpdate(p).Render(ctx, &buf); err != nil {
		return err
	}
	return sse.data(eventID(u.UIDValidity, u.Last, u.ModSeq), buf.Bytes())
}

// sessionAlive reports whether the session behind token is still in the
// store. A store that cannot answer gets the benefit of the doubt.
func (a *App) sessionAlive(token string) bool {
	_, found, err := a.sessions.Store.Find(token)
	return found || err != nil
}

// eventWriter writes server-sent events, each flushed at once.
type eventWriter struct {
	w  http.ResponseWriter
	rc *http.ResponseController
}

func newEventWriter(w http.ResponseWriter) *eventWriter {
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no") // nginx: pass each event on at once
	// A compressor per stream would cost far more memory than the stream.
	h.Set(gzhttp.HeaderNoCompression, "1")
	rc := http.NewResponseController(w)
	// The server's ReadTimeout would otherwise cancel the stream.
	rc.SetReadDeadline(time.Time{})
	return &eventWriter{w: w, rc: rc}
}

func (e *eventWriter) send(b []byte) error {
	// Each write gets its own deadline (the server's WriteTimeout counts
	// from the request), so a stream lives on but a stuck client does not.
	e.rc.SetWriteDeadline(time.Now().Add(sseWriteTimeout))
	if _, err := e.w.Write(b); err != nil {
		return err
	}
	return e.rc.Flush()
}

// comment sends a comment: the first one sends the headers, the later
// ones keep proxies from closing a quiet stream.
func (e *eventWriter) comment(text string) error {
	return e.send([]byte(":" + text + "\n\n"))
}

func (e *eventWriter) id(id string) error {
	return e.send([]byte("id: " + id + "\n\n"))
}

// event sends a named event, which the extension turns into a DOM event
// on the connecting element; retry, if set, is the reconnection delay.
func (e *eventWriter) event(name string, retry time.Duration) error {
	var b strings.Builder
	if retry > 0 {
		b.WriteString("retry: " + strconv.FormatInt(retry.Milliseconds(), 10) + "\n")
	}
	b.WriteString("event: " + name + "\n\n")
	return e.send([]byte(b.String()))
}

var lineBreak = regexp.MustCompile(`\r\n|\r|\n`)

// data sends an unnamed event, which the extension swaps.
func (e *eventWriter) data(id string, html []byte) error {
	var b bytes.Buffer
	b.WriteString("id: " + id + "\n")
	for _, line := range lineBreak.Split(string(html), -1) {
		b.WriteString("data: ")
		b.WriteString(line)
		b.WriteByte('\n')
	}
	b.WriteByte('\n')
	return e.send(b.Bytes())
}

// end says goodbye as the reason for the end asks: a replaced stream or
// an ended session must not come back; a browser that went away or a
// server going down hear nothing. It returns nil for the handler.
func (e *eventWriter) end(ctx context.Context) error {
	switch context.Cause(ctx) {
	case errReplaced, errSessionEnded:
		e.event("close", 0)
	}
	return nil
}
