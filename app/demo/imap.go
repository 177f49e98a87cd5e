package demo

import (
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
	"github.com/emersion/go-sasl"
)

// delim is the hierarchy delimiter of the in-memory backend.
const delim = '/'

// Folder names of every account.
const (
	folderInbox       = "INBOX"
	folderDrafts      = "Drafts"
	folderSent        = "Sent"
	folderTrash       = "Trash"
	folderArchive     = "Archive"
	folderJunk        = "Junk"
	folderNewsletters = "Newsletters"
	folderProjects    = "Projects"
	folderWebsite     = "Projects/Website"
	folderLaunch      = "Projects/Website/Launch"
)

// standardFolders are created for every account, parents before children.
var standardFolders = []struct {
	name string
	use  imap.MailboxAttr
}{
	{folderInbox, ""},
	{folderDrafts, imap.MailboxAttrDrafts},
	{folderSent, imap.MailboxAttrSent},
	{folderTrash, imap.MailboxAttrTrash},
	{folderArchive, imap.MailboxAttrArchive},
	{folderJunk, imap.MailboxAttrJunk},
	{folderNewsletters, ""},
	{folderProjects, ""},
	{folderWebsite, ""},
	{folderLaunch, ""},
}

func newIMAPServer(s *Server) *imapserver.Server {
	return imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return &imapSession{srv: s}, nil, nil
		},
		Caps: imap.CapSet{
			imap.CapIMAP4rev1: {},
			imap.CapIMAP4rev2: {},
			// Provided by mailAccount on top of the in-memory backend.
			imap.CapSpecialUse:       {},
			imap.CapCreateSpecialUse: {},
		},
		Logger:       printfLogger{s.log.With("protocol", "IMAP")},
		InsecureAuth: true, // loopback demo: LOGIN without TLS
	})
}

// mailAccount is an account's IMAP store: the in-memory backend's user plus
// the folder attributes the backend does not keep. (go-imap v2.0.0-beta.8's
// imapmemserver ignores CREATE's SPECIAL-USE option and has no API to
// enumerate mailboxes, so mailAccount tracks folders and answers LIST.)
type mailAccount struct {
	Account
	user *imapmemserver.User

	mu      sync.Mutex
	folders map[string]*folder // by name
}

type folder struct {
	specialUse []imap.MailboxAttr
	subscribed bool
}

func newMailAccount(a Account) (*mailAccount, error) {
	acct := &mailAccount{
		Account: a,
		user:    imapmemserver.NewUser(a.Login, a.Password),
		folders: make(map[string]*folder),
	}
	for _, f := range standardFolders {
		var opts imap.CreateOptions
		if f.use != "" {
			opts.SpecialUse = []imap.MailboxAttr{f.use}
		}
		if err := acct.create(f.name, &opts); err != nil {
			return nil, fmt.Errorf("demo: creating %s for %s: %w", f.name, a.Login, err)
		}
		if err := acct.setSubscribed(f.name, true); err != nil {
			return nil, err
		}
	}
	return acct, nil
}

func (a *mailAccount) append(mailbox string, raw []byte, flags []imap.Flag, date time.Time) error {
	if date.IsZero() {
		date = time.Now()
	}
	_, err := a.user.Append(mailbox, newLiteral(raw), &imap.AppendOptions{Flags: flags, Time: date})
	return err
}

// create creates a folder and, as RFC 9051 section 6.3.4 recommends, its
// missing parents.
func (a *mailAccount) create(name string, opts *imap.CreateOptions) error {
	name = strings.TrimRight(name, string(delim))
	a.mu.Lock()
	defer a.mu.Unlock()
	if err := a.createParentsLocked(name); err != nil {
		return err
	}
	if err := a.user.Create(name, opts); err != nil {
		return err
	}
	f := &folder{}
	if opts != nil {
		f.specialUse = slices.Clone(opts.SpecialUse)
	}
	a.folders[name] = f
	return nil
}

func (a *mailAccount) createParentsLocked(name string) error {
	for i, r := range name {
		if r != delim || i == 0 {
			continue
		}
		parent := name[:i]
		if a.folders[parent] != nil {
			continue
		}
		if err := a.user.Create(parent, nil); err != nil {
			return err
		}
		a.folders[parent] = &folder{}
	}
	return nil
}

