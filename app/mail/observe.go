package mail

import (
	"context"
	"errors"
	"time"
)

// Observer hears what the adapter does, for metrics. It is told names of
// commands and kinds of outcome only: never an account, mailbox, address
// or secret. Any func may be nil; each must be quick and safe for
// concurrent use.
type Observer struct {
	// Command is called after each IMAP command (or the few pipelined
	// commands of one step) with a coarse name such as "fetch", "store",
	// "select" or "idle", how long it took and its error.
	Command func(name string, took time.Duration, err error)
	// Dial is called after each attempt to connect and log in to an IMAP
	// server, with Outcome of its error.
	Dial func(outcome string, took time.Duration)
	// Send is called after each message submitted over SMTP, with
	// Outcome of its error.
	Send func(outcome string)
}

// Outcome names the kind of a mail error in one word fit for a metric
// label: "ok" for nil, then "auth", "limit", "timeout", "closed", "tls",
// "not_found", "over_quota", "too_large", "recipient", "rejected",
// "canceled", "unavailable", or "error" for anything else.
func Outcome(err error) string {
	var (
		tl *TooLargeError
		re *RecipientError
	)
	switch {
	case err == nil:
		return "ok"
	case errors.Is(err, ErrAuth):
		return "auth"
	case errors.Is(err, ErrConnLimit):
		return "limit"
	case errors.Is(err, ErrTimeout):
		return "timeout"
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return "canceled"
	case errors.Is(err, ErrClosed):
		return "closed"
	case errors.Is(err, ErrTLS):
		return "tls"
	case errors.Is(err, ErrNotFound):
		return "not_found"
	case errors.Is(err, ErrOverQuota):
		return "over_quota"
	case errors.As(err, &tl):
		return "too_large"
	case errors.As(err, &re):
		return "recipient"
	case errors.Is(err, ErrRejected):
		return "rejected"
	case errors.Is(err, ErrUnavailable):
		return "unavailable"
	}
	return "error"
}
