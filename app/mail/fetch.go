package mail

import (
	"webmail"
	"webmail/app/message"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

type imapclientBodySection = imapclient.FetchItemDataBodySection

// fetched is one message of a FETCH answer, buffered.
type fetched struct {
	*imapclient.FetchMessageBuffer
}

func collect(cmd *imapclient.FetchCommand) ([]*fetched, error) {
	bufs, err := cmd.Collect()
	if err != nil {
		return nil, err
	}
	out := make([]*fetched, len(bufs))
	for i, b := range bufs {
		// Raw 8-bit header text (From: Müller in Latin-1) by best guess.
		message.DecodeEnvelope(b.Envelope, b.BodyStructure)
		out[i] = &fetched{b}
	}
	return out, nil
}

func (m *fetched) summary() webmail.Summary {
	s := webmail.Summary{UID: webmail.UID(m.UID), Size: m.RFC822Size, Date: m.InternalDate, HasAttachment: hasAttachment(m.BodyStructure)}
	if raw := m.FindBodySection(snippetSection); raw != nil && m.BodyStructure != nil {
		s.Snippet = message.Snippet(raw, m.BodyStructure, webmail.SnippetLen)
	}
	if e := m.Envelope; e != nil {
		s.Subject = e.Subject
		if len(e.From) > 0 {
			s.From = webmail.Address{Name: e.From[0].Name, Mailbox: e.From[0].Mailbox, Host: e.From[0].Host}
		}
		if !e.Date.IsZero() {
			s.Date = e.Date
		}
	}
	for _, f := range m.Flags {
		switch f {
		case imap.FlagSeen:
			s.Seen = true
		case imap.FlagFlagged:
			s.Flagged = true
		case imap.FlagAnswered:
			s.Answered = true
		case imap.FlagDraft:
			s.Draft = true
		}
	}
	return s
}
