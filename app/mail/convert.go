package mail

import (
	"github.com/emersion/go-imap/v2"

	"webmail"
	"webmail/app/message"
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

func envelope(e *imap.Envelope) webmail.Envelope { return message.Envelope(e) }
