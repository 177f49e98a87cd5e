package mail

import (
	"context"
	"slices"
	"strings"
	"sync"
	"time"
	"webmail"

	"github.com/emersion/go-imap/v2"
)

// foldersTTL is how long an account's folder list is reused before a new
// LIST; actions of this webmail adjust the cache directly, and a watcher's
// fresh counts replace it.
const foldersTTL = 2 * time.Minute

// folderCache is the folder tree of one account, shared by all its
// connections (and so all its sessions on this instance).
type folderCache struct {
	mu   sync.Mutex
	list []webmail.Folder
	at   time.Time
	gen  uint64 // counts the lists set or forgotten
	// ns are the server's namespaces, asked once: they outlive the list.
	ns namespaces
}

func (fc *folderCache) namespaces() (namespaces, bool) {
	fc.mu.Lock()
	defer fc.mu.Unlock()
	return fc.ns, fc.ns != nil
}

func (fc *folderCache) setNamespaces(ns namespaces) {
	fc.mu.Lock()
	defer fc.mu.Unlock()
	fc.ns = ns
}

// generation tells whether the list was replaced since.
func (fc *folderCache) generation() uint64 {
	fc.mu.Lock()
	defer fc.mu.Unlock()
	return fc.gen
}

// get returns a copy of the cached tree if it is younger than foldersTTL.
func (fc *folderCache) get() ([]webmail.Folder, bool) {
	fc.mu.Lock()
	defer fc.mu.Unlock()
	if fc.list == nil || time.Since(fc.at) >= foldersTTL {
		return nil, false
	}
	return slices.Clone(fc.list), true
}

func (fc *folderCache) set(list []webmail.Folder) {
	fc.mu.Lock()
	defer fc.mu.Unlock()
	fc.list, fc.at = slices.Clone(list), time.Now()
	fc.gen++
}

// forget drops the tree after a change to it, so the next page lists the
// folders afresh.
func (fc *folderCache) forget() {
	fc.mu.Lock()
	defer fc.mu.Unlock()
	fc.list = nil
	fc.gen++
}

// total returns the cached message count of mailbox, if the cache has it.
func (fc *folderCache) total(mailbox string) (uint32, bool) {
	fc.mu.Lock()
	defer fc.mu.Unlock()
	for _, f := range fc.list {
		if f.Name == mailbox {
			return f.Total, true
		}
	}
	return 0, false
}

// adjust changes the cached counts of a folder after an action of ours
// that began when the cache was at generation since, so the tree stays
// right without a new LIST. If another connection of the account (a
// watcher) replaced the list meanwhile, that list may or may not count
// the action already: it is dropped, and the next page lists afresh.
func (fc *folderCache) adjust(since uint64, mailbox string, total, unseen int) {
	fc.mu.Lock()
	defer fc.mu.Unlock()
	if fc.gen != since {
		fc.list = nil
		fc.gen++
		return
	}
	for i := range fc.list {
		if f := &fc.list[i]; f.Name == mailbox {
			f.Total = uint32(max(int(f.Total)+total, 0))
			f.Unseen = uint32(max(int(f.Unseen)+unseen, 0))
		}
	}
}

