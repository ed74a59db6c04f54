package store

import (
	"fmt"
	"strings"
	"time"
)

// sqliteTimeLayout is how the SQLite driver writes a time.Time with
// _time_format=sqlite, which Open sets: "2006-01-02 15:04:05.999999999-07:00".
const sqliteTimeLayout = "2006-01-02 15:04:05.999999999-07:00"

// parseSQLiteTime parses a timestamp as SQLite stores it: the driver's
// layout in UTC ("2026-11-27 04:05:06.123456+00:00", the fraction optional)
// by hand; anything else the way the driver itself would read it, so a
// value written by other means (Go's Time.String form, which the driver
// wrote before _time_format=sqlite, or a layout without a zone, a
// trailing Z meaning UTC) reads as before.
func parseSQLiteTime(s string) (time.Time, error) {
	if t, ok := parseUTCTimestamp(s); ok {
		return t, nil
	}
	if str, _, _ := strings.Cut(s, " m="); str != "" {
		if t, err := time.Parse("2006-01-02 15:04:05.999999999 -0700 MST", strings.TrimSpace(str)); err == nil {
			return t, nil
		}
	}
	ts := strings.TrimSuffix(s, "Z")
	for _, layout := range [...]string{
		sqliteTimeLayout, "2006-01-02T15:04:05.999999999-07:00",
		"2006-01-02 15:04:05.999999999", "2006-01-02T15:04:05.999999999",
		"2006-01-02 15:04", "2006-01-02T15:04", "2006-01-02",
	} {
		if t, err := time.Parse(layout, ts); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("timestamp: cannot parse %q", s)
}

// parseUTCTimestamp parses "YYYY-MM-DD HH:MM:SS[.F{1,9}]+00:00"; ok is
// false for any other form (which time.Parse then tries).
func parseUTCTimestamp(s string) (time.Time, bool) {
	const minLen = len("2006-01-02 15:04:05+00:00")
	if len(s) < minLen || s[4] != '-' || s[7] != '-' || s[10] != ' ' || s[13] != ':' || s[16] != ':' || s[len(s)-6:] != "+00:00" {
		return time.Time{}, false
	}
	num := func(a, b int) (int, bool) {
		n := 0
		for i := a; i < b; i++ {
			c := s[i]
			if c < '0' || c > '9' {
				return 0, false
			}
			n = n*10 + int(c-'0')
		}
		return n, true
	}
	year, ok1 := num(0, 4)
	month, ok2 := num(5, 7)
	day, ok3 := num(8, 10)
	hour, ok4 := num(11, 13)
	minute, ok5 := num(14, 16)
	sec, ok6 := num(17, 19)
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) {
		return time.Time{}, false
	}
	nsec := 0
	if frac := s[19 : len(s)-6]; frac != "" {
		digits := len(frac) - 1
		if frac[0] != '.' || digits < 1 || digits > 9 {
			return time.Time{}, false
		}
		n, ok := num(20, 20+digits)
		if !ok {
			return time.Time{}, false
		}
		for range 9 - digits {
			n *= 10
		}
		nsec = n
	}
	// time.Date normalises out-of-range fields (month 13, day 32, …);
	// the stored text never has them, and a value that does is refused
	// rather than moved.
	t := time.Date(year, time.Month(month), day, hour, minute, sec, nsec, time.UTC)
	if t.Year() != year || int(t.Month()) != month || t.Day() != day || t.Hour() != hour || t.Minute() != minute || t.Second() != sec {
		return time.Time{}, false
	}
	return t, true
}
