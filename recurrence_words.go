package taskapi

import (
	"strconv"
	"strings"
	"time"

	"github.com/teambition/rrule-go"
)

// Words says how a task repeats, for people: "Every weekday", "Every 2
// weeks on Mon, Thu", "Monthly on the last Friday", "Every 3 days after
// completion". A rule the words do not cover reads "Repeats (custom
// rule)". Days implied by the rule's start (FREQ=WEEKLY alone repeats on
// the start's weekday) are read from r.Start, or due when it is zero.
func (r Recurrence) Words(due time.Time, loc *time.Location) string {
	opt, err := r.options(loc)
	if err != nil {
		return "Repeats (custom rule)"
	}
	start := due
	if !r.Start.IsZero() {
		start = r.Start
	}
	start = start.In(loc)
	if len(opt.Byweekno)+len(opt.Byyearday) > 0 || len(opt.Bysetpos) > 0 && !lastWeekday(opt) {
		return "Repeats (custom rule)" + tail(r, opt, loc)
	}
	n := max(opt.Interval, 1)
	every := func(one, many string) string {
		if n == 1 {
			return one
		}
		return "Every " + strconv.Itoa(n) + " " + many
	}
	var s string
	switch opt.Freq {
	case rrule.DAILY:
		s = every("Every day", "days")
	case rrule.WEEKLY:
		days := dayNames(opt.Byweekday)
		switch {
		case n == 1 && days == "Mon, Tue, Wed, Thu, Fri":
			s = "Every weekday"
		case n == 1 && days == "Sat, Sun":
			s = "Every weekend"
		case days == "":
			s = every("Every week", "weeks") + " on " + start.Format("Mon")
		default:
			s = every("Every week", "weeks") + " on " + days
		}
	case rrule.MONTHLY:
		s = every("Monthly", "months") + " on the " + monthDayWords(opt, start)
	case rrule.YEARLY:
		s = every("Yearly", "years")
		if len(opt.Byweekday) == 0 && len(opt.Bymonth) <= 1 && len(opt.Bymonthday) <= 1 {
			m, d := start.Month(), start.Day()
			if len(opt.Bymonth) == 1 {
				m = time.Month(opt.Bymonth[0])
			}
			if len(opt.Bymonthday) == 1 {
				d = opt.Bymonthday[0]
			}
			if d > 0 {
				s += " on " + strconv.Itoa(d) + " " + m.String()[:3]
			}
		}
	}
	return s + tail(r, opt, loc)
}

// lastWeekday reports the one BYSETPOS rule the words cover: the last
// weekday of the month.
func lastWeekday(opt rrule.ROption) bool {
	return len(opt.Bysetpos) == 1 && opt.Bysetpos[0] == -1 && dayNames(opt.Byweekday) == "Mon, Tue, Wed, Thu, Fri"
}

// tail is what follows the schedule: from completion, COUNT, UNTIL.
func tail(r Recurrence, opt rrule.ROption, loc *time.Location) string {
	var s string
	if r.From == RepeatFromCompletion {
		s += " after completion"
	}
	if opt.Count > 0 {
		s += ", " + strconv.Itoa(opt.Count) + " times"
	}
	if u := r.Until(loc); u != nil {
		s += ", until " + u.In(loc).Format("2 Jan 2006")
	}
	return s
}

// monthDayWords says which day of the month: "15th", "last day", "last
// Friday", "last weekday", "2nd Tuesday".
func monthDayWords(opt rrule.ROption, start time.Time) string {
	switch {
	case lastWeekday(opt):
		return "last weekday"
	case len(opt.Byweekday) > 0:
		var parts []string
		for _, wd := range opt.Byweekday {
			parts = append(parts, ordinal(wd.N())+" "+longDay(wd))
		}
		return strings.Join(parts, " and ")
	case len(opt.Bymonthday) > 0:
		var parts []string
		for _, d := range opt.Bymonthday {
			if d < 0 {
				parts = append(parts, ordinal(d)+" day")
			} else {
				parts = append(parts, ordinal(d))
			}
		}
		return strings.Join(parts, " and ")
	}
	return ordinal(start.Day())
}

// ordinal names a position: 1st, 2nd, 15th; last, 2nd last; every (0).
func ordinal(n int) string {
	switch {
	case n == 0:
		return "every"
	case n == -1:
		return "last"
	case n < 0:
		return ordinal(-n) + " last"
	case n%10 == 1 && n%100 != 11:
		return strconv.Itoa(n) + "st"
	case n%10 == 2 && n%100 != 12:
		return strconv.Itoa(n) + "nd"
	case n%10 == 3 && n%100 != 13:
		return strconv.Itoa(n) + "rd"
	}
	return strconv.Itoa(n) + "th"
}

var shortDays = []string{"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"}

// dayNames lists the weekdays of BYDAY, Monday first: "Mon, Thu".
func dayNames(wds []rrule.Weekday) string {
	var out []string
	for i, name := range shortDays {
		for _, wd := range wds {
			if wd.Day() == i {
				out = append(out, name)
				break
			}
		}
	}
	return strings.Join(out, ", ")
}

func longDay(wd rrule.Weekday) string {
	return time.Weekday((wd.Day() + 1) % 7).String()
}
