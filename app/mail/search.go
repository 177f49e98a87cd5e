package mail

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"strings"
	"time"
	"webmail"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// SortKey orders a message list. The zero value is arrival order.
type SortKey string

// The sort keys a list offers.
const (
	SortArrival SortKey = ""
	SortDate    SortKey = "date"
	SortFrom    SortKey = "from" // the sender as shown: name, else address
	SortTo      SortKey = "to"   // the first recipient as shown
	SortSubject SortKey = "subject"
	SortSize    SortKey = "size"
)

// SortLimit bounds the fallback sort for servers without SORT: up to this
// many messages have their sort key fetched and sorted here.
const SortLimit = 5000

// ErrTooManyToSort means a folder (or search result) is larger than the
// fallback sort handles, on a server without SORT.
var ErrTooManyToSort = errors.New("mail: too many messages to sort without server SORT")

// View is what a list shows: a search (nil criteria: everything) in an
// order.
type View struct {
	Criteria *imap.SearchCriteria
	Sort     SortKey
	Asc      bool
	// Rows is how many messages the page fetches; webmail.PageSize when zero. A
	// search across all folders shows a few per folder.
	Rows int
}

func (v View) plain() bool { return v.Criteria == nil && v.Sort == SortArrival && !v.Asc }

// ListView fetches page n of a folder as a search and/or sort shows it.
// Its cost is one SEARCH (or SORT) plus one FETCH of at most webmail.PageSize
// messages; a search with a million hits returns the first page without
// expanding them all (the result stays a compact UID set). Without
// server SORT, sorting by a key other than arrival fetches that key for
// up to SortLimit messages.
func (c *Conn) ListView(ctx context.Context, mailbox string, n int, v View) (*webmail.Page, error) {
	if v.plain() {
		return c.ListPage(ctx, mailbox, n)
	}
	_, validity, err := c.selectMailbox(ctx, mailbox)
	if err != nil {
		return nil, err
	}
	criteria := v.Criteria
	if criteria == nil {
		criteria = &imap.SearchCriteria{}
	}
	var uids []imap.UID // the page, in display order
	var total int
	switch {
	case v.Sort == SortArrival: // a search in arrival order: UIDs order arrival
		var set imap.UIDSet
		set, total, err = c.searchUIDs(ctx, criteria)
		if err != nil {
			return nil, err
		}
		uids = pageOfSet(set, n, c.pageLen(), v.Asc)
		if v.Rows > 0 && len(uids) > v.Rows {
			uids = uids[:v.Rows]
		}
	case c.caps.Has(imap.CapSort):
		var all []uint32
		err = c.do(ctx, "sort", func() error {
			var err error
			all, err = c.c.UIDSort(&imapclient.SortOptions{SearchCriteria: criteria, SortCriteria: []imapclient.SortCriterion{{Key: c.sortKey(v.Sort), Reverse: !v.Asc}}}).Wait()
			return err
		})
		if err != nil {
			return nil, err
		}
		total = len(all)
		for _, u := range pageOf(all, n, c.pageLen()) {
			uids = append(uids, imap.UID(u))
		}
	default:
		uids, total, err = c.sortHere(ctx, criteria, v, n)
		if err != nil {
			return nil, err
		}
	}
	p, err := newPage(mailbox, validity, total, n, c.pageLen())
	if err != nil || len(uids) == 0 {
		return p, err
	}
	byUID, err := c.summariesByUID(ctx, uids)
	if err != nil {
		return nil, err
	}
	for _, u := range uids { // keep the search or sort order
		if m := byUID[u]; m != nil {
			p.Messages = append(p.Messages, m.summary())
		}
	}
	return p, nil
}

// searchUIDs runs a UID SEARCH and returns the matches as a compact set
// (ESEARCH ALL) with their count.
func (c *Conn) searchUIDs(ctx context.Context, criteria *imap.SearchCriteria) (imap.UIDSet, int, error) {
	var set imap.UIDSet
	var count int
	err := c.do(ctx, "search", func() error {
		data, err := c.c.UIDSearch(criteria, &imap.SearchOptions{ReturnAll: true, ReturnCount: true}).Wait()
		if err != nil {
			return err
		}
		set, _ = data.All.(imap.UIDSet)
		count = int(data.Count)
		return nil
	})
	if count == 0 {
		count = setLen(set)
	}
	return set, count, err
}

// Sort keys of RFC 5957 (SORT=DISPLAY): the display name, else the
// address, as the list shows a person.
const (
	sortKeyDisplayFrom imapclient.SortKey = "DISPLAYFROM"
	sortKeyDisplayTo   imapclient.SortKey = "DISPLAYTO"
)

