package app

import (
	"net/http"
	"webmail"

	"webmail/views"
)

// The folder management page lists every folder with forms to create,
// rename or move, delete, subscribe and unsubscribe, and to empty Trash and
// Junk. Each verb posts to its own route (folder_create.go,
// folder_rename.go, folder_delete.go, folder_empty.go,
// folder_subscribe.go), which answers 303 back to the page with a notice,
// or re-renders the page with 422 and the input kept when the use case
// refused (usecase/folders.go says what it refuses and why). Deleting a
// folder and emptying one ask first (views.Confirm): the question posts
// to the same route again, confirmed.

const manageURL = "/folders/manage"

// showFoldersManage shows the folder management page; ?edit=NAME opens
// that folder's rename and delete forms.
func (a *App) showFoldersManage(w http.ResponseWriter, r *http.Request) error {
	tree, err := a.uc.FolderTree(r.Context(), accountFrom(r).mail())
	if err != nil {
		return err
	}
	p := a.manageParams(r, tree)
	p.Notice, _ = a.takeNotice(r)
	if name := r.URL.Query().Get("edit"); name != "" {
		if f, ok := tree.Find(name); ok {
			p.Edit = editDefaults(tree, f)
		}
	}
	return render(w, r, http.StatusOK, views.FoldersManage(p))
}

func (a *App) manageParams(r *http.Request, tree *webmail.FolderTree) views.FoldersManageParams {
	return views.FoldersManageParams{
		Base:               a.base(r, tr(r, "ManageFolders")),
		Folders:            tree.List,
		Delim:              tree.Delim,
		SubscriptionsKnown: tree.SubscriptionsKnown,
	}
}

// editDefaults fills the rename form with the folder's own name and place.
// A folder whose parent is not listed (a namespace prefix, say) shows its
// full name at the top, so an unchanged form changes nothing.
func editDefaults(tree *webmail.FolderTree, f webmail.ManagedFolder) views.FolderEdit {
	e := views.FolderEdit{Folder: f.Name, Name: f.Path}
	if _, ok := tree.Find(f.Parent); ok && f.Parent != "" {
		e.Name, e.Parent = f.Label, f.Parent
	}
	return e
}

// parseFolderForm reads a folder management form, which is small.
func parseFolderForm(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		return errorf(http.StatusBadRequest, tr(r, "ErrFormUnreadable"), err)
	}
	return nil
}

// folderDone goes back to the folder management page, which shows notice.
func (a *App) folderDone(w http.ResponseWriter, r *http.Request, notice webmail.Text) error {
	a.sessions.Put(r.Context(), sessNotice, say(r, notice))
	seeOther(w, r, manageURL)
	return nil
}

// folderRefused shows the folder management page again after a folder use
// case refused, with 422 as for any form the person must change: the
// error's field messages go to the form that keep puts back (create or
// rename, its input kept), its message above the list when no field says
// it. Any other error (the server unreachable) goes to the error page.
func (a *App) folderRefused(w http.ResponseWriter, r *http.Request, err error, keep func(*views.FoldersManageParams, *webmail.FolderTree, map[string]string)) error {
	e := webmail.ErrorOf(err)
	if e == nil {
		return err
	}
	tree, err := a.uc.FolderTree(r.Context(), accountFrom(r).mail())
	if err != nil {
		return err
	}
	p := a.manageParams(r, tree)
	msg, fields := sayError(r, e)
	if len(fields) == 0 {
		p.Error = msg
	}
	if keep != nil {
		keep(&p, tree, fields)
	}
	return render(w, r, http.StatusUnprocessableEntity, views.FoldersManage(p))
}

// confirmFolder asks before a folder or its messages go for good: the
// form posts to action, the route asking, again with confirm=1 and fields.
func (a *App) confirmFolder(w http.ResponseWriter, r *http.Request, action, question, button string, fields ...views.Hidden) error {
	p := views.ConfirmParams{
		Base:      a.base(r, tr(r, "AreYouSure")),
		Question:  question,
		Action:    action,
		Button:    button,
		CancelURL: manageURL,
		Fields:    fields,
	}
	if isHTMX(r) {
		w.Header().Set("HX-Retarget", "body")
		w.Header().Set("HX-Reswap", "innerHTML")
		w.Header().Set("HX-Push-Url", "false")
	}
	return render(w, r, http.StatusOK, views.Confirm(p))
}
