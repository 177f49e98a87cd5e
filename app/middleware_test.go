package app

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"webmail/config"
)

// panicsInHandler is a handler that panics, named so its frame can be
// found in the logged stack.
func panicsInHandler(http.ResponseWriter, *http.Request) { panic("boom") }

// TestPanicLogged: a panic becomes a plain 500 page; the log has the
// stack from where it happened (not from a re-panic on the way) and the
// request line says so.
func TestPanicLogged(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	a := New(config.Default(), Options{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	h := chain(http.HandlerFunc(panicsInHandler), a.recoverPanics, a.logRequests)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", "/x", nil))
	if w.Code != http.StatusInternalServerError || strings.Contains(w.Body.String(), "boom") {
		t.Errorf("status %d, body leaks the panic: %v", w.Code, strings.Contains(w.Body.String(), "boom"))
	}
	if !strings.Contains(logs.String(), "app.panicsInHandler") {
		t.Errorf("the logged stack lacks the panicking function:\n%s", logs.String())
	}
	if !strings.Contains(logs.String(), "outcome=panicked") {
		t.Errorf("the request line does not say it panicked:\n%s", logs.String())
	}
}
