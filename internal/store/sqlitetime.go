package store

import (
	"fmt"
	"strings"
	"time"
)

// sqliteTimeLayout is how the SQLite driver writes a time.Time with
// _time_format=sqlite, which Open sets: "2006-01-02 15:04:05.999999999-07:00".
const sqliteTimeLayout = "2006-01-02 15:04:05.999999999-07:00"

// parseSQLiteTime parses a timestamp as SQLite hands over an expression
// over one (max(next_attempt_at) has no declared type, so the driver gives
// text): the driver's layout, or any other form the driver itself reads (Go's
// Time.String form, which it wrote before _time_format=sqlite, a layout
// without a zone, a trailing Z meaning UTC). The result is in UTC.
func parseSQLiteTime(s string) (time.Time, error) {
	if str, _, _ := strings.Cut(s, " m="); str != "" {
		if t, err := time.Parse("2006-01-02 15:04:05.999999999 -0700 MST", strings.TrimSpace(str)); err == nil {
			return t.UTC(), nil
		}
	}
	ts := strings.TrimSuffix(s, "Z")
	for _, layout := range [...]string{
		sqliteTimeLayout, "2006-01-02T15:04:05.999999999-07:00",
		"2006-01-02 15:04:05.999999999", "2006-01-02T15:04:05.999999999",
		"2006-01-02 15:04", "2006-01-02T15:04", "2006-01-02",
	} {
		if t, err := time.Parse(layout, ts); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("timestamp: cannot parse %q", s)
}
