package usecase

import (
	"context"
	"errors"
	"time"

	"github.com/emersion/go-imap/v2"

	"webmail"
	"webmail/app/mail"
	"webmail/app/search"
)

// Verb is what a person does to messages.
type Verb string

// The verbs, one route each in the list and in the message view.
const (
	MarkRead   Verb = "read"
	MarkUnread Verb = "unread"
	Flag       Verb = "flag"
	Unflag     Verb = "unflag"
	Move       Verb = "move"
	Archive    Verb = "archive"
	Junk       Verb = "junk"
	NotJunk    Verb = "notjunk"
	Delete     Verb = "delete"
)

// Moves reports whether the verb can take messages out of their folder.
func (v Verb) Moves() bool {
	switch v {
	case MarkRead, MarkUnread, Flag, Unflag:
		return false
	}
	return true
}

// Action is a verb applied to messages of one folder.
type Action struct {
	Verb     Verb
	Messages webmail.Selection
	Dest     string // the folder to Move to
	// Confirmed is set when the person confirmed that Delete, in Trash or
	// Junk, deletes for good, or a move of every message (All).
	Confirmed bool
	// All applies the verb to every message of the folder that matches
	// Search ("" for all of them), not to Messages.UIDs: "select all N
	// messages in this folder".
	All    bool
	Search string
}

// Outcome says what an action did, in words, and how to undo it.
type Outcome struct {
	Notice webmail.Text
	Undo   *webmail.Undo // nil when there is nothing to undo
	// NeedsConfirm is set when the action would delete for good, or move
	// every message of a folder, and was not confirmed: nothing happened.
	NeedsConfirm bool
	// Question is what to ask then, with the number of messages, and
	// Button the answer that goes ahead.
	Question, Button webmail.Text
}

// UndoWindow is how long an undo is offered.
const UndoWindow = 10 * time.Minute

// Act applies an action to messages of one folder.
func (s *Service) Act(ctx context.Context, acct mail.Account, act Action) (Outcome, error) {
	var out Outcome
	err := s.pool.Do(ctx, acct, act.Messages.Mailbox, func(c *mail.Conn) error {
		var err error
		out, err = s.act(ctx, c, act)
		return err
	})
	return out, err
}

// ActOnMessage applies an action to one message, opened from the list at
// q, and tells which message to show next: the message itself when it
// stays; when it leaves the folder, the next older one in the list's
// order, else the next newer one, else none (back to the list).
func (s *Service) ActOnMessage(ctx context.Context, acct mail.Account, act Action, q ListQuery) (Outcome, webmail.MessageRef, error) {
	ref := act.Messages.Ref(act.Messages.UIDs[0])
	var out Outcome
	next := ref
	err := s.pool.Do(ctx, acct, ref.Mailbox, func(c *mail.Conn) error {
		if !act.Verb.Moves() { // the message stays: no next one to find
			var err error
			out, err = s.act(ctx, c, act)
			return err
		}
		// Found before the message leaves the list it is found in.
		older, newer, err := s.neighbors(ctx, c, q, ref)
		if err != nil {
			return err
		}
		if out, err = s.act(ctx, c, act); err != nil || out.NeedsConfirm {
			return err
		}
		switch {
		case older != 0:
			next.UID = older
		case newer != 0:
			next.UID = newer
		default:
			next = webmail.MessageRef{}
		}
		return nil
	})
	return out, next, err
}

// flagVerbs are the verbs that set or clear a flag.
var flagVerbs = map[Verb]struct {
	flag webmail.Flag
	on   bool
	done string // the notice's message id
}{
	MarkRead:   {webmail.FlagSeen, true, "DoneRead"},
	MarkUnread: {webmail.FlagSeen, false, "DoneUnread"},
	Flag:       {webmail.FlagFlagged, true, "DoneFlagged"},
	Unflag:     {webmail.FlagFlagged, false, "DoneUnflagged"},
}