// delete deletes a folder. INBOX and folders with children cannot be
// deleted, which the in-memory backend does not check.
func (a *mailAccount) delete(name string) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if name == folderInbox {
		return imapNo(imap.ResponseCodeCannot, "INBOX cannot be deleted")
	}
	if a.hasChildrenLocked(name) {
		return imapNo(imap.ResponseCodeHasChildren, "Folder has subfolders, delete them first")
	}
	if err := a.user.Delete(name); err != nil {
		return err
	}
	delete(a.folders, name)
	return nil
}

// rename renames a folder and its subfolders, as RFC 9051 section 6.3.6
// requires (the in-memory backend renames the folder alone). Renaming INBOX,
// which must move its messages instead, is not supported.
func (a *mailAccount) rename(oldName, newName string, opts *imap.RenameOptions) error {
	newName = strings.TrimRight(newName, string(delim))
	a.mu.Lock()
	defer a.mu.Unlock()
	if oldName == folderInbox {
		return imapNo(imap.ResponseCodeCannot, "Renaming INBOX is not supported")
	}
	if strings.HasPrefix(newName+string(delim), oldName+string(delim)) {
		return imapNo(imap.ResponseCodeCannot, "Cannot move a folder into itself")
	}
	if err := a.createParentsLocked(newName); err != nil {
		return err
	}
	var children []string
	for name := range a.folders {
		if strings.HasPrefix(name, oldName+string(delim)) {
			children = append(children, name)
		}
	}
	slices.Sort(children)
	for _, from := range append([]string{oldName}, children...) {
		to := newName + strings.TrimPrefix(from, oldName)
		if err := a.user.Rename(from, to, opts); err != nil {
			return err
		}
		a.folders[to] = a.folders[from]
		delete(a.folders, from)
	}
	return nil
}

func (a *mailAccount) setSubscribed(name string, subscribed bool) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	f := a.folders[name]
	if f == nil {
		return imapNo(imap.ResponseCodeNonExistent, "No such folder")
	}
	f.subscribed = subscribed
	return nil
}

func (a *mailAccount) hasChildrenLocked(name string) bool {
	for other := range a.folders {
		if strings.HasPrefix(other, name+string(delim)) {
			return true
		}
	}
	return false
}

// list answers LIST and LSUB. Special-use attributes are always returned,
// as common servers do, not only with RETURN (SPECIAL-USE).
func (a *mailAccount) list(w *imapserver.ListWriter, ref string, patterns []string, options *imap.ListOptions) error {
	if len(patterns) == 0 {
		return w.WriteList(&imap.ListData{
			Attrs: []imap.MailboxAttr{imap.MailboxAttrNoSelect},
			Delim: delim,
		})
	}

	for _, data := range a.listData(ref, patterns, options) {
		if options.ReturnStatus != nil {
			status, err := a.user.Status(data.Mailbox, options.ReturnStatus)
			if err != nil {
				return err
			}
			data.Status = status
		}
		if err := w.WriteList(&data); err != nil {
			return err
		}
	}
	return nil
}

// listData returns the LIST responses of the matching folders, INBOX first,
// then by name.
func (a *mailAccount) listData(ref string, patterns []string, options *imap.ListOptions) []imap.ListData {
	a.mu.Lock()
	defer a.mu.Unlock()
	var l []imap.ListData
	for name, f := range a.folders {
		if options.SelectSubscribed && !f.subscribed || options.SelectSpecialUse && len(f.specialUse) == 0 ||
			!slices.ContainsFunc(patterns, func(p string) bool { return imapserver.MatchList(name, delim, ref, p) }) {
			continue
		}
		data := imap.ListData{Mailbox: name, Delim: delim}
		if a.hasChildrenLocked(name) {
			data.Attrs = append(data.Attrs, imap.MailboxAttrHasChildren)
		} else {
			data.Attrs = append(data.Attrs, imap.MailboxAttrHasNoChildren)
		}
		if f.subscribed && (options.SelectSubscribed || options.ReturnSubscribed) {
			data.Attrs = append(data.Attrs, imap.MailboxAttrSubscribed)
		}
		data.Attrs = append(data.Attrs, f.specialUse...)
		l = append(l, data)
	}
	slices.SortFunc(l, func(x, y imap.ListData) int {
		switch {
		case x.Mailbox == y.Mailbox:
			return 0
		case x.Mailbox == folderInbox:
			return -1
		case y.Mailbox == folderInbox:
			return 1
		}
		return strings.Compare(x.Mailbox, y.Mailbox)
	})
	return l
}

