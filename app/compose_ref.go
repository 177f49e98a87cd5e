package app

import (
	"net/url"
	"strconv"
	"strings"

	"github.com/emersion/go-imap/v2"
)

// msgRef names a message in a form field: "mailbox/validity/uid", the
// mailbox path-escaped.
type msgRef struct {
	Mailbox  string
	Validity uint32
	UID      imap.UID
}

func (m msgRef) String() string {
	if m.UID == 0 {
		return ""
	}
	return url.PathEscape(m.Mailbox) + "/" + strconv.FormatUint(uint64(m.Validity), 10) + "/" + strconv.FormatUint(uint64(m.UID), 10)
}

func parseRef(s string) (msgRef, bool) {
	parts := strings.Split(s, "/")
	if len(parts) != 3 {
		return msgRef{}, false
	}
	mbox, err := url.PathUnescape(parts[0])
	v, err1 := strconv.ParseUint(parts[1], 10, 32)
	u, err2 := strconv.ParseUint(parts[2], 10, 32)
	if err != nil || err1 != nil || err2 != nil || mbox == "" || u == 0 {
		return msgRef{}, false
	}
	return msgRef{Mailbox: mbox, Validity: uint32(v), UID: imap.UID(u)}, true
}
