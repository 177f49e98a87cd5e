package locale

import (
	"testing"
	"time"

	"golang.org/x/text/language"
)

var en = For(language.English)

func TestListDate(t *testing.T) {
	t.Parallel()
	loc := time.FixedZone("CET", 3600)
	now := time.Date(2026, 11, 22, 15, 4, 0, 0, loc)
	for _, tc := range []struct {
		t    time.Time
		want string
	}{
		{time.Date(2026, 11, 22, 9, 5, 0, 0, loc), "09:05"},
		{time.Date(2026, 11, 22, 7, 30, 0, 0, time.UTC), "08:30"}, // shown in the reader's zone
		{time.Date(2026, 11, 21, 23, 59, 0, 0, loc), "Yesterday"},
		{time.Date(2026, 11, 17, 23, 59, 0, 0, loc), "Tue"},    // within the week: the weekday
		{time.Date(2026, 11, 15, 23, 59, 0, 0, loc), "15 Nov"}, // a week ago
		{time.Date(2026, 1, 2, 10, 0, 0, 0, loc), "2 Jan"},
		{time.Date(2025, 12, 31, 10, 0, 0, 0, loc), "31 Dec 2025"},
		{time.Time{}, ""},
	} {
		if got := en.ListDate(tc.t, now); got != tc.want {
			t.Errorf("ListDate(%v) = %q, want %q", tc.t, got, tc.want)
		}
	}
}

func TestSize(t *testing.T) {
	t.Parallel()
	for n, want := range map[int64]string{0: "0 B", 999: "999 B", 1500: "2 kB", 7_200_000: "7.2 MB"} {
		if got := en.Size(n); got != want {
			t.Errorf("Size(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestFullDate(t *testing.T) {
	t.Parallel()
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	azores := time.FixedZone("", -60*60)
	for _, tc := range []struct {
		t    time.Time
		zone *time.Location
		want string
	}{
		{time.Date(2026, 3, 2, 13, 5, 0, 0, azores), berlin, "Mon, 2 Mar 2026 15:05 (13:05 \u22120100 sender's time)"},
		{time.Date(2026, 3, 2, 15, 5, 0, 0, time.FixedZone("", 60*60)), berlin, "Mon, 2 Mar 2026 15:05"}, // the same offset: nothing to add
		{time.Date(2026, 3, 3, 7, 30, 0, 0, time.FixedZone("", 9*60*60)), berlin, "Mon, 2 Mar 2026 23:30 (Tue 07:30 +0900 sender's time)"},
		{time.Date(2026, 3, 2, 13, 5, 0, 0, azores), nil, "Mon, 2 Mar 2026 13:05"}, // no zone: the sender's
		{time.Time{}, berlin, ""},
	} {
		if got := en.FullDate(tc.t, tc.zone); got != tc.want {
			t.Errorf("FullDate(%v, %v) = %q, want %q", tc.t, tc.zone, got, tc.want)
		}
	}
}

// TestLocalised shows dates, sizes and counts in German and Arabic: their
// month and day names, digits and decimal separators, and Arabic's plural
// forms.
func TestLocalised(t *testing.T) {
	t.Parallel()
	de, ar := For(language.German), For(language.Arabic)
	loc := time.FixedZone("CET", 3600)
	now := time.Date(2026, 11, 22, 15, 4, 0, 0, loc)
	for _, tc := range []struct{ got, want string }{
		{de.ListDate(time.Date(2026, 3, 2, 9, 5, 0, 0, loc), now), "2. März"},
		{de.ListDate(time.Date(2026, 11, 21, 9, 5, 0, 0, loc), now), "Gestern"},
		{de.FullDate(time.Date(2026, 3, 2, 13, 5, 0, 0, loc), loc), "Mo., 2. März 2026, 13:05"},
		{de.Size(7_200_000), "7,2 MB"},
		{ar.Size(7_200_000), "٧٫٢ م.ب"},
		{ar.ListDate(time.Date(2026, 11, 22, 9, 5, 0, 0, loc), now), "٠٩:٠٥"},
		{de.T("MessageCount", "Count", 1), "1 Nachricht"},
		{de.T("MessageCount", "Count", 1234), "1.234 Nachrichten"},
		{ar.T("MessageCount", "Count", 0), "لا رسائل"},
		{ar.T("MessageCount", "Count", 1), "رسالة واحدة"},
		{ar.T("MessageCount", "Count", 2), "رسالتان"},
		{ar.T("MessageCount", "Count", 3), "٣ رسائل"},
		{ar.T("MessageCount", "Count", 11), "١١ رسالة"},
		{ar.T("MessageCount", "Count", 100), "١٠٠ رسالة"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}
