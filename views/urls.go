package views

import (
	"net/url"
	"strconv"

	"webmail"
)

// The URL builders here and the route patterns in app/routes.go are two
// halves of one contract; a mailbox name is always one escaped segment.

// FolderURL is the message list of a mailbox at page n.
func FolderURL(mailbox string, page int) string {
	u := "/m/" + url.PathEscape(mailbox)
	if page > 1 {
		u += "?page=" + strconv.Itoa(page)
	}
	return u
}

// FolderVerbURL is where a verb of the folder management page (rename,
// delete, empty, subscribe, unsubscribe) posts for one folder.
func FolderVerbURL(name, verb string) string {
	return "/folders/" + url.PathEscape(name) + "/" + verb
}

// MessageURL is the page of one message.
func MessageURL(ref webmail.MessageRef) string {
	return "/m/" + ref.String()
}

// withQuery appends a query string to u.
func withQuery(u string, kv ...string) string {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	return u + "?" + v.Encode()
}

// MessageBodyURL is the sandboxed HTML document of a message.
func MessageBodyURL(ref webmail.MessageRef, remote bool) string {
	return AttachedBodyURL(ref, "", remote)
}

// AttachedBodyURL is the sandboxed document of the HTML body of the
// message attached at section ("" for the message's own).
func AttachedBodyURL(ref webmail.MessageRef, section string, remote bool) string {
	var kv []string
	if section != "" {
		kv = append(kv, "part", section)
	}
	if remote {
		kv = append(kv, "remote", "1")
	}
	if kv == nil {
		return MessageURL(ref) + "/body"
	}
	return withQuery(MessageURL(ref)+"/body", kv...)
}

// PartURL downloads one MIME part.
func PartURL(ref webmail.MessageRef, section string) string {
	return MessageURL(ref) + "/part/" + section
}

// PartViewURL shows a part (an image, a PDF) in the browser rather than
// downloading it.
func PartViewURL(ref webmail.MessageRef, section string) string {
	return PartURL(ref, section) + "/view"
}

// SourceURL shows the raw message.
func SourceURL(ref webmail.MessageRef) string {
	return MessageURL(ref) + "/source"
}

// ConversationURL is the conversation a message belongs to.
func ConversationURL(ref webmail.MessageRef) string {
	return MessageURL(ref) + "/conversation"
}
