package webmail

// Text is a sentence for the person, not yet in their language: a message
// id of the catalogues (views/locale) and the values of its placeholders
// as name, value pairs ("Count", 3, "Folder", f). Use cases say what they
// did with it; the handler translates it for the request. A Folder value
// is shown by its name in the person's language.
type Text struct {
	ID   string
	Args []any
}

// Say is the Text of a message id with its placeholders' values.
func Say(id string, args ...any) Text { return Text{ID: id, Args: args} }

// IsZero reports whether t says nothing.
func (t Text) IsZero() bool { return t.ID == "" }
