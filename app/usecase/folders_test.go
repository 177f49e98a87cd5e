package usecase_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"webmail"
	"webmail/app/mail"
	"webmail/app/usecase"
	"webmail/views"
)

// The folder use cases against go-imap's in-process server (one whose
// sessions refuse on demand) and a private Dovecot, on the package's
// mailbox fixture (usecase_test.go).

// foldersMem is go-imap's in-memory server, whose sessions refuse the
// commands set in refusals with the error given. It has no SPECIAL-USE:
// the roles come from the folders' names.
type foldersMem struct {
	mu       sync.Mutex
	refusals map[string]error // by command: CREATE, RENAME, DELETE, SUBSCRIBE
	srv      *imapserver.Server
	addr     string
}

func (m *foldersMem) refuse(cmd string, err error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.refusals[cmd] = err
}

func (m *foldersMem) refusal(cmd string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.refusals[cmd]
}

// errFoldersHangUp, as a refusal, makes the server hang up instead of
// answering.
var errFoldersHangUp = errors.New("hang up")

type foldersSession struct {
	*imapmemserver.UserSession
	m    *foldersMem
	conn *imapserver.Conn
}

func (s *foldersSession) check(cmd string) error {
	err := s.m.refusal(cmd)
	if err == errFoldersHangUp {
		s.conn.NetConn().Close()
	}
	return err
}

func (s *foldersSession) Create(name string, o *imap.CreateOptions) error {
	if err := s.check("CREATE"); err != nil {
		return err
	}
	return s.UserSession.Create(name, o)
}

func (s *foldersSession) Rename(from, to string, o *imap.RenameOptions) error {
	if err := s.check("RENAME"); err != nil {
		return err
	}
	return s.UserSession.Rename(from, to, o)
}

func (s *foldersSession) Delete(name string) error {
	if err := s.check("DELETE"); err != nil {
		return err
	}
	return s.UserSession.Delete(name)
}

func (s *foldersSession) Subscribe(name string) error {
	if err := s.check("SUBSCRIBE"); err != nil {
		return err
	}
	return s.UserSession.Subscribe(name)
}

