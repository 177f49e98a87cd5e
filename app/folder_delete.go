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
		q := "Delete the folder " + f.Name + " and " + views.Plural(int(f.Total), "message", "messages") + " in it for good? This cannot be undone."
		return a.confirmFolder(w, r, action, q, "Delete folder")
	case usecase.ConfirmRole:
		label := webmail.FolderLabel(f.Folder)
		q := f.Name + " is your " + label + " folder: " + roleUse(f.Role) + ". Delete your " + label + " folder anyway?"
		return a.confirmFolder(w, r, action, q, "Delete my "+label+" folder", views.Hidden{Name: "confirm_role", Value: string(f.Role)})
	}
	return a.folderDone(w, r, out.Notice)
}

// roleUse says what a special-use folder is for, in the second question
// before deleting it.
func roleUse(r webmail.Role) string {
	switch r {
	case webmail.RoleDrafts:
		return "unfinished messages are saved there"
	case webmail.RoleSent:
		return "copies of the messages you send are kept there"
	case webmail.RoleArchive:
		return "archived messages go there"
	case webmail.RoleJunk:
		return "junk mail goes there"
	case webmail.RoleTrash:
		return "deleted messages go there"
	}
	return "mail programs use it"
}
