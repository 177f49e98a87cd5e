package views

import (
	"testing"
	"time"
)

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
		{time.Date(2026, 11, 21, 23, 59, 0, 0, loc), "21 Nov"},
		{time.Date(2026, 1, 2, 10, 0, 0, 0, loc), "2 Jan"},
		{time.Date(2025, 12, 31, 10, 0, 0, 0, loc), "31 Dec 2025"},
		{time.Time{}, ""},
	} {
		if got := ListDate(tc.t, now); got != tc.want {
			t.Errorf("ListDate(%v) = %q, want %q", tc.t, got, tc.want)
		}
	}
}

func TestSize(t *testing.T) {
	t.Parallel()
	for n, want := range map[int64]string{0: "0 B", 999: "999 B", 1500: "2 kB", 7_200_000: "7.2 MB"} {
		if got := Size(n); got != want {
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
		if got := FullDate(tc.t, tc.zone); got != tc.want {
			t.Errorf("FullDate(%v, %v) = %q, want %q", tc.t, tc.zone, got, tc.want)
		}
	}
}
