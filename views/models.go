package views

import (
	"io"
	"strings"
	"time"

	"webmail"
)

// LoginParams fills the login page.
type LoginParams struct {
	Base
	Login string // kept after a failed attempt
	Next  string // local path to go to after login
	Error string
	// Carry holds a message being written when the session ended; it
	// travels in hidden fields and comes back as a compose form after login.
	Carry []Hidden
	// CarryKeep are that message's attachments, in order, as hidden
	// "c_keep" fields: parts of the person's draft or forwarded message
	// (both forms carry those), and content carried in the page, which
	// only the password form carries (it then posts as
	// multipart/form-data): the sign-in buttons' flow is kept on the
	// server, which keeps no file.
	CarryKeep []KeptAttachment
	// Providers are the OAuth sign-in buttons, in configuration order.
	Providers []Provider
	// Hint is the account whose sign-in ended; the buttons ask the
	// provider to offer it (login_hint).
	Hint string
}

// Provider is an OAuth provider people may sign in with.
type Provider struct{ Name, Label string }

// SignedInParams fills the page shown on return from an OAuth provider.
type SignedInParams struct {
	Base
	Provider string // its label
	Next     string // local path of the mailbox page
}

// SigningInParams fills the page that moves on to an OAuth provider.
type SigningInParams struct {
	Base
	Provider string // its label
	URL      string // its authorization URL
}

// Hidden is one hidden form field.
type Hidden struct{ Name, Value string }

// MailboxParams fills the three-pane mail page: folders, the message list
// and, when one is open, a message.
type MailboxParams struct {
	Base
	View    Screen // which pane a phone shows
	Place   Place
	Folders []webmail.Folder
	Current webmail.Folder
	List    *webmail.Page
	// Now is the time in the reader's zone, which list dates are shown in.
	Now     time.Time
	Message *MessageShowParams
	// Beside: an answer for the list alone (a page turned, a search) while
	// the page keeps a message or form open beside it, which has the h1.
	Beside bool
	Notice string        // what the last action did
	Undo   *webmail.Undo // how to take it back
	// SelectAll checks every row's box (the no-JavaScript "select all").
	SelectAll bool
	// SelectFolder selects every message of the folder (or of the
	// search), beyond the page: the bulk form says all=1.
	SelectFolder bool
	// SearchError says why the search box text is not a valid query.
	SearchError string
	// SortNote says why the list is not in the order asked for.
	SortNote string
	// Elsewhere holds the matches in the other folders when the search
	// covers all folders.
	Elsewhere []webmail.FolderMatches
	// Conversations is the page grouped by thread, when asked for.
	Conversations []webmail.Conversation
	// ConversationsCounted says that List.Total counts conversations (the
	// server's threads), not messages.
	ConversationsCounted bool
	// Conversation is an open conversation, shown in the message pane.
	Conversation *ConversationShowParams
	// FoldersChanged says that opening the message changed unread counts:
	// an answer for the message pane updates the folder tree too.
	FoldersChanged bool
}

// ConversationShowParams fills an open conversation: its messages in order,
// the unread ones expanded, and the actions on the whole of it.
type ConversationShowParams struct {
	Place    Place
	Validity uint32
	Messages []ConversationMessage
	// UIDs are the conversation's messages in the folder: the actions
	// apply to them.
	UIDs []webmail.UID
	// Reply is the newest of them, the one Reply answers.
	Reply   webmail.MessageRef
	Role    webmail.Role // the folder's role decides the actions offered
	Folders []webmail.Folder
	Zone    *time.Location // the reader's, for dates
}

// ConversationMessage is one message of an open conversation.
type ConversationMessage struct {
	webmail.Summary
	Ref      webmail.MessageRef
	Folder   string // the label of its folder when not the conversation's (Sent)
	Expanded bool
	TextHTML string // the body of an expanded message, escaped and linked
	HTML     bool   // the message has only HTML: open it to read
}

// ConfirmParams fills a page that asks before something is permanent.
type ConfirmParams struct {
	Base
	Question  string
	Action    string // where the confirmed form posts
	Fields    []Hidden
	Button    string
	CancelURL string
}

