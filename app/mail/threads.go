package mail

import (
	"context"
	"slices"
	"strings"
	"webmail"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// ThreadPage is a page of a folder grouped into conversations, newest
// conversation first.
type ThreadPage struct {
	*webmail.Page
	Conversations []webmail.Conversation
	// Window is set when the conversations are grouped within the page's
	// window of messages (no server THREAD): the page's Total then counts
	// messages, not conversations, and a conversation may continue on
	// another page.
	Window bool
}

// ListConversations groups page n of a folder into conversations by
// Message-ID, In-Reply-To and References, within the page's window of
// PageSize messages: one FETCH, like a plain page.
func (c *Conn) ListConversations(ctx context.Context, mailbox string, n int) (*ThreadPage, error) {
	count, validity, err := c.selectMailbox(ctx, mailbox)
	if err != nil {
		return nil, err
	}
	p, err := newPage(mailbox, validity, int(count), n, c.pageLen())
	if err != nil {
		return nil, err
	}
	if c.caps.Has(capThreadReferences) {
		return c.listServerThreads(ctx, p)
	}
	tp := &ThreadPage{Page: p}
	if count == 0 {
		return tp, nil
	}
	hi := int(count) - (n-1)*c.pageLen()
	lo := max(1, hi-c.pageLen()+1)
	refs := &imap.FetchItemBodySection{Specifier: imap.PartSpecifierHeader, HeaderFields: []string{"References"}, Peek: true}
	var msgs []*fetched
	err = c.do(ctx, "fetch", func() error {
		var seqs imap.SeqSet
		seqs.AddRange(uint32(lo), uint32(hi))
		var err error
		opts := summaryOptions()
		opts.BodySection = []*imap.FetchItemBodySection{refs}
		msgs, err = collect(c.c.Fetch(seqs, opts))
		return err
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(msgs, func(a, b *fetched) int { return int(a.SeqNum) - int(b.SeqNum) }) // oldest first
	tp.Conversations = group(msgs, refs)
	tp.Window = true
	for _, m := range msgs {
		p.Messages = append(p.Messages, m.summary())
	}
	return tp, nil
}

// group joins messages that refer to each other (union-find over message
// ids), keeping arrival order inside each conversation; conversations are
// ordered by their newest message, newest first.
func group(msgs []*fetched, refs *imap.FetchItemBodySection) []webmail.Conversation {
	groups := groupFetched(msgs, refs)
	out := make([]webmail.Conversation, 0, len(groups))
	for _, g := range groups {
		var conv webmail.Conversation
		for _, m := range g {
			s := m.summary()
			conv.Messages = append(conv.Messages, s)
			if !s.Seen {
				conv.Unread++
			}
		}
		out = append(out, conv)
	}
	return out
}

// groupFetched is group, keeping what was fetched.
func groupFetched(msgs []*fetched, refs *imap.FetchItemBodySection) [][]*fetched {
	parent := make([]int, len(msgs))
	for i := range parent {
		parent[i] = i
	}
	find := func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	byID := map[string]int{}
	for i, m := range msgs {
		if m.Envelope != nil && m.Envelope.MessageID != "" {
			byID[m.Envelope.MessageID] = i
		}
	}
	for i, m := range msgs {
		ids := parseIDs(string(m.FindBodySection(refs)))
		if m.Envelope != nil {
			ids = append(ids, m.Envelope.InReplyTo...)
		}
		for _, id := range ids {
			if j, ok := byID[id]; ok {
				parent[find(i)] = find(j)
			}
		}
	}
	groups := map[int]int{} // root → index in out
	var out [][]*fetched
	for i, m := range msgs {
		root := find(i)
		g, ok := groups[root]
		if !ok {
			g = len(out)
			groups[root] = g
			out = append(out, nil)
		}
		out[g] = append(out[g], m)
	}
	// Newest conversation first: by the arrival of its last message.
	last := func(g []*fetched) int { return int(g[len(g)-1].UID) }
	slices.SortFunc(out, func(a, b []*fetched) int { return last(b) - last(a) })
	return out
}

// parseIDs reads message ids ("<a@b> <c@d>") from header text.
func parseIDs(s string) []string {
	var ids []string
	for {
		i := strings.IndexByte(s, '<')
		if i < 0 {
			return ids
		}
		j := strings.IndexByte(s[i:], '>')
		if j < 0 {
			return ids
		}
		if id := s[i+1 : i+j]; id != "" && !strings.ContainsAny(id, " \t\r\n<") {
			ids = append(ids, id)
		}
		s = s[i+j+1:]
	}
}

// capThreadReferences is the capability of servers that thread by
// References themselves (RFC 5256).
const capThreadReferences imap.Cap = "THREAD=REFERENCES"

// maxThreadFetch bounds the messages one page of server threads fetches.
const maxThreadFetch = 500

// listServerThreads pages over the server's own threads (UID THREAD
// REFERENCES), newest thread first: webmail.PageSize threads a page, with at most
// maxThreadFetch messages fetched for them.
func (c *Conn) listServerThreads(ctx context.Context, p *webmail.Page) (*ThreadPage, error) {
	groups, err := c.serverThreads(ctx)
	if err != nil {
		return nil, err
	}
	p, err = newPage(p.Mailbox, p.UIDValidity, len(groups), p.Number, c.pageLen())
	if err != nil {
		return nil, err
	}
	lo := (p.Number - 1) * c.pageLen()
	groups = groups[lo:min(lo+c.pageLen(), len(groups))]
	var uids []imap.UID
	for _, g := range groups {
		for _, u := range g {
			if len(uids) < maxThreadFetch {
				uids = append(uids, u)
			}
		}
	}
	byUID, err := c.summariesByUID(ctx, uids)
	if err != nil {
		return nil, err
	}
	tp := &ThreadPage{Page: p}
	for _, g := range groups {
		var conv webmail.Conversation
		for _, u := range g {
			if m, ok := byUID[u]; ok {
				s := m.summary()
				conv.Messages = append(conv.Messages, s)
				if !s.Seen {
					conv.Unread++
				}
				p.Messages = append(p.Messages, s)
			}
		}
		if len(conv.Messages) > 0 {
			tp.Conversations = append(tp.Conversations, conv)
		}
	}
	return tp, nil
}

// serverThreads asks the server for every thread of the selected folder
// (UID THREAD REFERENCES), as conversations of UIDs in arrival order, the
// conversation with the newest message first.
func (c *Conn) serverThreads(ctx context.Context) ([][]imap.UID, error) {
	var threads []imapclient.ThreadData
	err := c.do(ctx, "thread", func() error {
		data, err := c.c.UIDThread(&imapclient.ThreadOptions{Algorithm: imap.ThreadReferences, SearchCriteria: &imap.SearchCriteria{}}).Wait()
		threads = data
		return err
	})
	if err != nil {
		return nil, err
	}
	return flattenThreads(threads), nil
}

// flattenThreads turns THREAD trees into conversations of UIDs in arrival
// order, the conversation with the newest message first.
func flattenThreads(threads []imapclient.ThreadData) [][]imap.UID {
	var out [][]imap.UID
	var walk func(t imapclient.ThreadData, acc *[]imap.UID)
	walk = func(t imapclient.ThreadData, acc *[]imap.UID) {
		for _, n := range t.Chain {
			*acc = append(*acc, imap.UID(n))
		}
		for _, sub := range t.SubThreads {
			walk(sub, acc)
		}
	}
	for _, t := range threads {
		var g []imap.UID
		walk(t, &g)
		if len(g) == 0 {
			continue
		}
		slices.Sort(g)
		out = append(out, g)
	}
	slices.SortStableFunc(out, func(a, b []imap.UID) int { return int(b[len(b)-1]) - int(a[len(a)-1]) })
	return out
}
