package usecase_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"webmail"
	"webmail/app/internal/dovecot"
	"webmail/app/usecase"
)

// PrefixedNamespace makes the fixture's personal namespace the one of
// Courier, Cyrus and many Dovecot setups: every folder under "INBOX.",
// "." between levels. The fixture's special-use mailboxes keep their
// names within the namespace, so they become INBOX.Sent and so on.
const prefixedNamespace = "namespace inbox {\n  prefix = INBOX.\n  separator = .\n}"

// SharedNamespace adds a namespace of shared folders (RFC 2342's third
// kind), as Dovecot reports a public namespace.
const sharedNamespace = "namespace public {\n  type = public\n  separator = .\n  prefix = Public.\n  location = maildir:~/public\n  list = yes\n}"

// namespaceCase is a Dovecot namespace configuration and how its full
// names look: full("Work", "2026") is "Work/2026" or "INBOX.Work.2026".
type namespaceCase struct {
	name  string
	extra string
	sep   string
	full  func(path ...string) string
}

var namespaceCases = []namespaceCase{
	{"INBOX-rooted", "", "/", func(p ...string) string { return join("", "/", p) }},
	{"INBOX. prefix", prefixedNamespace, ".", func(p ...string) string { return join("INBOX.", ".", p) }},
}

func join(prefix, sep string, path []string) string {
	out := prefix
	for i, p := range path {
		if i > 0 {
			out += sep
		}
		out += p
	}
	return out
}

// TestNamespaceFolders: with the default namespace and with the prefix
// "INBOX.", a folder is created at the top and under another, the role
// folders are at the top of the tree with their own labels, names are
// shown without the prefix, renaming and moving messages take names
// without it, and a name holding the separator is refused.
func TestNamespaceFolders(t *testing.T) {
	t.Parallel()
	for _, nc := range namespaceCases {
		t.Run(nc.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			dc := dovecot.Start(t, dovecot.Options{Extra: nc.extra})
			a := newMailbox(t, "dovecot "+nc.name, dc.Addr(), dovecot.DefaultLogin, dovecot.DefaultPassword)

			out := a.create(t, usecase.FolderPlace{Name: "Receipts"})
			if out.Name != nc.full("Receipts") || english(out.Notice) != "Folder Receipts created." {
				t.Errorf("create at the top: %s %q", out.Name, english(out.Notice))
			}
			out = a.create(t, usecase.FolderPlace{Name: "2026", Parent: nc.full("Receipts")})
			if want := "Folder Receipts" + nc.sep + "2026 created."; out.Name != nc.full("Receipts", "2026") || english(out.Notice) != want {
				t.Errorf("create inside: %s %q, want %q", out.Name, english(out.Notice), want)
			}

			type row struct {
				Name, Label, Path, Parent string
				Depth                     int
				Role                      webmail.Role
			}
			var got []row
			tree := a.tree(t)
			for _, f := range tree.List {
				got = append(got, row{f.Name, webmail.FolderLabel(f.Folder), f.Path, f.Parent, f.Depth, f.Role})
			}
			want := []row{
				{"INBOX", "Inbox", "INBOX", "", 0, webmail.RoleInbox},
				{nc.full("Drafts"), "Drafts", "Drafts", "", 0, webmail.RoleDrafts},
				{nc.full("Sent"), "Sent", "Sent", "", 0, webmail.RoleSent},
				{nc.full("Archive"), "Archive", "Archive", "", 0, webmail.RoleArchive},
				{nc.full("Junk"), "Junk", "Junk", "", 0, webmail.RoleJunk},
				{nc.full("Trash"), "Trash", "Trash", "", 0, webmail.RoleTrash},
				{nc.full("Receipts"), "Receipts", "Receipts", "", 0, ""},
				{nc.full("Receipts", "2026"), "2026", "Receipts" + nc.sep + "2026", nc.full("Receipts"), 1, ""},
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("folder tree (-want +got):\n%s", diff)
			}
			if tree.Delim != nc.sep {
				t.Errorf("delimiter %q, want %q", tree.Delim, nc.sep)
			}
			if f, _ := tree.Find("INBOX"); f.HasChildren {
				t.Error("the Inbox has subfolders, but the tree shows none under it")
			}

			_, err := a.svc.CreateFolder(ctx, a.acct, usecase.FolderPlace{Name: "Bills" + nc.sep + "2025"})
			if e := webmail.ErrorOf(err); e == nil || e.Code != webmail.EInvalid || e.Fields["name"] == "" {
				t.Errorf("a name with the separator: %v, want refused in the name field", err)
			}

			out, err = a.svc.RenameFolder(ctx, a.acct, usecase.FolderRename{Folder: nc.full("Receipts", "2026"), To: usecase.FolderPlace{Name: "Bills"}})
			if err != nil {
				t.Fatal(err)
			}
			if want := "Folder Receipts" + nc.sep + "2026 is now Bills."; out.Name != nc.full("Bills") || english(out.Notice) != want {
				t.Errorf("rename to the top: %+v, want %s and %q", out, nc.full("Bills"), want)
			}

			refs := a.put(t, "INBOX", "Invoice")
			moved, err := a.svc.Act(ctx, a.acct, usecase.Action{Verb: usecase.Move, Messages: selection(refs...), Dest: "Bills"})
			if err != nil {
				t.Fatalf("move to Bills by its path: %v", err)
			}
			if moved.Notice.IsZero() || len(a.subjects(t, nc.full("Bills"))) != 1 {
				t.Errorf("move: %+v; %s holds %v", moved, nc.full("Bills"), a.subjects(t, nc.full("Bills")))
			}

			// An undo too late names the folder as the tree does.
			moved, err = a.svc.Act(ctx, a.acct, usecase.Action{Verb: usecase.Archive, Messages: selection(a.put(t, "INBOX", "Late")...)})
			if err != nil || moved.Undo == nil {
				t.Fatalf("archive: %+v, %v", moved, err)
			}
			a.clock.t = a.clock.t.Add(usecase.UndoWindow + time.Second)
			if notice, err := a.svc.Undo(ctx, a.acct, *moved.Undo); err != nil || english(notice) != "Too late to undo; the messages are in Archive." {
				t.Errorf("late undo: %q, %v", notice, err)
			}
		})
	}
}

