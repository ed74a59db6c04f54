package taskapi

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
)

// Reminder is a moment at which the owner of a task is reminded of it: a
// fixed instant (At), or an offset from the task's due date (Relative),
// which moves with the due date. Exactly one of At and Relative is set.
type Reminder struct {
	ID       uuid.UUID
	At       *time.Time
	Relative *Offset
	// FireAt is when the reminder goes off, in UTC: At, or the due date
	// moved by Relative in the owner's time zone; nil for a relative
	// reminder of a task without a due date (it sleeps until one is set).
	FireAt *time.Time
	State  ReminderState
	// SentAt is when it went off, for a SENT reminder.
	SentAt *time.Time
}

// ReminderState is where a reminder stands.
type ReminderState string

// The states of a reminder. A PENDING reminder goes off at FireAt, once;
// then it is SENT. One whose time was already past when it was set or
// moved, or came while its task was completed or archived, is SKIPPED:
// reminders are never sent late because of an edit.
const (
	ReminderPending ReminderState = "PENDING"
	ReminderSent    ReminderState = "SENT"
	ReminderSkipped ReminderState = "SKIPPED"
)

// Reminder rules.
const (
	// MaxRemindersPerTask bounds the reminders of one task.
	MaxRemindersPerTask = 10
	// MaxReminderOffsetDays bounds an offset from the due date, either way.
	MaxReminderOffsetDays = 365
)

// Same reports whether r and o ask for the same moment (the same At, or
// the same offset), whatever their state.
func (r Reminder) Same(o Reminder) bool {
	switch {
	case r.At != nil && o.At != nil:
		return r.At.Equal(*o.At)
	case r.Relative != nil && o.Relative != nil:
		return *r.Relative == *o.Relative
	}
	return false
}

// Schedule returns when r goes off for a task due at due (nil: none), with
// day offsets counted on the wall clock of loc: "-P1D" before 09:00 is
// 09:00 the day before, across a change to or from summer time too.
func (r Reminder) Schedule(due *time.Time, loc *time.Location) *time.Time {
	switch {
	case r.At != nil:
		t := r.At.UTC().Truncate(time.Microsecond)
		return &t
	case r.Relative != nil && due != nil:
		t := r.Relative.From(*due, loc).UTC().Truncate(time.Microsecond)
		return &t
	}
	return nil
}

// ValidateReminders checks the reminders asked for a task due at due (nil:
// no due date): at most MaxRemindersPerTask, each either absolute or
// relative, relative ones only with a due date, no two alike. Errors name
// the field: "reminders", "reminders[2].relative".
func ValidateReminders(rs []Reminder, due *time.Time) error {
	if len(rs) > MaxRemindersPerTask {
		return Invalid("reminders", "at most %d reminders per task", MaxRemindersPerTask)
	}
	for i, r := range rs {
		field := fmt.Sprintf("reminders[%d]", i)
		switch {
		case (r.At == nil) == (r.Relative == nil):
			return Invalid(field, `must have exactly one of "at" (an instant) and "relative" (an ISO 8601 duration from the due date)`)
		case r.At != nil:
			if err := ValidateInstant(field+".at", *r.At); err != nil {
				return err
			}
		case due == nil:
			return Invalid(field+".relative", "needs a due date: the task has none")
		}
		for j := range i {
			if rs[j].Same(r) {
				return Invalid(field, "is the same as reminders[%d]", j)
			}
		}
	}
	return nil
}

// Offset is a signed ISO 8601 duration from a due date, such as -PT30M
// (30 minutes before) or -P1D (one day before). Days (and weeks, as 7
// days) are calendar days in the owner's time zone; hours, minutes and
// seconds are exact. Years and months are not accepted.
type Offset struct {
	Negative bool
	Days     int
	Time     time.Duration // the part after T, at least 0
}

// ParseOffset reads an ISO 8601 duration with an optional sign:
// [+-]P[nW][nD][T[nH][nM][nS]], whole numbers only. Errors name field.
func ParseOffset(field, s string) (Offset, error) {
	bad := func(why string) (Offset, error) {
		return Offset{}, Invalid(field, "must be an ISO 8601 duration such as -PT30M or -P1D (%s)", why)
	}
	var o Offset
	rest := s
	switch {
	case strings.HasPrefix(rest, "-"):
		o.Negative, rest = true, rest[1:]
	case strings.HasPrefix(rest, "+"):
		rest = rest[1:]
	}
	if !strings.HasPrefix(rest, "P") {
		return bad("it must start with P")
	}
	rest = rest[1:]
	if rest == "" || rest == "T" {
		return bad("it names no amount")
	}
	inTime := false
	order := "WD"
	for rest != "" {
		if rest[0] == 'T' {
			if inTime {
				return bad("T appears twice")
			}
			inTime, order, rest = true, "HMS", rest[1:]
			if rest == "" {
				return bad("nothing follows T")
			}
			continue
		}
		n := 0
		for n < len(rest) && rest[n] >= '0' && rest[n] <= '9' {
			n++
		}
		if n == 0 || n == len(rest) || n > 6 {
			return bad("each amount is a whole number followed by its unit")
		}
		v, _ := strconv.Atoi(rest[:n])
		unit := rest[n]
		i := strings.IndexByte(order, unit)
		if i < 0 {
			if unit == 'Y' || (unit == 'M' && !inTime) {
				return bad("years and months are not supported; use days or weeks")
			}
			return bad(fmt.Sprintf("unit %q is out of place", string(unit)))
		}
		order = order[i+1:]
		switch unit {
		case 'W':
			o.Days += 7 * v
		case 'D':
			o.Days += v
		case 'H':
			o.Time += time.Duration(v) * time.Hour
		case 'M':
			o.Time += time.Duration(v) * time.Minute
		case 'S':
			o.Time += time.Duration(v) * time.Second
		}
		rest = rest[n+1:]
	}
	if time.Duration(o.Days)*24*time.Hour+o.Time > MaxReminderOffsetDays*24*time.Hour {
		return Offset{}, Invalid(field, "must be at most %d days from the due date", MaxReminderOffsetDays)
	}
	if o.Days == 0 && o.Time == 0 {
		o.Negative = false
	}
	return o, nil
}

// String is the offset in the one form the API answers: -P1DT2H, PT0S.
func (o Offset) String() string {
	var b strings.Builder
	if o.Negative {
		b.WriteByte('-')
	}
	b.WriteByte('P')
	if o.Days != 0 {
		b.WriteString(strconv.Itoa(o.Days) + "D")
	}
	if o.Time != 0 || o.Days == 0 {
		b.WriteByte('T')
		h, m, s := int(o.Time/time.Hour), int(o.Time%time.Hour/time.Minute), int(o.Time%time.Minute/time.Second)
		if h != 0 {
			b.WriteString(strconv.Itoa(h) + "H")
		}
		if m != 0 {
			b.WriteString(strconv.Itoa(m) + "M")
		}
		if s != 0 || o.Time == 0 {
			b.WriteString(strconv.Itoa(s) + "S")
		}
	}
	return b.String()
}

// From returns due moved by o, days on the wall clock of loc.
func (o Offset) From(due time.Time, loc *time.Location) time.Time {
	sign := 1
	if o.Negative {
		sign = -1
	}
	t := due.In(loc)
	if o.Days != 0 {
		t = t.AddDate(0, 0, sign*o.Days)
	}
	return t.Add(time.Duration(sign) * o.Time)
}

// Open reports whether a task in status s still wants reminders: not
// COMPLETED nor ARCHIVED.
func (s Status) Open() bool { return s == StatusTodo || s == StatusInProgress }
