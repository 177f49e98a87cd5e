package app

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"webmail"
	"webmail/app/usecase"
	"webmail/views"
	"webmail/views/locale"
)

// showFolder shows a page of a folder's messages. An htmx request gets
// only the pane it targets.
func (a *App) showFolder(w http.ResponseWriter, r *http.Request) error {
	mailbox, err := mailboxParam(r)
	if err != nil {
		return err
	}
	return a.showList(w, r, placeFrom(r, mailbox), views.ScreenList)
}

// showFolders is the folder screen of the phone layout.
func (a *App) showFolders(w http.ResponseWriter, r *http.Request) error {
	return a.showList(w, r, views.Place{Mailbox: "INBOX", Page: 1}, views.ScreenFolders)
}

func (a *App) showList(w http.ResponseWriter, r *http.Request, place views.Place, view views.Screen) error {
	if a.settings(r).Conversations {
		place.Threads = place.Threads || !r.URL.Query().Has("threads")
		place.ThreadsOff = !place.Threads
	}
	mailbox := place.Mailbox
	target := htmxTarget(r)
	if target == views.TargetMessage { // "back to the list" from a message
		// The folder's title becomes the page's h1 again: its name from
		// the cached folder tree, no list fetched.
		conn, release, err := a.conn(r)
		if err != nil {
			return err
		}
		folders, err := conn.Folders(r.Context(), false)
		release()
		if err != nil {
			return err
		}
		p := views.MailboxParams{View: view, Current: findFolder(folders, mailbox)}
		return render(w, r, http.StatusOK, views.MailboxFor(p, target))
	}
	// The folder list comes from the account's cache: no LIST here.
	l, err := a.uc.List(r.Context(), accountFrom(r).mail(), a.listQuery(r, place), r.URL.Query().Has("refresh"))
	if err != nil {
		return err
	}
	p := views.MailboxParams{View: view, Now: a.readerNow(r), Place: place, Folders: l.Folders}
	withList(r, &p, l)
	p.Current = findFolder(p.Folders, mailbox)
	p.Base = a.base(r, folderTitle(r.Context(), p.Current))
	p.Notice, p.Undo = a.takeNotice(r)
	p.SelectFolder = r.URL.Query().Get("select") == "folder"
	p.SelectAll = r.URL.Query().Get("select") == "all" || p.SelectFolder
	p.Beside = target == views.TargetList && a.paneOpen(r)
	return render(w, r, http.StatusOK, views.MailboxFor(p, target))
}

// paneOpen says whether the page htmx sends from (HX-Current-URL) shows
// a message, a conversation or a form beside the list: any page but a
// folder's list.
func (a *App) paneOpen(r *http.Request) bool {
	path := a.currentPath(r)
	if rest, ok := strings.CutPrefix(path, "/m/"); ok {
		return strings.Contains(rest, "/")
	}
	return path == "/compose" || strings.HasPrefix(path, "/compose/")
}

// currentPath is the path of the page htmx sends from (HX-Current-URL),
// below the base path; "" when unknown or not ours.
func (a *App) currentPath(r *http.Request) string {
	u, err := url.Parse(r.Header.Get("HX-Current-URL"))
	if err != nil {
		return ""
	}
	path, ok := strings.CutPrefix(u.Path, a.cfg.BasePath())
	if !ok || !strings.HasPrefix(path, "/") {
		return ""
	}
	return path
}

// findFolder is the folder with this name, or one made up for a folder the
// tree lacks (the Inbox named as such).
func findFolder(folders []webmail.Folder, name string) webmail.Folder {
	if f, ok := webmail.FindFolder(folders, name); ok {
		return f
	}
	if name == "INBOX" {
		return webmail.Folder{Name: name, Label: "Inbox", Role: webmail.RoleInbox}
	}
	return webmail.Folder{Name: name, Label: name}
}

func folderTitle(ctx context.Context, f webmail.Folder) string {
	if f.Unseen > 0 {
		return locale.T(ctx, "FolderTitleUnseen", "Folder", views.FolderName(ctx, f), "Count", int64(f.Unseen))
	}
	return views.FolderName(ctx, f)
}

// withList puts a list in the page.
func withList(r *http.Request, p *views.MailboxParams, l *usecase.List) {
	p.List, p.Conversations, p.Elsewhere, p.ConversationsCounted = l.Page, l.Conversations, l.Elsewhere, l.ConversationsCounted
	p.SearchError, p.SortNote = l.SearchError, say(r, l.SortNote)
}