// TestNamespaceShared: the server's shared namespace is a section of its
// own in the tree, its folders named without the prefix and given no
// role, whatever their names.
func TestNamespaceShared(t *testing.T) {
	t.Parallel()
	dc := dovecot.Start(t, dovecot.Options{Extra: prefixedNamespace + "\n" + sharedNamespace})
	dc.Deliver(t, dovecot.DefaultLogin, "Public.Team", []byte("From: a@example.net\r\nSubject: hi\r\n\r\nhi\r\n"))
	dc.Deliver(t, dovecot.DefaultLogin, "Public.Sent", []byte("From: a@example.net\r\nSubject: hi\r\n\r\nhi\r\n"))
	a := newMailbox(t, "dovecot shared", dc.Addr(), dovecot.DefaultLogin, dovecot.DefaultPassword)

	type row struct {
		Name, Path string
		Section    webmail.Section
		Role       webmail.Role
	}
	var got []row
	for _, f := range a.tree(t).List {
		got = append(got, row{f.Name, f.Path, f.Section, f.Role})
	}
	want := []row{
		{"INBOX", "INBOX", "", webmail.RoleInbox},
		{"INBOX.Drafts", "Drafts", "", webmail.RoleDrafts},
		{"INBOX.Sent", "Sent", "", webmail.RoleSent},
		{"INBOX.Archive", "Archive", "", webmail.RoleArchive},
		{"INBOX.Junk", "Junk", "", webmail.RoleJunk},
		{"INBOX.Trash", "Trash", "", webmail.RoleTrash},
		{"Public.Sent", "Sent", webmail.SectionShared, ""},
		{"Public.Team", "Team", webmail.SectionShared, ""},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("folder tree (-want +got):\n%s", diff)
	}
	if s := a.subjects(t, "Public.Team"); len(s) != 1 {
		t.Errorf("Public/Team lists %v, want its one message", s)
	}
}
