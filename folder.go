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

// Section is the part of the folder tree a folder is shown in: the
// person's own folders, other users' folders or shared folders, after
// the server's namespaces (RFC 2342).
type Section string

// The sections of the folder tree, in the order it shows them.
const (
	SectionPersonal Section = ""
	SectionOther    Section = "other"
	SectionShared   Section = "shared"
)

// SectionLabel is the heading of a section of the folder tree; "" for the
// person's own folders, which have none.
func SectionLabel(s Section) string {
	switch s {
	case SectionOther:
		return "Other users"
	case SectionShared:
		return "Shared folders"
	}
	return ""
}

// Folder is one mailbox as the folder tree shows it.
type Folder struct {
	Name  string // full IMAP name, the folder's address
	Label string // last segment of the name
	// Path is the name as shown where the whole of it matters: the full
	// name without its namespace's prefix ("Work.2026" for
	// "INBOX.Work.2026").
	Path     string
	Depth    int // nesting level in its section, 0 at the top
	Section  Section
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

// MoveTarget is how a move field names a folder: by its path for the
// person's own folders (no namespace prefix to type), by its full name
// for other users' and shared ones.
func MoveTarget(f Folder) string {
	if f.Section == SectionPersonal && f.Path != "" {
		return f.Path
	}
	return f.Name
}

// FindMoveTarget returns the folder a move field names: by its full name,
// else by its MoveTarget.
func FindMoveTarget(folders []Folder, name string) (Folder, bool) {
	if f, ok := FindFolder(folders, name); ok {
		return f, true
	}
	for _, f := range folders {
		if MoveTarget(f) == name {
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
	// Delim is the hierarchy delimiter of the person's own folders, ""
	// when they cannot nest.
	Delim string
	// Prefix is the personal namespace's prefix (RFC 2342), which every
	// folder at the top has in its full name: "" on most servers,
	// "INBOX." on Courier, Cyrus and many Dovecot setups.
	Prefix string
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
