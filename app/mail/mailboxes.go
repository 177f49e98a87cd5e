package mail

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"webmail"

	"github.com/emersion/go-imap/v2"
)

// Reasons a server gives for refusing a folder command, from the response
// code of its NO. Each wraps the server's answer, which only the log sees.
var (
	ErrFolderExists  = errors.New("mail: folder exists already")
	ErrHasChildren   = errors.New("mail: folder has subfolders")
	ErrNoPermission  = errors.New("mail: not allowed")
	ErrInUse         = errors.New("mail: folder in use")
	ErrLimit         = errors.New("mail: limit or quota reached")
	ErrFolderRefused = errors.New("mail: server refused") // any other NO or BAD
)

// folderError turns a NO or BAD answer into one of the errors above (or
// ErrNotFound); other errors pass unchanged.
func folderError(err error) error {
	var ie *imap.Error
	if err == nil || !errors.As(err, &ie) {
		return err
	}
	var reason error
	switch ie.Code {
	case imap.ResponseCodeAlreadyExists:
		reason = ErrFolderExists
	case imap.ResponseCodeNonExistent, imap.ResponseCodeTryCreate:
		reason = ErrNotFound
	case imap.ResponseCodeHasChildren:
		reason = ErrHasChildren
	case imap.ResponseCodeNoPerm, imap.ResponseCodeAuthorizationFailed:
		reason = ErrNoPermission
	case imap.ResponseCodeInUse:
		reason = ErrInUse
	case imap.ResponseCodeLimit, imap.ResponseCodeOverQuota, imap.ResponseCodeTooMany:
		reason = ErrLimit
	default:
		reason = ErrFolderRefused
	}
	return fmt.Errorf("%w: %w", reason, err)
}

// FolderTree returns every folder with its subscription state and the
// hierarchy delimiter. It costs one LIST, plus the tree's own LIST when
// the cache is stale or no longer matches the server.
func (c *Conn) FolderTree(ctx context.Context) (*webmail.FolderTree, error) {
	ns, err := c.namespaces(ctx)
	if err != nil {
		return nil, err
	}
	out := &webmail.FolderTree{SubscriptionsKnown: c.caps.Has(imap.CapListExtended), Prefix: ns.personal().prefix}
	if d := ns.personal().delim; d != 0 {
		out.Delim = string(d)
	}
	var list []*imap.ListData
	err = c.do(ctx, "list", func() error {
		var opts *imap.ListOptions
		if out.SubscriptionsKnown {
			opts = &imap.ListOptions{ReturnSubscribed: true}
		}
		var err error
		list, err = c.c.List("", "*", opts).Collect()
		return err
	})
	if err != nil {
		return nil, err
	}
	byName := make(map[string]*imap.ListData, len(list))
	for _, l := range list {
		if hasAttr(l.Attrs, imap.MailboxAttrNonExistent) || ns.isPrefix(l.Mailbox) || l.Mailbox == ns.settingsFolder() {
			continue
		}
		byName[l.Mailbox] = l
		if out.Delim == "" && l.Delim != 0 {
			out.Delim = string(l.Delim)
		}
	}
	folders, err := c.Folders(ctx, false)
	if err != nil {
		return nil, err
	}
	if !sameNames(folders, byName) { // changed elsewhere since the cache was made
		if folders, err = c.Folders(ctx, true); err != nil {
			return nil, err
		}
	}
	out.List = make([]webmail.ManagedFolder, 0, len(folders))
	for _, f := range folders {
		mb := webmail.ManagedFolder{Folder: f}
		l := byName[f.Name]
		if l != nil {
			mb.Subscribed = hasAttr(l.Attrs, imap.MailboxAttrSubscribed)
		}
		if n, rel := ns.place(f.Name); l != nil && l.Delim != 0 {
			d := string(l.Delim)
			if i := strings.LastIndex(rel, d); i > 0 {
				mb.Parent = n.prefix + rel[:i]
			}
			// Every folder of the namespace starts with the prefix: the
			// personal namespace's container (INBOX for "INBOX.") has
			// only the subfolders the tree shows under it.
			if prefix := f.Name + d; prefix != n.prefix {
				for other := range byName {
					if strings.HasPrefix(other, prefix) {
						mb.HasChildren = true
						break
					}
				}
			}
		}
		out.List = append(out.List, mb)
	}
	return out, nil
}

func sameNames(folders []webmail.Folder, byName map[string]*imap.ListData) bool {
	if len(folders) != len(byName) {
		return false
	}
	for _, f := range folders {
		if byName[f.Name] == nil {
			return false
		}
	}
	return true
}

