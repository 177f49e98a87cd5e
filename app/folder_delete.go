package app

import (
	"net/http"

	"webmail"
	"webmail/app/usecase"
	"webmail/views"
)

// deleteFolder deletes a folder and its messages. It asks first; a
// special-use folder asks a second time, naming its role.
func (a *App) deleteFolder(w http.ResponseWriter, r *http.Request) error {
	folder, err := folderParam(r)
	if err != nil {
		return err
	}
	if err := parseFolderForm(w, r); err != nil {
		return err
	}
	in := usecase.FolderDelete{Folder: folder, Confirmed: r.PostForm.Get("confirm") == "1", ConfirmedRole: webmail.Role(r.PostForm.Get("confirm_role"))}
	out, err := a.uc.DeleteFolder(r.Context(), accountFrom(r).mail(), in)
	if err != nil {
		// The folder's forms stay open, with the delete button refused.
		return a.folderRefused(w, r, err, func(p *views.FoldersManageParams, tree *webmail.FolderTree, _ map[string]string) {
			if f, ok := tree.Find(folder); ok {
				p.Edit = editDefaults(tree, f)
			}
		})
	}
	f, action := out.Folder, views.FolderVerbURL(folder, "delete")
	switch out.Confirm {
	case usecase.ConfirmLoss:
		q := tr(r, "ConfirmDeleteFolder", "Folder", f.Name, "Count", int64(f.Total))
		return a.confirmFolder(w, r, action, q, tr(r, "DeleteFolder"))
	case usecase.ConfirmRole:
		label := views.FolderName(r.Context(), f.Folder)
		q := tr(r, "ConfirmDeleteRole", "Folder", f.Name, "Role", label, "Use", tr(r, roleUse(f.Role)))
		return a.confirmFolder(w, r, action, q, tr(r, "DeleteMyRoleFolder", "Role", label), views.Hidden{Name: "confirm_role", Value: string(f.Role)})
	}
	return a.folderDone(w, r, out.Notice)
}

// roleUse says (as a message id) what a special-use folder is for, in
// the second question before deleting it.
func roleUse(r webmail.Role) string {
	switch r {
	case webmail.RoleDrafts:
		return "RoleUseDrafts"
	case webmail.RoleSent:
		return "RoleUseSent"
	case webmail.RoleArchive:
		return "RoleUseArchive"
	case webmail.RoleJunk:
		return "RoleUseJunk"
	case webmail.RoleTrash:
		return "RoleUseTrash"
	}
	return "RoleUseOther"
}
