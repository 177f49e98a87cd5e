package usecase

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"unicode"

	"webmail"
	"webmail/app/mail"
)

// Folder management: create, rename or move, delete, empty, subscribe.
// Each use case reads the folder tree first and refuses, in words for the
// person, what the tree shows cannot be done; then it asks the server,
// whose refusals come back as *webmail.Error too. Deleting a folder or
// emptying one asks first (FolderOutcome.Confirm). The Inbox is never
// renamed or deleted; a special-use folder (Drafts, Sent, Archive, Junk,
// Trash) is deleted only once the person confirmed its role. A folder
// with subfolders is not deleted: deleting them along with it, when the
// person looked only at its name, would lose more than they saw.

// MaxFolderName is the longest full name, in bytes, a folder is given.
const MaxFolderName = 200

// FolderPlace is where a folder is to be: a name under a parent.
type FolderPlace struct {
	// Name is the name under Parent, as typed; it may not hold the
	// hierarchy delimiter, which would make a parent the tree cannot show.
	Name string
	// Parent is the full name of an existing folder, "" for the top.
	Parent string
}

// FolderRename renames a folder, or moves it under another parent.
type FolderRename struct {
	Folder string // full name of the folder renamed
	To     FolderPlace
}

// FolderDelete deletes a folder and the messages in it.
type FolderDelete struct {
	Folder string // full name
	// Confirmed is set once the person answered that the folder and its
	// messages go for good.
	Confirmed bool
	// ConfirmedRole is the special use the person confirmed, asked a
	// second time, to delete a special-use folder.
	ConfirmedRole webmail.Role
}

// FolderEmpty deletes every message of Trash or Junk for good.
type FolderEmpty struct {
	Folder    string // full name
	Confirmed bool   // the person answered that the messages go for good
}

// Confirm is what a person must confirm before a folder use case goes
// ahead.
type Confirm int

const (
	ConfirmNone Confirm = iota
	// ConfirmLoss: the folder and its messages, or the messages of the
	// folder emptied, go for good.
	ConfirmLoss
	// ConfirmRole: the folder deleted is a special-use folder (its Role);
	// the answer comes back in FolderDelete.ConfirmedRole.
	ConfirmRole
)

// FolderOutcome says what a folder use case did.
type FolderOutcome struct {
	Notice string // what happened, in words
	// Name is the folder's full name now: the new one after CreateFolder
	// and RenameFolder.
	Name string
	// Folder is the folder acted on as it was before (zero after
	// CreateFolder), for the question a confirmation asks.
	Folder webmail.ManagedFolder
	// Confirm, when not ConfirmNone, says that nothing happened yet: the
	// person must confirm this first.
	Confirm Confirm
}

// FolderTree returns every folder with its subscription and the hierarchy
// delimiter, as the folder management page shows them.
func (s *Service) FolderTree(ctx context.Context, acct mail.Account) (*webmail.FolderTree, error) {
	var tree *webmail.FolderTree
	err := s.pool.Do(ctx, acct, "", func(c *mail.Conn) error {
		var err error
		tree, err = c.FolderTree(ctx)
		return err
	})
	return tree, err
}

// CreateFolder creates a folder at p, and subscribes it.
func (s *Service) CreateFolder(ctx context.Context, acct mail.Account, p FolderPlace) (FolderOutcome, error) {
	var out FolderOutcome
	err := s.pool.Do(ctx, acct, "", func(c *mail.Conn) error {
		tree, err := c.FolderTree(ctx)
		if err != nil {
			return err
		}
		full, err := p.Validate(tree, "")
		if err != nil {
			return err
		}
		if err := c.CreateFolder(ctx, full); err != nil {
			return s.refused(err, "create the folder")
		}
		out = FolderOutcome{Name: full, Notice: "Folder " + shown(tree, full) + " created."}
		return nil
	})
	return out, err
}

// RenameFolder renames a folder, or moves it under another parent, with
// its subfolders and their subscriptions.
func (s *Service) RenameFolder(ctx context.Context, acct mail.Account, in FolderRename) (FolderOutcome, error) {
	var out FolderOutcome
	err := s.pool.Do(ctx, acct, "", func(c *mail.Conn) error {
		tree, f, err := findFolder(ctx, c, in.Folder)
		if err != nil {
			return err
		}
		if f.Role == webmail.RoleInbox {
			return webmail.Errorf(webmail.EConflict, "The Inbox cannot be renamed.", nil)
		}
		full, err := in.To.Validate(tree, f.Name)
		if err != nil {
			return err
		}
		if err := c.RenameFolder(ctx, f.Name, full); err != nil {
			return s.refused(err, "rename the folder")
		}
		out = FolderOutcome{Name: full, Folder: f, Notice: "Folder " + f.Path + " is now " + shown(tree, full) + "."}
		return nil
	})
	return out, err
}

