package mail

import (
	"context"
	"io"
	"slices"
	"strings"
	"webmail"
	"webmail/app/message"

	"github.com/emersion/go-imap/v2"
)

// newPage is page n of total entries, size a page, or ErrNotFound past
// the last page.
func newPage(mailbox string, validity uint32, total, n, size int) (*webmail.Page, error) {
	p := &webmail.Page{Mailbox: mailbox, UIDValidity: validity, Total: uint32(total), Number: n}
	p.Pages = max(1, (total+size-1)/size)
	if n < 1 || n > p.Pages {
		return nil, ErrNotFound
	}
	return p, nil
}

// summaryOptions fetch what a list row shows, its snippet too: the start
// of the first part, in the same FETCH.
func summaryOptions() *imap.FetchOptions {
	return &imap.FetchOptions{
		UID: true, Flags: true, Envelope: true, RFC822Size: true, InternalDate: true,
		BodyStructure: &imap.FetchItemBodyStructure{Extended: true},
		BodySection:   []*imap.FetchItemBodySection{snippetSection},
	}
}

// snippetSection is BODY.PEEK[1]<0.N>: the start of the first part, for
// the row's snippet (message.Snippet).
var snippetSection = &imap.FetchItemBodySection{Part: []int{1}, Peek: true, Partial: &imap.SectionPartial{Size: message.SnippetBytes}}

// summariesByUID fetches the list rows of these messages, by UID.
func (c *Conn) summariesByUID(ctx context.Context, uids []imap.UID) (map[imap.UID]*fetched, error) {
	out := make(map[imap.UID]*fetched, len(uids))
	if len(uids) == 0 {
		return out, nil
	}
	err := c.do(ctx, "fetch", func() error {
		msgs, err := collect(c.c.Fetch(imap.UIDSetNum(uids...), summaryOptions()))
		for _, m := range msgs {
			out[m.UID] = m
		}
		return err
	})
	return out, err
}

