package mail

import (
	"cmp"
	"context"
	"slices"
	"webmail"

	"github.com/emersion/go-imap/v2"
)

// ThreadMessage is one message of an open conversation, in whichever
// folder it is (the person's replies are in Sent).
type ThreadMessage struct {
	Ref webmail.MessageRef
	webmail.Summary
	MessageID string // without angle brackets, "" if it has none
}

// Bounds of one open conversation: messages shown from the folder, and
// replies looked for in Sent (for at most maxReplyIDs of the messages'
// ids, the oldest and the newest).
const (
	maxConversation = 200
	maxReplies      = 50
	maxReplyIDs     = 20
)

// Conversation returns the conversation that holds ref, oldest first.
// With the server's THREAD it is the whole thread, wherever its messages
// fall in the list's pages: one UID THREAD and one FETCH of at most
// maxConversation messages. Without, it is the grouping of page n's window,
// as the list shows it. A message no conversation holds is ErrNotFound.
func (c *Conn) Conversation(ctx context.Context, ref webmail.MessageRef, n int) ([]ThreadMessage, error) {
	if err := c.checkValidity(ctx, ref.Mailbox, ref.Validity); err != nil {
		return nil, err
	}
	var msgs []*fetched
	if c.caps.Has(capThreadReferences) {
		groups, err := c.serverThreads(ctx)
		if err != nil {
			return nil, err
		}
		var uids []imap.UID
		for _, g := range groups {
			if slices.Contains(g, imap.UID(ref.UID)) {
				uids = g[max(0, len(g)-maxConversation):]
				if !slices.Contains(uids, imap.UID(ref.UID)) {
					uids = append(uids[1:], imap.UID(ref.UID))
				}
				break
			}
		}
		byUID, err := c.summariesByUID(ctx, uids)
		if err != nil {
			return nil, err
		}
		for _, m := range byUID {
			msgs = append(msgs, m)
		}
	} else {
		var err error
		if msgs, err = c.windowConversation(ctx, ref, n); err != nil {
			return nil, err
		}
	}
	if !slices.ContainsFunc(msgs, func(m *fetched) bool { return m.UID == imap.UID(ref.UID) }) {
		return nil, ErrNotFound
	}
	out := threadMessages(ref.Mailbox, ref.Validity, msgs)
	slices.SortFunc(out, func(a, b ThreadMessage) int { return cmp.Compare(a.UID, b.UID) })
	return out, nil
}

// windowConversation is the conversation holding ref among page n's
// window of messages, as ListConversations groups it.
func (c *Conn) windowConversation(ctx context.Context, ref webmail.MessageRef, n int) ([]*fetched, error) {
	count, _, err := c.selectMailbox(ctx, ref.Mailbox)
	if err != nil {
		return nil, err
	}
	if _, err := newPage(ref.Mailbox, ref.Validity, int(count), n, c.pageLen()); err != nil || count == 0 {
		return nil, ErrNotFound
	}
	hi := int(count) - (n-1)*c.pageLen()
	lo := max(1, hi-c.pageLen()+1)
	refs := &imap.FetchItemBodySection{Specifier: imap.PartSpecifierHeader, HeaderFields: []string{"References"}, Peek: true}
	var msgs []*fetched
	err = c.do(ctx, "fetch", func() error {
		var seqs imap.SeqSet
		seqs.AddRange(uint32(lo), uint32(hi))
		opts := summaryOptions()
		opts.BodySection = []*imap.FetchItemBodySection{refs}
		var err error
		msgs, err = collect(c.c.Fetch(seqs, opts))
		return err
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(msgs, func(a, b *fetched) int { return int(a.SeqNum) - int(b.SeqNum) })
	for _, g := range groupFetched(msgs, refs) {
		if slices.ContainsFunc(g, func(m *fetched) bool { return m.UID == imap.UID(ref.UID) }) {
			return g, nil
		}
	}
	return nil, ErrNotFound
}

func threadMessages(mailbox string, validity uint32, msgs []*fetched) []ThreadMessage {
	out := make([]ThreadMessage, 0, len(msgs))
	for _, m := range msgs {
		tm := ThreadMessage{Ref: webmail.MessageRef{Mailbox: mailbox, Validity: validity, UID: webmail.UID(m.UID)}, Summary: m.summary()}
		if m.Envelope != nil {
			tm.MessageID = m.Envelope.MessageID
		}
		out = append(out, tm)
	}
	return out
}

// Replies finds in mailbox (the Sent folder) the messages that answer any
// of the conversation's messages (In-Reply-To or References naming one of
// their ids), leaving out those it already holds by Message-ID. The work
// is bounded: one UID SEARCH for at most maxReplyIDs ids and one FETCH of
// at most maxReplies messages, the newest.
func (c *Conn) Replies(ctx context.Context, mailbox string, conv []ThreadMessage) ([]ThreadMessage, error) {
	var ids []string
	have := map[string]bool{}
	for _, m := range conv {
		if m.MessageID != "" {
			ids = append(ids, m.MessageID)
			have[m.MessageID] = true
		}
	}
	if len(ids) == 0 {
		return nil, nil
	}
	if len(ids) > maxReplyIDs { // the root, which References usually name, and the newest
		ids = append(ids[:1], ids[len(ids)-maxReplyIDs+1:]...)
	}
	_, validity, err := c.selectMailbox(ctx, mailbox)
	if err != nil {
		return nil, err
	}
	set, _, err := c.searchUIDs(ctx, answering(ids))
	if err != nil {
		return nil, err
	}
	nums, _ := set.Nums()
	nums = nums[max(0, len(nums)-maxReplies):]
	byUID, err := c.summariesByUID(ctx, nums)
	if err != nil {
		return nil, err
	}
	var msgs []*fetched
	for _, m := range byUID {
		if m.Envelope == nil || !have[m.Envelope.MessageID] {
			msgs = append(msgs, m)
		}
	}
	return threadMessages(mailbox, validity, msgs), nil
}

// answering matches the messages whose In-Reply-To or References name one
// of ids: OR chains nested to the right.
func answering(ids []string) *imap.SearchCriteria {
	var c *imap.SearchCriteria
	for i := len(ids) - 1; i >= 0; i-- {
		id := "<" + ids[i] + ">"
		one := imap.SearchCriteria{Or: [][2]imap.SearchCriteria{{
			{Header: []imap.SearchCriteriaHeaderField{{Key: "In-Reply-To", Value: id}}},
			{Header: []imap.SearchCriteriaHeaderField{{Key: "References", Value: id}}},
		}}}
		if c != nil {
			one = imap.SearchCriteria{Or: [][2]imap.SearchCriteria{{one, *c}}}
		}
		c = &one
	}
	return c
}
