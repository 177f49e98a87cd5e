package app

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"runtime/debug"
	"strings"
	"time"
	"webmail/views"

	"github.com/a-h/templ"
	"github.com/klauspost/compress/gzhttp"
)

// recoverPanics turns a panic into a plain 500 page; the stack goes to the
// log, never to the person.
func (a *App) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				a.log.Error("panic", "method", r.Method, "path", r.URL.Path, "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
				a.fail(w, r, fmt.Errorf("panic: %v", v))
			}
		}()
		next.ServeHTTP(w, r)
	})
}

type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Flush passes a flush on: gzhttp's writer, outside it, asserts
// http.Flusher rather than using Unwrap (live.go's streams need it).
func (w *statusWriter) Flush() { http.NewResponseController(w.ResponseWriter).Flush() }

// requestNote is what a handler adds to its request's log line.
type requestNote struct {
	outcome string // "client gone", "aborted": how a request ended that its status does not tell
	route   string // the route pattern the mux matched ("GET /m/{mailbox}"); "" if none
}

type requestNoteKey struct{}

// noteRequest records how the request ended, for its log line.
func noteRequest(r *http.Request, outcome string) {
	if n, ok := r.Context().Value(requestNoteKey{}).(*requestNote); ok {
		n.outcome = outcome
	}
}

// noteRoute records the route pattern the mux matched for r. The mux sets
// r.Pattern on the request it is given, a copy of the one logRequests saw
// (each middleware that adds to the context makes one), so the pattern
// goes up in the note.
func noteRoute(r *http.Request) {
	if n, ok := r.Context().Value(requestNoteKey{}).(*requestNote); ok {
		n.route = r.Pattern
	}
}

// routeOf is the route pattern of a request the mux did not see (one that
// authenticate refused), "" if none matches.
func (a *App) routeOf(r *http.Request) string {
	if a.routes == nil {
		return ""
	}
	_, pattern := a.routes.Handler(r)
	return pattern
}

// logRequests writes one line per request, and counts it in the metrics
// by route pattern, method and status. It logs the path only: no
// query string (a login name could sit in ?next=), no header, no cookie.
// A request whose browser went away is logged with status 499, one broken
// off mid-answer (a download whose mail server failed) as aborted.
func (a *App) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		note := &requestNote{}
		finished := false
		// Deferred, without recovering: a panic passes on to
		// recoverPanics with its stack intact, and is logged here too.
		defer func() {
			if !finished && note.outcome == "" {
				note.outcome = "panicked"
			}
			status, level := sw.status, slog.LevelInfo
			switch note.outcome {
			case "client gone":
				status = statusClientGone
			case "aborted", "panicked":
				level = slog.LevelWarn
			}
			attrs := []slog.Attr{
				slog.String("method", r.Method),
				slog.String("path", r.URL.Path),
				slog.Int("status", status),
				slog.Int64("bytes", sw.bytes),
				slog.Duration("duration", time.Since(start)),
				slog.Bool("htmx", r.Header.Get("HX-Request") == "true"),
			}
			if note.outcome != "" {
				attrs = append(attrs, slog.String("outcome", note.outcome))
			}
			a.log.LogAttrs(r.Context(), level, "request", attrs...)
			route := note.route
			if route == "" {
				route = a.routeOf(r)
			}
			switch {
			case note.outcome == "panicked":
				status = http.StatusInternalServerError // recoverPanics answers
			case status == 0:
				status = http.StatusOK // nothing written: net/http sends 200
			}
			a.metrics.request(route, r.Method, status, time.Since(start))
		}()
		next.ServeHTTP(sw, r.WithContext(context.WithValue(r.Context(), requestNoteKey{}, note)))
		finished = true
	})
}

// securityHeaders sets the CSP with a fresh nonce per request and the
// other headers every response carries. Handlers that serve another kind
// of document (a sandboxed message body, a download) replace the CSP.
func (a *App) securityHeaders(next http.Handler) http.Handler {
	secure := a.cfg.SecureCookies()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var b [18]byte
		rand.Read(b[:])
		nonce := base64.StdEncoding.EncodeToString(b[:])
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'none'; script-src 'nonce-"+nonce+"'; style-src 'self'; img-src 'self' data:; "+
			"frame-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'; object-src 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		if secure {
			h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
		}
		next.ServeHTTP(w, r.WithContext(templ.WithNonce(r.Context(), nonce)))
	})
}

// compress gzips responses for browsers that accept it.
func (a *App) compress(next http.Handler) http.Handler {
	return gzhttp.GzipHandler(next)
}

// authenticate denies every route but the public ones to a request that
// does not prove both halves of its login (invariant S2): a live session,
// and a credential cookie that opens under that session's key. It resolves
// the credential once for the request (renewing an OAuth token when due)
// and wipes it when the request ends. A request that fails is not served
// and ends no session, save one whose provider withdrew the sign-in.
func (a *App) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if isPublic(r) {
			next.ServeHTTP(w, r)
			return
		}
		acct, err := a.resolve(w, r)
		if err != nil {
			if r.Method == http.MethodPost && strings.HasPrefix(r.URL.Path, "/compose/") {
				var done func()
				done, err = a.carryCompose(w, r, err) // keep what was being written
				defer done()
			}
			a.fail(w, r, err)
			return
		}
		defer acct.cred.Wipe()
		r = r.WithContext(context.WithValue(r.Context(), accountKey{}, acct))
		next.ServeHTTP(w, a.chosenLanguage(r))
	})
}

// toLogin sends a person without a session to the login page, with the
// page they wanted kept for afterwards.
func (a *App) toLogin(w http.ResponseWriter, r *http.Request) {
	target := "/login"
	if r.Method == http.MethodGet && r.URL.Path != "/" {
		target += "?next=" + url.QueryEscape(r.URL.RequestURI())
	}
	a.redirect(w, r, target)
}

// redirect sends the browser to a local target: a 303, or for htmx a
// full-page redirect rather than a fragment swap.
func (a *App) redirect(w http.ResponseWriter, r *http.Request, target string) {
	if isHTMX(r) {
		w.Header().Set("HX-Redirect", views.Path(r.Context(), target))
		w.WriteHeader(http.StatusNoContent)
		return
	}
	seeOther(w, r, target)
}

// seeOther answers 303 See Other to target, a path from the webmail's
// root ("/m/INBOX"): every redirect goes through it or redirect, which put
// the sub-path the webmail is served under in front (views.Path).
func seeOther(w http.ResponseWriter, r *http.Request, target string) {
	http.Redirect(w, r, views.Path(r.Context(), target), http.StatusSeeOther)
}

// safeNext accepts only a local path for the page after login: no scheme,
// no host, no "//" or "/\" that browsers read as another host.
func safeNext(next string) string {
	if next == "" || next[0] != '/' || strings.HasPrefix(next, "//") || strings.HasPrefix(next, `/\`) ||
		strings.ContainsAny(next, "\\\r\n\t\x00") {
		return ""
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil {
		return ""
	}
	return next
}

func isHTMX(r *http.Request) bool {
	return r.Header.Get("HX-Request") == "true" && r.Header.Get("HX-History-Restore-Request") != "true"
}

// htmxTarget returns the id of the element an htmx request will swap,
// "" for a full page.
func htmxTarget(r *http.Request) views.Target {
	if !isHTMX(r) {
		return views.TargetPage
	}
	t := r.Header.Get("HX-Target")
	if i := strings.LastIndexByte(t, '#'); i >= 0 {
		return views.Target(t[i+1:])
	}
	return views.Target(t)
}
