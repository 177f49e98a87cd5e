package app

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"webmail/app/mail"
	"webmail/app/search"
	"webmail/views"
)

// showFolder shows a page of a folder's messages. An htmx request gets
// only the pane it targets.
func (a *App) showFolder(w http.ResponseWriter, r *http.Request) error {
	mailbox, err := mailboxParam(r)
	if err != nil {
		return err
	}
	return a.showList(w, r, placeFrom(r, mailbox), "list")
}

// showFolders is the folder screen of the phone layout.
func (a *App) showFolders(w http.ResponseWriter, r *http.Request) error {
	return a.showList(w, r, views.Place{Mailbox: "INBOX", Page: 1}, "folders")
}

func (a *App) showList(w http.ResponseWriter, r *http.Request, place views.Place, view string) error {
	mailbox := place.Mailbox
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
	p := views.MailboxParams{View: view, Now: a.now(), Place: place}
	// The folder list comes from the connection's cache: no LIST here.
	if p.Folders, err = conn.Folders(ctx, r.URL.Query().Has("refresh")); err != nil {
		return err
	}
	if p.List, err = a.listPage(r, conn, &p); err != nil {
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

// listPage fetches the list at p.Place: a plain page, a search, a sort.
// An invalid search or a sort the server cannot do is explained in the
// page, which then shows the plain list.
func (a *App) listPage(r *http.Request, conn *mail.Conn, p *views.MailboxParams) (*mail.Page, error) {
	place := p.Place
	v := mail.View{Sort: mail.SortKey(strings.TrimPrefix(place.Sort, "-")), Asc: place.Sort != "" && !strings.HasPrefix(place.Sort, "-")}
	if v.Sort == "arrival" {
		v.Sort = mail.SortArrival
	}
	if place.Query != "" {
		q, err := search.Parse(place.Query, a.now())
		if err != nil {
			p.SearchError = err.Error()
		} else if !q.IsZero() {
			v.Criteria = &q.Criteria
		}
	}
	if place.Threads && v.Criteria == nil && v.Sort == mail.SortArrival {
		tp, err := conn.ListConversations(r.Context(), place.Mailbox, place.Page)
		if err != nil {
			return nil, err
		}
		p.Conversations = tp.Conversations
		return tp.Page, nil
	}
	page, err := conn.ListView(r.Context(), place.Mailbox, place.Page, v)
	if err == nil && place.All && v.Criteria != nil {
		a.searchElsewhere(r, conn, p, v)
	}
	if errors.Is(err, mail.ErrTooManyToSort) {
		p.SortNote = "This folder is too large to sort that way on this server; it is shown newest first."
		v.Sort, v.Asc = mail.SortArrival, false
		page, err = conn.ListView(r.Context(), place.Mailbox, place.Page, v)
	}
	return page, err
}

// Bounds of a search across all folders: folders searched, matches shown
// per folder.
const (
	searchFolders    = 100
	matchesPerFolder = 10
)

// searchElsewhere runs a search in the other folders, a few matches each,
// in at most searchFolders folders.
func (a *App) searchElsewhere(r *http.Request, conn *mail.Conn, p *views.MailboxParams, v mail.View) {
	v.Rows, v.Sort, v.Asc = matchesPerFolder, mail.SortArrival, false
	n := 0
	for _, f := range p.Folders {
		if f.NoSelect || f.Name == p.Place.Mailbox {
			continue
		}
		if n++; n > searchFolders {
			p.SortNote = "Only the first 100 folders were searched."
			break
		}
		page, err := conn.ListView(r.Context(), f.Name, 1, v)
		if err != nil {
			if !errors.Is(err, mail.ErrNotFound) {
				a.log.Warn("search in folder failed", "err", err.Error())
			}
			continue
		}
		if len(page.Messages) > 0 {
			p.Elsewhere = append(p.Elsewhere, views.FolderMatches{Folder: f, Page: page})
		}
	}
}
