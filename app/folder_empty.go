package app

import (
	"net/http"

	"webmail"
	"webmail/app/usecase"
	"webmail/views"
)

// emptyFolder deletes every message of Trash or Junk for good, once
// confirmed.
func (a *App) emptyFolder(w http.ResponseWriter, r *http.Request) error {
	folder, err := folderParam(r)
	if err != nil {
		return err
	}
	if err := parseFolderForm(w, r); err != nil {
		return err
	}
	in := usecase.FolderEmpty{Folder: folder, Confirmed: r.PostForm.Get("confirm") == "1"}
	out, err := a.uc.EmptyFolder(r.Context(), accountFrom(r).mail(), in)
	if err != nil {
		return a.folderRefused(w, r, err, nil)
	}
	if out.Confirm != usecase.ConfirmNone {
		label := webmail.FolderLabel(out.Folder.Folder)
		what := "all messages"
		if n := out.Folder.Total; n > 0 {
			what = "all " + views.Plural(int(n), "message", "messages")
		}
		q := "Delete " + what + " in " + label + " for good? This cannot be undone."
		return a.confirmFolder(w, r, views.FolderVerbURL(folder, "empty"), q, "Empty "+label)
	}
	return a.folderDone(w, r, out.Notice)
}
