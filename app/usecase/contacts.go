package usecase

import (
	"context"
	"errors"
	"strings"

	"webmail"
	"webmail/app/mail"
)

// RecentMessages is how many of the newest messages of Sent and of INBOX
// Correspondents looks at: the work is bounded, whatever the mailbox.
const RecentMessages = 500

// Weights of an address seen in the mail: a person written to is a likelier
// recipient than one heard from.
const (
	weightWritten = 2
	weightHeard   = 1
)

// Correspondents collects the addresses the person wrote to (To, Cc and
// Bcc of the newest RecentMessages in Sent) and heard from (From and
// Reply-To of the newest RecentMessages in INBOX), each with how often it
// was seen, in the order first met. self, the person's own address, is left
// out. Without a Sent folder only INBOX counts. It costs two SELECTs and
// two FETCHes of envelopes.
func (s *Service) Correspondents(ctx context.Context, acct mail.Account, self string) ([]webmail.Contact, error) {
	seen := map[string]*webmail.Contact{}
	var order []string
	note := func(l []webmail.Address, weight int) {
		for _, a := range l {
			addr := a.Addr()
			if a.Mailbox == "" || a.Host == "" || strings.EqualFold(addr, self) {
				continue
			}
			key := strings.ToLower(addr)
			c, ok := seen[key]
			if !ok {
				c = &webmail.Contact{Email: addr}
				seen[key] = c
				order = append(order, key)
			}
			c.Count += weight
			if c.Name == "" && a.Name != "" && !strings.EqualFold(a.Name, addr) {
				c.Name = a.Name
			}
		}
	}
	err := s.pool.Do(ctx, acct, "", func(c *mail.Conn) error {
		sent, err := c.FolderByRole(ctx, webmail.RoleSent)
		if err != nil && !errors.Is(err, mail.ErrNotFound) {
			return err
		}
		if sent != "" {
			envs, err := c.RecentEnvelopes(ctx, sent, RecentMessages)
			if err != nil && !errors.Is(err, mail.ErrNotFound) {
				return err
			}
			for _, e := range envs {
				note(e.To, weightWritten)
				note(e.Cc, weightWritten)
				note(e.Bcc, weightWritten)
			}
		}
		envs, err := c.RecentEnvelopes(ctx, "INBOX", RecentMessages)
		if err != nil {
			return err
		}
		for _, e := range envs {
			note(e.From, weightHeard)
			if len(e.ReplyTo) > 0 && (len(e.From) == 0 || e.ReplyTo[0].Addr() != e.From[0].Addr()) {
				note(e.ReplyTo, weightHeard)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := make([]webmail.Contact, 0, len(order))
	for _, k := range order {
		out = append(out, *seen[k])
	}
	return out, nil
}