// MessageShowParams fills the message pane.
type MessageShowParams struct {
	Msg         *webmail.Message
	Place       Place    // the list the message was opened from
	BackLabel   string   // the folder's name
	Mode        BodyMode // which body is shown
	HasHTML     bool
	HasText     bool
	TextHTML    string // the text body, already escaped and linked
	Remote      bool   // remote content allowed for this view
	RemoteFound bool   // the HTML has remote content that was blocked
	Attachments []Attachment
	// Attached are the attached messages shown inline (forwarded mail,
	// the headers in a bounce), after the body.
	Attached []AttachedMessage
	// Mono shows the text body in a fixed-width font (font=mono), so
	// that plain-text tables keep their columns.
	Mono       bool
	IsDraft    bool         // in the Drafts folder: offer to edit it
	AddContact bool         // an address book takes the sender: offer to add it
	Role       webmail.Role // the folder's role decides the actions offered
	Folders    []webmail.Folder
	Zone       *time.Location // the reader's, for dates
	// RemoteSender is the sender's address, offered for the senders whose
	// remote content always shows; "" when it is already there (or none).
	RemoteSender string
	// MarkReadAfter is how many seconds the message stays open before the
	// browser (with JavaScript) marks it read; 0 when the server did, -1
	// when nothing does (the setting "never").
	MarkReadAfter int
	Sprite        string // the icons' URL (Assets.Sprite)
}

// AttachedMessage is a message attached to the one shown (a forwarded
// message), or the header of one (HeadersOnly, as in a bounce).
type AttachedMessage struct {
	Envelope    webmail.Envelope
	HeadersOnly bool
	TextHTML    string // the text body, already escaped and linked
	FrameURL    string // the sanitised HTML body's frame, instead of TextHTML
	Attachments []Attachment
	Download    Attachment // the whole message, as .eml
	Attached    []AttachedMessage
}

// Attachment is one downloadable part.
type Attachment struct {
	Name, Type string
	Size       int64
	URL        string // the download
	View       string // the part shown in the browser (images, PDF); "" when it is only downloaded
	Thumbnail  bool   // View is an image to show small in the list
}

// ErrorParams fills the error page.
type ErrorParams struct {
	Base
	Status  int
	Message string
}

// MessageBodyParams fills the sandboxed document an HTML body is shown in.
type MessageBodyParams struct {
	HTML string // sanitised
}

// ComposeParams fills the compose page or pane.
type ComposeParams struct {
	Base
	Form        ComposeForm
	FieldErrors map[string]string // form field name → what is wrong with it
	// MaxUpload is the most the new files may weigh together, in bytes;
	// TooLarge says so in words. With JavaScript the browser checks the
	// files against it before it uploads anything.
	MaxUpload int64
	TooLarge  string
	Error     string // what went wrong with the whole send
	Notice    string // what went right, such as a saved draft
	// NeedSMTP shows SMTP login and password fields: the account needs
	// distinct SMTP credentials and, without JavaScript, the browser cannot
	// supply its saved ones.
	NeedSMTP bool
	// TokenSends: the person signed in with OAuth, whose token also
	// sends; no SMTP credentials are asked for or carried.
	TokenSends bool
	// Pane is true when the form is swapped into the message pane.
	Pane bool
	// Beside is the folder whose list the pane sits beside, if known: its
	// title steps down to an h2, the form's title being the page's h1.
	Beside webmail.Folder
	// Recipients are the addresses most often written to or heard from,
	// offered in a <datalist> by the recipient fields.
	Recipients []webmail.Contact
	// Preview is the body as it will be read, sanitised HTML (the
	// rendered Markdown, or the plain text), when the person asked to see
	// it; "" shows no preview.
	Preview string
	// From are the addresses the person can send from: their identities,
	// or the login alone. Form.From is the one chosen.
	From []FromChoice
}

// Focus names the field the form opens in, as Gmail and Fastmail do: To
// while it is empty (a new message, a forward), then the subject, then
// the body (a reply, a draft). An error, a field's error or a preview
// comes first instead ("" here).
func (p ComposeParams) Focus() string {
	if p.Error != "" || len(p.FieldErrors) > 0 || p.Preview != "" {
		return ""
	}
	switch {
	case strings.TrimSpace(p.Form.To) == "":
		return "to"
	case strings.TrimSpace(p.Form.Subject) == "":
		return "subject"
	}
	return "body"
}