func (s *Service) act(ctx context.Context, c *mail.Conn, act Action) (Outcome, error) {
	if act.All {
		return s.actOnAll(ctx, c, act)
	}
	sel := act.Messages
	n := len(sel.UIDs)
	if n == 0 {
		return Outcome{}, &webmail.Error{Code: webmail.EInvalid, Message: "ErrSelectFirst", Fields: map[string]string{"uid": "ErrSelectFirst"}}
	}
	if f, ok := flagVerbs[act.Verb]; ok {
		return Outcome{Notice: webmail.Say(f.done, "Count", n)}, c.StoreFlag(ctx, sel, f.flag, f.on)
	}
	if act.Verb == Delete {
		folders, err := c.Folders(ctx, false)
		if err != nil {
			return Outcome{}, err
		}
		if f, _ := webmail.FindFolder(folders, sel.Mailbox); f.Role == webmail.RoleTrash || f.Role == webmail.RoleJunk {
			return s.deleteForGood(ctx, c, act)
		}
	}
	dest, done, err := destination(ctx, c, act)
	if err != nil {
		return Outcome{}, err
	}
	if dest == sel.Mailbox {
		return Outcome{Notice: webmail.Say("DoneAlreadyThere", "Count", n)}, nil
	}
	moved, _, err := c.Move(ctx, sel, dest)
	if err != nil {
		return Outcome{}, err
	}
	out := Outcome{Notice: done.with("Count", n)}
	if len(moved.UIDs) > 0 {
		out.Undo = &webmail.Undo{Moved: moved, Back: sel.Mailbox, Until: s.now().Add(UndoWindow)}
	}
	return out, nil
}

// destination is the folder a moving verb takes messages to, and what
// the notice says it did.
func destination(ctx context.Context, c *mail.Conn, act Action) (dest string, done doneText, err error) {
	byRole := func(role webmail.Role, done string) (string, doneText, error) {
		dest, err := c.FolderByRole(ctx, role)
		if err != nil {
			return "", doneText{}, webmail.Errorf(webmail.EConflict, "ErrNoRoleFolder", err, "Folder", webmail.Folder{Role: role})
		}
		return dest, doneText{id: done}, nil
	}
	switch act.Verb {
	case Move:
		folders, err := c.Folders(ctx, false)
		if err != nil {
			return "", doneText{}, err
		}
		f, ok := webmail.FindMoveTarget(folders, act.Dest)
		if !ok || f.NoSelect {
			return "", doneText{}, &webmail.Error{Code: webmail.EInvalid, Message: "ErrChooseFolder", Fields: map[string]string{"dest": "ErrChooseFolder"}}
		}
		return f.Name, doneText{id: "DoneMovedTo", folder: &f}, nil
	case Archive:
		return byRole(webmail.RoleArchive, "DoneArchived")
	case Junk:
		return byRole(webmail.RoleJunk, "DoneJunk")
	case NotJunk:
		return "INBOX", doneText{id: "DoneNotJunk"}, nil
	case Delete:
		return byRole(webmail.RoleTrash, "DoneTrashed")
	}
	return "", doneText{}, webmail.Errorf(webmail.EInvalid, "ErrUnknownAction", nil)
}

// doneText is what a notice says an action did: a message id with a
// Count, and the Folder the messages went to for a move.
type doneText struct {
	id     string
	folder *webmail.Folder
}

func (d doneText) with(args ...any) webmail.Text {
	if d.folder != nil {
		args = append(args, "Folder", *d.folder)
	}
	return webmail.Say(d.id, args...)
}