// DeleteFolder deletes a folder and its messages, once confirmed: a
// special-use folder needs its role confirmed as well.
func (s *Service) DeleteFolder(ctx context.Context, acct mail.Account, in FolderDelete) (FolderOutcome, error) {
	var out FolderOutcome
	err := s.pool.Do(ctx, acct, "", func(c *mail.Conn) error {
		_, f, err := findFolder(ctx, c, in.Folder)
		if err != nil {
			return err
		}
		out = FolderOutcome{Name: f.Name, Folder: f}
		switch {
		case f.Role == webmail.RoleInbox:
			return webmail.Errorf(webmail.EConflict, "The Inbox cannot be deleted.", nil)
		case f.HasChildren:
			return webmail.Errorf(webmail.EConflict, "The folder "+f.Path+" has subfolders. Delete them, or move them elsewhere, first.", nil)
		case !in.Confirmed:
			out.Confirm = ConfirmLoss
			return nil
		case f.Role != webmail.RoleNone && in.ConfirmedRole != f.Role:
			out.Confirm = ConfirmRole
			return nil
		}
		if err := c.DeleteFolder(ctx, f.Name); err != nil {
			return s.refused(err, "delete the folder")
		}
		out.Notice = "Folder " + f.Path + " deleted."
		return nil
	})
	return out, err
}

// EmptyFolder deletes the messages of Trash or Junk for good, once
// confirmed.
func (s *Service) EmptyFolder(ctx context.Context, acct mail.Account, in FolderEmpty) (FolderOutcome, error) {
	var out FolderOutcome
	err := s.pool.Do(ctx, acct, in.Folder, func(c *mail.Conn) error {
		_, f, err := findFolder(ctx, c, in.Folder)
		if err != nil {
			return err
		}
		out = FolderOutcome{Name: f.Name, Folder: f}
		label := webmail.FolderLabel(f.Folder)
		switch {
		case f.Role != webmail.RoleTrash && f.Role != webmail.RoleJunk:
			return webmail.Errorf(webmail.EConflict, "Only Trash and Junk can be emptied here.", nil)
		case !in.Confirmed:
			out.Confirm = ConfirmLoss
			return nil
		}
		n, err := c.EmptyFolder(ctx, f.Name)
		switch {
		case errors.Is(err, mail.ErrNoUIDPlus):
			out.Notice = plural(n, "message", "messages") + " in " + label + " marked as deleted; this server removes them later."
		case err != nil:
			return s.refused(err, "empty "+label)
		case n == 0:
			out.Notice = label + " was empty already."
		default:
			out.Notice = label + " emptied: " + plural(n, "message", "messages") + " deleted for good."
		}
		return nil
	})
	return out, err
}

// Subscribe adds a folder to the subscriptions, or takes it out when on
// is false. Mail programs that show only subscribed folders follow them.
func (s *Service) Subscribe(ctx context.Context, acct mail.Account, folder string, on bool) (FolderOutcome, error) {
	var out FolderOutcome
	err := s.pool.Do(ctx, acct, "", func(c *mail.Conn) error {
		_, f, err := findFolder(ctx, c, folder)
		if err != nil {
			return err
		}
		if err := c.Subscribe(ctx, f.Name, on); err != nil {
			return s.refused(err, "change the subscription")
		}
		out = FolderOutcome{Name: f.Name, Folder: f, Notice: "Unsubscribed from " + webmail.FolderLabel(f.Folder) + "."}
		if on {
			out.Notice = "Subscribed to " + webmail.FolderLabel(f.Folder) + "."
		}
		return nil
	})
	return out, err
}

// findFolder reads the folder tree and finds the folder named name in it.
func findFolder(ctx context.Context, c *mail.Conn, name string) (*webmail.FolderTree, webmail.ManagedFolder, error) {
	tree, err := c.FolderTree(ctx)
	if err != nil {
		return nil, webmail.ManagedFolder{}, err
	}
	f, ok := tree.Find(name)
	if !ok {
		return nil, f, webmail.Errorf(webmail.ENotFound, "The folder "+name+" does not exist (any more).", nil)
	}
	return tree, f, nil
}

