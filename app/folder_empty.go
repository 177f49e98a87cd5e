package app

import (
	"net/http"

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
		label := views.FolderName(r.Context(), out.Folder.Folder)
		q := tr(r, "ConfirmEmptyFolder", "Folder", label)
		if n := out.Folder.Total; n > 0 {
			q = tr(r, "ConfirmEmptyFolderCount", "Folder", label, "Count", int64(n))
		}
		return a.confirmFolder(w, r, views.FolderVerbURL(folder, "empty"), q, tr(r, "EmptyFolder", "Folder", label))
	}
	return a.folderDone(w, r, out.Notice)
}
