package app

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"unicode"
	"webmail"

	"webmail/app/mail"
	"webmail/views"
)

// The folder management page lists every folder with forms to create,
// rename or move, delete, subscribe and unsubscribe, and to empty Trash and
// Junk. Every form posts to /folders/manage and answers 303 back to the
// page with a notice, or re-renders the page with 422 and the input kept.
//
// Deleting asks first (views.Confirm). The Inbox is never deleted; a
// special-use folder (Drafts, Sent, Archive, Junk, Trash) asks a second
// time, naming its role. A folder with subfolders is refused with a
// message: deleting them along with it, on a page that shows only its
// name, would lose more than the person looked at.

const (
	maxFolderName = 200 // bytes of a folder's full name
	manageURL     = "/folders/manage"
)

// folderForm is what the folder management forms post.
type folderForm struct {
	Action      string // create, rename, delete, subscribe, unsubscribe or empty
	Folder      string // full name of the folder acted on; "" for create
	Name        string // create, rename: the new name under Parent
	Parent      string // create, rename: the new parent's full name, "" for the top
	Confirm     bool   // delete, empty: the confirmation page was answered
	ConfirmRole string // delete: the role of a special-use folder, confirmed again
}

func parseFolderForm(w http.ResponseWriter, r *http.Request) (folderForm, error) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		return folderForm{}, errorf(http.StatusBadRequest, "The form could not be read.", err)
	}
	f := r.PostForm
	return folderForm{
		Action:      f.Get("action"),
		Folder:      f.Get("folder"),
		Name:        strings.TrimSpace(f.Get("name")),
		Parent:      f.Get("parent"),
		Confirm:     f.Get("confirm") == "1",
		ConfirmRole: f.Get("confirm_role"),
	}, nil
}

// target validates a create or rename form against the folders there are
// and returns the new full name, or the field errors.
func (f folderForm) target(mbs *webmail.FolderTree) (string, map[string]string) {
	errs := map[string]string{}
	d := mbs.Delim
	switch name := f.Name; {
	case name == "":
		errs["name"] = "Enter a name for the folder."
	case strings.ContainsFunc(name, unicode.IsControl):
		errs["name"] = "The name may not contain line breaks or other control characters."
	case strings.ContainsAny(name, "*%"):
		errs["name"] = "The name may not contain * or %."
	case d != "" && (strings.HasPrefix(name, d) || strings.HasSuffix(name, d) || strings.Contains(name, d+d)):
		errs["name"] = "The name may not start or end with " + d + ", nor contain " + d + d + "."
	}
	parent := ""
	if f.Parent != "" {
		mb, ok := mbs.Find(f.Parent)
		parent = mb.Name // the server's spelling of INBOX
		switch {
		case d == "":
			errs["parent"] = "Folders on this server cannot be put inside other folders."
		case !ok:
			errs["parent"] = "Choose an existing folder as the parent."
		case f.Folder != "" && (parent == f.Folder || strings.HasPrefix(parent, f.Folder+d)):
			errs["parent"] = "A folder cannot be moved into itself or one of its subfolders."
		}
	}
	if len(errs) > 0 {
		return "", errs
	}
	full := f.Name
	if parent != "" {
		full = parent + d + f.Name
	}
	switch {
	case len(full) > maxFolderName:
		errs["name"] = "The name is too long: at most " + strconv.Itoa(maxFolderName) + " bytes with its parents' names."
	case f.Folder != "" && full == f.Folder:
		errs["name"] = "This is the folder's name and place already: change the name or the parent."
	default:
		if _, exists := mbs.Find(full); exists {
			errs["name"] = "There is a folder named " + full + " already."
		}
	}
	return full, errs
}

// showFoldersManage shows the folder management page; ?edit=NAME opens
// that folder's rename and delete forms.
func (a *App) showFoldersManage(w http.ResponseWriter, r *http.Request) error {
	conn, release, err := a.conn(r)
	if err != nil {
		return err
	}
	defer release()
	mbs, err := conn.FolderTree(r.Context())
	if err != nil {
		return err
	}
	p := a.manageParams(r, mbs)
	p.Notice, _ = a.takeNotice(r)
	if name := r.URL.Query().Get("edit"); name != "" {
		if mb, ok := mbs.Find(name); ok {
			p.Edit = editDefaults(mbs, mb)
		}
	}
	return render(w, r, http.StatusOK, views.FoldersManage(p))
}

