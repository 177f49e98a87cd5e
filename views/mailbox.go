package views

import (
	"context"
	"io"

	"github.com/a-h/templ"

	"webmail"
)

// folderSection is one section of the folder tree: the person's own
// folders (no title), other users' or shared ones.
type folderSection struct {
	Section webmail.Section
	Title   string
	Folders []webmail.Folder
}

// folderSections splits the folder tree, whose folders come section by
// section, at each change of section.
func folderSections(ctx context.Context, folders []webmail.Folder) []folderSection {
	var out []folderSection
	for _, f := range folders {
		if len(out) == 0 || out[len(out)-1].Section != f.Section {
			out = append(out, folderSection{Section: f.Section, Title: SectionName(ctx, f.Section)})
		}
		out[len(out)-1].Folders = append(out[len(out)-1].Folders, f)
	}
	return out
}

// Screen is which pane of the mailbox page a phone shows.
type Screen string

// The screens of the mailbox page.
const (
	ScreenFolders Screen = "folders"
	ScreenList    Screen = "list"
	ScreenMessage Screen = "message"
)

// Target is the id of the element an htmx request swaps its answer into
// (its HX-Target header); TargetPage is a request for the whole page.
type Target string

// The targets of the mailbox page.
const (
	TargetPage    Target = ""
	TargetMain    Target = "main"    // the three panes, when the folder changes
	TargetList    Target = "list"    // the list pane: another page, sort or search
	TargetMessage Target = "message" // the message pane: a message, a conversation, a form
)

// MailboxFor is the answer to a request for the mailbox page that targets
// t: the whole page, #main, the list (a fragment of the page), or what the
// message pane shows.
func MailboxFor(p MailboxParams, t Target) templ.Component {
	switch t {
	case TargetMain:
		return MainFragment(p)
	case TargetList:
		return templ.ComponentFunc(func(ctx context.Context, w io.Writer) error {
			return templ.RenderFragments(ctx, w, MailboxPage(p), TargetList)
		})
	case TargetMessage:
		switch {
		case p.Message != nil:
			return MessageFragment(p)
		case p.Conversation != nil:
			return ConversationFragment(p)
		}
		return ListAgain(p)
	}
	return MailboxPage(p)
}

// listTop is true when the folder's title is the page's h1: no message or
// conversation beside the list has it, and the screen is not the phone's
// folder screen (whose title "Folders" has it).
func listTop(p MailboxParams) bool {
	return p.Message == nil && p.Conversation == nil && !p.Beside && p.View != ScreenFolders
}

// mailboxBase is the page's base with the skip link leading past the top
// bar and the folders to what the screen is for.
func mailboxBase(p MailboxParams) Base {
	b := p.Base
	switch {
	case p.View == ScreenFolders:
		b.SkipTo, b.SkipLabel = "folders", "SkipToFolders"
	case p.View == ScreenMessage && (p.Message != nil || p.Conversation != nil):
		b.SkipTo, b.SkipLabel = "message", "SkipToMessage"
	case p.View == ScreenMessage:
		b.SkipTo, b.SkipLabel = "message", "SkipToContent"
	default:
		b.SkipTo, b.SkipLabel = "list", "SkipToMessages"
	}
	return b
}
