package web

import (
	"fmt"
	"time"

	"github.com/taskapi/taskapi"
)

// due is a due date as a row shows it: in words near today, with the
// exact time for a tooltip and a class for its colour.
type due struct {
	Words    string
	ISO      string
	Full     string
	Class    string // "overdue", "today" or "later"
	Overdue  bool
	HasTime  bool
	DayStart time.Time
}

// dayStart is the start of t's calendar day in loc.
func dayStart(t time.Time, loc *time.Location) time.Time {
	y, m, d := t.In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, loc)
}

// daysBetween counts calendar days from a to b in loc (negative when b is
// earlier), whatever the length of each day.
func daysBetween(a, b time.Time, loc *time.Location) int {
	ay, am, ad := a.In(loc).Date()
	by, bm, bd := b.In(loc).Date()
	ua := time.Date(ay, am, ad, 0, 0, 0, 0, time.UTC)
	ub := time.Date(by, bm, bd, 0, 0, 0, 0, time.UTC)
	return int(ub.Sub(ua).Hours() / 24)
}

// dueWords says when a task is due relative to now, in loc: "today
// 17:00", "tomorrow", "Fri 12", "3 days overdue". A time of 00:00 is taken
// as "that day" and not shown. Overdue is taskapi.OverdueCut's; done tasks
// are never overdue.
func dueWords(t, now time.Time, loc *time.Location, done bool) due {
	lt := t.In(loc)
	hasTime := lt.Hour() != 0 || lt.Minute() != 0
	clock := ""
	if hasTime {
		clock = " " + lt.Format("15:04")
	}
	days := daysBetween(now, t, loc)
	out := due{ISO: t.UTC().Format(time.RFC3339), Full: lt.Format("Monday 2 January 2006 15:04 MST"), Class: "later",
		HasTime: hasTime, DayStart: dayStart(t, loc)}
	overdue := !done && taskapi.NewOverdueCut(now, loc).Passed(t)
	switch {
	case overdue && days < 0:
		out.Class, out.Overdue = "overdue", true
		if days == -1 {
			out.Words = "yesterday" + clock
		} else {
			out.Words = fmt.Sprintf("%d days overdue", -days)
		}
	case days == 0:
		out.Words, out.Class = "today"+clock, "today"
		if overdue {
			out.Class, out.Overdue = "overdue", true
		}
	case days == 1:
		out.Words = "tomorrow" + clock
	case days == -1:
		out.Words = "yesterday" + clock
	case days > 1 && days < 7:
		out.Words = lt.Format("Monday") + clock
	case lt.Year() == now.In(loc).Year():
		out.Words = lt.Format("Mon 2 Jan") + clock
	default:
		out.Words = lt.Format("2 Jan 2006")
	}
	return out
}

// dayHeading names a day of the Upcoming list: "Tomorrow", "Friday 12 Dec".
func dayHeading(day, now time.Time, loc *time.Location) string {
	switch daysBetween(now, day, loc) {
	case 0:
		return "Today"
	case 1:
		return "Tomorrow · " + day.In(loc).Format("Mon 2 Jan")
	}
	return day.In(loc).Format("Monday 2 Jan")
}
