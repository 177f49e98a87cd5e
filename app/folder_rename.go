package app

import (
	"net/http"
	"strings"

	"webmail"
	"webmail/app/usecase"
	"webmail/views"
)

// renameFolder renames a folder, or moves it under another parent, from
// its rename form.
func (a *App) renameFolder(w http.ResponseWriter, r *http.Request) error {
	folder, err := folderParam(r)
	if err != nil {
		return err
	}
	if err := parseFolderForm(w, r); err != nil {
		return err
	}
	in := usecase.FolderRename{Folder: folder, To: usecase.FolderPlace{Name: strings.TrimSpace(r.PostForm.Get("name")), Parent: r.PostForm.Get("parent")}}
	out, err := a.uc.RenameFolder(r.Context(), accountFrom(r).mail(), in)
	if err != nil {
		return a.folderRefused(w, r, err, func(p *views.FoldersManageParams, _ *webmail.FolderTree, fields map[string]string) {
			p.Edit = views.FolderEdit{Folder: folder, Name: in.To.Name, Parent: in.To.Parent, Errors: fields}
		})
	}
	return a.folderDone(w, r, out.Notice)
}