// ListPage fetches page number n (1-based) of mailbox, newest first by
// arrival. It costs one NOOP or SELECT and one FETCH of at most webmail.PageSize
// messages, whatever the size of the folder.
func (c *Conn) ListPage(ctx context.Context, mailbox string, n int) (*webmail.Page, error) {
	count, validity, err := c.selectMailbox(ctx, mailbox)
	if err != nil {
		return nil, err
	}
	p, err := newPage(mailbox, validity, int(count), n, c.pageLen())
	if err != nil || count == 0 {
		return p, err
	}
	hi := int(count) - (n-1)*c.pageLen()
	lo := max(1, hi-c.pageLen()+1)
	var msgs []*fetched
	err = c.do(ctx, "fetch", func() error {
		var err error
		var seqs imap.SeqSet
		seqs.AddRange(uint32(lo), uint32(hi))
		msgs, err = collect(c.c.Fetch(seqs, summaryOptions()))
		return err
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(msgs, func(a, b *fetched) int { return int(b.SeqNum) - int(a.SeqNum) })
	for _, m := range msgs {
		p.Messages = append(p.Messages, m.summary())
	}
	return p, nil
}

// Message is what the message view needs before it fetches bodies.
type Message struct {
	webmail.Message
	Structure imap.BodyStructure
}

// Message fetches the envelope, flags, MIME structure and mailing list
// fields of one message.
// A UIDVALIDITY that no longer matches is ErrNotFound: the UID may now
// name another message.
func (c *Conn) Message(ctx context.Context, ref webmail.MessageRef) (*Message, error) {
	mailbox, validity, uid := ref.Mailbox, ref.Validity, imap.UID(ref.UID)
	if err := c.checkValidity(ctx, mailbox, validity); err != nil {
		return nil, err
	}
	var msgs []*fetched
	err := c.do(ctx, "fetch", func() error {
		var err error
		msgs, err = collect(c.c.Fetch(imap.UIDSetNum(uid), messageOptions()))
		return err
	})
	if err != nil {
		return nil, err
	}
	if len(msgs) != 1 || msgs[0].UID != uid {
		return nil, ErrNotFound
	}
	m := msgs[0]
	return &Message{Message: webmail.Message{
		Ref: ref, Summary: m.summary(), Envelope: envelope(m.Envelope),
		Unsubscribe: message.ParseUnsubscribe(m.FindBodySection(listFields)),
	}, Structure: m.BodyStructure}, nil
}

// listFields are the header fields that say how to leave a mailing list,
// fetched with the envelope (BODY.PEEK[HEADER.FIELDS (...)]).
var listFields = &imap.FetchItemBodySection{Specifier: imap.PartSpecifierHeader, HeaderFields: message.UnsubscribeFields, Peek: true}

// messageOptions fetch what the message view shows before its bodies: a
// list row's items and the mailing list's header fields.
func messageOptions() *imap.FetchOptions {
	o := summaryOptions()
	o.BodySection = []*imap.FetchItemBodySection{listFields}
	return o
}

func (c *Conn) checkValidity(ctx context.Context, mailbox string, validity uint32) error {
	_, v, err := c.selectMailbox(ctx, mailbox)
	if err != nil {
		return err
	}
	if v != validity {
		return ErrNotFound
	}
	return nil
}

// Sections fetches the given body parts (BODY.PEEK, so the message stays
// unread), each cut at limit bytes, in one FETCH. The result is in the
// order asked.
func (c *Conn) Sections(ctx context.Context, ref webmail.MessageRef, parts []message.Part, limit int64) ([][]byte, error) {
	mailbox, validity, uid := ref.Mailbox, ref.Validity, imap.UID(ref.UID)
	if len(parts) == 0 {
		return nil, nil
	}
	if err := c.checkValidity(ctx, mailbox, validity); err != nil {
		return nil, err
	}
	items := make([]*imap.FetchItemBodySection, len(parts))
	for i, p := range parts {
		items[i] = &imap.FetchItemBodySection{Part: p.Path, Specifier: imap.PartSpecifier(p.Specifier), Peek: true, Partial: &imap.SectionPartial{Offset: 0, Size: limit}}
	}
	out := make([][]byte, len(parts))
	err := c.do(ctx, "fetch", func() error {
		bufs, err := c.c.Fetch(imap.UIDSetNum(uid), &imap.FetchOptions{UID: true, BodySection: items}).Collect()
		if err != nil {
			return err
		}
		if len(bufs) != 1 {
			return ErrNotFound
		}
		for i, it := range items {
			out[i] = bufs[0].FindBodySection(it)
		}
		return nil
	})
	return out, err
}

// Stream copies one body part (or the whole message when part is nil) to
// w as it arrives from the server, without holding it in memory.
func (c *Conn) Stream(ctx context.Context, ref webmail.MessageRef, part []int, w func(size int64, r io.Reader) error) error {
	mailbox, validity, uid := ref.Mailbox, ref.Validity, imap.UID(ref.UID)
	if err := c.checkValidity(ctx, mailbox, validity); err != nil {
		return err
	}
	return c.doStream(ctx, "fetch", func() error {
		item := &imap.FetchItemBodySection{Part: part, Peek: true}
		cmd := c.c.Fetch(imap.UIDSetNum(uid), &imap.FetchOptions{UID: true, BodySection: []*imap.FetchItemBodySection{item}})
		defer cmd.Close()
		found := false
		for msg := cmd.Next(); msg != nil; msg = cmd.Next() {
			for it := msg.Next(); it != nil; it = msg.Next() {
				bs, ok := it.(imapclientBodySection)
				if !ok || bs.Literal == nil || found {
					continue
				}
				found = true
				if err := w(bs.Literal.Size(), bs.Literal); err != nil {
					// The literal is broken off or unread: the connection
					// is of no further use, and the client's reader must
					// stop before the command is discarded (go-imap races
					// otherwise).
					c.c.Close()
					return err
				}
			}
		}
		if err := cmd.Close(); err != nil {
			return err
		}
		if !found {
			return ErrNotFound
		}
		return nil
	})
}

// SetSeen marks a message read or unread with an explicit STORE.
func (c *Conn) SetSeen(ctx context.Context, ref webmail.MessageRef, seen bool) error {
	mailbox, validity, uid := ref.Mailbox, ref.Validity, imap.UID(ref.UID)
	if err := c.checkValidity(ctx, mailbox, validity); err != nil {
		return err
	}
	op := imap.StoreFlagsAdd
	if !seen {
		op = imap.StoreFlagsDel
	}
	var changed bool
	err := c.do(ctx, "store", func() error {
		// FETCH FLAGS and STORE are pipelined: one round trip tells whether
		// the unread count changes.
		before := c.c.Fetch(imap.UIDSetNum(uid), &imap.FetchOptions{UID: true, Flags: true})
		store := c.c.Store(imap.UIDSetNum(uid), &imap.StoreFlags{Op: op, Silent: true, Flags: []imap.Flag{imap.FlagSeen}}, nil)
		bufs, err := before.Collect()
		if err != nil {
			store.Close()
			return err
		}
		if err := store.Close(); err != nil {
			return err
		}
		if len(bufs) != 1 {
			return ErrNotFound
		}
		changed = slices.Contains(bufs[0].Flags, imap.FlagSeen) != seen
		return nil
	})
	if err == nil && changed {
		if seen {
			c.adjustUnseen(mailbox, -1)
		} else {
			c.adjustUnseen(mailbox, +1)
		}
	}
	return err
}

func hasAttachment(bs imap.BodyStructure) bool {
	found := false
	if bs == nil {
		return false
	}
	bs.Walk(func(path []int, part imap.BodyStructure) bool {
		if sp, ok := part.(*imap.BodyStructureSinglePart); ok {
			if d := sp.Disposition(); d != nil && strings.EqualFold(d.Value, "attachment") || sp.Filename() != "" && !strings.HasPrefix(sp.MediaType(), "text/") && len(path) > 0 {
				found = true
			}
		}
		return !found
	})
	return found
}

// References returns the message ids of a message's References header,
// without angle brackets: the envelope does not carry them.
func (c *Conn) References(ctx context.Context, ref webmail.MessageRef) ([]string, error) {
	mailbox, validity, uid := ref.Mailbox, ref.Validity, imap.UID(ref.UID)
	if err := c.checkValidity(ctx, mailbox, validity); err != nil {
		return nil, err
	}
	item := &imap.FetchItemBodySection{Specifier: imap.PartSpecifierHeader, HeaderFields: []string{"References"}, Peek: true}
	var raw []byte
	err := c.do(ctx, "fetch", func() error {
		bufs, err := c.c.Fetch(imap.UIDSetNum(uid), &imap.FetchOptions{UID: true, BodySection: []*imap.FetchItemBodySection{item}}).Collect()
		if err != nil {
			return err
		}
		if len(bufs) == 1 {
			raw = bufs[0].FindBodySection(item)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return parseIDs(string(raw)), nil
}

// Neighbors returns the next older and next newer message around uid (0
// where there is none), with two ESEARCH MIN/MAX queries, whatever the
// folder size.
func (c *Conn) Neighbors(ctx context.Context, ref webmail.MessageRef) (older, newer webmail.UID, err error) {
	mailbox, validity, uid := ref.Mailbox, ref.Validity, imap.UID(ref.UID)
	if err := c.checkValidity(ctx, mailbox, validity); err != nil {
		return 0, 0, err
	}
	err = c.do(ctx, "search", func() error {
		var below, above imap.UIDSet
		if uid > 1 {
			below.AddRange(1, uid-1)
		}
		above.AddRange(uid+1, 0) // uid+1:*
		var olderCmd, newerCmd interface {
			Wait() (*imap.SearchData, error)
		}
		if uid > 1 {
			olderCmd = c.c.UIDSearch(&imap.SearchCriteria{UID: []imap.UIDSet{below}}, &imap.SearchOptions{ReturnMax: true})
		}
		newerCmd = c.c.UIDSearch(&imap.SearchCriteria{UID: []imap.UIDSet{above}}, &imap.SearchOptions{ReturnMin: true})
		if olderCmd != nil {
			d, err := olderCmd.Wait()
			if err != nil {
				return err
			}
			older = webmail.UID(d.Max)
		}
		d, err := newerCmd.Wait()
		if err != nil {
			return err
		}
		if imap.UID(d.Min) > uid { // "uid+1:*" matches the last message when uid is past the end
			newer = webmail.UID(d.Min)
		}
		return nil
	})
	return older, newer, err
}