// foldersMemAccount starts an in-memory server on 127.0.0.1:0 with the
// Inbox and the role folders (by name), and an account on it.
func foldersMemAccount(t *testing.T) (*mailbox, *foldersMem) {
	t.Helper()
	user := imapmemserver.NewUser("alice", "alice-secret")
	for _, name := range []string{"INBOX", "Drafts", "Sent", "Archive", "Junk", "Trash"} {
		if err := user.Create(name, nil); err != nil {
			t.Fatal(err)
		}
		if err := user.Subscribe(name); err != nil {
			t.Fatal(err)
		}
	}
	m := &foldersMem{refusals: map[string]error{}}
	m.srv = imapserver.New(&imapserver.Options{
		NewSession: func(c *imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return &foldersSession{UserSession: imapmemserver.NewUserSession(user), m: m, conn: c}, nil, nil
		},
		Caps:         imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapIMAP4rev2: {}},
		InsecureAuth: true,
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go m.srv.Serve(ln)
	t.Cleanup(func() { m.srv.Close() })
	m.addr = ln.Addr().String()
	return newMailbox(t, "memory", m.addr, "alice", "alice-secret"), m
}

// foldersOnEach runs f on an account of each server, with Projects and
// Projects/Website created, two messages in Projects/Website and three
// in Trash.
func foldersOnEach(t *testing.T, f func(t *testing.T, a *mailbox)) {
	t.Parallel()
	for _, server := range []struct {
		name  string
		start func(*testing.T) *mailbox
	}{
		{"memory", func(t *testing.T) *mailbox { a, _ := foldersMemAccount(t); return a }},
		{"dovecot", dovecotMailbox},
	} {
		t.Run(server.name, func(t *testing.T) {
			t.Parallel()
			a := server.start(t)
			a.create(t, usecase.FolderPlace{Name: "Projects"})
			a.create(t, usecase.FolderPlace{Name: "Website", Parent: "Projects"})
			a.putN(t, "Projects/Website", 2)
			a.putN(t, "Trash", 3)
			f(t, a)
		})
	}
}

func (a *mailbox) create(t *testing.T, p usecase.FolderPlace) usecase.FolderOutcome {
	t.Helper()
	out, err := a.svc.CreateFolder(context.Background(), a.acct, p)
	if err != nil {
		t.Fatalf("%s: create %+v: %v", a.name, p, err)
	}
	return out
}

// putN appends n messages to folder.
func (a *mailbox) putN(t *testing.T, folder string, n int) {
	t.Helper()
	ctx := context.Background()
	err := a.pool.Do(ctx, a.acct, "", func(c *mail.Conn) error {
		for i := range n {
			raw := fmt.Appendf(nil, "From: Ann <ann@example.net>\r\nTo: alice@example.org\r\nSubject: %s %d\r\nDate: Mon, 02 Mar 2026 10:%02d:00 +0000\r\n\r\nHello.\r\n", folder, i, i)
			if _, err := c.Append(ctx, folder, nil, time.Date(2026, 3, 2, 10, i, 0, 0, time.UTC), int64(len(raw)), bytes.NewReader(raw)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("%s: append to %s: %v", a.name, folder, err)
	}
}

// tree is the folder tree as the server has it now, not as any cache
// remembers it.
func (a *mailbox) tree(t *testing.T) *webmail.FolderTree {
	t.Helper()
	ctx := context.Background()
	var tree *webmail.FolderTree
	err := a.pool.Do(ctx, a.acct, "", func(c *mail.Conn) error {
		if _, err := c.Folders(ctx, true); err != nil {
			return err
		}
		var err error
		tree, err = c.FolderTree(ctx)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return tree
}

// folder finds name in the server's tree; ok is false when it is not there.
func (a *mailbox) folder(t *testing.T, name string) (webmail.ManagedFolder, bool) {
	t.Helper()
	return a.tree(t).Find(name)
}

// names lists the server's folders.
func (a *mailbox) names(t *testing.T) []string {
	t.Helper()
	var names []string
	for _, f := range a.tree(t).List {
		names = append(names, f.Name)
	}
	return names
}

// foldersError is what a test compares of a use case's error: everything
// but the cause.
func foldersError(t *testing.T, err error) *webmail.Error {
	t.Helper()
	e := webmail.ErrorOf(err)
	if e == nil {
		t.Fatalf("error %v (%T), want a *webmail.Error", err, err)
	}
	return englishError(e)
}

// englishError is e as a person reading English sees it: its message and
// field messages in words, their values filled in.
func englishError(e *webmail.Error) *webmail.Error {
	ctx := context.Background()
	args := views.SayArgs(ctx, e.Args)
	out := *e
	out.Message, out.Args = views.T(ctx, e.Message, args...), nil
	if e.Fields != nil {
		out.Fields = map[string]string{}
		for k, id := range e.Fields {
			out.Fields[k] = views.T(ctx, id, args...)
		}
	}
	return &out
}

var foldersIgnoreCause = cmpopts.IgnoreFields(webmail.Error{}, "Err")

func TestFoldersCreate(t *testing.T) {
	foldersOnEach(t, func(t *testing.T, a *mailbox) {
		ctx := context.Background()
		if _, err := a.svc.FolderTree(ctx, a.acct); err != nil { // the cache, filled first
			t.Fatal(err)
		}
		for _, tc := range []struct {
			place usecase.FolderPlace
			want  string
		}{
			{usecase.FolderPlace{Name: " Receipts "}, "Receipts"},
			{usecase.FolderPlace{Name: "2026", Parent: "Receipts"}, "Receipts/2026"},
			{usecase.FolderPlace{Name: "Design", Parent: "Projects/Website"}, "Projects/Website/Design"},
			{usecase.FolderPlace{Name: "Inbox child", Parent: "inbox"}, "INBOX/Inbox child"}, // the server's spelling
		} {
			out := a.create(t, tc.place)
			if want := "Folder " + tc.want + " created."; out.Name != tc.want || english(out.Notice) != want {
				t.Errorf("%+v: %s %q, want %s %q", tc.place, out.Name, english(out.Notice), tc.want, want)
			}
			f, ok := a.folder(t, tc.want)
			if !ok || !f.Subscribed || f.Total != 0 {
				t.Errorf("%s on the server: %+v, %v; want there, empty and subscribed", tc.want, f, ok)
			}
			tree, err := a.svc.FolderTree(ctx, a.acct)
			if err != nil {
				t.Fatal(err)
			}
			if _, ok := tree.Find(tc.want); !ok {
				t.Errorf("the service's tree lacks %s right after creating it", tc.want)
			}
		}
	})
}

func TestFoldersCreateInvalid(t *testing.T) {
	foldersOnEach(t, func(t *testing.T, a *mailbox) {
		before := a.names(t)
		invalid := func(field, msg string) *webmail.Error {
			return &webmail.Error{Code: webmail.EInvalid, Message: "Check the folder's name and place.", Fields: map[string]string{field: msg}}
		}
		taken := func(full string) *webmail.Error {
			return &webmail.Error{Code: webmail.EConflict, Message: "Check the folder's name and place.", Fields: map[string]string{"name": "There is a folder named " + full + " already."}}
		}
		delims := "The name may not contain /: this mail server uses it to put folders inside others. To make a subfolder, choose its parent under Inside."
		tooLong := "The name is too long: at most 200 bytes with its parents' names."
		dots := `The name may not be "." or "..".`
		for _, tc := range []struct {
			place usecase.FolderPlace
			want  *webmail.Error
		}{
			{usecase.FolderPlace{Name: ""}, invalid("name", "Enter a name for the folder.")},
			{usecase.FolderPlace{Name: "   "}, invalid("name", "Enter a name for the folder.")},
			{usecase.FolderPlace{Name: "a\tb"}, invalid("name", "The name may not contain line breaks or other control characters.")},
			{usecase.FolderPlace{Name: "Receipts*"}, invalid("name", "The name may not contain * or %.")},
			{usecase.FolderPlace{Name: "100%"}, invalid("name", "The name may not contain * or %.")},
			{usecase.FolderPlace{Name: "/Receipts"}, invalid("name", delims)},
			{usecase.FolderPlace{Name: "Receipts/"}, invalid("name", delims)},
			{usecase.FolderPlace{Name: "Receipts//2026"}, invalid("name", delims)},
			{usecase.FolderPlace{Name: ".."}, invalid("name", dots)},
			{usecase.FolderPlace{Name: "a/./b"}, invalid("name", delims)},
			{usecase.FolderPlace{Name: "Receipts/2026"}, invalid("name", delims)}, // a parent the tree cannot show
			{usecase.FolderPlace{Name: "2026/Q1", Parent: "Projects"}, invalid("name", delims)},
			{usecase.FolderPlace{Name: strings.Repeat("x", 201)}, invalid("name", tooLong)},
			{usecase.FolderPlace{Name: strings.Repeat("x", 184), Parent: "Projects/Website"}, invalid("name", tooLong)},
			{usecase.FolderPlace{Name: "Receipts", Parent: "Nowhere"}, invalid("parent", "Choose an existing folder as the parent.")},
			{usecase.FolderPlace{Name: "Sent"}, taken("Sent")},
			{usecase.FolderPlace{Name: "inbox"}, taken("inbox")},
			{usecase.FolderPlace{Name: "Website", Parent: "Projects"}, taken("Projects/Website")},
		} {
			_, err := a.svc.CreateFolder(context.Background(), a.acct, tc.place)
			if diff := cmp.Diff(tc.want, foldersError(t, err), foldersIgnoreCause); diff != "" {
				t.Errorf("%+v (-want +got):\n%s", tc.place, diff)
			}
		}
		if diff := cmp.Diff(before, a.names(t)); diff != "" {
			t.Errorf("folders changed by refused creates (-want +got):\n%s", diff)
		}
		// Exactly at the limit is fine: 200 bytes with the parent's name.
		a.create(t, usecase.FolderPlace{Name: strings.Repeat("x", 183), Parent: "Projects/Website"})
	})
}

func TestFoldersRename(t *testing.T) {
	foldersOnEach(t, func(t *testing.T, a *mailbox) {
		ctx := context.Background()
		a.create(t, usecase.FolderPlace{Name: "Old"})
		a.putN(t, "Old", 4)
		out, err := a.svc.RenameFolder(ctx, a.acct, usecase.FolderRename{Folder: "Old", To: usecase.FolderPlace{Name: "New", Parent: "Archive"}})
		if err != nil {
			t.Fatal(err)
		}
		if out.Name != "Archive/New" || english(out.Notice) != "Folder Old is now Archive/New." {
			t.Errorf("outcome %+v", out)
		}
		if _, ok := a.folder(t, "Old"); ok {
			t.Error("Old is still there")
		}
		if f, _ := a.folder(t, "Archive/New"); f.Total != 4 || !f.Subscribed {
			t.Errorf("Archive/New: %+v, want 4 messages, subscribed", f)
		}
		tree, err := a.svc.FolderTree(ctx, a.acct)
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := tree.Find("Archive/New"); !ok {
			t.Error("the service's tree lacks the renamed folder")
		}
	})
}

// TestFoldersRenameWithChildren: the subfolders, their messages and their
// subscriptions move along. Only Dovecot: the in-memory server renames
// one folder alone.
func TestFoldersRenameWithChildren(t *testing.T) {
	t.Parallel()
	a := dovecotMailbox(t)
	a.create(t, usecase.FolderPlace{Name: "Projects"})
	a.create(t, usecase.FolderPlace{Name: "Website", Parent: "Projects"})
	a.putN(t, "Projects/Website", 2)
	_, err := a.svc.RenameFolder(context.Background(), a.acct, usecase.FolderRename{Folder: "Projects", To: usecase.FolderPlace{Name: "Work"}})
	if err != nil {
		t.Fatal(err)
	}
	if f, _ := a.folder(t, "Work/Website"); f.Total != 2 || !f.Subscribed {
		t.Errorf("Work/Website: %+v, want 2 messages, subscribed", f)
	}
	for _, gone := range []string{"Projects", "Projects/Website"} {
		if _, ok := a.folder(t, gone); ok {
			t.Errorf("%s is still there", gone)
		}
	}
}

func TestFoldersRenameRefused(t *testing.T) {
	foldersOnEach(t, func(t *testing.T, a *mailbox) {
		before := a.names(t)
		rename := func(folder, name, parent string) usecase.FolderRename {
			return usecase.FolderRename{Folder: folder, To: usecase.FolderPlace{Name: name, Parent: parent}}
		}
		field := func(code webmail.ErrorCode, field, msg string) *webmail.Error {
			return &webmail.Error{Code: code, Message: "Check the folder's name and place.", Fields: map[string]string{field: msg}}
		}
		for _, tc := range []struct {
			in   usecase.FolderRename
			want *webmail.Error
		}{
			{rename("INBOX", "Incoming", ""), &webmail.Error{Code: webmail.EConflict, Message: "The Inbox cannot be renamed."}},
			{rename("inbox", "Incoming", ""), &webmail.Error{Code: webmail.EConflict, Message: "The Inbox cannot be renamed."}},
			{rename("Nowhere", "Somewhere", ""), &webmail.Error{Code: webmail.ENotFound, Message: "The folder Nowhere does not exist (any more)."}},
			{rename("Projects", "Projects", "Projects/Website"), field(webmail.EInvalid, "parent", "A folder cannot be moved into itself or one of its subfolders.")},
			{rename("Projects", "Projects", "Projects"), field(webmail.EInvalid, "parent", "A folder cannot be moved into itself or one of its subfolders.")},
			{rename("Projects/Website", "Website", "Projects"), field(webmail.EInvalid, "name", "This is the folder's name and place already: change the name or the parent.")},
			{rename("Projects/Website", "Sent", ""), field(webmail.EConflict, "name", "There is a folder named Sent already.")},
			{rename("Projects/Website", "", ""), field(webmail.EInvalid, "name", "Enter a name for the folder.")},
		} {
			_, err := a.svc.RenameFolder(context.Background(), a.acct, tc.in)
			if diff := cmp.Diff(tc.want, foldersError(t, err), foldersIgnoreCause); diff != "" {
				t.Errorf("%+v (-want +got):\n%s", tc.in, diff)
			}
		}
		if diff := cmp.Diff(before, a.names(t)); diff != "" {
			t.Errorf("folders changed by refused renames (-want +got):\n%s", diff)
		}
	})
}

func TestFoldersDelete(t *testing.T) {
	foldersOnEach(t, func(t *testing.T, a *mailbox) {
		ctx := context.Background()
		del := func(in usecase.FolderDelete) usecase.FolderOutcome {
			t.Helper()
			out, err := a.svc.DeleteFolder(ctx, a.acct, in)
			if err != nil {
				t.Fatalf("%+v: %v", in, err)
			}
			return out
		}
		// A plain folder: asked once, naming what goes.
		out := del(usecase.FolderDelete{Folder: "Projects/Website"})
		if out.Confirm != usecase.ConfirmLoss || out.Folder.Name != "Projects/Website" || out.Folder.Total != 2 {
			t.Errorf("unconfirmed: %+v, want ConfirmLoss for 2 messages", out)
		}
		if _, ok := a.folder(t, "Projects/Website"); !ok {
			t.Fatal("deleted before the confirmation")
		}
		out = del(usecase.FolderDelete{Folder: "Projects/Website", Confirmed: true})
		if out.Confirm != usecase.ConfirmNone || english(out.Notice) != "Folder Projects/Website deleted." {
			t.Errorf("confirmed: %+v", out)
		}
		if _, ok := a.folder(t, "Projects/Website"); ok {
			t.Error("still there after the confirmation")
		}
		tree, err := a.svc.FolderTree(ctx, a.acct)
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := tree.Find("Projects/Website"); ok {
			t.Error("the service's tree still shows the deleted folder")
		}

		// A special-use folder: its role is confirmed too, and only its own.
		a.putN(t, "Junk", 1)
		for _, in := range []usecase.FolderDelete{
			{Folder: "Junk", Confirmed: true},
			{Folder: "Junk", Confirmed: true, ConfirmedRole: webmail.RoleTrash},
		} {
			if out := del(in); out.Confirm != usecase.ConfirmRole || out.Folder.Role != webmail.RoleJunk {
				t.Errorf("%+v: %+v, want ConfirmRole for Junk", in, out)
			}
		}
		if f, ok := a.folder(t, "Junk"); !ok || f.Total != 1 {
			t.Fatalf("Junk went without its role confirmed: %+v, %v", f, ok)
		}
		if out := del(usecase.FolderDelete{Folder: "Junk", Confirmed: true, ConfirmedRole: webmail.RoleJunk}); english(out.Notice) != "Folder Junk deleted." {
			t.Errorf("Junk confirmed twice: %+v", out)
		}
		// Dovecot makes its special-use folders again (auto = subscribe),
		// empty.
		if f, ok := a.folder(t, "Junk"); ok && (a.name != "dovecot" || f.Total != 0) {
			t.Errorf("Junk still there: %+v", f)
		}
	})
}

func TestFoldersDeleteRefused(t *testing.T) {
	foldersOnEach(t, func(t *testing.T, a *mailbox) {
		before := a.names(t)
		for _, tc := range []struct {
			folder string
			want   *webmail.Error
		}{
			{"INBOX", &webmail.Error{Code: webmail.EConflict, Message: "The Inbox cannot be deleted."}},
			{"inbox", &webmail.Error{Code: webmail.EConflict, Message: "The Inbox cannot be deleted."}},
			{"Projects", &webmail.Error{Code: webmail.EConflict, Message: "The folder Projects has subfolders. Delete them, or move them elsewhere, first."}},
			{"Nowhere", &webmail.Error{Code: webmail.ENotFound, Message: "The folder Nowhere does not exist (any more)."}},
		} {
			in := usecase.FolderDelete{Folder: tc.folder, Confirmed: true, ConfirmedRole: webmail.RoleInbox}
			_, err := a.svc.DeleteFolder(context.Background(), a.acct, in)
			if diff := cmp.Diff(tc.want, foldersError(t, err), foldersIgnoreCause); diff != "" {
				t.Errorf("%s (-want +got):\n%s", tc.folder, diff)
			}
		}
		if diff := cmp.Diff(before, a.names(t)); diff != "" {
			t.Errorf("folders changed by refused deletes (-want +got):\n%s", diff)
		}
	})
}

func TestFoldersEmpty(t *testing.T) {
	foldersOnEach(t, func(t *testing.T, a *mailbox) {
		ctx := context.Background()
		out, err := a.svc.EmptyFolder(ctx, a.acct, usecase.FolderEmpty{Folder: "Trash"})
		if err != nil {
			t.Fatal(err)
		}
		if out.Confirm != usecase.ConfirmLoss || out.Folder.Total != 3 {
			t.Errorf("unconfirmed: %+v, want ConfirmLoss for 3 messages", out)
		}
		if f, _ := a.folder(t, "Trash"); f.Total != 3 {
			t.Fatalf("Trash holds %d messages before the confirmation, want 3", f.Total)
		}
		for _, want := range []string{"Trash emptied: 3 messages deleted for good.", "Trash was empty already."} {
			out, err := a.svc.EmptyFolder(ctx, a.acct, usecase.FolderEmpty{Folder: "Trash", Confirmed: true})
			if err != nil {
				t.Fatal(err)
			}
			if english(out.Notice) != want {
				t.Errorf("notice %q, want %q", english(out.Notice), want)
			}
		}
		if f, _ := a.folder(t, "Trash"); f.Total != 0 {
			t.Errorf("Trash holds %d messages", f.Total)
		}
		tree, err := a.svc.FolderTree(ctx, a.acct)
		if err != nil {
			t.Fatal(err)
		}
		if f, _ := tree.Find("Trash"); f.Total != 0 {
			t.Errorf("the service's tree counts %d messages in Trash", f.Total)
		}

		// Only Trash and Junk, even confirmed.
		for _, tc := range []struct {
			folder string
			want   *webmail.Error
		}{
			{"Projects/Website", &webmail.Error{Code: webmail.EConflict, Message: "Only Trash and Junk can be emptied here."}},
			{"INBOX", &webmail.Error{Code: webmail.EConflict, Message: "Only Trash and Junk can be emptied here."}},
			{"Nowhere", &webmail.Error{Code: webmail.ENotFound, Message: "The folder Nowhere does not exist (any more)."}},
		} {
			_, err := a.svc.EmptyFolder(ctx, a.acct, usecase.FolderEmpty{Folder: tc.folder, Confirmed: true})
			if diff := cmp.Diff(tc.want, foldersError(t, err), foldersIgnoreCause); diff != "" {
				t.Errorf("%s (-want +got):\n%s", tc.folder, diff)
			}
		}
		if f, _ := a.folder(t, "Projects/Website"); f.Total != 2 {
			t.Errorf("Projects/Website holds %d messages, want 2", f.Total)
		}
	})
}

func TestFoldersSubscribe(t *testing.T) {
	foldersOnEach(t, func(t *testing.T, a *mailbox) {
		ctx := context.Background()
		for _, tc := range []struct {
			on     bool
			notice string
		}{
			{false, "Unsubscribed from Website."},
			{true, "Subscribed to Website."},
			{false, "Unsubscribed from Website."},
		} {
			out, err := a.svc.Subscribe(ctx, a.acct, "Projects/Website", tc.on)
			if err != nil {
				t.Fatal(err)
			}
			if english(out.Notice) != tc.notice {
				t.Errorf("notice %q, want %q", english(out.Notice), tc.notice)
			}
			if f, _ := a.folder(t, "Projects/Website"); f.Subscribed != tc.on {
				t.Errorf("subscribed = %v, want %v", f.Subscribed, tc.on)
			}
		}
		if out, err := a.svc.Subscribe(ctx, a.acct, "Trash", true); err != nil || english(out.Notice) != "Subscribed to Trash." {
			t.Errorf("Trash: %+v, %v", out, err)
		}
		_, err := a.svc.Subscribe(ctx, a.acct, "Nowhere", true)
		want := &webmail.Error{Code: webmail.ENotFound, Message: "The folder Nowhere does not exist (any more)."}
		if diff := cmp.Diff(want, foldersError(t, err), foldersIgnoreCause); diff != "" {
			t.Errorf("Nowhere (-want +got):\n%s", diff)
		}
	})
}

// TestFoldersServerRefusals: a NO from the server reaches the person in
// plain words, never in the server's, with the server's answer kept as the
// cause for the log; a name the server says is taken goes to the name
// field.
func TestFoldersServerRefusals(t *testing.T) {
	t.Parallel()
	a, m := foldersMemAccount(t)
	ctx := context.Background()
	a.create(t, usecase.FolderPlace{Name: "Projects"})
	no := func(code imap.ResponseCode) error {
		return &imap.Error{Type: imap.StatusResponseTypeNo, Code: code, Text: "internal quota shard 7 exploded"}
	}
	create := func() error {
		_, err := a.svc.CreateFolder(ctx, a.acct, usecase.FolderPlace{Name: "Receipts"})
		return err
	}
	rename := func() error {
		_, err := a.svc.RenameFolder(ctx, a.acct, usecase.FolderRename{Folder: "Projects", To: usecase.FolderPlace{Name: "Work"}})
		return err
	}
	del := func() error {
		_, err := a.svc.DeleteFolder(ctx, a.acct, usecase.FolderDelete{Folder: "Projects", Confirmed: true})
		return err
	}
	subscribe := func() error {
		_, err := a.svc.Subscribe(ctx, a.acct, "Projects", true)
		return err
	}
	for _, tc := range []struct {
		cmd  string
		code imap.ResponseCode
		call func() error
		want *webmail.Error
	}{
		{"CREATE", "XSECRET", create, &webmail.Error{Code: webmail.EConflict, Message: "The mail server refused to create the folder."}},
		{"CREATE", imap.ResponseCodeNoPerm, create, &webmail.Error{Code: webmail.EConflict, Message: "The mail server does not allow you to create the folder."}},
		{"CREATE", imap.ResponseCodeLimit, create, &webmail.Error{Code: webmail.EConflict, Message: "The mail server's limit is reached: it did not create the folder."}},
		{"CREATE", imap.ResponseCodeAlreadyExists, create, &webmail.Error{Code: webmail.EConflict, Message: "There is a folder with this name already.",
			Fields: map[string]string{"name": "There is a folder with this name already."}}},
		{"RENAME", imap.ResponseCodeInUse, rename, &webmail.Error{Code: webmail.EUnavailable, Message: "The folder is in use right now. Please try again in a moment."}},
		{"RENAME", imap.ResponseCodeNonExistent, rename, &webmail.Error{Code: webmail.ENotFound, Message: "The folder does not exist (any more)."}},
		{"DELETE", imap.ResponseCodeHasChildren, del, &webmail.Error{Code: webmail.EConflict, Message: "The folder has subfolders. Delete them, or move them elsewhere, first."}},
		{"SUBSCRIBE", imap.ResponseCodeNoPerm, subscribe, &webmail.Error{Code: webmail.EConflict, Message: "The mail server does not allow you to change the subscription."}},
	} {
		t.Run(tc.cmd+" "+string(tc.code), func(t *testing.T) {
			m.refuse(tc.cmd, no(tc.code))
			defer m.refuse(tc.cmd, nil)
			err := tc.call()
			got := foldersError(t, err)
			if diff := cmp.Diff(tc.want, got, foldersIgnoreCause); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			var ie *imap.Error
			if !errors.As(err, &ie) || ie.Code != tc.code {
				t.Errorf("the server's answer is not the cause: %v", err)
			}
		})
	}
	if _, ok := a.folder(t, "Projects"); !ok {
		t.Error("Projects went in spite of the refusals")
	}

	// A server that hangs up refuses nothing: the mail adapter's error
	// comes as it is, for the error page.
	m.refuse("CREATE", errFoldersHangUp)
	err := create()
	if webmail.ErrorOf(err) != nil || !errors.Is(err, mail.ErrUnavailable) {
		t.Errorf("server hung up: %v, want mail.ErrUnavailable as is", err)
	}
}
