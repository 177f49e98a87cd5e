package webmail

import "time"

// UID is a message's unique identifier within one folder and one
// UIDVALIDITY (RFC 3501).
type UID uint32

// PageSize is the number of messages on one page of a folder.
const PageSize = 50

// Address is one mailbox of a message header: a display name and the
// address, split at its last "@" as IMAP gives it.
type Address struct {
	Name    string
	Mailbox string // the part before "@"
	Host    string // the part after "@"
}

// Addr is "mailbox@host", or "" when the address has no mailbox.
func (a Address) Addr() string {
	if a.Mailbox == "" {
		return ""
	}
	if a.Host == "" {
		return a.Mailbox
	}
	return a.Mailbox + "@" + a.Host
}

// Envelope is a message's header fields that matter for reading and
// replying. Group syntax is flattened into its members.
type Envelope struct {
	Date                  time.Time // the Date field, zero if absent
	Subject               string
	From, Sender, ReplyTo []Address
	To, Cc, Bcc           []Address
	InReplyTo             []string // message identifiers without angle brackets
	MessageID             string   // without angle brackets
}

// Flag is a message flag (RFC 3501 section 2.3.2).
type Flag string

// The flags the webmail sets or shows.
const (
	FlagSeen     Flag = `\Seen`
	FlagFlagged  Flag = `\Flagged`
	FlagAnswered Flag = `\Answered`
	FlagDraft    Flag = `\Draft`
	FlagDeleted  Flag = `\Deleted`
)

// Flags are the marks a message list shows.
type Flags struct {
	Seen, Flagged, Answered, Draft bool
}

// Summary is one row of a message list.
type Summary struct {
	UID     UID
	From    Address
	Subject string
	Date    time.Time
	Size    int64
	Flags
	HasAttachment bool
	// Snippet is the start of the text on one line, "" if unknown.
	Snippet string
}

// SnippetLen is the most bytes of a row's snippet: one line, within the
// list fragment's byte budget.
const SnippetLen = 56

// Page is one page of a folder, newest first.
type Page struct {
	Mailbox     string
	UIDValidity uint32
	Total       uint32
	Number      int // 1-based
	Pages       int
	Messages    []Summary
}

// Ref is the address of one of the page's messages.
func (p *Page) Ref(uid UID) MessageRef {
	return MessageRef{Mailbox: p.Mailbox, Validity: p.UIDValidity, UID: uid}
}

// Conversation is the messages of one thread, oldest first.
type Conversation struct {
	Messages []Summary
	Unread   int
}

// Latest is the newest message of the conversation.
func (c Conversation) Latest() Summary { return c.Messages[len(c.Messages)-1] }

// Message is one message as its view shows it before any body is read.
type Message struct {
	Ref MessageRef
	Summary
	Envelope Envelope
	// Unsubscribe is how to leave the mailing list the message came
	// from, when its header says.
	Unsubscribe Unsubscribe
}

// Unsubscribe is how a mailing list's message says to leave the list:
// the URIs of its List-Unsubscribe header (RFC 2369), and whether the list
// accepts a one-click POST (List-Unsubscribe-Post, RFC 8058).
type Unsubscribe struct {
	List string // the list's name, from List-Id; "" when it has none
	// OneClick is the https URI the webmail may POST to on the person's
	// behalf ("List-Unsubscribe=One-Click").
	OneClick string
	Mailto   string // a mailto: URI: a message to send
	Web      string // an http(s) URI: a page to open in the browser
}

// Offered reports whether the message says how to unsubscribe.
func (u Unsubscribe) Offered() bool { return u.OneClick != "" || u.Mailto != "" || u.Web != "" }

// FolderMatches are a search's first matches in one folder.
type FolderMatches struct {
	Folder Folder
	Page   *Page
}

// Undo is how to take a move back: where the messages are now, and where
// they came from. It is carried by the page (the server remembers
// nothing) and offered until Until.
type Undo struct {
	Moved Selection // the messages in the folder they were moved to
	Back  string    // the folder they came from
	Until time.Time
}