func imapNo(code imap.ResponseCode, text string) error {
	return &imap.Error{Type: imap.StatusResponseTypeNo, Code: code, Text: text}
}

// imapSession is an IMAP connection's session: the in-memory backend's
// session, with folder management and LIST answered by mailAccount.
type imapSession struct {
	*imapmemserver.UserSession // nil until Login succeeds

	srv  *Server
	acct *mailAccount
}

var (
	_ imapserver.SessionIMAP4rev2 = (*imapSession)(nil)
	_ imapserver.SessionSASL      = (*imapSession)(nil)
)

func (s *imapSession) Login(username, password string) error {
	acct := s.srv.accountByLogin(username)
	if acct == nil {
		return imapserver.ErrAuthFailed
	}
	return s.loginAs(acct, password)
}

// loginAs logs the session in as acct, if password is its IMAP password.
func (s *imapSession) loginAs(acct *mailAccount, password string) error {
	if err := acct.user.Login(acct.Login, password); err != nil {
		return err
	}
	s.acct = acct
	s.UserSession = imapmemserver.NewUserSession(acct.user)
	return nil
}

// AuthenticateMechanisms returns PLAIN, and the bearer-token mechanisms
// when the provider runs.
func (s *imapSession) AuthenticateMechanisms() []string {
	return append([]string{sasl.Plain}, s.srv.tokenMechs...)
}

// Authenticate returns the server side of a SASL mechanism. PLAIN behaves
// as go-imap's default; a bearer token logs the session in as the token's
// account, as LOGIN with its password would.
func (s *imapSession) Authenticate(mech string) (sasl.Server, error) {
	switch {
	case mech == sasl.Plain:
		return sasl.NewPlainServer(func(identity, username, password string) error {
			if identity != "" && identity != username {
				return imapNo(imap.ResponseCodeAuthorizationFailed, "SASL identity not supported")
			}
			return s.Login(username, password)
		}), nil
	case slices.Contains(s.srv.tokenMechs, mech):
		return newBearerServer(mech, s.loginToken, imapserver.ErrAuthFailed), nil
	}
	return nil, imapNo("", "SASL mechanism not supported")
}

func (s *imapSession) loginToken(username, token string) error {
	acct, err := s.srv.tokenAccount(username, token)
	if err != nil {
		s.srv.log.Info("demo IMAP token refused", "err", err)
		return err
	}
	// The demo knows the account's password, which the in-memory backend
	// wants for its login.
	return s.loginAs(acct, acct.Password)
}

func (s *imapSession) Create(name string, options *imap.CreateOptions) error {
	return s.acct.create(name, options)
}

func (s *imapSession) Delete(name string) error { return s.acct.delete(name) }

func (s *imapSession) Rename(name, newName string, options *imap.RenameOptions) error {
	return s.acct.rename(name, newName, options)
}

func (s *imapSession) Subscribe(name string) error { return s.acct.setSubscribed(name, true) }

func (s *imapSession) Unsubscribe(name string) error { return s.acct.setSubscribed(name, false) }

func (s *imapSession) List(w *imapserver.ListWriter, ref string, patterns []string, options *imap.ListOptions) error {
	return s.acct.list(w, ref, patterns, options)
}

// printfLogger adapts slog to the Printf-style loggers of go-imap and
// go-smtp, which only report errors.
type printfLogger struct{ log *slog.Logger }

func (l printfLogger) Printf(format string, v ...any) { l.log.Error(fmt.Sprintf(format, v...)) }

func (l printfLogger) Println(v ...any) { l.log.Error(strings.TrimSuffix(fmt.Sprintln(v...), "\n")) }
