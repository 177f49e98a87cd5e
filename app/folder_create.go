package app

import (
	"net/http"
	"strings"

	"webmail"
	"webmail/app/usecase"
	"webmail/views"
)

// createFolder creates a folder from the create form: its name, under the
// parent chosen.
func (a *App) createFolder(w http.ResponseWriter, r *http.Request) error {
	if err := parseFolderForm(w, r); err != nil {
		return err
	}
	in := usecase.FolderPlace{Name: strings.TrimSpace(r.PostForm.Get("name")), Parent: r.PostForm.Get("parent")}
	out, err := a.uc.CreateFolder(r.Context(), accountFrom(r).mail(), in)
	if err != nil {
		return a.folderRefused(w, r, err, func(p *views.FoldersManageParams, _ *webmail.FolderTree, fields map[string]string) {
			p.Create = views.FolderEdit{Name: in.Name, Parent: in.Parent, Errors: fields}
		})
	}
	return a.folderDone(w, r, out.Notice)
}
