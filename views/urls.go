package views

import (
	"net/url"
	"strconv"

	"github.com/emersion/go-imap/v2"
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

// MessageURL addresses one message by mailbox, UIDVALIDITY and UID.
func MessageURL(mailbox string, validity uint32, uid imap.UID) string {
	return "/m/" + url.PathEscape(mailbox) + "/" + strconv.FormatUint(uint64(validity), 10) + "/" + strconv.FormatUint(uint64(uid), 10)
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
func MessageBodyURL(mailbox string, validity uint32, uid imap.UID, remote bool) string {
	u := MessageURL(mailbox, validity, uid) + "/body"
	if remote {
		u = withQuery(u, "remote", "1")
	}
	return u
}

// PartURL downloads one MIME part.
func PartURL(mailbox string, validity uint32, uid imap.UID, section string) string {
	return MessageURL(mailbox, validity, uid) + "/part/" + section
}

// SourceURL shows the raw message.
func SourceURL(mailbox string, validity uint32, uid imap.UID) string {
	return MessageURL(mailbox, validity, uid) + "/source"
}
