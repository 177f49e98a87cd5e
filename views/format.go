package views

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"webmail"
)

// ListDate formats a list date the way mail clients do: the time for
// today, day and month this year, the full date otherwise.
func ListDate(t, now time.Time) string {
	if t.IsZero() {
		return ""
	}
	t = t.In(now.Location())
	switch {
	case t.Year() == now.Year() && t.YearDay() == now.YearDay():
		return t.Format("15:04")
	case t.Year() == now.Year():
		return t.Format("2 Jan")
	default:
		return t.Format("2 Jan 2006")
	}
}

// FullDate formats a message's date in the reader's zone, followed by the
// sender's own time where the sender's offset differs:
// "Mon, 2 Mar 2026 02:05 (10:05 +0900 sender's time)". A nil zone shows
// the date as the sender wrote it.
func FullDate(t time.Time, zone *time.Location) string {
	if t.IsZero() {
		return ""
	}
	if zone == nil {
		zone = t.Location()
	}
	r := t.In(zone)
	s := r.Format("Mon, 2 Jan 2006 15:04")
	if note := senderTime(t, r); note != "" {
		s += " (" + note + ")"
	}
	return s
}

// senderTime is the sender's own time of t, shown as r to the reader,
// with its offset ("10:05 +0900 sender's time"; the weekday too when it
// is another day there), or "" when both have the same offset.
func senderTime(t, r time.Time) string {
	_, so := t.Zone()
	_, ro := r.Zone()
	if so == ro {
		return ""
	}
	layout := "15:04 -0700"
	if t.YearDay() != r.YearDay() || t.Year() != r.Year() {
		layout = "Mon 15:04 -0700"
	}
	// A true minus sign, as in print; the layout has no other hyphen.
	return strings.Replace(t.Format(layout), "-", "\u2212", 1) + " sender's time"
}

// Size formats a byte count for people.
func Size(n int64) string {
	switch {
	case n < 1000:
		return fmt.Sprintf("%d B", n)
	case n < 1000*1000:
		return fmt.Sprintf("%.0f kB", float64(n)/1000)
	default:
		return fmt.Sprintf("%.1f MB", float64(n)/1000/1000)
	}
}

// AddrName is the display name of an address, or the address itself.
func AddrName(a webmail.Address) string {
	if a.Name != "" {
		return a.Name
	}
	if s := a.Addr(); s != "" {
		return s
	}
	return "(unknown sender)"
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
func AddrNames(as []webmail.Address) string {
	parts := make([]string, 0, len(as))
	for _, a := range as {
		parts = append(parts, AddrName(a))
	}
	return strings.Join(parts, ", ")
}

// Subject shows a placeholder for an empty subject.
func Subject(s string) string {
	if strings.TrimSpace(s) == "" {
		return "(no subject)"
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

// Plural is "1 message" or "n messages".
func Plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// UIDList is UIDs as a form carries them: comma-separated.
func UIDList(uids []webmail.UID) string {
	parts := make([]string, len(uids))
	for i, u := range uids {
		parts[i] = strconv.FormatUint(uint64(u), 10)
	}
	return strings.Join(parts, ",")
}