// sortKey is the server's key for k: people by the name shown where the
// server can (SORT=DISPLAY), else by address (RFC 5256 FROM and TO).
func (c *Conn) sortKey(k SortKey) imapclient.SortKey {
	display := c.caps.Has(imap.CapSortDisplay)
	switch k {
	case SortDate:
		return imapclient.SortKeyDate
	case SortFrom:
		if display {
			return sortKeyDisplayFrom
		}
		return imapclient.SortKeyFrom
	case SortTo:
		if display {
			return sortKeyDisplayTo
		}
		return imapclient.SortKeyTo
	case SortSubject:
		return imapclient.SortKeySubject
	case SortSize:
		return imapclient.SortKeySize
	}
	return imapclient.SortKeyArrival
}

// sortHere is the bounded fallback for servers without SORT: fetch the key
// of every matching message (at most SortLimit) and sort here.
func (c *Conn) sortHere(ctx context.Context, criteria *imap.SearchCriteria, v View, n int) ([]imap.UID, int, error) {
	set, count, err := c.searchUIDs(ctx, criteria)
	if err != nil {
		return nil, 0, err
	}
	if count > SortLimit {
		return nil, count, ErrTooManyToSort
	}
	if count == 0 {
		return nil, 0, nil
	}
	opts := &imap.FetchOptions{UID: true}
	switch v.Sort {
	case SortSize:
		opts.RFC822Size = true
	default:
		opts.Envelope = true
	}
	var msgs []*fetched
	err = c.do(ctx, "fetch", func() error {
		var err error
		msgs, err = collect(c.c.Fetch(set, opts))
		return err
	})
	if err != nil {
		return nil, 0, err
	}
	key := func(m *fetched) string {
		if m.Envelope == nil {
			return ""
		}
		switch v.Sort {
		case SortFrom:
			return displayKey(m.Envelope.From)
		case SortTo:
			return displayKey(m.Envelope.To)
		case SortSubject:
			return baseSubject(m.Envelope.Subject)
		}
		return ""
	}
	slices.SortStableFunc(msgs, func(a, b *fetched) int {
		var r int
		switch v.Sort {
		case SortSize:
			r = cmp.Compare(a.RFC822Size, b.RFC822Size)
		case SortDate:
			r = dateOf(a).Compare(dateOf(b))
		default:
			r = cmp.Compare(key(a), key(b))
		}
		if r == 0 {
			r = cmp.Compare(a.UID, b.UID)
		}
		if !v.Asc {
			r = -r
		}
		return r
	})
	all := make([]uint32, len(msgs))
	for i, m := range msgs {
		all[i] = uint32(m.UID)
	}
	var uids []imap.UID
	for _, u := range pageOf(all, n, c.pageLen()) {
		uids = append(uids, imap.UID(u))
	}
	return uids, len(msgs), nil
}

// displayKey orders people as RFC 5957 does: the first one's display
// name, else its address, case folded.
func displayKey(addrs []imap.Address) string {
	if len(addrs) == 0 {
		return ""
	}
	if n := strings.TrimSpace(addrs[0].Name); n != "" {
		return strings.ToLower(n)
	}
	return strings.ToLower(addrs[0].Addr())
}

func dateOf(m *fetched) time.Time {
	if m.Envelope != nil && !m.Envelope.Date.IsZero() {
		return m.Envelope.Date
	}
	return m.InternalDate
}

// baseSubject strips reply and forward prefixes, as RFC 5256 sorts.
func baseSubject(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	for {
		trimmed := s
		for _, p := range []string{"re:", "fwd:", "fw:", "aw:", "wg:", "sv:"} {
			trimmed = strings.TrimSpace(strings.TrimPrefix(trimmed, p))
		}
		if trimmed == s {
			return s
		}
		s = trimmed
	}
}

func pageOf(all []uint32, n, size int) []uint32 {
	lo := (n - 1) * size
	if lo < 0 || lo >= len(all) {
		return nil
	}
	return all[lo:min(lo+size, len(all))]
}

func setLen(set imap.UIDSet) int {
	n := 0
	for _, r := range set {
		if r.Stop >= r.Start {
			n += int(r.Stop-r.Start) + 1
		}
	}
	return n
}

// pageOfSet picks page n (newest first unless asc) from a UID set without
// expanding it: a million hits cost no more than fifty.
func pageOfSet(set imap.UIDSet, n, pageLen int, asc bool) []imap.UID {
	skip := (n - 1) * pageLen
	var out []imap.UID
	ranges := slices.Clone(set)
	slices.SortFunc(ranges, func(a, b imap.UIDRange) int { return cmp.Compare(a.Start, b.Start) })
	visit := func(r imap.UIDRange) bool {
		size := int(r.Stop-r.Start) + 1
		if r.Stop < r.Start {
			return true
		}
		if skip >= size {
			skip -= size
			return true
		}
		for i := skip; i < size && len(out) < pageLen; i++ {
			if asc {
				out = append(out, r.Start+imap.UID(i))
			} else {
				out = append(out, r.Stop-imap.UID(i))
			}
		}
		skip = 0
		return len(out) < pageLen
	}
	if asc {
		for _, r := range ranges {
			if !visit(r) {
				break
			}
		}
	} else {
		for i := len(ranges) - 1; i >= 0; i-- {
			if !visit(ranges[i]) {
				break
			}
		}
	}
	return out
}
