package taskapi

import (
	"fmt"
	"strings"
	"time"

	"github.com/teambition/rrule-go"
)

// Recurrence makes a task repeat: an RFC 5545 RRULE and what its next date
// counts from. The task's due date is the current occurrence; completing
// or skipping it moves the due date to the next one.
//
// Occurrences are computed on the wall clock of the owner's time zone: a
// task due every Monday at 09:00 in Europe/Paris stays at 09:00 across the
// changes to and from summer time, and a rule that names a day a month
// does not have ("monthly on the 31st") skips that month, as RFC 5545 says.
type Recurrence struct {
	// Rule is the RRULE, normalised: upper case, without "RRULE:".
	Rule string
	From RepeatFrom
	// Occurrence is the number of the task's current occurrence, from 1;
	// it counts towards the rule's COUNT.
	Occurrence int
	// Start is the due date the series started from (set by the store):
	// its wall-clock time of day is every occurrence's, so a time moved
	// by a DST gap one day is back the next. Zero: the due date's.
	Start time.Time
}

// RepeatFrom says what a recurring task's next date is counted from.
type RepeatFrom string

// What the next date counts from: the schedule (the due date), or the
// moment the task was completed ("every! 3 days").
const (
	RepeatFromDue        RepeatFrom = "due"
	RepeatFromCompletion RepeatFrom = "completion"
)

// Recurrence bounds.
const (
	RecurrenceRuleMaxLen = 300
	// recurrenceHorizonYears is how far a search for the next occurrence
	// looks: a rule with nothing in that span has no next occurrence.
	recurrenceHorizonYears = 100
	maxRecurrenceInterval  = 999
	maxRecurrenceCount     = 10000
)

// ruleField is the field that rule errors name.
const ruleField = "recurrence.rule"

// ParseRecurrence checks and normalises a rule and its repeat_from (""
// means due). The occurrence number starts at 1.
func ParseRecurrence(rule, from string) (Recurrence, error) {
	r := Recurrence{From: RepeatFrom(from), Occurrence: 1}
	if r.From == "" {
		r.From = RepeatFromDue
	}
	if r.From != RepeatFromDue && r.From != RepeatFromCompletion {
		return Recurrence{}, Invalid("recurrence.repeat_from", "must be due or completion")
	}
	norm := strings.ToUpper(strings.TrimSpace(rule))
	norm = strings.TrimPrefix(norm, "RRULE:")
	if norm == "" || len(norm) > RecurrenceRuleMaxLen || strings.ContainsAny(norm, "\r\n") || !ValidText(norm) {
		return Recurrence{}, Invalid(ruleField, "must be one RFC 5545 RRULE of at most %d characters, such as FREQ=WEEKLY;BYDAY=MO", RecurrenceRuleMaxLen)
	}
	r.Rule = norm
	if _, err := r.options(time.UTC); err != nil {
		return Recurrence{}, err
	}
	return r, nil
}

// options parses the rule; UNTIL without a zone is read in loc.
func (r Recurrence) options(loc *time.Location) (rrule.ROption, error) {
	parsed, err := rrule.StrToROptionInLocation(r.Rule, loc)
	if err != nil {
		return rrule.ROption{}, Invalid(ruleField, "is not an RFC 5545 RRULE: %v", err)
	}
	opt := *parsed
	switch {
	case opt.Freq != rrule.DAILY && opt.Freq != rrule.WEEKLY && opt.Freq != rrule.MONTHLY && opt.Freq != rrule.YEARLY:
		return opt, Invalid(ruleField, "FREQ must be DAILY, WEEKLY, MONTHLY or YEARLY")
	case !opt.Dtstart.IsZero():
		return opt, Invalid(ruleField, "must not have a DTSTART: the series starts at the due date")
	case len(opt.Byhour)+len(opt.Byminute)+len(opt.Bysecond) > 0:
		return opt, Invalid(ruleField, "must not have BYHOUR, BYMINUTE or BYSECOND: the time of day comes from the due date")
	case len(opt.Byeaster) > 0:
		return opt, Invalid(ruleField, "BYEASTER is not supported")
	case opt.Interval < 0 || opt.Interval > maxRecurrenceInterval:
		return opt, Invalid(ruleField, "INTERVAL must be 1 to %d", maxRecurrenceInterval)
	case opt.Count < 0 || opt.Count > maxRecurrenceCount:
		return opt, Invalid(ruleField, "COUNT must be 1 to %d", maxRecurrenceCount)
	case opt.Count > 0 && !opt.Until.IsZero():
		return opt, Invalid(ruleField, "must not have both COUNT and UNTIL (RFC 5545)")
	}
	if _, err := rrule.NewRRule(opt); err != nil {
		return opt, Invalid(ruleField, "is not a valid RRULE: %v", err)
	}
	return opt, nil
}

