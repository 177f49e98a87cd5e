package mail

import (
	"sync/atomic"

	"github.com/emersion/go-imap/v2/imapclient"
)

// news notes whether the server told a connection lent to requests of a
// change made elsewhere (another device, another client): flags changed
// (an unasked FETCH), messages expunged or arrived while a NOOP brought the
// selected mailbox up to date. The folder tree's counts, cached for the
// account, are then refreshed with the page (ChangedElsewhere), so a page
// loaded without JavaScript shows the counts as they are.
type news struct {
	listening atomic.Bool // a NOOP is asking for news
	heard     atomic.Bool
}

func (n *news) handler() *imapclient.UnilateralDataHandler {
	return &imapclient.UnilateralDataHandler{
		// Only while a NOOP asks: our own MOVE and EXPUNGE are answered
		// with expunges too, and some servers (go-imap's own) send a
		// bogus "* 0 EXPUNGE" after MOVE.
		Expunge: func(uint32) {
			if n.listening.Load() {
				n.heard.Store(true)
			}
		},
		Mailbox: func(d *imapclient.UnilateralDataMailbox) {
			if d.NumMessages != nil && n.listening.Load() {
				n.heard.Store(true)
			}
		},
		// An unasked FETCH is always news: the answers to our own STORE
		// go to the STORE. It arrives on a goroutine of its own, so it
		// is not held to the NOOP.
		Fetch: func(m *imapclient.FetchMessageData) {
			n.heard.Store(true)
			m.Collect()
		},
	}
}

// listen marks the time a NOOP asks for news.
func (n *news) listen(on bool) {
	if n != nil {
		n.listening.Store(on)
	}
}

// hear notes a change found otherwise, such as a message count that
// differs from the cached one.
func (n *news) hear() {
	if n != nil {
		n.heard.Store(true)
	}
}

// ChangedElsewhere reports, once, whether the server has told of a change
// made elsewhere since the last call: the cached folder counts may be
// stale.
func (c *Conn) ChangedElsewhere() bool {
	return c.news != nil && c.news.heard.Swap(false)
}