// Folders returns the folder tree, from the account's cache unless it is
// stale or refresh is set.
func (c *Conn) Folders(ctx context.Context, refresh bool) ([]webmail.Folder, error) {
	if !refresh {
		if list, ok := c.folders.get(); ok {
			return list, nil
		}
	}
	ns, err := c.namespaces(ctx)
	if err != nil {
		return nil, err
	}
	var list []*imap.ListData
	err = c.do(ctx, "list", func() error {
		opts := &imap.ListOptions{}
		if c.caps.Has(imap.CapSpecialUse) {
			opts.ReturnSpecialUse = true
		}
		status := &imap.StatusOptions{NumMessages: true, NumUnseen: true}
		if c.caps.Has(imap.CapIMAP4rev2) || c.caps.Has(imap.CapListStatus) {
			opts.ReturnStatus = status
		}
		var err error
		list, err = c.c.List("", "*", opts).Collect()
		if err != nil || opts.ReturnStatus != nil {
			return err
		}
		// Without LIST-STATUS: one STATUS per folder, pipelined.
		cmds := make([]*imapStatus, 0, len(list))
		for _, l := range list {
			if hasAttr(l.Attrs, imap.MailboxAttrNoSelect) || hasAttr(l.Attrs, imap.MailboxAttrNonExistent) {
				continue
			}
			cmds = append(cmds, &imapStatus{l, c.c.Status(l.Mailbox, status)})
		}
		for _, s := range cmds {
			if d, err := s.cmd.Wait(); err == nil {
				s.l.Status = d
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	tree := buildTree(list, ns)
	c.folders.set(tree)
	return tree, nil
}

// adjustUnseen changes the cached unread count of a folder after the
// command the connection ran last.
func (c *Conn) adjustUnseen(mailbox string, delta int) { c.folders.adjust(c.cmdGen, mailbox, 0, delta) }

// adjustTotal changes the cached message count of a folder after the
// command the connection ran last.
func (c *Conn) adjustTotal(mailbox string, delta int) { c.folders.adjust(c.cmdGen, mailbox, delta, 0) }

type imapStatus struct {
	l   *imap.ListData
	cmd interface {
		Wait() (*imap.StatusData, error)
	}
}

func hasAttr(attrs []imap.MailboxAttr, a imap.MailboxAttr) bool {
	for _, x := range attrs {
		if strings.EqualFold(string(x), string(a)) {
			return true
		}
	}
	return false
}

// roleOf finds a folder's role from SPECIAL-USE, falling back to common
// names only when the server marks no folder with that role.
func roleOf(l *imap.ListData) webmail.Role {
	if strings.EqualFold(l.Mailbox, "INBOX") {
		return webmail.RoleInbox
	}
	for _, a := range l.Attrs {
		switch strings.ToLower(string(a)) {
		case `\drafts`:
			return webmail.RoleDrafts
		case `\sent`:
			return webmail.RoleSent
		case `\archive`:
			return webmail.RoleArchive
		case `\junk`:
			return webmail.RoleJunk
		case `\trash`:
			return webmail.RoleTrash
		}
	}
	return webmail.RoleNone
}

var fallbackNames = map[string]webmail.Role{
	"drafts": webmail.RoleDrafts, "draft": webmail.RoleDrafts,
	"sent": webmail.RoleSent, "sent items": webmail.RoleSent, "sent messages": webmail.RoleSent, "sent mail": webmail.RoleSent,
	"archive": webmail.RoleArchive, "archives": webmail.RoleArchive,
	"junk": webmail.RoleJunk, "spam": webmail.RoleJunk, "junk e-mail": webmail.RoleJunk,
	"trash": webmail.RoleTrash, "deleted items": webmail.RoleTrash, "deleted messages": webmail.RoleTrash, "bin": webmail.RoleTrash,
}

// buildTree orders folders: the person's own first, the role folders
// at the top (Inbox, Drafts, Sent, Archive, Junk, Trash), then the rest
// alphabetically, children right after their parent; then other users'
// and shared folders, each section on its own. A folder's place comes
// from its name within its namespace: "INBOX.Sent" under the prefix
// "INBOX." is at the top, not under the Inbox.
func buildTree(list []*imap.ListData, ns namespaces) []webmail.Folder {
	type node struct {
		f        webmail.Folder
		parent   string // full name of the parent, "" at the top
		children []*node
	}
	byName := map[string]*node{}
	seen := map[webmail.Role]bool{}
	for _, l := range list {
		if hasAttr(l.Attrs, imap.MailboxAttrNonExistent) || ns.isPrefix(l.Mailbox) || l.Mailbox == ns.settingsFolder() {
			continue
		}
		n, rel := ns.place(l.Mailbox)
		delim := l.Delim
		if delim == 0 {
			delim = n.delim
		}
		path := []string{rel}
		if delim != 0 {
			path = strings.Split(rel, string(delim))
		}
		nd := &node{f: webmail.Folder{
			Name:     l.Mailbox,
			Label:    path[len(path)-1],
			Path:     rel,
			Section:  n.section,
			NoSelect: hasAttr(l.Attrs, imap.MailboxAttrNoSelect),
		}}
		if len(path) > 1 {
			nd.parent = n.prefix + strings.Join(path[:len(path)-1], string(delim))
		}
		if n.section == webmail.SectionPersonal {
			nd.f.Role = roleOf(l)
			seen[nd.f.Role] = true
		}
		if l.Status != nil {
			if l.Status.NumMessages != nil {
				nd.f.Total = *l.Status.NumMessages
			}
			if l.Status.NumUnseen != nil {
				nd.f.Unseen = *l.Status.NumUnseen
			}
		}
		byName[l.Mailbox] = nd
	}
	for _, l := range list { // name fallbacks only for roles nobody has, at the top of the person's own
		nd := byName[l.Mailbox]
		if nd == nil || nd.f.Role != webmail.RoleNone || nd.parent != "" || nd.f.Section != webmail.SectionPersonal {
			continue
		}
		if r, ok := fallbackNames[strings.ToLower(nd.f.Path)]; ok && !seen[r] {
			nd.f.Role = r
			seen[r] = true
		}
	}

	var top []*node
	for _, l := range list {
		nd := byName[l.Mailbox]
		if nd == nil {
			continue
		}
		if parent := byName[nd.parent]; nd.parent != "" && parent != nil {
			parent.children = append(parent.children, nd)
			continue
		}
		top = append(top, nd)
	}
	rank := func(r webmail.Role) int {
		if i := slices.Index(webmail.Roles, r); i >= 0 {
			return i
		}
		return len(webmail.Roles)
	}
	var sortNodes func([]*node)
	sortNodes = func(ns []*node) {
		slices.SortFunc(ns, func(a, b *node) int {
			if sa, sb := sectionRank(a.f.Section), sectionRank(b.f.Section); sa != sb {
				return sa - sb
			}
			if ra, rb := rank(a.f.Role), rank(b.f.Role); ra != rb {
				return ra - rb
			}
			return strings.Compare(strings.ToLower(a.f.Label), strings.ToLower(b.f.Label))
		})
		for _, n := range ns {
			sortNodes(n.children)
		}
	}
	sortNodes(top)
	out := make([]webmail.Folder, 0, len(byName))
	var walk func([]*node, int)
	walk = func(ns []*node, depth int) {
		for _, n := range ns {
			n.f.Depth = depth
			out = append(out, n.f)
			walk(n.children, depth+1)
		}
	}
	walk(top, 0)
	return out
}
