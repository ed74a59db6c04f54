package taskapi

// The day and time phrases of a quick add.

import (
	"strconv"
	"time"
)

func date(y int, m time.Month, d int, loc *time.Location) time.Time {
	return time.Date(y, m, d, 0, 0, 0, 0, loc)
}

// parseDay reads a day at the start of toks and returns it with the
// number of tokens it took (0 when there is none).
func parseDay(toks []qtoken, now time.Time, loc *time.Location) (time.Time, int) {
	w := func(i int) string {
		if i < len(toks) {
			return toks[i].low
		}
		return ""
	}
	today := date(now.Year(), now.Month(), now.Day(), loc)
	addDays := func(n int) time.Time { return date(today.Year(), today.Month(), today.Day()+n, loc) }
	switch w(0) {
	case "today", "tod", "tonight":
		return today, 1
	case "tomorrow", "tmr", "tmrw":
		return addDays(1), 1
	case "yesterday":
		return addDays(-1), 1
	case "next":
		if wd, ok := weekdays[w(1)]; ok {
			// The day of that name in the next week, weeks starting on Monday.
			toMonday := (7 - (int(today.Weekday())+6)%7) % 7
			if toMonday == 0 {
				toMonday = 7
			}
			return addDays(toMonday + (int(wd)+6)%7), 2
		}
		if w(1) == "week" {
			toMonday := (7 - (int(today.Weekday())+6)%7) % 7
			if toMonday == 0 {
				toMonday = 7
			}
			return addDays(toMonday), 2
		}
		if w(1) == "month" {
			return date(today.Year(), today.Month()+1, 1, loc), 2
		}
	case "in":
		n := 0
		switch {
		case w(1) == "a" || w(1) == "one":
			n = 1
		case countRE.MatchString(w(1)):
			n, _ = strconv.Atoi(w(1))
		}
		if n > 0 {
			switch w(2) {
			case "day", "days":
				return addDays(n), 3
			case "week", "weeks":
				return addDays(7 * n), 3
			case "month", "months":
				return date(today.Year(), today.Month()+time.Month(n), today.Day(), loc), 3
			}
		}
	}
	if wd, ok := weekdays[w(0)]; ok {
		ahead := (int(wd) - int(today.Weekday()) + 7) % 7
		if ahead == 0 {
			ahead = 7
		}
		return addDays(ahead), 1
	}
	if m := isoDateRE.FindStringSubmatch(w(0)); m != nil {
		y, _ := strconv.Atoi(m[1])
		mo, _ := strconv.Atoi(m[2])
		d, _ := strconv.Atoi(m[3])
		if t := date(y, time.Month(mo), d, loc); mo >= 1 && mo <= 12 && t.Day() == d && y >= MinYear && y <= MaxYear {
			return t, 1
		}
		return time.Time{}, 0
	}
	// "24 dec [2027]" and "dec 24[th] [2027]".
	var mo time.Month
	var d, n int
	if m, ok := months[w(0)]; ok {
		if dm := dayNumRE.FindStringSubmatch(w(1)); dm != nil {
			mo, n = m, 2
			d, _ = strconv.Atoi(dm[1])
		}
	} else if dm := dayNumRE.FindStringSubmatch(w(0)); dm != nil {
		if m, ok := months[w(1)]; ok {
			mo, n = m, 2
			d, _ = strconv.Atoi(dm[1])
		}
	}
	if n == 0 || d < 1 || d > 31 {
		return time.Time{}, 0
	}
	y := today.Year()
	if yy := w(n); len(yy) == 4 && countRE.MatchString(yy[:3]) {
		if v, err := strconv.Atoi(yy); err == nil && v >= MinYear && v <= MaxYear {
			y, n = v, n+1
		}
	} else if date(y, mo, d, loc).Before(today) {
		y++
	}
	t := date(y, mo, d, loc)
	if t.Day() != d {
		return time.Time{}, 0 // 31 Feb
	}
	return t, n
}

// parseClock reads a time at the start of toks: 9am, 9:30pm, 9 am,
// 17:00, noon, midnight. A bare number is not a time ("buy 2 apples").
func parseClock(toks []qtoken) (hour, minute, n int) {
	if len(toks) == 0 {
		return 0, 0, 0
	}
	switch toks[0].low {
	case "noon", "midday":
		return 12, 0, 1
	case "midnight":
		return 0, 0, 1
	}
	s, n := toks[0].low, 1
	if len(toks) > 1 && (toks[1].low == "am" || toks[1].low == "pm") && countRE.MatchString(s) {
		s, n = s+toks[1].low, 2
	}
	m := clockRE.FindStringSubmatch(s)
	if m == nil || m[2] == "" && m[3] == "" {
		return 0, 0, 0
	}
	h, _ := strconv.Atoi(m[1])
	if m[2] != "" {
		minute, _ = strconv.Atoi(m[2])
	}
	switch {
	case minute > 59:
		return 0, 0, 0
	case m[3] != "":
		if h < 1 || h > 12 {
			return 0, 0, 0
		}
		if m[3] == "pm" && h != 12 {
			h += 12
		}
		if m[3] == "am" && h == 12 {
			h = 0
		}
	case h > 23:
		return 0, 0, 0
	}
	return h, minute, n
}
