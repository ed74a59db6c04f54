package taskapi

// The repeat phrases of a quick add: "every …", or "every! …" to repeat
// from completion, turned into an RRULE.

import (
	"strconv"
	"strings"
	"time"
)

// QuickRecurrence is the kind of span of a repeat phrase.
const QuickRecurrence QuickKind = "recurrence"

var (
	ruleDays = map[time.Weekday]string{time.Monday: "MO", time.Tuesday: "TU", time.Wednesday: "WE",
		time.Thursday: "TH", time.Friday: "FR", time.Saturday: "SA", time.Sunday: "SU"}
	ordinals = map[string]int{"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3,
		"fourth": 4, "4th": 4, "last": -1}
)

// parseEvery reads a repeat phrase at the start of toks and returns its
// recurrence with the number of tokens it took (0 when there is none):
//
//	every day | every 3 days | every other day
//	every weekday | every weekend
//	every week | every 2 weeks [on monday and thursday]
//	every monday | every mon, thu | every monday and thursday
//	every month [on the 15th | on the last day | on the last friday]
//	every 15th | every last day | every last friday | every 2nd tuesday
//	every year | every 2 years
//
// "every!" repeats from completion. Times ("8am") are read as due times.
func parseEvery(toks []qtoken) (Recurrence, int) {
	w := func(i int) string {
		if i < len(toks) {
			return toks[i].low
		}
		return ""
	}
	from := RepeatFromDue
	switch w(0) {
	case "every":
	case "every!":
		from = RepeatFromCompletion
	default:
		return Recurrence{}, 0
	}
	i, interval := 1, 1
	switch {
	case w(1) == "other":
		i, interval = 2, 2
	case countRE.MatchString(w(1)) && w(1) != "0":
		n, _ := strconv.Atoi(w(1))
		i, interval = 2, n
	}
	plural := interval > 1
	var rule string
	switch word := w(i); {
	case unit(word, "day", plural):
		rule, i = "FREQ=DAILY", i+1
	case unit(word, "week", plural):
		rule, i = "FREQ=WEEKLY", i+1
		if w(i) == "on" {
			if days, n := weekdayList(toks[i+1:]); n > 0 {
				rule, i = rule+";BYDAY="+days, i+1+n
			}
		}
	case unit(word, "month", plural):
		rule, i = "FREQ=MONTHLY", i+1
		if w(i) == "on" {
			at := i + 1
			if w(at) == "the" {
				at++
			}
			if by, n := monthDay(toks[at:]); n > 0 {
				rule, i = rule+";"+by, at+n
			}
		}
	case unit(word, "year", plural):
		rule, i = "FREQ=YEARLY", i+1
	case interval > 1:
		return Recurrence{}, 0 // "every 3 mondays" is not a rule we read
	case word == "weekday" || word == "weekdays" || word == "workday" || word == "workdays":
		rule, i = "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", i+1
	case word == "weekend" || word == "weekends":
		rule, i = "FREQ=WEEKLY;BYDAY=SA,SU", i+1
	default:
		if days, n := weekdayList(toks[i:]); n > 0 {
			rule, i = "FREQ=WEEKLY;BYDAY="+days, i+n
		} else if by, n := monthDay(toks[i:]); n > 0 {
			rule, i = "FREQ=MONTHLY;"+by, i+n
		} else {
			return Recurrence{}, 0
		}
	}
	if interval > 1 {
		rule += ";INTERVAL=" + strconv.Itoa(interval)
	}
	r, err := ParseRecurrence(rule, string(from))
	if err != nil {
		return Recurrence{}, 0
	}
	return r, i
}

// unit reports whether word is the unit name, singular or (after a count)
// plural.
func unit(word, name string, plural bool) bool {
	return word == name || plural && word == name+"s"
}

// weekdayList reads "monday", "mon, thu", "monday and thursday" and
// returns them as BYDAY values.
func weekdayList(toks []qtoken) (string, int) {
	var days []string
	n := 0
	for i := 0; i < len(toks); i++ {
		wd, ok := weekdays[toks[i].low]
		if !ok {
			break
		}
		days, n = append(days, ruleDays[wd]), i+1
		if i+1 < len(toks) && (toks[i+1].low == "and" || toks[i+1].low == "&") {
			i++ // taken only with a weekday after it
		}
	}
	return strings.Join(days, ","), n
}

// monthDay reads a day of the month: "15th", "last day [of the month]",
// "last friday", "2nd tuesday", and returns it as a BY part.
func monthDay(toks []qtoken) (string, int) {
	if len(toks) == 0 {
		return "", 0
	}
	if m := dayNumRE.FindStringSubmatch(toks[0].low); m != nil && m[2] != "" {
		d, _ := strconv.Atoi(m[1])
		if d >= 1 && d <= 31 {
			return "BYMONTHDAY=" + m[1], 1
		}
		return "", 0
	}
	pos, ok := ordinals[toks[0].low]
	if !ok || len(toks) < 2 {
		return "", 0
	}
	if pos == -1 && toks[1].low == "day" {
		n := 2
		if len(toks) > 3 && toks[2].low == "of" && toks[3].low == "month" {
			n = 4
		} else if len(toks) > 4 && toks[2].low == "of" && toks[3].low == "the" && toks[4].low == "month" {
			n = 5
		}
		return "BYMONTHDAY=-1", n
	}
	if wd, ok := weekdays[toks[1].low]; ok {
		return "BYDAY=" + strconv.Itoa(pos) + ruleDays[wd], 2
	}
	return "", 0
}

// firstOccurrence is the day (00:00 in loc) of the first occurrence of r
// to come: from today, or, with a time of day (hour ≥ 0), the first one
// whose time is still ahead of now. The search leaves INTERVAL out: "every
// 2 weeks on monday" starts next Monday, not in the week after, which the
// rule from today would give (today's week counts as the first).
func firstOccurrence(r Recurrence, now time.Time, hour, minute int, loc *time.Location) (time.Time, bool) {
	var parts []string
	for _, p := range strings.Split(r.Rule, ";") {
		if !strings.HasPrefix(p, "INTERVAL=") {
			parts = append(parts, p)
		}
	}
	r.Rule = strings.Join(parts, ";")
	start := date(now.Year(), now.Month(), now.Day(), loc)
	if hour >= 0 {
		start = time.Date(now.Year(), now.Month(), now.Day(), hour, minute, 0, 0, loc)
	}
	next, err := r.series(start, loc, true)
	if err != nil {
		return time.Time{}, false
	}
	for {
		t, ok := next()
		if !ok {
			return time.Time{}, false
		}
		if hour < 0 || t.After(now) {
			l := t.In(loc)
			return date(l.Year(), l.Month(), l.Day(), loc), true
		}
	}
}
