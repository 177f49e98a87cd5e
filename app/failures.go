package app

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"webmail/app/mail"
	"webmail/views"
)

// The failures a person can meet with the mail servers, each with its own
// status and words: one table for reading (IMAP) and one for sending
// (SMTP). Order matters: the first row whose error the failure is wins,
// so the kinds of ErrUnavailable come before it.
var imapFailures = []struct {
	err    error
	status int
	msg    string
}{
	{mail.ErrAuth, http.StatusUnauthorized, "The login name or password is not right."},
	{mail.ErrNotFound, http.StatusNotFound, "This folder or message does not exist (any more)."},
	{mail.ErrOverQuota, http.StatusInsufficientStorage, "Your mailbox is full, so the mail server refused to store the message. Delete some mail (and empty the Trash) to make room."},
	{mail.ErrTLS, http.StatusBadGateway, "The secure connection to the mail server failed: its certificate was not accepted. Please tell the administrator."},
	{mail.ErrConnLimit, http.StatusServiceUnavailable, "The mail server refuses more connections for your account right now: your other devices and mail apps hold too many. Close some of them, or try again in a minute."},
	{mail.ErrBusy, http.StatusServiceUnavailable, "Your account's connections to the mail server are all busy (downloads or other tabs). Please try again in a moment."},
	{mail.ErrTimeout, http.StatusGatewayTimeout, "The mail server is not answering. Please try again in a moment."},
	{context.DeadlineExceeded, http.StatusGatewayTimeout, "The mail server is not answering. Please try again in a moment."},
	{mail.ErrClosed, http.StatusBadGateway, "The mail server closed the connection. Please try again."},
	{mail.ErrUnavailable, http.StatusBadGateway, "The mail server cannot be reached right now. Please try again in a moment."},
}

// imapFailure finds err's row of imapFailures.
func imapFailure(err error) (failure, bool) {
	for _, f := range imapFailures {
		if errors.Is(err, f.err) {
			return failure{outcome: showError, status: f.status, msg: f.msg}, true
		}
	}
	return failure{}, false
}

// sendFailure says in plain words why a send failed, with the status the
// compose form comes back with.
func sendFailure(err error) (int, string) {
	var (
		re *mail.RecipientError
		tl *mail.TooLargeError
	)
	switch {
	case errors.As(err, &re):
		return http.StatusUnprocessableEntity, fmt.Sprintf("The mail server refused the recipient %s (%s). Check the address.", re.Addr, re.Reason)
	case errors.As(err, &tl) && tl.Limit > 0:
		return http.StatusRequestEntityTooLarge, fmt.Sprintf("The message is too large for the sending server, which takes at most %s. Remove or shrink attachments.", views.Size(tl.Limit))
	case errors.As(err, &tl):
		return http.StatusRequestEntityTooLarge, "The message is too large for the sending server. Remove or shrink attachments."
	case errors.Is(err, mail.ErrSMTPAuth):
		return http.StatusBadGateway, "The sending server did not accept your SMTP login name and password."
	case errors.Is(err, mail.ErrRejected):
		return http.StatusBadGateway, "The sending server refused the message: " + mail.ServerReason(err)
	case errors.Is(err, mail.ErrTLS):
		return http.StatusBadGateway, "The secure connection to the sending server failed: its certificate was not accepted. Please tell the administrator."
	case errors.Is(err, mail.ErrTimeout), errors.Is(err, context.DeadlineExceeded):
		return http.StatusGatewayTimeout, "The sending server is not answering. Please try again in a moment."
	case errors.Is(err, mail.ErrClosed):
		return http.StatusBadGateway, "The sending server closed the connection before the message was accepted. Please try again."
	}
	return http.StatusBadGateway, "The sending server cannot be reached right now. Please try again in a moment."
}
