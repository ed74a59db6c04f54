package calendar

import (
	"fmt"
	"time"

	ics "github.com/arran4/golang-ical"
)

// A timed recurring task's events are written on the owner's wall clock
// (DTSTART;TZID=Europe/Paris:…), as the server computes its occurrences: a
// task every Monday at 09:00 stays at 09:00 in summer. RFC 5545 wants a
// VTIMEZONE for every TZID used; addTimezone writes one from Go's zone
// data, as yearly rules for the transitions of the given year.

// addTimezone adds loc's VTIMEZONE, with the rules in force in year.
func addTimezone(cal *ics.Calendar, loc *time.Location, year int) {
	tz := cal.AddTimezone(loc.String())
	moves := transitions(loc, year)
	if len(moves) == 0 {
		name, off := time.Date(year, 1, 1, 0, 0, 0, 0, loc).Zone()
		std := tz.AddStandard()
		std.AddProperty(ics.ComponentPropertyDtStart, "19700101T000000")
		std.AddProperty(ics.ComponentProperty(ics.PropertyTzoffsetfrom), offset(off))
		std.AddProperty(ics.ComponentProperty(ics.PropertyTzoffsetto), offset(off))
		std.AddProperty(ics.ComponentProperty(ics.PropertyTzname), name)
		return
	}
	for _, m := range moves {
		var c *ics.ComponentBase
		if m.to > m.from {
			d := &ics.Daylight{}
			tz.Components = append(tz.Components, d)
			c = &d.ComponentBase
		} else {
			c = &tz.AddStandard().ComponentBase
		}
		// The transition's local time, on the clock in force before it.
		local := m.at.UTC().Add(time.Duration(m.from) * time.Second)
		c.AddProperty(ics.ComponentPropertyDtStart, local.Format("20060102T150405"))
		c.AddProperty(ics.ComponentPropertyRrule, yearlyRule(local))
		c.AddProperty(ics.ComponentProperty(ics.PropertyTzoffsetfrom), offset(m.from))
		c.AddProperty(ics.ComponentProperty(ics.PropertyTzoffsetto), offset(m.to))
		c.AddProperty(ics.ComponentProperty(ics.PropertyTzname), m.name)
	}
}

// move is one change of a zone's offset.
type move struct {
	at       time.Time
	from, to int // seconds east of UTC
	name     string
}

// transitions finds the offset changes of loc in year: a day-by-day scan
// at noon, then a search to the second within the day that changed.
func transitions(loc *time.Location, year int) []move {
	var out []move
	day := time.Date(year, 1, 1, 12, 0, 0, 0, loc)
	_, prev := day.Zone()
	for d := 1; d <= 366; d++ {
		next := time.Date(year, 1, 1+d, 12, 0, 0, 0, loc)
		name, off := next.Zone()
		if off != prev {
			lo, hi := day.Unix(), next.Unix()
			for hi-lo > 1 {
				mid := lo + (hi-lo)/2
				if _, o := time.Unix(mid, 0).In(loc).Zone(); o == prev {
					lo = mid
				} else {
					hi = mid
				}
			}
			out = append(out, move{at: time.Unix(hi, 0), from: prev, to: off, name: name})
		}
		day, prev = next, off
	}
	return out
}

// yearlyRule says "every year on this weekday of this month": the last one
// when no later one exists in the month (the usual "-1SU"), else its
// ordinal ("2SU").
func yearlyRule(t time.Time) string {
	days := time.Date(t.Year(), t.Month()+1, 0, 0, 0, 0, 0, time.UTC).Day()
	wd := [...]string{"SU", "MO", "TU", "WE", "TH", "FR", "SA"}[t.Weekday()]
	n := fmt.Sprint((t.Day()-1)/7 + 1)
	if t.Day()+7 > days {
		n = "-1"
	}
	return fmt.Sprintf("FREQ=YEARLY;BYMONTH=%d;BYDAY=%s%s", int(t.Month()), n, wd)
}

// offset formats seconds east of UTC as ±hhmm.
func offset(sec int) string {
	sign := "+"
	if sec < 0 {
		sign, sec = "-", -sec
	}
	return fmt.Sprintf("%s%02d%02d", sign, sec/3600, sec%3600/60)
}
