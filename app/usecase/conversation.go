package usecase

import (
	"cmp"
	"context"
	"errors"
	"slices"

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
	var sent string
	err := s.pool.Do(ctx, acct, ref.Mailbox, func(c *mail.Conn) error {
		var err error
		if conv.Messages, err = c.Conversation(ctx, ref, max(1, q.Page)); err != nil {
			return err
		}
		sent, err = c.FolderByRole(ctx, webmail.RoleSent)
		if errors.Is(err, mail.ErrNotFound) {
			sent, err = "", nil
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	if sent != "" && sent != ref.Mailbox {
		// On a connection of its own: the folder's stays selected.
		err = s.pool.Do(ctx, acct, sent, func(c *mail.Conn) error {
			replies, err := c.Replies(ctx, sent, conv.Messages)
			conv.Messages = append(conv.Messages, replies...)
			return err
		})
		if err != nil && !errors.Is(err, mail.ErrNotFound) {
			return nil, err
		}
		slices.SortStableFunc(conv.Messages, func(a, b mail.ThreadMessage) int { return cmp.Compare(order(a), order(b)) })
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
