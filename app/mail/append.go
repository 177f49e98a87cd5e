package mail

import (
	"context"
	"errors"
	"io"
	"slices"
	"time"

	"github.com/emersion/go-imap/v2"
)

// Append stores a message of size bytes in mailbox and returns its
// UIDVALIDITY and UID when the server tells them (UIDPLUS), else zeros.
func (c *Conn) Append(ctx context.Context, mailbox string, flags []imap.Flag, date time.Time, size int64, r io.Reader) (validity uint32, uid imap.UID, err error) {
	err = c.doStream(ctx, func() error {
		cmd := c.c.Append(mailbox, size, &imap.AppendOptions{Flags: flags, Time: date})
		if _, err := io.Copy(cmd, r); err != nil {
			cmd.Close()
			return err
		}
		if err := cmd.Close(); err != nil {
			return err
		}
		data, err := cmd.Wait()
		if err != nil {
			return err
		}
		validity, uid = data.UIDValidity, data.UID
		return nil
	})
	if err == nil {
		c.adjustTotal(mailbox, +1)
	}
	return validity, uid, err
}

// SetFlag adds or removes one flag, such as \Answered after a reply.
func (c *Conn) SetFlag(ctx context.Context, mailbox string, validity uint32, uid imap.UID, flag imap.Flag, on bool) error {
	if flag == imap.FlagSeen {
		return c.SetSeen(ctx, mailbox, validity, uid, on)
	}
	if err := c.checkValidity(ctx, mailbox, validity); err != nil {
		return err
	}
	op := imap.StoreFlagsAdd
	if !on {
		op = imap.StoreFlagsDel
	}
	return c.do(ctx, func() error {
		return c.c.Store(imap.UIDSetNum(uid), &imap.StoreFlags{Op: op, Silent: true, Flags: []imap.Flag{flag}}, nil).Close()
	})
}

// ErrNoUIDPlus means the server cannot expunge single messages; the
// message is then only marked \Deleted, never expunged together with
// messages other clients marked.
var ErrNoUIDPlus = errors.New("mail: server lacks UIDPLUS")

// Remove deletes exactly one message for good.
func (c *Conn) Remove(ctx context.Context, mailbox string, validity uint32, uid imap.UID) error {
	return c.Expunge(ctx, mailbox, validity, []imap.UID{uid})
}

// FolderByRole returns the name of the folder with a special use, from the
// cached tree.
func (c *Conn) FolderByRole(ctx context.Context, role Role) (string, error) {
	folders, err := c.Folders(ctx, false)
	if err != nil {
		return "", err
	}
	for _, f := range folders {
		if f.Role == role {
			return f.Name, nil
		}
	}
	return "", ErrNotFound
}

// FindMessageID returns the UIDVALIDITY and the UID of the newest message
// of mailbox whose Message-ID is id (without angle brackets): how to find
// a message just appended when the server does not tell its UID (no
// UIDPLUS). ErrNotFound if there is none.
func (c *Conn) FindMessageID(ctx context.Context, mailbox, id string) (uint32, imap.UID, error) {
	_, validity, err := c.selectMailbox(ctx, mailbox)
	if err != nil {
		return 0, 0, err
	}
	set, _, err := c.searchUIDs(ctx, &imap.SearchCriteria{Header: []imap.SearchCriteriaHeaderField{{Key: "Message-ID", Value: id}}})
	if err != nil {
		return 0, 0, err
	}
	uids, _ := set.Nums()
	if len(uids) == 0 {
		return 0, 0, ErrNotFound
	}
	return validity, slices.Max(uids), nil
}
