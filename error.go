package webmail

import (
	"errors"
	"maps"
	"slices"
	"strings"
)

// ErrorCode says what kind of failure a use case ended in; the HTTP layer
// turns each into its status in one place.
type ErrorCode string

// The kinds of failure a use case can end in. A failure of the mail
// servers themselves (unreachable, timed out, refused the login) is the
// mail adapter's own error, passed through.
const (
	ENotFound    ErrorCode = "not_found"   // the folder or message is not there
	EConflict    ErrorCode = "conflict"    // the mailbox is not in a state that allows it
	EInvalid     ErrorCode = "invalid"     // the input is wrong; Fields says where
	EUnavailable ErrorCode = "unavailable" // the server cannot do it now
)

// Error is a use case's failure: its kind, a message fit for the person,
// the fields of the input that are wrong, and the cause, which only the
// log sees. Message and the Fields' values are message ids of the
// catalogues (views/locale), which the handler translates; Args fill the
// placeholders of all of them (see Text).
type Error struct {
	Code    ErrorCode
	Message string
	// Fields maps an input field's name to what is wrong with it.
	Fields map[string]string
	Args   []any
	Err    error
}

// Errorf returns an Error of this kind with a message id for the person
// and the values of its placeholders.
func Errorf(code ErrorCode, message string, cause error, args ...any) *Error {
	return &Error{Code: code, Message: message, Err: cause, Args: args}
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(string(e.Code) + ": " + e.Message)
	for _, k := range slices.Sorted(maps.Keys(e.Fields)) {
		b.WriteString("; " + k + ": " + e.Fields[k])
	}
	if e.Err != nil {
		b.WriteString(": " + e.Err.Error())
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// ErrorOf returns the Error in err's chain, or nil.
func ErrorOf(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return nil
}