// CreateFolder creates a folder (and, on most servers, its missing
// parents) and subscribes it, so that clients that show only subscribed
// folders see it too.
func (c *Conn) CreateFolder(ctx context.Context, name string) error {
	defer c.forgetFolders()
	return folderError(c.do(ctx, "create", func() error {
		if err := c.c.Create(name, nil).Wait(); err != nil {
			return err
		}
		c.c.Subscribe(name).Wait() // best effort: the folder exists either way
		return nil
	}))
}

// RenameFolder renames a folder; the server renames its subfolders with
// it, and the new name may put it under another parent. Subscriptions,
// which RENAME leaves alone on many servers, follow the folders.
func (c *Conn) RenameFolder(ctx context.Context, from, to string) error {
	defer c.forgetFolders()
	return folderError(c.do(ctx, "rename", func() error {
		var subscribed []*imap.ListData
		if c.caps.Has(imap.CapListExtended) {
			// One LIST for the folder and everything under it; the pattern
			// may match more ("Work*" matches "Workshop"), the filter below
			// keeps exactly the folder and its subfolders.
			subscribed, _ = c.c.List("", from+"*", &imap.ListOptions{SelectSubscribed: true}).Collect()
		}
		if err := c.unselectUnder(from); err != nil {
			return err
		}
		if err := c.c.Rename(from, to, nil).Wait(); err != nil {
			return err
		}
		for _, l := range subscribed {
			rest, ok := strings.CutPrefix(l.Mailbox, from)
			if !ok || rest != "" && (l.Delim == 0 || !strings.HasPrefix(rest, string(l.Delim))) {
				continue
			}
			// Best effort: a server that moved them already answers OK or NO.
			c.c.Subscribe(to + rest).Wait()
			c.c.Unsubscribe(l.Mailbox).Wait()
		}
		return nil
	}))
}

// DeleteFolder deletes a folder and its messages. Servers refuse a folder
// with subfolders, or keep it as a container; callers should check first.
// Its subscription is dropped too: servers keep it otherwise.
func (c *Conn) DeleteFolder(ctx context.Context, name string) error {
	defer c.forgetFolders()
	return folderError(c.do(ctx, "delete", func() error {
		if err := c.unselectUnder(name); err != nil {
			return err
		}
		if err := c.c.Delete(name).Wait(); err != nil {
			return err
		}
		c.c.Unsubscribe(name).Wait() // best effort
		return nil
	}))
}

// Subscribe adds a folder to the subscriptions, or removes it when on is
// false. The folder tree does not depend on them, so the cache stays.
func (c *Conn) Subscribe(ctx context.Context, name string, on bool) error {
	return folderError(c.do(ctx, "subscribe", func() error {
		if on {
			return c.c.Subscribe(name).Wait()
		}
		return c.c.Unsubscribe(name).Wait()
	}))
}

// EmptyFolder deletes for good exactly the messages a UID SEARCH ALL finds
// in the folder now, by \Deleted and UID EXPUNGE of their UIDs: messages
// that arrive meanwhile, or that another client marked \Deleted after the
// search, stay. It returns how many messages it removed. Without UIDPLUS it
// only marks them and returns ErrNoUIDPlus.
func (c *Conn) EmptyFolder(ctx context.Context, name string) (int, error) {
	_, validity, err := c.selectMailbox(ctx, name)
	if err != nil {
		return 0, err
	}
	var uids []imap.UID
	err = c.do(ctx, "expunge", func() error {
		data, err := c.c.UIDSearch(&imap.SearchCriteria{}, nil).Wait()
		if err != nil {
			return err
		}
		uids = data.AllUIDs()
		return nil
	})
	if err != nil || len(uids) == 0 {
		return 0, folderError(err)
	}
	defer c.forgetFolders() // the unread count changes too
	return len(uids), c.Expunge(ctx, webmail.Selection{Mailbox: name, Validity: validity, UIDs: webmailUIDs(uids)})
}

// unselectUnder leaves the selected mailbox when it is name or under it:
// some servers end the session when the selected mailbox is deleted. Never
// CLOSE, which would expunge what other clients marked \Deleted.
func (c *Conn) unselectUnder(name string) error {
	if c.selected == "" || !strings.HasPrefix(c.selected, name) {
		return nil
	}
	c.selected = ""
	if c.caps.Has(imap.CapUnselect) {
		return c.c.Unselect().Wait()
	}
	return nil
}

// forgetFolders drops the cached folder tree after a change to it, so the
// next page lists the folders afresh.
func (c *Conn) forgetFolders() { c.folders.forget() }
