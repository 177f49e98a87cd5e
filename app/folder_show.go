package app

import (
	"fmt"
	"net/http"

	"webmail/app/mail"
	"webmail/views"
)

// showFolder shows a page of a folder's messages. An htmx request gets
// only the pane it targets.
func (a *App) showFolder(w http.ResponseWriter, r *http.Request) error {
	mailbox, err := mailboxParam(r)
	if err != nil {
		return err
	}
	return a.showList(w, r, mailbox, pageParam(r, false), "list")
}

// showFolders is the folder screen of the phone layout.
func (a *App) showFolders(w http.ResponseWriter, r *http.Request) error {
	return a.showList(w, r, "INBOX", 1, "folders")
}

func (a *App) showList(w http.ResponseWriter, r *http.Request, mailbox string, page int, view string) error {
	target := htmxTarget(r)
	if target == "message" { // "back to the list" from a message
		return render(w, r, http.StatusOK, views.MessagePlaceholder())
	}
	conn, release, err := a.conn(r)
	if err != nil {
		return err
	}
	defer release()
	ctx := r.Context()
	p := views.MailboxParams{View: view, Now: a.now()}
	// The folder list comes from the connection's cache: no LIST here.
	if p.Folders, err = conn.Folders(ctx, r.URL.Query().Has("refresh")); err != nil {
		return err
	}
	if p.List, err = conn.ListPage(ctx, mailbox, page); err != nil {
		return err
	}
	p.Current = findFolder(p.Folders, mailbox)
	p.Base = a.base(r, folderTitle(p.Current))
	p.Notice, p.Undo = a.takeNotice(r)
	p.SelectAll = r.URL.Query().Get("select") == "all"
	switch target {
	case "list":
		return render(w, r, http.StatusOK, views.MessageList(p))
	case "main":
		return render(w, r, http.StatusOK, views.MainFragment(p))
	}
	return render(w, r, http.StatusOK, views.MailboxPage(p))
}

func findFolder(folders []mail.Folder, name string) mail.Folder {
	for _, f := range folders {
		if f.Name == name {
			return f
		}
	}
	if name == "INBOX" {
		return mail.Folder{Name: name, Label: "Inbox", Role: mail.RoleInbox}
	}
	return mail.Folder{Name: name, Label: name}
}

func folderTitle(f mail.Folder) string {
	if f.Unseen > 0 {
		return fmt.Sprintf("%s (%d)", views.FolderLabel(f), f.Unseen)
	}
	return views.FolderLabel(f)
}
