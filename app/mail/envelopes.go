package mail

import (
	"context"

	"github.com/emersion/go-imap/v2"

	"webmail"
)

// RecentEnvelopes fetches the envelopes of the last n messages of mailbox
// by arrival, newest last: one SELECT (or NOOP) and one FETCH of at most
// n envelopes, whatever the size of the folder.
func (c *Conn) RecentEnvelopes(ctx context.Context, mailbox string, n int) ([]webmail.Envelope, error) {
	count, _, err := c.selectMailbox(ctx, mailbox)
	if err != nil || count == 0 || n <= 0 {
		return nil, err
	}
	var msgs []*fetched
	err = c.do(ctx, "fetch", func() error {
		var seqs imap.SeqSet
		seqs.AddRange(uint32(max(1, int(count)-n+1)), count)
		var err error
		msgs, err = collect(c.c.Fetch(seqs, &imap.FetchOptions{Envelope: true}))
		return err
	})
	if err != nil {
		return nil, err
	}
	out := make([]webmail.Envelope, 0, len(msgs))
	for _, m := range msgs {
		out = append(out, envelope(m.Envelope))
	}
	return out, nil
}