func (a *App) manageParams(r *http.Request, mbs *webmail.FolderTree) views.FoldersManageParams {
	return views.FoldersManageParams{
		Base:               a.base(r, "Manage folders"),
		Folders:            mbs.List,
		Delim:              mbs.Delim,
		SubscriptionsKnown: mbs.SubscriptionsKnown,
	}
}

// editDefaults fills the rename form with the folder's own name and place.
// A folder whose parent is not listed (a namespace prefix, say) shows its
// full name at the top, so an unchanged form changes nothing.
func editDefaults(mbs *webmail.FolderTree, mb webmail.ManagedFolder) views.FolderEdit {
	e := views.FolderEdit{Folder: mb.Name, Name: mb.Name}
	if _, ok := mbs.Find(mb.Parent); ok && mb.Parent != "" {
		e.Name, e.Parent = mb.Label, mb.Parent
	}
	return e
}

// manageFolders runs one folder management form.
func (a *App) manageFolders(w http.ResponseWriter, r *http.Request) error {
	f, err := parseFolderForm(w, r)
	if err != nil {
		return err
	}
	conn, release, err := a.conn(r)
	if err != nil {
		return err
	}
	defer release()
	ctx := r.Context()
	mbs, err := conn.FolderTree(ctx)
	if err != nil {
		return err
	}
	p := a.manageParams(r, mbs)
	// again re-renders the page with what went wrong, the input kept.
	again := func(msg string) error {
		p.Error = msg
		return render(w, r, http.StatusUnprocessableEntity, views.FoldersManage(p))
	}
	done := func(notice string) error {
		a.sessions.Put(ctx, sessNotice, notice)
		http.Redirect(w, r, manageURL, http.StatusSeeOther)
		return nil
	}

	if f.Action == "create" {
		p.Create = views.FolderEdit{Name: f.Name, Parent: f.Parent}
		full, errs := f.target(mbs)
		if len(errs) > 0 {
			p.Create.Errors = errs
			return again("")
		}
		if err := conn.CreateFolder(ctx, full); err != nil {
			return a.folderFailed(err, "create the folder", &p.Create, again)
		}
		return done("Folder " + full + " created.")
	}

	mb, ok := mbs.Find(f.Folder)
	if !ok {
		return again("The folder " + f.Folder + " does not exist (any more).")
	}
	label := webmail.FolderLabel(mb.Folder)
	switch f.Action {
	case "rename":
		p.Edit = views.FolderEdit{Folder: mb.Name, Name: f.Name, Parent: f.Parent}
		if mb.Role == webmail.RoleInbox {
			return again("The Inbox cannot be renamed.")
		}
		full, errs := f.target(mbs)
		if len(errs) > 0 {
			p.Edit.Errors = errs
			return again("")
		}
		if err := conn.RenameFolder(ctx, mb.Name, full); err != nil {
			return a.folderFailed(err, "rename the folder", &p.Edit, again)
		}
		return done("Folder " + mb.Name + " is now " + full + ".")

	case "delete":
		switch {
		case mb.Role == webmail.RoleInbox:
			return again("The Inbox cannot be deleted.")
		case mb.HasChildren:
			p.Edit = editDefaults(mbs, mb)
			return again("The folder " + mb.Name + " has subfolders. Delete them, or move them elsewhere, first.")
		case !f.Confirm:
			q := "Delete the folder " + mb.Name + " and " + views.Plural(int(mb.Total), "message", "messages") + " in it for good? This cannot be undone."
			return a.confirmFolder(w, r, q, "Delete folder", f, "")
		case mb.Role != webmail.RoleNone && f.ConfirmRole != string(mb.Role):
			q := mb.Name + " is your " + label + " folder: " + roleUse(mb.Role) + ". Delete your " + label + " folder anyway?"
			return a.confirmFolder(w, r, q, "Delete my "+label+" folder", f, string(mb.Role))
		}
		if err := conn.DeleteFolder(ctx, mb.Name); err != nil {
			return a.folderFailed(err, "delete the folder", nil, again)
		}
		return done("Folder " + mb.Name + " deleted.")

	case "subscribe", "unsubscribe":
		on := f.Action == "subscribe"
		if err := conn.Subscribe(ctx, mb.Name, on); err != nil {
			return a.folderFailed(err, "change the subscription", nil, again)
		}
		if on {
			return done("Subscribed to " + label + ".")
		}
		return done("Unsubscribed from " + label + ".")

	case "empty":
		if mb.Role != webmail.RoleTrash && mb.Role != webmail.RoleJunk {
			return again("Only Trash and Junk can be emptied here.")
		}
		if !f.Confirm {
			what := "all messages"
			if mb.Total > 0 {
				what = "all " + views.Plural(int(mb.Total), "message", "messages")
			}
			q := "Delete " + what + " in " + label + " for good? This cannot be undone."
			return a.confirmFolder(w, r, q, "Empty "+label, f, "")
		}
		n, err := conn.EmptyFolder(ctx, mb.Name)
		switch {
		case errors.Is(err, mail.ErrNoUIDPlus):
			return done(views.Plural(n, "message", "messages") + " in " + label + " marked as deleted; this server removes them later.")
		case err != nil:
			return a.folderFailed(err, "empty "+label, nil, again)
		case n == 0:
			return done(label + " was empty already.")
		}
		return done(label + " emptied: " + views.Plural(n, "message", "messages") + " deleted for good.")
	}
	return errorf(http.StatusBadRequest, "That action is not known.", nil)
}

