package mail

import (
	"github.com/emersion/go-imap/v2"

	"webmail"
)

// The mail adapter speaks go-imap's types inside and the webmail's own
// value types (package webmail) to the rest of the program. These convert.

func imapUIDs(uids []webmail.UID) []imap.UID {
	out := make([]imap.UID, len(uids))
	for i, u := range uids {
		out[i] = imap.UID(u)
	}
	return out
}

func webmailUIDs(uids []imap.UID) []webmail.UID {
	out := make([]webmail.UID, len(uids))
	for i, u := range uids {
		out[i] = webmail.UID(u)
	}
	return out
}

// addresses converts envelope addresses, flattening groups: their start
// and end markers are dropped, their members kept.
func addresses(l []imap.Address) []webmail.Address {
	var out []webmail.Address
	for _, a := range l {
		if a.IsGroupStart() || a.IsGroupEnd() {
			continue
		}
		out = append(out, webmail.Address{Name: a.Name, Mailbox: a.Mailbox, Host: a.Host})
	}
	return out
}

func envelope(e *imap.Envelope) webmail.Envelope {
	if e == nil {
		return webmail.Envelope{}
	}
	return webmail.Envelope{
		Date: e.Date, Subject: e.Subject,
		From: addresses(e.From), Sender: addresses(e.Sender), ReplyTo: addresses(e.ReplyTo),
		To: addresses(e.To), Cc: addresses(e.Cc), Bcc: addresses(e.Bcc),
		InReplyTo: e.InReplyTo, MessageID: e.MessageID,
	}
}
