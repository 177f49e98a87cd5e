package usecase

import (
	"context"
	"errors"
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
	Notice webmail.Text // what happened, in words
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
			return s.refused(err, "DoCreateFolder")
		}
		out = FolderOutcome{Name: full, Notice: webmail.Say("FolderCreated", "Folder", shown(tree, full))}
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
			return webmail.Errorf(webmail.EConflict, "ErrInboxRename", nil)
		}
		full, err := in.To.Validate(tree, f.Name)
		if err != nil {
			return err
		}
		if err := c.RenameFolder(ctx, f.Name, full); err != nil {
			return s.refused(err, "DoRenameFolder")
		}
		out = FolderOutcome{Name: full, Folder: f, Notice: webmail.Say("FolderRenamed", "Folder", f.Path, "Name", shown(tree, full))}
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
			return webmail.Errorf(webmail.EConflict, "ErrInboxDelete", nil)
		case f.HasChildren:
			return webmail.Errorf(webmail.EConflict, "ErrFolderHasChildrenNamed", nil, "Folder", f.Path)
		case !in.Confirmed:
			out.Confirm = ConfirmLoss
			return nil
		case f.Role != webmail.RoleNone && in.ConfirmedRole != f.Role:
			out.Confirm = ConfirmRole
			return nil
		}
		if err := c.DeleteFolder(ctx, f.Name); err != nil {
			return s.refused(err, "DoDeleteFolder")
		}
		out.Notice = webmail.Say("FolderDeleted", "Folder", f.Path)
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
		switch {
		case f.Role != webmail.RoleTrash && f.Role != webmail.RoleJunk:
			return webmail.Errorf(webmail.EConflict, "ErrOnlyTrashJunk", nil)
		case !in.Confirmed:
			out.Confirm = ConfirmLoss
			return nil
		}
		n, err := c.EmptyFolder(ctx, f.Name)
		switch {
		case errors.Is(err, mail.ErrNoUIDPlus):
			out.Notice = webmail.Say("EmptiedLater", "Count", n, "Folder", f.Folder)
		case err != nil:
			return s.refused(err, "DoEmptyFolder")
		case n == 0:
			out.Notice = webmail.Say("EmptyAlready", "Folder", f.Folder)
		default:
			out.Notice = webmail.Say("Emptied", "Count", n, "Folder", f.Folder)
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
			return s.refused(err, "DoSubscribe")
		}
		out = FolderOutcome{Name: f.Name, Folder: f, Notice: webmail.Say("UnsubscribedFolder", "Folder", f.Folder)}
		if on {
			out.Notice = webmail.Say("SubscribedFolder", "Folder", f.Folder)
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
		return nil, f, webmail.Errorf(webmail.ENotFound, "ErrFolderGoneNamed", nil, "Folder", name)
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
			fields["parent"] = "ErrNoNesting"
		case !ok:
			fields["parent"] = "ErrNoParent"
		case moving != "" && (parent == moving || strings.HasPrefix(parent, moving+d)):
			fields["parent"] = "ErrIntoItself"
		}
	}
	if len(fields) > 0 {
		return "", invalidPlace(webmail.EInvalid, fields, d)
	}
	full := tree.Prefix + name
	if parent != "" {
		full = parent + d + name
	}
	switch {
	case len(full) > MaxFolderName:
		fields["name"] = "ErrNameTooLong"
	case moving != "" && full == moving:
		fields["name"] = "ErrSamePlace"
	default:
		if _, exists := tree.Find(full); exists {
			e := invalidPlace(webmail.EConflict, map[string]string{"name": "ErrFolderNamedExists"}, d)
			e.Args = append(e.Args, "Folder", shown(tree, full))
			return "", e
		}
	}
	if len(fields) > 0 {
		return "", invalidPlace(webmail.EInvalid, fields, d)
	}
	return full, nil
}

// nameProblem says what is wrong with a folder's name under its parent,
// d being the hierarchy delimiter; "" when nothing is. The name "." or
// ".." would make a name no URL can carry: browsers resolve it away.
func nameProblem(name, d string) string {
	switch {
	case name == "":
		return "ErrNameEmpty"
	case strings.ContainsFunc(name, unicode.IsControl):
		return "ErrNameControl"
	case strings.ContainsAny(name, "*%"):
		return "ErrNameWildcard"
	case d != "" && strings.Contains(name, d):
		return "ErrNameDelim"
	case name == "." || name == "..":
		return "ErrNameDots"
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

// invalidPlace is the error of a folder's place; the messages of fields
// may name the delimiter d and the longest name.
func invalidPlace(code webmail.ErrorCode, fields map[string]string, d string) *webmail.Error {
	return &webmail.Error{Code: code, Message: "ErrCheckPlace", Fields: fields, Args: []any{"Delim", d, "Max", MaxFolderName}}
}

// refused says in words why the server refused a folder command (what,
// its message id: "DoCreateFolder"); a name already taken goes to the name
// field. Other failures (the server unreachable) pass unchanged.
func (s *Service) refused(err error, what string) error {
	e := &webmail.Error{Code: webmail.EConflict, Err: err, Args: []any{"What", webmail.Say(what)}}
	switch {
	case errors.Is(err, mail.ErrFolderExists):
		e.Message = "ErrFolderExists"
		e.Fields = map[string]string{"name": e.Message}
	case errors.Is(err, mail.ErrNotFound):
		e.Code, e.Message = webmail.ENotFound, "ErrFolderGone"
	case errors.Is(err, mail.ErrHasChildren):
		e.Message = "ErrFolderHasChildren"
	case errors.Is(err, mail.ErrNoPermission):
		e.Message = "ErrFolderNoPermission"
	case errors.Is(err, mail.ErrInUse):
		e.Code, e.Message = webmail.EUnavailable, "ErrFolderInUse"
	case errors.Is(err, mail.ErrLimit):
		e.Message = "ErrFolderLimit"
	case errors.Is(err, mail.ErrFolderRefused):
		e.Message = "ErrFolderRefused"
	default:
		return err
	}
	s.log.Info("folder command refused", "action", what, "err", err.Error())
	return e
}
