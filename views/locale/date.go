package locale

import (
	"strings"
	"time"
)

// ListDate writes a list date the way mail clients do: the time for
// today, "Yesterday", the weekday within the past week, day and month
// this year, the full date otherwise.
func (l *Localizer) ListDate(t, now time.Time) string {
	if t.IsZero() {
		return ""
	}
	t = t.In(now.Location())
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, now.Location())
	switch {
	case !t.Before(today) && t.Before(today.AddDate(0, 0, 1)):
		return l.clock(t)
	case !t.Before(today.AddDate(0, 0, -1)) && t.Before(today):
		return l.T("Yesterday")
	case !t.Before(today.AddDate(0, 0, -6)) && t.Before(today):
		return l.T(weekdayIDs[t.Weekday()])
	case t.Year() == now.Year():
		return l.T("DateThisYear", "Day", l.digits(t.Day(), 1), "Month", l.T(monthIDs[t.Month()-1]))
	default:
		return l.T("DateOtherYear", "Day", l.digits(t.Day(), 1), "Month", l.T(monthIDs[t.Month()-1]), "Year", l.digits(t.Year(), 4))
	}
}

// FullDate writes a message's date in the reader's zone, followed by the
// sender's own time where the sender's offset differs:
// "Mon, 2 Mar 2026 02:05 (10:05 +0900 sender's time)". A nil zone shows
// the date as the sender wrote it.
func (l *Localizer) FullDate(t time.Time, zone *time.Location) string {
	if t.IsZero() {
		return ""
	}
	if zone == nil {
		zone = t.Location()
	}
	r := t.In(zone)
	s := l.T("DateFull", "Weekday", l.T(weekdayIDs[r.Weekday()]), "Day", l.digits(r.Day(), 1),
		"Month", l.T(monthIDs[r.Month()-1]), "Year", l.digits(r.Year(), 4), "Time", l.clock(r))
	if note := l.senderTime(t, r); note != "" {
		s += " (" + note + ")"
	}
	return s
}

// Clock is the time of day, "15:04".
func (l *Localizer) Clock(t time.Time) string { return l.clock(t) }

func (l *Localizer) clock(t time.Time) string {
	return l.T("Time", "Hour", l.digits(t.Hour(), 2), "Minute", l.digits(t.Minute(), 2))
}

// senderTime is the sender's own time of t, shown as r to the reader,
// with its offset ("10:05 +0900 sender's time"; the weekday too when it
// is another day there), or "" when both have the same offset.
func (l *Localizer) senderTime(t, r time.Time) string {
	_, so := t.Zone()
	_, ro := r.Zone()
	if so == ro {
		return ""
	}
	// A true minus sign, as in print; the layout has no other hyphen.
	offset := strings.Replace(t.Format("-0700"), "-", "\u2212", 1)
	if t.YearDay() != r.YearDay() || t.Year() != r.Year() {
		return l.T("SenderTimeDay", "Weekday", l.T(weekdayIDs[t.Weekday()]), "Time", l.clock(t), "Offset", offset)
	}
	return l.T("SenderTime", "Time", l.clock(t), "Offset", offset)
}

var weekdayIDs = [7]string{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"}

var monthIDs = [12]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}
