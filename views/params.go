package views

import (
	"time"

	"webmail/app/mail"
)

// LoginParams fills the login page.
type LoginParams struct {
	Base
	Login string // kept after a failed attempt
	Next  string // local path to go to after login
	Error string
}

// MailboxParams fills the three-pane mail page: folders, the message list
// and, when one is open, a message.
type MailboxParams struct {
	Base
	View    string // "folders", "list" or "message": which pane a phone shows
	Folders []mail.Folder
	Current mail.Folder
	List    *mail.Page
	Now     time.Time
	Message *MessageParams
}

// MessageParams fills the message pane.
type MessageParams struct {
	Msg         *mail.Message
	Page        int    // the list page the message was opened from
	BackURL     string // that page's URL
	BackLabel   string // the folder's name
	Mode        string // "html" or "text"
	HasHTML     bool
	HasText     bool
	TextHTML    string // the text body, already escaped and linked
	Remote      bool   // remote content allowed for this view
	RemoteFound bool   // the HTML has remote content that was blocked
	Attachments []Attachment
}

// Attachment is one downloadable part.
type Attachment struct {
	Name, Type string
	Size       int64
	URL        string
}

// ErrorParams fills the error page.
type ErrorParams struct {
	Base
	Status  int
	Message string
}

// FrameParams fills the sandboxed document an HTML body is shown in.
type FrameParams struct {
	HTML string // sanitised
}
