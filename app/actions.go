package app

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/emersion/go-imap/v2"

	"webmail/app/mail"
	"webmail/views"
)

// An action is what a person does to messages, from the list (several)
// or from the message view (one).
type action struct {
	Name    string // read, unread, flag, unflag, move, archive, junk, notjunk, delete
	Dest    string // the folder for move
	Confirm bool   // permanent deletion confirmed
}

// actionOutcome says what happened, for the notice, and how to undo it.
type actionOutcome struct {
	Notice string
	Undo   *views.Undo
	// NeedsConfirm is set when the action deletes for good and was not
	// confirmed yet: nothing happened.
	NeedsConfirm bool
}

// undoWindow is how long an undo form is offered.
const undoWindow = 10 * time.Minute

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// apply runs an action on messages of one folder.
func (a *App) apply(r *http.Request, conn *mail.Conn, mailbox string, validity uint32, uids []imap.UID, act action) (actionOutcome, error) {
	ctx := r.Context()
	what := plural(len(uids), "message", "messages")
	var out actionOutcome
	if len(uids) == 0 {
		return out, errorf(http.StatusUnprocessableEntity, "Select at least one message first.", nil)
	}
	flag := func(f imap.Flag, on bool, done string) (actionOutcome, error) {
		out.Notice = what + " " + done + "."
		return out, conn.StoreFlag(ctx, mailbox, validity, uids, f, on)
	}
	roleDest := func(role mail.Role, label string) (string, error) {
		dest, err := conn.FolderByRole(ctx, role)
		if err != nil {
			return "", errorf(http.StatusConflict, "There is no "+label+" folder on this server.", err)
		}
		return dest, nil
	}
	var dest, done string
	switch act.Name {
	case "read":
		return flag(imap.FlagSeen, true, "marked read")
	case "unread":
		return flag(imap.FlagSeen, false, "marked unread")
	case "flag":
		return flag(imap.FlagFlagged, true, "flagged")
	case "unflag":
		return flag(imap.FlagFlagged, false, "unflagged")
	case "move":
		folders, err := conn.Folders(ctx, false)
		if err != nil {
			return out, err
		}
		f := findFolder(folders, act.Dest)
		if act.Dest == "" || f.NoSelect || !folderExists(folders, act.Dest) {
			return out, errorf(http.StatusUnprocessableEntity, "Choose an existing folder to move to.", nil)
		}
		dest, done = act.Dest, "moved to "+views.FolderLabel(f)
	case "archive":
		d, err := roleDest(mail.RoleArchive, "Archive")
		if err != nil {
			return out, err
		}
		dest, done = d, "archived"
	case "junk":
		d, err := roleDest(mail.RoleJunk, "Junk")
		if err != nil {
			return out, err
		}
		dest, done = d, "marked as junk"
	case "notjunk":
		dest, done = "INBOX", "moved back to the Inbox"
	case "delete":
		folders, err := conn.Folders(ctx, false)
		if err != nil {
			return out, err
		}
		if role := findFolder(folders, mailbox).Role; role == mail.RoleTrash || role == mail.RoleJunk {
			if !act.Confirm {
				out.NeedsConfirm = true
				return out, nil
			}
			err := conn.Expunge(ctx, mailbox, validity, uids)
			if errors.Is(err, mail.ErrNoUIDPlus) {
				out.Notice = what + " marked as deleted; this server removes them later."
				return out, nil
			}
			out.Notice = what + " deleted for good."
			return out, err
		}
		d, err := roleDest(mail.RoleTrash, "Trash")
		if err != nil {
			return out, err
		}
		dest, done = d, "moved to Trash"
	default:
		return out, errorf(http.StatusBadRequest, "That action is not known.", nil)
	}
	if dest == mailbox {
		out.Notice = what + " already there."
		return out, nil
	}
	moved, err := conn.Move(ctx, mailbox, validity, uids, dest)
	if err != nil {
		return out, err
	}
	out.Notice = what + " " + done + "."
	if len(moved.UIDs) > 0 {
		out.Undo = &views.Undo{From: dest, Validity: moved.Validity, UIDs: uidList(moved.UIDs), To: mailbox,
			Until: a.now().Add(undoWindow).Unix()}
	}
	return out, nil
}

func folderExists(folders []mail.Folder, name string) bool {
	for _, f := range folders {
		if f.Name == name {
			return true
		}
	}
	return false
}

func uidList(uids []imap.UID) string {
	parts := make([]string, len(uids))
	for i, u := range uids {
		parts[i] = fmt.Sprint(uint32(u))
	}
	return strings.Join(parts, ",")
}
