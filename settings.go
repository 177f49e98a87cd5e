package webmail

import (
	"net/mail"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// Settings are a person's preferences and sending identities. They are not
// secrets, but they are the person's: they live in the person's own mailbox
// (IMAP METADATA, or a settings message in a hidden folder), never in a
// database of the webmail. The zero value is the defaults.
type Settings struct {
	// TimeZone names the zone dates are shown in (a tz database name);
	// "" follows the browser, else the server.
	TimeZone string `json:"time_zone,omitempty"`
	// Language is "" (the browser's Accept-Language), or one of Languages.
	Language string `json:"language,omitempty"`
	// PerPage is how many messages a list page shows: one of PerPageChoices,
	// 0 for PageSize.
	PerPage int `json:"per_page,omitempty"`
	// Density is DensityComfortable ("" too) or DensityCompact.
	Density string `json:"density,omitempty"`
	// Conversations: lists open grouped by conversation.
	Conversations bool `json:"conversations,omitempty"`
	// ReplyBelow: a reply is written below the quoted text (the signature
	// after it); by default it is written above the quote.
	ReplyBelow bool `json:"reply_below,omitempty"`
	// MarkRead is when an opened message is marked as read: MarkReadOnOpen
	// ("" too), MarkReadAfterDelay (after MarkReadDelay seconds, with
	// JavaScript; on open without) or MarkReadNever.
	MarkRead      string `json:"mark_read,omitempty"`
	MarkReadDelay int    `json:"mark_read_delay,omitempty"`
	// RemoteContent lists the senders ("ann@example.org") and domains
	// ("example.org") whose messages show remote content at once.
	RemoteContent []string `json:"remote_content,omitempty"`
	// Identities are the addresses the person sends as, besides the login.
	Identities []Identity `json:"identities,omitempty"`
}

// Identity is an address a person sends as, with its display name,
// Reply-To and signature.
type Identity struct {
	Address   string `json:"address"`
	Name      string `json:"name,omitempty"`
	ReplyTo   string `json:"reply_to,omitempty"`
	Signature string `json:"signature,omitempty"`
	Default   bool   `json:"default,omitempty"`
}

// Values of Settings fields.
const (
	DensityComfortable = "comfortable"
	DensityCompact     = "compact"

	MarkReadOnOpen     = "open"
	MarkReadAfterDelay = "delay"
	MarkReadNever      = "never"
)

// Bounds of Settings.
const (
	MaxIdentities    = 20
	MaxRemoteContent = 500
	MaxSignature     = 4000
	MaxMarkReadDelay = 60
)

// Languages are the languages a person can choose besides the browser's.
var Languages = []string{"en", "de", "ar"}

// PerPageChoices are the list page sizes a person can choose.
var PerPageChoices = []int{25, 50, 100}

// Page is the list page size these settings ask for.
func (s Settings) PageLen() int {
	if slices.Contains(PerPageChoices, s.PerPage) {
		return s.PerPage
	}
	return PageSize
}

// DefaultIdentity is the identity marked default, else the first; ok is
// false without identities.
func (s Settings) DefaultIdentity() (Identity, bool) {
	for _, id := range s.Identities {
		if id.Default {
			return id, true
		}
	}
	if len(s.Identities) > 0 {
		return s.Identities[0], true
	}
	return Identity{}, false
}

// Identity is the identity of this address (case-insensitive).
func (s Settings) Identity(addr string) (Identity, bool) {
	for _, id := range s.Identities {
		if strings.EqualFold(id.Address, addr) {
			return id, true
		}
	}
	return Identity{}, false
}

// ShowsRemote reports whether remote content of mail from addr shows at
// once: the address, or its domain, is on the allow-list.
func (s Settings) ShowsRemote(addr string) bool {
	if addr == "" {
		return false
	}
	_, domain, _ := strings.Cut(addr, "@")
	for _, e := range s.RemoteContent {
		if strings.EqualFold(e, addr) || domain != "" && strings.EqualFold(e, domain) {
			return true
		}
	}
	return false
}

// validateArgs fill the placeholders of the field errors Validate gives.
var validateArgs = []any{"MaxDelay", MaxMarkReadDelay, "MaxRemote", MaxRemoteContent, "MaxIdentities", MaxIdentities, "MaxSignature", MaxSignature}

// Validate checks s, field by field: an *Error of code EInvalid whose
// Fields name what is wrong ("time_zone", "identities.2.address"), or nil.
func (s Settings) Validate() error {
	f := map[string]string{}
	if s.TimeZone != "" && !ValidZone(s.TimeZone) {
		f["time_zone"] = "ErrUnknownZone"
	}
	if s.Language != "" && !slices.Contains(Languages, s.Language) {
		f["language"] = "ErrLanguageChoice"
	}
	if s.PerPage != 0 && !slices.Contains(PerPageChoices, s.PerPage) {
		f["per_page"] = "ErrPerPageChoice"
	}
	if s.Density != "" && s.Density != DensityComfortable && s.Density != DensityCompact {
		f["density"] = "ErrDensityChoice"
	}
	switch s.MarkRead {
	case "", MarkReadOnOpen, MarkReadNever:
	case MarkReadAfterDelay:
		if s.MarkReadDelay < 1 || s.MarkReadDelay > MaxMarkReadDelay {
			f["mark_read_delay"] = "ErrMarkReadDelay"
		}
	default:
		f["mark_read"] = "ErrMarkReadChoice"
	}
	if len(s.RemoteContent) > MaxRemoteContent {
		f["remote_content"] = "ErrTooManyRemote"
	}
	for i, e := range s.RemoteContent {
		if !validSender(e) {
			f["remote_content."+strconv.Itoa(i)] = "ErrNotAddressOrDomain"
		}
	}
	if len(s.Identities) > MaxIdentities {
		f["identities"] = "ErrTooManyIdentitiesMax"
	}
	defaults := 0
	for i, id := range s.Identities {
		for k, v := range id.fieldErrors() {
			f["identities."+strconv.Itoa(i)+"."+k] = v
		}
		for _, other := range s.Identities[:i] {
			if strings.EqualFold(other.Address, id.Address) {
				f["identities."+strconv.Itoa(i)+".address"] = "ErrAddressTwice"
			}
		}
		if id.Default {
			defaults++
		}
	}
	if defaults > 1 {
		f["identities"] = "ErrOneDefault"
	}
	if len(f) > 0 {
		return &Error{Code: EInvalid, Message: "ErrSettingsInvalid", Fields: f, Args: validateArgs}
	}
	return nil
}

// Validate checks one identity: an *Error of code EInvalid whose Fields
// are "address", "name", "reply_to" or "signature", or nil.
func (id Identity) Validate() error {
	if f := id.fieldErrors(); len(f) > 0 {
		return &Error{Code: EInvalid, Message: "ErrIdentityInvalid", Fields: f, Args: validateArgs}
	}
	return nil
}

func (id Identity) fieldErrors() map[string]string {
	f := map[string]string{}
	if !validAddress(id.Address) {
		f["address"] = "ErrIdentityAddress"
	}
	if len(id.Name) > 100 || strings.ContainsFunc(id.Name, unicode.IsControl) {
		f["name"] = "ErrIdentityName"
	}
	if id.ReplyTo != "" && !validAddress(id.ReplyTo) {
		f["reply_to"] = "ErrReplyToAddress"
	}
	if len(id.Signature) > MaxSignature || strings.ContainsFunc(id.Signature, func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\r' && r != '\t' }) {
		f["signature"] = "ErrSignatureLong"
	}
	return f
}

// validAddress accepts one bare address, "mailbox@host".
func validAddress(s string) bool {
	if s == "" || len(s) > 254 || strings.ContainsAny(s, " <>\"\r\n,") {
		return false
	}
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s && strings.Contains(s, "@")
}

// validSender accepts an address or a domain name.
func validSender(s string) bool {
	if strings.Contains(s, "@") {
		return validAddress(s)
	}
	if s == "" || len(s) > 253 || !strings.Contains(s, ".") {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '.' || r > unicode.MaxASCII && unicode.IsLetter(r)) {
			return false
		}
	}
	return true
}

// ValidZone reports whether name is a zone of the tz database: made of
// what such names are made of ("America/Argentina/Buenos_Aires",
// "Etc/GMT+5"), nothing that could be a path out of it, and known.
func ValidZone(name string) bool {
	if name == "" || len(name) > 64 || name == "Local" || strings.HasPrefix(name, "/") || strings.Contains(name, "..") {
		return false
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("/_+-", r)) {
			return false
		}
	}
	_, err := time.LoadLocation(name)
	return err == nil
}
