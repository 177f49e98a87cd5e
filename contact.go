package webmail

// Contact is a person the webmail can suggest as a recipient: from the
// person's own mail (how often they wrote to or heard from the address)
// or from their CardDAV address book.
type Contact struct {
	Name  string // display name, "" if none is known
	Email string // the address, "mailbox@host"
	// Count is how often the address appeared in the mail looked at:
	// written to (Sent) counts more than heard from (INBOX).
	Count int
	// InBook: the address is in the person's address book.
	InBook bool
}
