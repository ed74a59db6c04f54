package taskapi

import (
	"time"
	// The zone database is embedded, so a time zone name means the same on
	// every machine, one without /usr/share/zoneinfo included.
	_ "time/tzdata"
)

// DefaultTimeZone is the zone of a user who chose none.
const DefaultTimeZone = "UTC"

// TimeZoneMaxLen bounds a zone name; the longest IANA name is 32 bytes.
const TimeZoneMaxLen = 64

// ValidateTimeZone checks an IANA time zone name ("Europe/Paris", "UTC").
// "Local" is refused: it means the server's zone, not the user's.
func ValidateTimeZone(tz string) error {
	if tz == "" || len(tz) > TimeZoneMaxLen || tz == "Local" || !ValidText(tz) {
		return Invalid("timezone", "must be an IANA time zone name such as Europe/Paris or UTC")
	}
	if _, err := time.LoadLocation(tz); err != nil {
		return Invalid("timezone", "must be an IANA time zone name such as Europe/Paris or UTC")
	}
	return nil
}

// Location is the user's time zone, UTC when unset or unknown.
func (u User) Location() *time.Location {
	if u.TimeZone == "" {
		return time.UTC
	}
	loc, err := time.LoadLocation(u.TimeZone)
	if err != nil {
		return time.UTC
	}
	return loc
}