// Until is the rule's UNTIL as an instant, with a date-only UNTIL taken as
// the end of that day in loc; nil when the rule has none.
func (r Recurrence) Until(loc *time.Location) *time.Time {
	opt, err := r.options(loc)
	if err != nil || opt.Until.IsZero() {
		return nil
	}
	u := opt.Until
	if r.untilIsDate() {
		u = u.AddDate(0, 0, 1).Add(-time.Second)
	}
	u = u.UTC()
	return &u
}

func (r Recurrence) untilIsDate() bool {
	for _, part := range strings.Split(r.Rule, ";") {
		if v, ok := strings.CutPrefix(part, "UNTIL="); ok {
			return len(v) == len(rrule.DateFormat)
		}
	}
	return false
}

// Count is the rule's COUNT, 0 for none.
func (r Recurrence) Count() int {
	opt, err := r.options(time.UTC)
	if err != nil {
		return 0
	}
	return opt.Count
}

// wall is t's wall clock in loc as the same fields in UTC: rules are
// computed on these "floating" times, where no day is 23 or 25 hours long.
func wall(t time.Time, loc *time.Location) time.Time {
	l := t.In(loc)
	return time.Date(l.Year(), l.Month(), l.Day(), l.Hour(), l.Minute(), l.Second(), 0, time.UTC)
}

// wallTime is the instant of y-m-d at clock's time of day in loc. A time
// of day that the day skips (a spring-forward gap: 02:30 on the night
// summer time starts) is moved forward by the gap, to 03:30; one the day
// has twice (fall back) is the first of the two. time.Date alone picks
// either side of a gap depending on the zone.
func wallTime(y int, m time.Month, d int, clock time.Time, loc *time.Location) time.Time {
	t := time.Date(y, m, d, clock.Hour(), clock.Minute(), clock.Second(), clock.Nanosecond(), loc)
	if t.Hour() == clock.Hour() && t.Minute() == clock.Minute() {
		return t
	}
	// In a gap: read the wall clock with the offset in force before it.
	_, before := time.Date(y, m, d-1, clock.Hour(), clock.Minute(), 0, 0, loc).Zone()
	return time.Date(y, m, d, clock.Hour(), clock.Minute(), clock.Second(), clock.Nanosecond(), time.UTC).
		Add(-time.Duration(before) * time.Second).In(loc)
}

// after returns an iterator over the occurrences strictly after start, on
// the wall clock of loc, at start's time of day, as instants in UTC. It
// honours UNTIL but not COUNT (the caller counts occurrences with
// Occurrence) and stops at the horizon.
func (r Recurrence) after(start time.Time, loc *time.Location) (func() (time.Time, bool), error) {
	return r.series(start, loc, false)
}

// series is after, with start itself first when inclusive and it matches
// the rule.
func (r Recurrence) series(start time.Time, loc *time.Location, inclusive bool) (func() (time.Time, bool), error) {
	opt, err := r.options(loc)
	if err != nil {
		return nil, err
	}
	clock := start.In(loc)
	if !r.Start.IsZero() {
		clock = r.Start.In(loc)
	}
	float := wall(start, loc)
	opt.Dtstart, opt.Count = float, 0
	horizon := float.AddDate(recurrenceHorizonYears, 0, 0)
	if until := r.Until(loc); until != nil {
		opt.Until = wall(*until, loc)
	}
	if opt.Until.IsZero() || opt.Until.After(horizon) {
		opt.Until = horizon
	}
	rr, err := rrule.NewRRule(opt)
	if err != nil {
		return nil, Invalid(ruleField, "is not a valid RRULE: %v", err)
	}
	it := rr.Iterator()
	return func() (time.Time, bool) {
		for {
			t, ok := it()
			if !ok {
				return time.Time{}, false
			}
			if !inclusive && !t.After(float) {
				continue // DTSTART itself, the current occurrence
			}
			// Back from the floating clock to the zone, keeping the
			// due date's own time of day to the microsecond.
			local := wallTime(t.Year(), t.Month(), t.Day(), clock, loc)
			if y := local.UTC().Year(); y > MaxYear {
				return time.Time{}, false
			}
			return local.UTC(), true
		}
	}, nil
}

