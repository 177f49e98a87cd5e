package webmail

import "strings"

// Role is a folder's special use (RFC 6154).
type Role string

// The roles the webmail knows, in the order folders are shown.
const (
	RoleInbox   Role = "inbox"
	RoleDrafts  Role = "drafts"
	RoleSent    Role = "sent"
	RoleArchive Role = "archive"
	RoleJunk    Role = "junk"
	RoleTrash   Role = "trash"
	RoleNone    Role = ""
)

// Roles are the special uses in the order the folder tree shows them.
var Roles = []Role{RoleInbox, RoleDrafts, RoleSent, RoleArchive, RoleJunk, RoleTrash}

// Folder is one mailbox as the folder tree shows it.
type Folder struct {
	Name     string // full IMAP name, the folder's address
	Label    string // last segment of the name
	Depth    int    // nesting level, 0 at the top
	Role     Role
	NoSelect bool // a container that holds no messages
	Total    uint32
	Unseen   uint32
}

// FindFolder returns the folder with this full name, or the zero Folder.
func FindFolder(folders []Folder, name string) (Folder, bool) {
	for _, f := range folders {
		if f.Name == name {
			return f, true
		}
	}
	return Folder{}, false
}

// ManagedFolder is one folder as the folder management page shows it.
type ManagedFolder struct {
	Folder
	Parent      string // full name of the parent, "" at the top
	Subscribed  bool
	HasChildren bool
}

// FolderTree is the folder tree with what managing it needs.
type FolderTree struct {
	List []ManagedFolder // in the order of the folder tree
	// Delim is the hierarchy delimiter, "" when the server's folders
	// cannot nest.
	Delim string
	// SubscriptionsKnown is false when the server cannot say which folders
	// are subscribed (no LIST-EXTENDED): Subscribed is then meaningless.
	SubscriptionsKnown bool
}

// Find returns the folder with this full name ("INBOX" in any case is the
// Inbox).
func (t *FolderTree) Find(name string) (ManagedFolder, bool) {
	for _, f := range t.List {
		if f.Name == name || strings.EqualFold(name, "INBOX") && f.Role == RoleInbox {
			return f, true
		}
	}
	return ManagedFolder{}, false
}

// FolderLabel is the name shown for a folder: its role's own label, or the
// last segment of its name.
func FolderLabel(f Folder) string {
	switch f.Role {
	case RoleInbox:
		return "Inbox"
	case RoleDrafts:
		return "Drafts"
	case RoleSent:
		return "Sent"
	case RoleArchive:
		return "Archive"
	case RoleJunk:
		return "Junk"
	case RoleTrash:
		return "Trash"
	}
	return f.Label
}
