package app

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"

	"webmail/app/mail"
	"webmail/app/message"
)

// downloadPart streams one attachment from IMAP to the browser, as a
// file to save.
func (a *App) downloadPart(w http.ResponseWriter, r *http.Request) error {
	return a.servePart(w, r, func(part message.Part) (func(http.Header), error) {
		return func(h http.Header) {
			h.Set("Content-Type", "application/octet-stream")
			h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": part.DownloadName()}))
		}, nil
	})
}

// servePart streams one part of the message from IMAP to the browser,
// with the headers that serve gives for it (or serve's error instead of
// it). It uses a connection of its own, so a
// long download does not hold up the session's other pages, and never
// holds the part in memory.
func (a *App) servePart(w http.ResponseWriter, r *http.Request, serve func(message.Part) (func(http.Header), error)) error {
	path, ok := sectionParam(r)
	if !ok {
		return errorf(http.StatusNotFound, tr(r, "ErrNoAttachment"), nil)
	}
	om, err := a.openMessage(r)
	if err != nil {
		return err
	}
	om.release()
	ref, layout := om.ref, om.layout
	// Any part shown or offered, in attached messages too.
	part, ok := layout.Find(path)
	if !ok {
		return errorf(http.StatusNotFound, tr(r, "ErrNoAttachment"), nil)
	}
	headers, err := serve(part)
	if err != nil {
		return err
	}

	dl, release, err := a.download(r)
	if err != nil {
		return err
	}
	defer release()
	return streamTo(w, r, func(stream func(int64, io.Reader) error) error {
		return dl.Stream(r.Context(), ref, path, stream)
	}, headers, func(r io.Reader) io.Reader { return message.DecodeBinary(r, part.Encoding) })
}

// showSource streams the raw message as plain text.
func (a *App) showSource(w http.ResponseWriter, r *http.Request) error {
	ref, err := messageParam(r)
	if err != nil {
		return err
	}
	dl, release, err := a.download(r)
	if err != nil {
		return err
	}
	defer release()
	return streamTo(w, r, func(stream func(int64, io.Reader) error) error {
		return dl.Stream(r.Context(), ref, nil, stream)
	}, func(h http.Header) {
		h.Set("Content-Type", "text/plain; charset=utf-8")
		h.Set("Content-Disposition", "inline")
	}, nil)
}

// download lends a connection for a download, one that does not hold up
// the account's pages (mail.Pool.AcquireLong). The download may take long:
// the credential is wiped once the connection is there (S3).
func (a *App) download(r *http.Request) (*mail.Conn, func(), error) {
	acct := accountFrom(r)
	c, release, err := a.pool.AcquireLong(r.Context(), acct.mail())
	acct.cred.Wipe()
	return c, release, err
}

// errBrokenOff means a download failed after its headers went out: the
// response is aborted, so the browser shows a failed download rather than
// saving a truncated file as if it were whole.
var errBrokenOff = errors.New("download broken off")

// streamTo writes a streamed IMAP literal as the response. Headers are
// sent only once the server has the data, so a missing message still gets
// a proper error page; a failure after that aborts the response.
func streamTo(w http.ResponseWriter, r *http.Request, fetch func(func(int64, io.Reader) error) error, headers func(http.Header), decode func(io.Reader) io.Reader) error {
	started := false
	err := fetch(func(size int64, body io.Reader) error {
		started = true
		h := w.Header()
		headers(h)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
		h.Set("Cache-Control", "private, no-store")
		if decode != nil {
			body = decode(body)
		} else {
			h.Set("Content-Length", strconv.FormatInt(size, 10))
		}
		w.WriteHeader(http.StatusOK)
		_, err := io.Copy(w, body)
		return err
	})
	if started && err != nil {
		return fmt.Errorf("%w: %w", errBrokenOff, err)
	}
	return err
}
