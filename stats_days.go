package taskapi

import "time"

// StatsDays is how many days the stats count completions for.
const StatsDays = 7

// DayCount is a count for one local day, which starts at Day.
type DayCount struct {
	Day   time.Time
	Count int64
}

// dayStarts returns the starts of the StatsDays days up to and including
// y-m-d in loc, then the start of the day after, in UTC: days of 23 or 25
// hours (DST) count as the days they are.
func dayStarts(y int, m time.Month, d int, loc *time.Location) []time.Time {
	out := make([]time.Time, 0, StatsDays+1)
	for i := StatsDays - 1; i >= -1; i-- {
		out = append(out, time.Date(y, m, d-i, 0, 0, 0, 0, loc).UTC())
	}
	return out
}
