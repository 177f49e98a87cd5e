package mail

import (
	"context"
	"slices"
	"webmail"

	"github.com/emersion/go-imap/v2"
)

// Bounds of the rows a watcher keeps in step with the server (the flags of
// the messages its streams' pages show).
const (
	// MaxShown is how many rows of one page a stream may ask to follow.
	MaxShown = 2 * webmail.PageSize
	// maxTracked is how many rows one watcher follows, all its streams
	// together; rows beyond it get no updates (the counts still do).
	maxTracked = 1000
)

// rowState is what the watcher knows of a row: the flags it shows, and
// the MODSEQ at which the server last changed them (CONDSTORE; 0 without).
type rowState struct {
	flags  webmail.Flags
	modseq uint64
}

// flagsOf reads the flags a row shows.
func flagsOf(list []imap.Flag) webmail.Flags {
	var f webmail.Flags
	for _, x := range list {
		switch x {
		case imap.FlagSeen:
			f.Seen = true
		case imap.FlagFlagged:
			f.Flagged = true
		case imap.FlagAnswered:
			f.Answered = true
		case imap.FlagDraft:
			f.Draft = true
		}
	}
	return f
}

// track starts following the rows of uids the watcher does not follow
// yet, as far as maxTracked allows: one UID FETCH of their flags (and
// MODSEQ), which also tells which of them are gone. It returns those.
func (w *Watcher) track(ctx context.Context, uids []webmail.UID) (gone []webmail.UID, err error) {
	var fresh []imap.UID
	for _, u := range uids {
		if _, ok := w.rows[imap.UID(u)]; !ok && len(w.rows)+len(fresh) < maxTracked && imap.UID(u) < w.next {
			fresh = append(fresh, imap.UID(u))
		}
	}
	if len(fresh) == 0 {
		return nil, nil
	}
	opts := &imap.FetchOptions{UID: true, Flags: true, ModSeq: w.condstore}
	err = w.conn.do(ctx, "fetch", func() error {
		bufs, err := w.conn.c.Fetch(imap.UIDSetNum(fresh...), opts).Collect()
		if err != nil {
			return err
		}
		for _, b := range bufs {
			if slices.Contains(fresh, b.UID) {
				w.rows[b.UID] = rowState{flagsOf(b.Flags), b.ModSeq}
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, u := range fresh {
		if _, ok := w.rows[u]; !ok {
			gone = append(gone, webmail.UID(u))
		}
	}
	w.following.Store(int64(len(w.rows)))
	return gone, nil
}

// untrack forgets the rows no stream shows any more.
func (w *Watcher) untrack(keep func(webmail.UID) bool) {
	for u := range w.rows {
		if !keep(webmail.UID(u)) {
			delete(w.rows, u)
		}
	}
	w.following.Store(int64(len(w.rows)))
}

// syncRows brings the followed rows in step with the server after it told
// of a change: the rows whose flags changed and the rows expunged. With
// CONDSTORE it asks only for the rows changed since the last MODSEQ it
// knows (UID FETCH … (CHANGEDSINCE n)), and, only when the server told
// of an expunge, which rows are left (UID SEARCH UID …); without, one
// UID FETCH of the followed rows' flags answers both.
func (w *Watcher) syncRows(ctx context.Context) (changed, gone []imap.UID, err error) {
	expunged := w.expunged.Swap(false)
	if len(w.rows) == 0 {
		return nil, nil, nil
	}
	var set imap.UIDSet
	for u := range w.rows {
		set.AddNum(u)
	}
	err = w.conn.do(ctx, "fetch", func() error {
		opts := &imap.FetchOptions{UID: true, Flags: true}
		if w.condstore {
			opts.ModSeq, opts.ChangedSince = true, w.modseq
		}
		bufs, err := w.conn.c.Fetch(set, opts).Collect()
		if err != nil {
			return err
		}
		seen := make(map[imap.UID]bool, len(bufs))
		for _, b := range bufs {
			old, ok := w.rows[b.UID]
			if !ok {
				continue
			}
			seen[b.UID] = true
			w.modseq = max(w.modseq, b.ModSeq)
			if f := flagsOf(b.Flags); f != old.flags {
				changed = append(changed, b.UID)
				w.rows[b.UID] = rowState{f, b.ModSeq}
			} else {
				w.rows[b.UID] = rowState{f, max(old.modseq, b.ModSeq)}
			}
		}
		if !w.condstore {
			for u := range w.rows {
				if !seen[u] {
					gone = append(gone, u)
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	if w.condstore && expunged {
		err = w.conn.do(ctx, "search", func() error {
			data, err := w.conn.c.UIDSearch(&imap.SearchCriteria{UID: []imap.UIDSet{set}}, nil).Wait()
			if err != nil {
				return err
			}
			left := data.AllUIDs()
			for u := range w.rows {
				if !slices.Contains(left, u) {
					gone = append(gone, u)
				}
			}
			return nil
		})
		if err != nil {
			return nil, nil, err
		}
	}
	for _, u := range gone {
		delete(w.rows, u)
	}
	w.following.Store(int64(len(w.rows)))
	changed = slices.DeleteFunc(changed, func(u imap.UID) bool { return slices.Contains(gone, u) })
	return changed, gone, nil
}

// rowsOf fetches the list rows of uids, newest first.
func (w *Watcher) rowsOf(uids []imap.UID) ([]webmail.Summary, error) {
	if len(uids) == 0 {
		return nil, nil
	}
	msgs, err := collect(w.conn.c.Fetch(imap.UIDSetNum(uids...), summaryOptions()))
	if err != nil {
		return nil, err
	}
	slices.SortFunc(msgs, func(a, b *fetched) int { return int(b.UID) - int(a.UID) })
	out := make([]webmail.Summary, 0, len(msgs))
	for _, m := range msgs {
		out = append(out, m.summary())
	}
	return out, nil
}
