package usecase

import (
	"context"
	"errors"
	"io"
	"os"

	"webmail"
	"webmail/app/compose"
	"webmail/app/mail"
	"webmail/config"
)

// Outgoing is a message ready to be sent.
type Outgoing struct {
	Draft *compose.Draft
	SMTP  config.Server // the sending server
	Auth  mail.Auth     // the login for it
	// Sender is the SMTP envelope sender (MAIL FROM): the login's address,
	// whichever identity the From field shows; From's address when empty.
	Sender string
	// ReplyOf is the message answered, marked \Answered once sent; zero
	// for none.
	ReplyOf webmail.MessageRef
	// Replaces is the draft the message was written in, removed once
	// sent; zero for none.
	Replaces webmail.MessageRef
}

// Sent says what happened after the message went out.
type Sent struct {
	// NotFiled is why no copy could be filed in Sent, or nil.
	NotFiled error
}

// AttachmentError is a message that could not be written because an
// attachment could not be read (from the mailbox, or its spooled file):
// nothing was sent.
type AttachmentError struct{ Err error }

func (e *AttachmentError) Error() string { return "writing the message: " + e.Err.Error() }
func (e *AttachmentError) Unwrap() error { return e.Err }

// Send submits the message, files a copy (Bcc included) in Sent, marks the
// original answered and removes the draft it came from. Once the message
// is out nothing fails the send: Sent.NotFiled says why no copy is in Sent
// (a full mailbox, say), and the rest is logged.
func (s *Service) Send(ctx context.Context, acct mail.Account, out Outgoing) (Sent, error) {
	d := out.Draft
	spool, size, err := spoolMessage(d, false)
	if err != nil {
		return Sent{}, &AttachmentError{err}
	}
	defer os.Remove(spool.Name())
	defer spool.Close()
	sender := out.Sender
	if sender == "" {
		sender = d.From.Address
	}
	if err := s.dialer.Send(ctx, out.SMTP, out.Auth, sender, compose.Recipients(d), size, io.NewSectionReader(spool, 0, size)); err != nil {
		return Sent{}, err
	}
	var sent Sent
	err = s.pool.Do(ctx, acct, "", func(c *mail.Conn) error {
		if err := s.fileSent(ctx, c, d); err != nil {
			s.log.Warn("after send: copy to Sent failed", "err", err.Error())
			sent.NotFiled = err
		}
		if !out.ReplyOf.IsZero() {
			if err := c.SetFlag(ctx, out.ReplyOf, webmail.FlagAnswered, true); err != nil {
				s.log.Warn("after send: \\Answered failed", "err", err.Error())
			}
		}
		if !out.Replaces.IsZero() {
			if err := c.Remove(ctx, out.Replaces); err != nil {
				s.log.Warn("after send: removing the draft failed", "err", err.Error())
			}
		}
		return nil
	})
	if err != nil {
		s.log.Warn("after send: no IMAP connection", "err", err.Error())
		sent.NotFiled = err
	}
	return sent, nil
}

// fileSent appends the copy of a sent message, Bcc included, to Sent.
func (s *Service) fileSent(ctx context.Context, c *mail.Conn, d *compose.Draft) error {
	sent, err := c.FolderByRole(ctx, webmail.RoleSent)
	if err != nil {
		return err
	}
	copyFile, copySize, err := spoolMessage(d, true)
	if err != nil {
		return err
	}
	defer os.Remove(copyFile.Name())
	defer copyFile.Close()
	_, err = c.Append(ctx, sent, []webmail.Flag{webmail.FlagSeen}, d.Date, copySize, io.NewSectionReader(copyFile, 0, copySize))
	return err
}

// SaveDraft files the message in Drafts and returns its address there. The
// earlier version, replaces (zero for none), is removed only once the new
// one is stored.
func (s *Service) SaveDraft(ctx context.Context, acct mail.Account, d *compose.Draft, replaces webmail.MessageRef) (webmail.MessageRef, error) {
	spool, size, err := spoolMessage(d, true)
	if err != nil {
		return webmail.MessageRef{}, err
	}
	defer os.Remove(spool.Name())
	defer spool.Close()
	var ref webmail.MessageRef
	err = s.pool.Do(ctx, acct, "", func(c *mail.Conn) error {
		drafts, err := c.FolderByRole(ctx, webmail.RoleDrafts)
		if err != nil {
			return webmail.Errorf(webmail.EConflict, "ErrNoDrafts", err)
		}
		if ref, err = c.Append(ctx, drafts, []webmail.Flag{webmail.FlagDraft, webmail.FlagSeen}, d.Date, size, io.NewSectionReader(spool, 0, size)); err != nil {
			return err
		}
		if ref.UID == 0 { // no UIDPLUS: find it by its Message-ID
			if ref, err = c.FindMessageID(ctx, drafts, d.MessageID); err != nil {
				return err
			}
		}
		if !replaces.IsZero() && !(replaces.Mailbox == drafts && replaces.UID == ref.UID) {
			if err := c.Remove(ctx, replaces); err != nil && !errors.Is(err, mail.ErrNotFound) {
				s.log.Warn("removing the previous draft failed", "err", err.Error())
			}
		}
		return nil
	})
	return ref, err
}

// spoolMessage writes the message to a temporary file, so it can be sent
// and filed without holding it (or its attachments) in memory.
func spoolMessage(d *compose.Draft, withBcc bool) (*os.File, int64, error) {
	f, err := os.CreateTemp("", "webmail-msg-*")
	if err != nil {
		return nil, 0, err
	}
	n, err := d.WriteTo(f, withBcc)
	if err != nil {
		f.Close()
		os.Remove(f.Name())
		return nil, 0, err
	}
	return f, n, nil
}
