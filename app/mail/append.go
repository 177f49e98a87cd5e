package mail

import (
	"context"
	"errors"
	"io"
	"slices"
	"time"
	"webmail"

	"github.com/emersion/go-imap/v2"
)

// Append stores a message of size bytes in mailbox and returns its
// address when the server tells it (UIDPLUS), else one with only the
// mailbox.
func (c *Conn) Append(ctx context.Context, mailbox string, flags []webmail.Flag, date time.Time, size int64, r io.Reader) (webmail.MessageRef, error) {
	ref := webmail.MessageRef{Mailbox: mailbox}
	imapFlags := make([]imap.Flag, len(flags))
	for i, f := range flags {
		imapFlags[i] = imap.Flag(f)
	}
	err := c.doStream(ctx, "append", func() error {
		cmd := c.c.Append(mailbox, size, &imap.AppendOptions{Flags: imapFlags, Time: date})
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
		ref.Validity, ref.UID = data.UIDValidity, webmail.UID(data.UID)
		return nil
	})
	if err == nil {
		c.adjustTotal(mailbox, +1)
	}
	return ref, err
}

// SetFlag adds or removes one flag, such as \Answered after a reply.
func (c *Conn) SetFlag(ctx context.Context, ref webmail.MessageRef, f webmail.Flag, on bool) error {
	flag := imap.Flag(f)
	mailbox, validity, uid := ref.Mailbox, ref.Validity, imap.UID(ref.UID)
	if flag == imap.FlagSeen {
		return c.SetSeen(ctx, ref, on)
	}
	if err := c.checkValidity(ctx, mailbox, validity); err != nil {
		return err
	}
	op := imap.StoreFlagsAdd
	if !on {
		op = imap.StoreFlagsDel
	}
	return c.do(ctx, "store", func() error {
		return c.c.Store(imap.UIDSetNum(uid), &imap.StoreFlags{Op: op, Silent: true, Flags: []imap.Flag{flag}}, nil).Close()
	})
}

// ErrNoUIDPlus means the server cannot expunge single messages; the
// message is then only marked \Deleted, never expunged together with
// messages other clients marked.
var ErrNoUIDPlus = errors.New("mail: server lacks UIDPLUS")

// Remove deletes exactly one message for good.
func (c *Conn) Remove(ctx context.Context, ref webmail.MessageRef) error {
	return c.Expunge(ctx, ref.Selection())
}

// FolderByRole returns the name of the folder with a special use, from the
// cached tree.
func (c *Conn) FolderByRole(ctx context.Context, role webmail.Role) (string, error) {
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
func (c *Conn) FindMessageID(ctx context.Context, mailbox, id string) (webmail.MessageRef, error) {
	_, validity, err := c.selectMailbox(ctx, mailbox)
	if err != nil {
		return webmail.MessageRef{}, err
	}
	set, _, err := c.searchUIDs(ctx, &imap.SearchCriteria{Header: []imap.SearchCriteriaHeaderField{{Key: "Message-ID", Value: id}}})
	if err != nil {
		return webmail.MessageRef{}, err
	}
	uids, _ := set.Nums()
	if len(uids) == 0 {
		return webmail.MessageRef{}, ErrNotFound
	}
	return webmail.MessageRef{Mailbox: mailbox, Validity: validity, UID: webmail.UID(slices.Max(uids))}, nil
}
