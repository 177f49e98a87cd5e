package mail

import (
	"context"

	"github.com/emersion/go-imap/v2"
)

// BulkOp is what ApplyAll does to each batch of messages.
type BulkOp struct {
	Flag imap.Flag // set (On) or clear a flag, when Dest is "" and not Expunge
	On   bool
	Dest string // move to this folder
	// Expunge deletes for good: \Deleted and UID EXPUNGE of each batch.
	Expunge bool
}

// Batch bounds of ApplyAll: messages and UID ranges in one command, so
// that each command is short on the wire and quick at the server.
const (
	BulkBatch  = 10_000
	bulkRanges = 500
)

// Matched is what MatchAll found in a mailbox: a compact set of UID
// ranges, and how many messages it holds.
type Matched struct {
	Mailbox  string
	Validity uint32
	UIDs     imap.UIDSet
	N        int
}

// MatchAll finds the messages of mailbox that match criteria (nil: all)
// with one UID SEARCH whose result stays a compact set of UID ranges
// (ESEARCH), and counts them: what ApplyAll then acts on.
func (c *Conn) MatchAll(ctx context.Context, mailbox string, validity uint32, criteria *imap.SearchCriteria) (Matched, error) {
	if err := c.checkValidity(ctx, mailbox, validity); err != nil {
		return Matched{}, err
	}
	if criteria == nil {
		criteria = &imap.SearchCriteria{}
	}
	set, n, err := c.searchUIDs(ctx, criteria)
	return Matched{Mailbox: mailbox, Validity: validity, UIDs: set, N: n}, err
}

// ApplyAll applies op to the messages MatchAll found, whatever their
// number: one command per batch of at most BulkBatch messages, in their
// mailbox (selected again if another command changed it). Memory grows
// with the number of ranges, not of messages. It returns how many
// messages it acted on; the folder counts are read afresh afterwards.
func (c *Conn) ApplyAll(ctx context.Context, m Matched, op BulkOp) (int, error) {
	if err := c.checkValidity(ctx, m.Mailbox, m.Validity); err != nil {
		return 0, err
	}
	set := m.UIDs
	if op.Expunge && !c.caps.Has(imap.CapUIDPlus) && !c.caps.Has(imap.CapIMAP4rev2) {
		return 0, ErrNoUIDPlus
	}
	done := 0
	defer func() {
		if done > 0 {
			c.forgetFolders()
		}
	}()
	for batch := range batches(set, BulkBatch, bulkRanges) {
		n := setLen(batch)
		err := c.do(ctx, bulkName(op), func() error {
			switch {
			case op.Dest != "":
				_, err := c.c.Move(batch, op.Dest).Wait()
				c.selected = "" // as Move: the counts are not to be trusted
				return err
			case op.Expunge:
				if err := c.c.Store(batch, &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagDeleted}}, nil).Close(); err != nil {
					return err
				}
				return c.c.UIDExpunge(batch).Close()
			}
			storeOp := imap.StoreFlagsAdd
			if !op.On {
				storeOp = imap.StoreFlagsDel
			}
			return c.c.Store(batch, &imap.StoreFlags{Op: storeOp, Silent: true, Flags: []imap.Flag{op.Flag}}, nil).Close()
		})
		if err != nil {
			return done, err
		}
		done += n
	}
	return done, nil
}

func bulkName(op BulkOp) string {
	switch {
	case op.Dest != "":
		return "move"
	case op.Expunge:
		return "expunge"
	}
	return "store"
}

// batches cuts a UID set into sets of at most size messages and ranges
// ranges each, without listing its UIDs.
func batches(set imap.UIDSet, size, ranges int) func(yield func(imap.UIDSet) bool) {
	return func(yield func(imap.UIDSet) bool) {
		var cur imap.UIDSet
		n := 0
		for _, r := range set {
			start, stop := r.Start, r.Stop
			if stop < start {
				start, stop = stop, start
			}
			for start <= stop && start != 0 {
				take := min(int(stop-start)+1, size-n)
				end := start + imap.UID(take-1)
				cur = append(cur, imap.UIDRange{Start: start, Stop: end})
				n += take
				if n == size || len(cur) == ranges {
					if !yield(cur) {
						return
					}
					cur, n = nil, 0
				}
				if end == stop {
					break
				}
				start = end + 1
			}
		}
		if len(cur) > 0 {
			yield(cur)
		}
	}
}
