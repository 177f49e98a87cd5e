package webmail

import (
	"errors"
	"net/url"
	"strconv"
	"strings"
	"unicode"
)

// MessageRef is a message's address: its folder, the folder's UIDVALIDITY
// and its UID. The UIDVALIDITY makes a stale address fail instead of
// naming another message.
type MessageRef struct {
	Mailbox  string
	Validity uint32
	UID      UID
}

// Selection is several messages of one folder.
type Selection struct {
	Mailbox  string
	Validity uint32
	UIDs     []UID
}

// Ref is the address of one message of the selection.
func (s Selection) Ref(uid UID) MessageRef {
	return MessageRef{Mailbox: s.Mailbox, Validity: s.Validity, UID: uid}
}

// Selection is the message as a selection of one.
func (r MessageRef) Selection() Selection {
	return Selection{Mailbox: r.Mailbox, Validity: r.Validity, UIDs: []UID{r.UID}}
}

// String is the address's one written form, "mailbox/validity/uid" with
// the mailbox name path-escaped: the message's URL is "/m/" followed by
// it, and forms carry it as it is. ParseMessageRef reads it back. An
// address without a UID addresses no message: its form is "".
func (r MessageRef) String() string {
	if r.UID == 0 {
		return ""
	}
	return url.PathEscape(r.Mailbox) + "/" + strconv.FormatUint(uint64(r.Validity), 10) + "/" + strconv.FormatUint(uint64(r.UID), 10)
}

// IsZero reports whether r addresses nothing.
func (r MessageRef) IsZero() bool { return r == MessageRef{} }

// ErrBadRef is the error of a message address that cannot be read.
var ErrBadRef = errors.New("webmail: not a message address")

// ParseMessageRef reads the form String writes.
func ParseMessageRef(s string) (MessageRef, error) {
	i := strings.LastIndexByte(s, '/')
	if i < 0 {
		return MessageRef{}, ErrBadRef
	}
	j := strings.LastIndexByte(s[:i], '/')
	if j < 0 {
		return MessageRef{}, ErrBadRef
	}
	mailbox, err := url.PathUnescape(s[:j])
	if err != nil || strings.Contains(s[:j], "/") {
		return MessageRef{}, ErrBadRef
	}
	return NewMessageRef(mailbox, s[j+1:i], s[i+1:])
}

// NewMessageRef checks and assembles an address from its three parts as
// they come in a URL path: the mailbox name (unescaped), the UIDVALIDITY
// and the UID in decimal.
func NewMessageRef(mailbox, validity, uid string) (MessageRef, error) {
	if !ValidMailboxName(mailbox) {
		return MessageRef{}, ErrBadRef
	}
	v, err1 := strconv.ParseUint(validity, 10, 32)
	u, err2 := strconv.ParseUint(uid, 10, 32)
	if err1 != nil || err2 != nil || u == 0 {
		return MessageRef{}, ErrBadRef
	}
	return MessageRef{Mailbox: mailbox, Validity: uint32(v), UID: UID(u)}, nil
}

// ValidMailboxName reports whether name can be a folder's full name as the
// webmail addresses it: not empty, at most 1000 bytes, no control
// characters.
func ValidMailboxName(name string) bool {
	return name != "" && len(name) <= 1000 && !strings.ContainsFunc(name, unicode.IsControl)
}
