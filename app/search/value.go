package search

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/emersion/go-imap/v2"
)

// date parses the value of before:, after:, on: and since:.
func date(op, val string, today time.Time) (term, error) {
	start, end, canon, ok := period(asciiLower(val), today)
	if !ok {
		return term{}, fmt.Errorf("%s: needs a date like 2026-03-14 (or 2026-03, 2026, today, yesterday, 7d, 2w, 3m, 1y)", op)
	}
	if start.IsZero() {
		return term{}, fmt.Errorf("%s: %s is not a date in the calendar", op, val)
	}
	if start.Year() < 1000 || end.Year() > 9999 {
		return term{}, fmt.Errorf("%s: %s is out of range (years 1000 to 9998)", op, val)
	}
	var c imap.SearchCriteria
	switch op {
	case "before":
		c.SentBefore = start
	case "after":
		c.SentSince = end
	case "on":
		c.SentSince, c.SentBefore = start, end
	case "since":
		c.SentSince = start
	}
	return term{op: op, val: canon, crit: c}, nil
}

// period returns the days [start, end) a lower-case date value names, and
// its canonical spelling. ok is false if v is not in a date syntax; start
// is zero if it is, but names no real day (2026-02-30).
func period(v string, today time.Time) (start, end time.Time, canon string, ok bool) {
	day := func(t time.Time) (time.Time, time.Time, string, bool) {
		return t, t.AddDate(0, 0, 1), v, true
	}
	switch v {
	case "today":
		return day(today)
	case "yesterday":
		return day(today.AddDate(0, 0, -1))
	}
	if n := len(v); n >= 2 && n <= 5 && digits(v[:n-1]) && strings.IndexByte("dwmy", v[n-1]) >= 0 {
		k, _ := strconv.Atoi(v[:n-1])
		v = strconv.Itoa(k) + v[n-1:]
		switch v[len(v)-1] {
		case 'd':
			return day(today.AddDate(0, 0, -k))
		case 'w':
			return day(today.AddDate(0, 0, -7*k))
		case 'm':
			return day(monthsBack(today, k))
		case 'y':
			return day(monthsBack(today, 12*k))
		}
	}
	if len(v) < 4 || !digits(v[:4]) {
		return
	}
	y, _ := strconv.Atoi(v[:4])
	switch {
	case len(v) == 4:
		t := time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC)
		return t, t.AddDate(1, 0, 0), v, true
	case len(v) == 7 && v[4] == '-' && digits(v[5:7]):
		m, _ := strconv.Atoi(v[5:7])
		if m < 1 || m > 12 {
			return time.Time{}, time.Time{}, v, true
		}
		t := time.Date(y, time.Month(m), 1, 0, 0, 0, 0, time.UTC)
		return t, t.AddDate(0, 1, 0), v, true
	case len(v) == 10 && v[4] == '-' && digits(v[5:7]) && v[7] == '-' && digits(v[8:10]):
		m, _ := strconv.Atoi(v[5:7])
		d, _ := strconv.Atoi(v[8:10])
		t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
		if t.Year() != y || int(t.Month()) != m || t.Day() != d {
			return time.Time{}, time.Time{}, v, true
		}
		return day(t)
	}
	return
}

// monthsBack goes back n months from t, to the last day of the month when
// that month is shorter.
func monthsBack(t time.Time, n int) time.Time {
	first := time.Date(t.Year(), t.Month()-time.Month(n), 1, 0, 0, 0, 0, time.UTC)
	last := first.AddDate(0, 1, -1).Day()
	return first.AddDate(0, 0, min(t.Day(), last)-1)
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// maxSize is the largest size> or size< value: 1 TiB.
const maxSize = 1 << 40

// size parses the value of size> (op "size>") or size<.
func size(op, val string) (term, error) {
	op = asciiLower(op)
	v := asciiLower(val)
	i := 0
	for i < len(v) && i < 14 && '0' <= v[i] && v[i] <= '9' {
		i++
	}
	unit, shift := "", 0
	switch v[i:] {
	case "", "b":
	case "k", "kb":
		unit, shift = "K", 10
	case "m", "mb":
		unit, shift = "M", 20
	case "g", "gb":
		unit, shift = "G", 30
	default:
		i = 0
	}
	n, err := strconv.ParseInt(v[:i], 10, 64)
	if i == 0 || err != nil || n < 1 {
		return term{}, fmt.Errorf("%s needs a size like 500K, 2M or 1G", op)
	}
	if n > maxSize>>shift {
		return term{}, fmt.Errorf("%s: %s is too big (at most 1024G)", op, val)
	}
	t := term{op: op, val: strconv.FormatInt(n, 10) + unit}
	if op == "size>" {
		t.crit.Larger = n << shift
	} else {
		t.crit.Smaller = n << shift
	}
	return t, nil
}
