package demo

import (
	"bytes"
	"context"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-message/mail"
	"github.com/emersion/go-message/textproto"
)

// fillInterval is the average time between two FillMailbox messages.
const fillInterval = 5 * time.Minute

// FillMailbox appends n small generated plain-text messages to the mailbox
// of the account whose IMAP login is login, creating the mailbox if needed.
// It is meant for benchmarks: 100,000 messages take about 0.6 s and 80 MB
// of memory. The messages are dated about five minutes apart, the newest
// near the server's anchor time (Options.Now), appended oldest first; nine in
// ten are \Seen. Their subjects end with "#<number>", counting from 1 in
// date order.
func (s *Server) FillMailbox(ctx context.Context, login, mailbox string, n int) error {
	acct := s.accountByLogin(login)
	if acct == nil {
		return fmt.Errorf("demo: no account %q", login)
	}
	if err := acct.ensure(mailbox); err != nil {
		return err
	}
	status, err := acct.user.Status(mailbox, &imap.StatusOptions{UIDNext: true})
	if err != nil {
		return err
	}

	greeting := "Hi " + firstName(person{Name: acct.Name, Addr: acct.Address})
	idSum := fnv.New32a()
	idSum.Write([]byte(mailbox))
	rng := rand.New(rand.NewPCG(seed, uint64(n)))
	senders := slices.Concat(colleagues, friends)
	subjects := slices.Concat(colleagueSubjects, friendSubjects)
	to := []*mail.Address{{Name: acct.Name, Address: acct.Address}}
	seen := []imap.Flag{imap.FlagSeen}
	var buf bytes.Buffer
	for i := range n {
		if i%1000 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		from := pick(rng, senders)
		date := s.now.Add(-time.Duration(n-i)*fillInterval + time.Duration(rng.IntN(120))*time.Second).Truncate(time.Second)

		// Inserted bottom-up, see envelope.header.
		var h mail.Header
		h.SetContentType("text/plain", map[string]string{"charset": "utf-8"})
		h.Set("MIME-Version", "1.0")
		h.SetMessageID(fmt.Sprintf("fill.%08x.%d@%s", idSum.Sum32(), uint32(status.UIDNext)+uint32(i), domainOf(acct.Address)))
		h.SetDate(date.In(from.location()))
		h.SetSubject(fmt.Sprintf("%s #%d", pick(rng, subjects), i+1))
		h.SetAddressList("To", to)
		h.SetAddressList("From", []*mail.Address{from.address()})

		buf.Reset()
		if err := textproto.WriteHeader(&buf, h.Header.Header); err != nil {
			return err
		}
		fmt.Fprintf(&buf, "%s,\r\n\r\n%s\r\n\r\n%s\r\n", greeting, pick(rng, colleagueParagraphs), firstName(from))

		var flags []imap.Flag
		if rng.IntN(10) != 0 {
			flags = seen
		}
		// The backend copies the literal, so buf can be reused.
		if err := acct.append(mailbox, buf.Bytes(), flags, date); err != nil {
			return err
		}
	}
	return nil
}

// ensure creates the mailbox if it does not exist.
func (a *mailAccount) ensure(name string) error {
	a.mu.Lock()
	exists := a.folders[name] != nil
	a.mu.Unlock()
	if exists {
		return nil
	}
	return a.create(name, nil)
}