// Check reports a rule that has no occurrence at or after due (an UNTIL
// before it, or days that never come, like the 30th of February): it
// would make the task repeat into nothing.
func (r Recurrence) Check(due time.Time, loc *time.Location) error {
	if _, err := r.options(loc); err != nil {
		return err
	}
	if _, ok := r.FirstOn(due, loc); !ok {
		return Invalid(ruleField, "yields no occurrence on or after the due date")
	}
	return nil
}

// Advance is where a recurring task goes when its current occurrence, due
// at due, is completed (completed true) or skipped at now:
//   - repeating from the due date, to the first occurrence after both the
//     due date and now: an overdue daily task completed today is next due
//     tomorrow, not on a day already past;
//   - repeating from completion and completed, to the first occurrence
//     after the day of completion at the due date's time of day;
//     a skip of such a task follows the schedule from the due date.
//
// It returns the next due date and the new occurrence number (occurrences
// passed over count towards COUNT), or ok false when the series has no
// occurrence left (COUNT or UNTIL reached): the task then stays done.
func (r Recurrence) Advance(due, now time.Time, loc *time.Location, completed bool) (next time.Time, occurrence int, ok bool, err error) {
	start, passed := due, 0
	if completed && r.From == RepeatFromCompletion {
		clock := due
		if !r.Start.IsZero() {
			clock = r.Start
		}
		n := now.In(loc)
		start = wallTime(n.Year(), n.Month(), n.Day(), clock.In(loc), loc)
	}
	it, err := r.after(start, loc)
	if err != nil {
		return time.Time{}, 0, false, err
	}
	count := r.Count()
	for {
		t, more := it()
		if !more {
			return time.Time{}, r.Occurrence, false, nil
		}
		passed++
		if count > 0 && r.Occurrence+passed > count {
			return time.Time{}, r.Occurrence, false, nil
		}
		if t.After(now) || (completed && r.From == RepeatFromCompletion) {
			return t, r.Occurrence + passed, true, nil
		}
	}
}

// OccurrenceDate is one coming date of a recurring task.
type OccurrenceDate struct {
	// Number counts the occurrences of the series from 1 (see COUNT).
	Number int
	At     time.Time
}

// Occurrences lists the task's occurrences due in [from, to), starting
// with the current one (due), at most limit of them; more is true when
// the list was cut at limit. Repeating from completion, the dates are
// those the task takes if each is completed on its due date.
func (r Recurrence) Occurrences(due, from, to time.Time, limit int, loc *time.Location) (out []OccurrenceDate, more bool, err error) {
	it, err := r.after(due, loc)
	if err != nil {
		return nil, false, err
	}
	count := r.Count()
	t, n, ok := due, r.Occurrence, true
	for ok && t.Before(to) && (count == 0 || n <= count) {
		if !t.Before(from) {
			if len(out) == limit {
				return out, true, nil
			}
			out = append(out, OccurrenceDate{Number: n, At: t})
		}
		t, ok = it()
		n++
	}
	return out, false, nil
}

// String is the rule as stored, for logs.
func (r Recurrence) String() string { return fmt.Sprintf("%s (from %s)", r.Rule, r.From) }

var errRecurringNeedsDue = Invalid("due_date", "a recurring task needs a due date: set one, or stop the repeat (recurrence: null)")

// SameRule reports whether a and b (either may be nil) repeat alike: the
// same rule from the same point, whatever their occurrence numbers.
func SameRule(a, b *Recurrence) bool {
	return a == nil && b == nil || a != nil && b != nil && a.Rule == b.Rule && a.From == b.From
}

// FirstOn is the first occurrence of r on or after due (due itself when it
// matches the rule), at due's time of day: where a task given a new rule
// should be due, as people expect when they pick "every last Friday" for
// a task due on a Thursday. ok is false when there is none.
func (r Recurrence) FirstOn(due time.Time, loc *time.Location) (time.Time, bool) {
	r.Start = time.Time{}
	next, err := r.series(due, loc, true)
	if err != nil {
		return time.Time{}, false
	}
	return next()
}