// confirmFolder asks before a folder or its messages go for good,
// carrying the form; role, when set, is the special use confirmed again.
func (a *App) confirmFolder(w http.ResponseWriter, r *http.Request, question, button string, f folderForm, role string) error {
	p := views.ConfirmParams{
		Base:      a.base(r, "Are you sure?"),
		Question:  question,
		Action:    manageURL,
		Button:    button,
		CancelURL: manageURL,
		Fields:    []views.Hidden{{Name: "action", Value: f.Action}, {Name: "folder", Value: f.Folder}},
	}
	if role != "" {
		p.Fields = append(p.Fields, views.Hidden{Name: "confirm_role", Value: role})
	}
	if isHTMX(r) {
		w.Header().Set("HX-Retarget", "body")
		w.Header().Set("HX-Reswap", "innerHTML")
		w.Header().Set("HX-Push-Url", "false")
	}
	return render(w, r, http.StatusOK, views.Confirm(p))
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

// folderFailed shows in plain words why the server refused a folder
// command; a name already taken goes to the form's name field. Other
// failures (the server unreachable) become the error page.
func (a *App) folderFailed(err error, what string, form *views.FolderEdit, again func(string) error) error {
	var msg string
	switch {
	case errors.Is(err, mail.ErrFolderExists):
		if form != nil {
			form.Errors = map[string]string{"name": "There is a folder with this name already."}
			return again("")
		}
		msg = "There is a folder with this name already."
	case errors.Is(err, mail.ErrNotFound):
		msg = "The folder does not exist (any more)."
	case errors.Is(err, mail.ErrHasChildren):
		msg = "The folder has subfolders. Delete them, or move them elsewhere, first."
	case errors.Is(err, mail.ErrNoPermission):
		msg = "The mail server does not allow you to " + what + "."
	case errors.Is(err, mail.ErrInUse):
		msg = "The folder is in use right now. Please try again in a moment."
	case errors.Is(err, mail.ErrLimit):
		msg = "The mail server's limit is reached: it did not " + what + "."
	case errors.Is(err, mail.ErrFolderRefused):
		msg = "The mail server refused to " + what + "."
	default:
		return err
	}
	a.log.Info("folder command refused", "action", what, "err", err.Error())
	return again(msg)
}
