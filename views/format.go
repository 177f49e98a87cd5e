package views

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"webmail"
	"webmail/views/locale"
)

// ListDate formats a list date the way mail clients do, in the request's
// language (locale.Localizer.ListDate).
func ListDate(ctx context.Context, t, now time.Time) string {
	return locale.From(ctx).ListDate(t, now)
}

// FullDate formats a message's date in the reader's zone, with the
// sender's own time where it differs (locale.Localizer.FullDate).
func FullDate(ctx context.Context, t time.Time, zone *time.Location) string {
	return locale.From(ctx).FullDate(t, zone)
}

// Size formats a byte count for people, in the request's language.
func Size(ctx context.Context, n int64) string { return locale.From(ctx).Size(n) }

// AddrName is the display name of an address, or the address itself.
func AddrName(ctx context.Context, a webmail.Address) string {
	if a.Name != "" {
		return a.Name
	}
	if s := a.Addr(); s != "" {
		return s
	}
	return T(ctx, "UnknownSender")
}

// AddrFull is "Name <addr>" or just the address.
func AddrFull(a webmail.Address) string {
	addr := a.Addr()
	if a.Name == "" {
		return addr
	}
	if addr == "" {
		return a.Name
	}
	return a.Name + " <" + addr + ">"
}

// AddrList joins a header's addresses.
func AddrList(as []webmail.Address) string {
	parts := make([]string, 0, len(as))
	for _, a := range as {
		parts = append(parts, AddrFull(a))
	}
	return strings.Join(parts, ", ")
}

// AddrNames joins the display names of addresses.
func AddrNames(ctx context.Context, as []webmail.Address) string {
	parts := make([]string, 0, len(as))
	for _, a := range as {
		parts = append(parts, AddrName(ctx, a))
	}
	return strings.Join(parts, ", ")
}

// Subject shows a placeholder for an empty subject.
func Subject(ctx context.Context, s string) string {
	if strings.TrimSpace(s) == "" {
		return T(ctx, "NoSubject")
	}
	return s
}

// FolderIcon names the icon of a role in the icon sprite.
func FolderIcon(r webmail.Role) string {
	if r == webmail.RoleNone {
		return "folder"
	}
	return string(r)
}

func depthClass(d int) string {
	return fmt.Sprintf("depth-%d", min(d, 6))
}

func joinNames(names []string) string { return strings.Join(names, ", ") }

func joinComma(parts []string) string { return strings.Join(parts, ",") }

// UIDList is UIDs as a form carries them: comma-separated.
func UIDList(uids []webmail.UID) string {
	parts := make([]string, len(uids))
	for i, u := range uids {
		parts[i] = strconv.FormatUint(uint64(u), 10)
	}
	return strings.Join(parts, ",")
}
