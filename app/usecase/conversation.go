package usecase

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"time"

	"webmail"
	"webmail/app/mail"
)

// Conversation is an open conversation: its messages oldest first, those
// of the folder and the person's own replies filed in Sent.
type Conversation struct {
	Messages []mail.ThreadMessage
	// Expanded says which messages the view opens: the unread ones (at
	// most MaxExpanded, the oldest first, as they are read), else the
	// newest. Opening marks exactly these read.
	Expanded []bool
}

// MaxExpanded bounds the messages a conversation opens at once: the
// unread ones after them stay collapsed, and unread.
const MaxExpanded = 5

// Conversation finds the conversation that holds ref, as the list at q
// groups it (whole, with the server's THREAD), adds the replies in Sent
// and chooses what the view expands.
func (s *Service) Conversation(ctx context.Context, acct mail.Account, ref webmail.MessageRef, q ListQuery) (*Conversation, error) {
	conv := &Conversation{}
	err := s.pool.Do(ctx, acct, ref.Mailbox, func(c *mail.Conn) error {
		c.SetPageLen(q.PageLen)
		var err error
		if conv.Messages, err = c.Conversation(ctx, ref, max(1, q.Page)); err != nil {
			return err
		}
		sent, err := c.FolderByRole(ctx, webmail.RoleSent)
		if errors.Is(err, mail.ErrNotFound) || sent == ref.Mailbox {
			return nil
		}
		if err != nil {
			return err
		}
		// While this connection is held, so that the replies are looked
		// for on another one: this one keeps the folder selected, and a
		// server's thread cache with it.
		if replies := s.replies(ctx, acct, sent, conv.Messages); len(replies) > 0 {
			conv.Messages = append(conv.Messages, replies...)
			slices.SortStableFunc(conv.Messages, func(a, b mail.ThreadMessage) int { return cmp.Compare(order(a), order(b)) })
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	conv.Expanded = make([]bool, len(conv.Messages))
	n := 0
	for i, m := range conv.Messages {
		if !m.Seen && n < MaxExpanded {
			conv.Expanded[i] = true
			n++
		}
	}
	if n == 0 && len(conv.Messages) > 0 {
		conv.Expanded[len(conv.Messages)-1] = true
	}
	return conv, nil
}

// replyWait bounds the wait for a second connection to look for replies
// in Sent: without one soon, the conversation is shown without them.
const replyWait = 2 * time.Second

// replies looks for the person's replies to conv in the Sent folder on a
// connection other than the caller's. They are an addition: when no
// connection comes free or the search fails, there are none.
func (s *Service) replies(ctx context.Context, acct mail.Account, sent string, conv []mail.ThreadMessage) []mail.ThreadMessage {
	wait, cancel := context.WithTimeout(ctx, replyWait)
	c, release, err := s.pool.Acquire(wait, acct, sent)
	cancel()
	if err != nil {
		s.log.Warn("no connection to look for replies in Sent", "err", err.Error())
		return nil
	}
	defer release()
	replies, err := c.Replies(ctx, sent, conv)
	if err != nil {
		s.log.Warn("looking for replies in Sent failed", "err", err.Error())
		return nil
	}
	return replies
}

// order places a message in its conversation: by the date it was sent.
func order(m mail.ThreadMessage) int64 { return m.Date.Unix() }

// ToMarkRead are the expanded unread messages of the conversation's folder.
func (c *Conversation) ToMarkRead(mailbox string) webmail.Selection {
	var sel webmail.Selection
	for i, m := range c.Messages {
		if c.Expanded[i] && !m.Seen && m.Ref.Mailbox == mailbox {
			sel.Mailbox, sel.Validity = m.Ref.Mailbox, m.Ref.Validity
			sel.UIDs = append(sel.UIDs, m.UID)
		}
	}
	return sel
}
