package mail

import (
	"context"
	"slices"
	"webmail"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// StoreFlag adds or removes one flag on several messages, in one STORE.
// Changes to \Seen keep the cached unread count right.
func (c *Conn) StoreFlag(ctx context.Context, sel webmail.Selection, f webmail.Flag, on bool) error {
	flag := imap.Flag(f)
	mailbox, validity, uids := sel.Mailbox, sel.Validity, imapUIDs(sel.UIDs)
	if len(uids) == 0 {
		return nil
	}
	if err := c.checkValidity(ctx, mailbox, validity); err != nil {
		return err
	}
	op := imap.StoreFlagsAdd
	if !on {
		op = imap.StoreFlagsDel
	}
	set := imap.UIDSetNum(uids...)
	var changed int
	err := c.do(ctx, "store", func() error {
		var before *imapclient.FetchCommand
		if flag == imap.FlagSeen { // pipelined: learn how many change
			before = c.c.Fetch(set, &imap.FetchOptions{UID: true, Flags: true})
		}
		store := c.c.Store(set, &imap.StoreFlags{Op: op, Silent: true, Flags: []imap.Flag{flag}}, nil)
		if before != nil {
			bufs, err := before.Collect()
			if err != nil {
				store.Close()
				return err
			}
			for _, b := range bufs {
				if slices.Contains(b.Flags, imap.FlagSeen) != on {
					changed++
				}
			}
		}
		return store.Close()
	})
	if err == nil && changed > 0 {
		if on {
			c.adjustUnseen(mailbox, -changed)
		} else {
			c.adjustUnseen(mailbox, changed)
		}
	}
	return err
}

// Move moves messages to another folder (MOVE, or COPY + \Deleted + UID
// EXPUNGE of exactly these messages when the server lacks MOVE). It
// returns where they went, for an undo (their UIDs in dest when the server
// tells, UIDPLUS, else none), and how many of them were still in the
// folder to be moved: none moved sends no MOVE at all.
func (c *Conn) Move(ctx context.Context, sel webmail.Selection, dest string) (webmail.Selection, int, error) {
	mailbox, validity, uids := sel.Mailbox, sel.Validity, imapUIDs(sel.UIDs)
	out := webmail.Selection{Mailbox: dest}
	if len(uids) == 0 {
		return out, 0, nil
	}
	if err := c.checkValidity(ctx, mailbox, validity); err != nil {
		return out, 0, err
	}
	set := imap.UIDSetNum(uids...)
	var unseen, found int
	err := c.do(ctx, "move", func() error {
		var err error
		if found, unseen, err = c.countUnseen(set); err != nil || found == 0 {
			return err
		}
		data, err := c.c.Move(set, dest).Wait()
		// Some servers (go-imap's own) answer MOVE with bogus "* 0
		// EXPUNGE" lines that the client counts as removals: the next
		// request selects afresh instead of trusting the count.
		c.selected = ""
		if err != nil {
			return err
		}
		out.Validity = data.UIDValidity
		if dst, ok := data.DestUIDs.(imap.UIDSet); ok {
			moved, _ := dst.Nums()
			out.UIDs = webmailUIDs(moved)
		}
		return nil
	})
	if err == nil && found > 0 {
		c.adjustUnseen(mailbox, -unseen)
		c.adjustUnseen(dest, unseen)
		c.adjustTotal(mailbox, -found)
		c.adjustTotal(dest, found)
	}
	return out, found, err
}

// Expunge deletes exactly these messages for good: \Deleted and UID
// EXPUNGE of their UIDs, never a plain EXPUNGE that would also remove
// messages another client marked \Deleted.
func (c *Conn) Expunge(ctx context.Context, sel webmail.Selection) error {
	mailbox, validity, uids := sel.Mailbox, sel.Validity, imapUIDs(sel.UIDs)
	if len(uids) == 0 {
		return nil
	}
	if err := c.checkValidity(ctx, mailbox, validity); err != nil {
		return err
	}
	set := imap.UIDSetNum(uids...)
	var unseen int
	err := c.do(ctx, "expunge", func() error {
		var err error
		if _, unseen, err = c.countUnseen(set); err != nil {
			return err
		}
		if err := c.c.Store(set, &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagDeleted}}, nil).Close(); err != nil {
			return err
		}
		if !c.caps.Has(imap.CapUIDPlus) && !c.caps.Has(imap.CapIMAP4rev2) {
			return ErrNoUIDPlus // marked, left for the server's owner to expunge
		}
		return c.c.UIDExpunge(set).Close()
	})
	if err == nil {
		c.adjustTotal(mailbox, -len(uids))
		c.adjustUnseen(mailbox, -unseen)
	}
	return err
}

// countUnseen counts the messages of a set that are in the folder, and
// the unread ones among them, to keep the cached counts right. Called
// inside do.
func (c *Conn) countUnseen(set imap.UIDSet) (found, unseen int, err error) {
	bufs, err := c.c.Fetch(set, &imap.FetchOptions{UID: true, Flags: true}).Collect()
	for _, b := range bufs {
		found++
		if !slices.Contains(b.Flags, imap.FlagSeen) {
			unseen++
		}
	}
	return found, unseen, err
}