// actOnAll applies an action to every message of a folder that matches a
// search, in batches (mail.ApplyAll), in bounded memory however many there
// are. Moving them all, and deleting, is asked about first: it cannot be
// undone from the page.
func (s *Service) actOnAll(ctx context.Context, c *mail.Conn, act Action) (Outcome, error) {
	sel := act.Messages
	var criteria *imap.SearchCriteria
	if act.Search != "" {
		q, err := search.Parse(act.Search, s.now())
		if err != nil {
			return Outcome{}, webmail.Errorf(webmail.EInvalid, "ErrSearchUnreadable", err, "Reason", err.Error())
		}
		if !q.IsZero() {
			criteria = &q.Criteria
		}
	}
	inSearch := criteria != nil
	matched, err := c.MatchAll(ctx, sel.Mailbox, sel.Validity, criteria)
	if err != nil {
		return Outcome{}, err
	}
	n := matched.N
	if n == 0 {
		if inSearch {
			return Outcome{Notice: webmail.Say("NoneMatching")}, nil
		}
		return Outcome{Notice: webmail.Say("NoneInFolder")}, nil
	}
	var op mail.BulkOp
	var done doneText
	if f, ok := flagVerbs[act.Verb]; ok {
		op, done = mail.BulkOp{Flag: imap.Flag(f.flag), On: f.on}, doneText{id: f.done}
	} else {
		folders, err := c.Folders(ctx, false)
		if err != nil {
			return Outcome{}, err
		}
		if f, _ := webmail.FindFolder(folders, sel.Mailbox); act.Verb == Delete && (f.Role == webmail.RoleTrash || f.Role == webmail.RoleJunk) {
			op, done = mail.BulkOp{Expunge: true}, doneText{id: "DoneDeleted"}
		} else {
			dest, d, err := destination(ctx, c, act)
			if err != nil {
				return Outcome{}, err
			}
			if dest == sel.Mailbox {
				return Outcome{Notice: webmail.Say("DoneAlreadyThere", "Count", n)}, nil
			}
			op, done = mail.BulkOp{Dest: dest}, d
		}
		if !act.Confirmed {
			scope := "ScopeFolder"
			if inSearch {
				scope = "ScopeSearch"
			}
			return Outcome{
				NeedsConfirm: true,
				Question:     webmail.Say("ConfirmAll", "Verb", webmail.Say(verbIDs[act.Verb]), "Count", n, "Scope", webmail.Say(scope, "Count", n), "Done", done.with("Count", n)),
				Button:       webmail.Say("ConfirmAllButton", "Verb", webmail.Say(verbIDs[act.Verb]), "Count", n),
			}, nil
		}
	}
	got, err := c.ApplyAll(ctx, matched, op)
	if errors.Is(err, mail.ErrNoUIDPlus) {
		return Outcome{}, webmail.Errorf(webmail.EConflict, "ErrNoUIDPlusAll", err)
	}
	if err != nil {
		if got > 0 {
			return Outcome{}, webmail.Errorf(webmail.EUnavailable, "ErrStoppedAfter", err, "Got", got, "Count", n)
		}
		return Outcome{}, err
	}
	return Outcome{Notice: done.with("Count", got)}, nil
}

// verbIDs name the verbs on the button that confirms them.
var verbIDs = map[Verb]string{
	MarkRead: "MarkRead", MarkUnread: "MarkUnreadShort", Flag: "Flag", Unflag: "Unflag",
	Archive: "ArchiveVerb", Junk: "JunkVerb", NotJunk: "NotJunk", Delete: "Delete", Move: "Move",
}

// deleteForGood deletes messages in Trash or Junk, once confirmed.
func (s *Service) deleteForGood(ctx context.Context, c *mail.Conn, act Action) (Outcome, error) {
	if !act.Confirmed {
		return Outcome{NeedsConfirm: true}, nil
	}
	n := len(act.Messages.UIDs)
	err := c.Expunge(ctx, act.Messages)
	if errors.Is(err, mail.ErrNoUIDPlus) {
		return Outcome{Notice: webmail.Say("DoneDeletedLater", "Count", n)}, nil
	}
	return Outcome{Notice: webmail.Say("DoneDeleted", "Count", n)}, err
}

// Undo moves messages back where an action took them from, unless its
// time is up.
func (s *Service) Undo(ctx context.Context, acct mail.Account, u webmail.Undo) (notice webmail.Text, err error) {
	if s.now().After(u.Until) {
		// The folder as the tree shows it (without a namespace prefix);
		// its bare name if the tree cannot be had.
		where := webmail.Folder{Name: u.Moved.Mailbox, Label: u.Moved.Mailbox}
		_ = s.pool.Do(ctx, acct, "", func(c *mail.Conn) error {
			folders, err := c.Folders(ctx, false)
			if f, ok := webmail.FindFolder(folders, u.Moved.Mailbox); err == nil && ok {
				where = f
			}
			return err
		})
		return webmail.Say("UndoTooLate", "Folder", where), nil
	}
	var back int
	err = s.pool.Do(ctx, acct, u.Moved.Mailbox, func(c *mail.Conn) error {
		_, back, err = c.Move(ctx, u.Moved, u.Back)
		return err
	})
	if errors.Is(err, mail.ErrNotFound) { // the folder was emptied, renamed or replaced
		back, err = 0, nil
	}
	if err != nil {
		return webmail.Text{}, err
	}
	switch gone := len(u.Moved.UIDs) - back; {
	case back == 0:
		return webmail.Say("UndoNothing", "Count", len(u.Moved.UIDs)), nil
	case gone > 0:
		return webmail.Say("UndonePartly", "Count", back, "Gone", webmail.Say("UndoneGone", "Count", gone)), nil
	}
	return webmail.Say("Undone", "Count", back), nil
}
