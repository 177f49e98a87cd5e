package app

import (
	"context"
	"errors"
	"net/http"

	"webmail/app/mail"
	"webmail/views"
)

// The failures a person can meet with the mail servers, each with its own
// status and words (message ids of views/locale): one table for reading (IMAP) and one for sending
// (SMTP). Order matters: the first row whose error the failure is wins,
// so the kinds of ErrUnavailable come before it.
var imapFailures = []struct {
	err    error
	status int
	msg    string
}{
	{mail.ErrAuth, http.StatusUnauthorized, "ErrLoginWrong"},
	{mail.ErrNotFound, http.StatusNotFound, "ErrNotFoundIMAP"},
	{mail.ErrOverQuota, http.StatusInsufficientStorage, "ErrOverQuota"},
	{mail.ErrTLS, http.StatusBadGateway, "ErrIMAPTLS"},
	{mail.ErrConnLimit, http.StatusServiceUnavailable, "ErrConnLimit"},
	{mail.ErrBusy, http.StatusServiceUnavailable, "ErrBusy"},
	{mail.ErrTimeout, http.StatusGatewayTimeout, "ErrIMAPTimeout"},
	{context.DeadlineExceeded, http.StatusGatewayTimeout, "ErrIMAPTimeout"},
	{mail.ErrClosed, http.StatusBadGateway, "ErrIMAPClosed"},
	{mail.ErrUnavailable, http.StatusBadGateway, "ErrIMAPUnavailable"},
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
func sendFailure(r *http.Request, err error) (int, string) {
	var (
		re *mail.RecipientError
		tl *mail.TooLargeError
	)
	switch {
	case errors.As(err, &re):
		return http.StatusUnprocessableEntity, tr(r, "ErrRecipientRefused", "Addr", re.Addr, "Reason", re.Reason)
	case errors.As(err, &tl) && tl.Limit > 0:
		return http.StatusRequestEntityTooLarge, tr(r, "ErrTooLargeLimit", "Limit", views.Size(r.Context(), tl.Limit))
	case errors.As(err, &tl):
		return http.StatusRequestEntityTooLarge, tr(r, "ErrTooLarge")
	case errors.Is(err, mail.ErrSMTPAuth):
		return http.StatusBadGateway, tr(r, "ErrSMTPAuth")
	case errors.Is(err, mail.ErrRejected):
		return http.StatusBadGateway, tr(r, "ErrSMTPRejected", "Reason", mail.ServerReason(err))
	case errors.Is(err, mail.ErrTLS):
		return http.StatusBadGateway, tr(r, "ErrSMTPTLS")
	case errors.Is(err, mail.ErrTimeout), errors.Is(err, context.DeadlineExceeded):
		return http.StatusGatewayTimeout, tr(r, "ErrSMTPTimeout")
	case errors.Is(err, mail.ErrClosed):
		return http.StatusBadGateway, tr(r, "ErrSMTPClosed")
	}
	return http.StatusBadGateway, tr(r, "ErrSMTPUnavailable")
}
