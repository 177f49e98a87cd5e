package views

import (
	"context"

	"webmail"
	"webmail/views/locale"
)

// T is the message id in the request's language (views/locale): every
// string a page shows goes through it. args are name, value pairs for
// the message's placeholders; "Count" picks the plural form.
func T(ctx context.Context, id string, args ...any) string {
	return locale.T(ctx, id, args...)
}

// Lang and Dir are the request's language and writing direction, for
// <html lang dir>.
func Lang(ctx context.Context) string { return locale.From(ctx).Lang() }

// Dir is "rtl" or "ltr".
func Dir(ctx context.Context) string { return locale.From(ctx).Dir() }

// FolderName is a folder's name as shown: the role's name in the
// person's language for the special-use folders, the folder's own
// otherwise.
func FolderName(ctx context.Context, f webmail.Folder) string {
	if id, ok := roleIDs[f.Role]; ok {
		return T(ctx, id)
	}
	return webmail.FolderLabel(f)
}

var roleIDs = map[webmail.Role]string{
	webmail.RoleInbox:   "RoleInbox",
	webmail.RoleDrafts:  "RoleDrafts",
	webmail.RoleSent:    "RoleSent",
	webmail.RoleArchive: "RoleArchive",
	webmail.RoleJunk:    "RoleJunk",
	webmail.RoleTrash:   "RoleTrash",
}

// SectionName is the heading of a section of the folder tree.
func SectionName(ctx context.Context, s webmail.Section) string {
	switch s {
	case webmail.SectionOther:
		return T(ctx, "SectionOther")
	case webmail.SectionShared:
		return T(ctx, "SectionShared")
	}
	return ""
}

// Say is a use case's Text in the request's language: a Folder among its
// values is shown by its name in that language, a Text by its own
// translation.
func Say(ctx context.Context, t webmail.Text) string {
	if t.IsZero() {
		return ""
	}
	return T(ctx, t.ID, SayArgs(ctx, t.Args)...)
}

// SayArgs translates the values of a Text's placeholders (see Say).
func SayArgs(ctx context.Context, args []any) []any {
	out := make([]any, len(args))
	for i, v := range args {
		switch v := v.(type) {
		case webmail.Folder:
			out[i] = FolderName(ctx, v)
		case webmail.Text:
			out[i] = Say(ctx, v)
		default:
			out[i] = v
		}
	}
	return out
}
