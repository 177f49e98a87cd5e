// Package usecase is what the webmail does, apart from HTTP: act on
// messages, undo a move, list a page of a folder, find the next message,
// manage folders, send a message and save a draft. Each use case takes a
// context and typed input and returns typed results, or an error that is
// either a *webmail.Error (not found, conflict, invalid input with field
// errors, unavailable) or the mail adapter's own (server unreachable,
// timed out, credential refused). The HTTP layer (package app) parses
// requests into these inputs, renders the results, and maps the errors to
// statuses in one place.
package usecase

import (
	"io"
	"log/slog"
	"time"

	"webmail/app/mail"
)

// Service runs the use cases. It borrows the account's IMAP connections
// from the pool for each call and gives them back before it returns.
type Service struct {
	pool   *mail.Pool
	dialer mail.Dialer
	now    func() time.Time
	log    *slog.Logger
}

// Options are a Service's dependencies besides the pool.
type Options struct {
	Dialer mail.Dialer      // sends mail
	Now    func() time.Time // undo deadlines, search dates; time.Now by default
	Logger *slog.Logger     // what fails after a send went out; discarded by default
}

// New returns a Service on pool.
func New(pool *mail.Pool, opt Options) *Service {
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return &Service{pool: pool, dialer: opt.Dialer, now: opt.Now, log: opt.Logger}
}