// FromChoice is an address the compose form offers as From.
type FromChoice struct {
	Address, Name string
}

// Label is the choice as the select shows it: "Ann <ann@example.org>".
func (c FromChoice) Label() string {
	if c.Name == "" {
		return c.Address
	}
	return c.Name + " <" + c.Address + ">"
}

// ComposeForm is everything the person typed or the reply prepared, so a
// failed send loses nothing.
type ComposeForm struct {
	From                       string // the address sent from: the login's or an identity's
	To, Cc, Bcc, Subject, Body string
	// Markdown: the body is Markdown, sent as text and as HTML rendered
	// from it (the "format" field); else plain text only.
	Markdown bool
	// Inline are the markers of images the Markdown shows inline: "cid
	// name", the Content-ID its cid: URL names and the attachment's file
	// name.
	Inline                    []string
	InReplyTo, References     string // header values carried along
	ReplyOf, ForwardOf, Draft string // "mailbox/validity/uid" of the original or the earlier draft
	// Kept are the attachments the form already holds, listed as ticked
	// boxes: sent along unless unticked, never uploaded again.
	Kept      []KeptAttachment
	SMTPLogin string
}

// KeptAttachment is an attachment a compose form already holds. Its keep
// value names where the bytes are: "d:2" is part 2 of the draft the form
// names, "f:3" part 3 of the forwarded message. Content is set instead
// when no mailbox holds them (the Drafts folder could not be reached): it
// writes the value, the content itself as a data: URL, while the page is
// written, so the page carries the file without the server keeping it.
type KeptAttachment struct {
	Value   string
	Content func(io.Writer) error
	Name    string
	Size    int64 // in bytes, decoded (for a part of a message, estimated)
}

// Carried reports whether the page itself carries the content.
func (k KeptAttachment) Carried() bool { return k.Content != nil }

// SettingsParams fills the sending settings page.
type SettingsParams struct {
	Base
	// IMAPWorks says the operator's SMTP server accepts the login
	// credentials, so "use my login" is an option.
	IMAPWorks bool
	// Provider is the label of the OAuth provider the person signed in
	// with ("" for a password login): its token also serves SMTP.
	Provider    string
	SMTPLogin   string
	DisplayName string
	Error       string
	Saved       string
	// Blob is a freshly sealed credential for the browser to keep; the
	// server keeps nothing.
	Blob string
	// Forget tells the browser to drop the credentials it keeps.
	Forget bool
	// Zone is the time zone chosen in the settings, "" for automatic;
	// ZoneInUse names the zone dates are shown in now, and where it comes
	// from.
	Zone, ZoneInUse string
	ZoneError       string
}

// SettingsShowParams fills the settings page.
type SettingsShowParams struct {
	Base
	// Settings are as saved, or as posted when Errors says what is wrong.
	Settings webmail.Settings
	Errors   map[string]string // reading form field → what is wrong
	Error    string            // what went wrong as a whole
	// Identity is the identity form's input, kept when IdentityErrors
	// says what is wrong with it.
	Identity       webmail.Identity
	IdentityErrors map[string]string
}

// ComposeSentParams fills the confirmation after a send.
type ComposeSentParams struct {
	Base
	To string
	// NotFiled says why no copy could be filed in Sent, if none could.
	NotFiled string
}

// BodyMode is which body of a message the message view shows.
type BodyMode string

// The bodies a message can be shown by.
const (
	BodyHTML BodyMode = "html"
	BodyText BodyMode = "text"
)

// ContactsParams fills the Contacts page.
type ContactsParams struct {
	Base
	Query    string
	Contacts []webmail.Contact
	More     bool // more matched than are shown
	// Book: the list is the address book; else it is the addresses met
	// in the person's mail (no address book, or it failed).
	Book bool
	// CanAdd: an address book is configured, so contacts can be added.
	CanAdd  bool
	Problem string // why the address book could not be read
	// Error is what is wrong with the contact being added; Name and
	// Email are what was typed.
	Error, Name, Email string
}

// Suggestion is one recipient offered while the person types: Value is
// what goes into the field ("Name <address>").
type Suggestion struct{ Value, Name, Email string }

// SuggestionsParams fills the list of suggestions under a recipient
// field.
type SuggestionsParams struct {
	Items []Suggestion
}