// Validate checks p against the folders there are and returns the full
// name it gives a folder: a new one, or the folder moving (its full name)
// when it is renamed. The error is a *webmail.Error whose Fields name the
// input field at fault, "name" or "parent": EInvalid, or EConflict when a
// folder has that name already.
func (p FolderPlace) Validate(tree *webmail.FolderTree, moving string) (string, error) {
	d := tree.Delim
	name := strings.TrimSpace(p.Name)
	fields := map[string]string{}
	if msg := nameProblem(name, d); msg != "" {
		fields["name"] = msg
	}
	parent := ""
	if p.Parent != "" {
		f, ok := tree.Find(p.Parent)
		parent = f.Name // the server's spelling of INBOX
		switch {
		case d == "":
			fields["parent"] = "Folders on this server cannot be put inside other folders."
		case !ok:
			fields["parent"] = "Choose an existing folder as the parent."
		case moving != "" && (parent == moving || strings.HasPrefix(parent, moving+d)):
			fields["parent"] = "A folder cannot be moved into itself or one of its subfolders."
		}
	}
	if len(fields) > 0 {
		return "", invalidPlace(webmail.EInvalid, fields)
	}
	full := tree.Prefix + name
	if parent != "" {
		full = parent + d + name
	}
	switch {
	case len(full) > MaxFolderName:
		fields["name"] = "The name is too long: at most " + strconv.Itoa(MaxFolderName) + " bytes with its parents' names."
	case moving != "" && full == moving:
		fields["name"] = "This is the folder's name and place already: change the name or the parent."
	default:
		if _, exists := tree.Find(full); exists {
			return "", invalidPlace(webmail.EConflict, map[string]string{"name": "There is a folder named " + shown(tree, full) + " already."})
		}
	}
	if len(fields) > 0 {
		return "", invalidPlace(webmail.EInvalid, fields)
	}
	return full, nil
}

// nameProblem says what is wrong with a folder's name under its parent,
// d being the hierarchy delimiter; "" when nothing is. The name "." or
// ".." would make a name no URL can carry: browsers resolve it away.
func nameProblem(name, d string) string {
	switch {
	case name == "":
		return "Enter a name for the folder."
	case strings.ContainsFunc(name, unicode.IsControl):
		return "The name may not contain line breaks or other control characters."
	case strings.ContainsAny(name, "*%"):
		return "The name may not contain * or %."
	case d != "" && strings.Contains(name, d):
		return "The name may not contain " + d + ": this mail server uses it to put folders inside others. To make a subfolder, choose its parent under Inside."
	case name == "." || name == "..":
		return `The name may not be "." or "..".`
	}
	return ""
}

// shown is a full name as the person knows it: without the personal
// namespace's prefix.
func shown(tree *webmail.FolderTree, full string) string {
	if rest, ok := strings.CutPrefix(full, tree.Prefix); ok && rest != "" {
		return rest
	}
	return full
}

func invalidPlace(code webmail.ErrorCode, fields map[string]string) *webmail.Error {
	return &webmail.Error{Code: code, Message: "Check the folder's name and place.", Fields: fields}
}

// refused says in words why the server refused a folder command (what,
// as in "create the folder"); a name already taken goes to the name
// field. Other failures (the server unreachable) pass unchanged.
func (s *Service) refused(err error, what string) error {
	e := &webmail.Error{Code: webmail.EConflict, Err: err}
	switch {
	case errors.Is(err, mail.ErrFolderExists):
		e.Message = "There is a folder with this name already."
		e.Fields = map[string]string{"name": e.Message}
	case errors.Is(err, mail.ErrNotFound):
		e.Code, e.Message = webmail.ENotFound, "The folder does not exist (any more)."
	case errors.Is(err, mail.ErrHasChildren):
		e.Message = "The folder has subfolders. Delete them, or move them elsewhere, first."
	case errors.Is(err, mail.ErrNoPermission):
		e.Message = "The mail server does not allow you to " + what + "."
	case errors.Is(err, mail.ErrInUse):
		e.Code, e.Message = webmail.EUnavailable, "The folder is in use right now. Please try again in a moment."
	case errors.Is(err, mail.ErrLimit):
		e.Message = "The mail server's limit is reached: it did not " + what + "."
	case errors.Is(err, mail.ErrFolderRefused):
		e.Message = "The mail server refused to " + what + "."
	default:
		return err
	}
	s.log.Info("folder command refused", "action", what, "err", err.Error())
	return e
}
