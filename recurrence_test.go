package taskapi_test

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/taskapi/taskapi"
)

func zone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// local is a wall-clock time in loc, as an instant in UTC.
func local(loc *time.Location, y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, loc).UTC()
}

// TestRecurrenceOccurrences checks rules against dates worked out by hand
// from a calendar: DST changes, leap days, month ends, BYSETPOS.
func TestRecurrenceOccurrences(t *testing.T) {
	paris, ny := zone(t, "Europe/Paris"), zone(t, "America/New_York")
	cases := []struct {
		name string
		rule string
		loc  *time.Location
		due  time.Time
		want []time.Time // the due date, then the next ones
	}{
		{"weekly across Paris spring forward", "FREQ=WEEKLY;BYDAY=MO", paris, local(paris, 2026, 3, 23, 9, 0),
			[]time.Time{local(paris, 2026, 3, 23, 9, 0), local(paris, 2026, 3, 30, 9, 0), local(paris, 2026, 4, 6, 9, 0)}},
		{"weekly across Paris fall back", "FREQ=WEEKLY;BYDAY=MO", paris, local(paris, 2026, 10, 19, 9, 0),
			[]time.Time{local(paris, 2026, 10, 19, 9, 0), local(paris, 2026, 10, 26, 9, 0), local(paris, 2026, 11, 2, 9, 0)}},
		{"daily across New York spring forward", "FREQ=DAILY", ny, local(ny, 2026, 3, 7, 8, 30),
			[]time.Time{local(ny, 2026, 3, 7, 8, 30), local(ny, 2026, 3, 8, 8, 30), local(ny, 2026, 3, 9, 8, 30)}},
		{"02:30 in New York, a time spring forward skips", "FREQ=DAILY", ny, local(ny, 2027, 3, 13, 2, 30),
			[]time.Time{local(ny, 2027, 3, 13, 2, 30), local(ny, 2027, 3, 14, 3, 30), local(ny, 2027, 3, 15, 2, 30)}},
		{"02:30 in Paris, a time spring forward skips", "FREQ=DAILY", paris, local(paris, 2027, 3, 27, 2, 30),
			[]time.Time{local(paris, 2027, 3, 27, 2, 30), local(paris, 2027, 3, 28, 3, 30), local(paris, 2027, 3, 29, 2, 30)}},
		{"01:30 in New York, a time fall back repeats: the first", "FREQ=DAILY", ny, local(ny, 2027, 11, 6, 1, 30),
			[]time.Time{local(ny, 2027, 11, 6, 1, 30), time.Date(2027, 11, 7, 5, 30, 0, 0, time.UTC), local(ny, 2027, 11, 8, 1, 30)}},
		{"daily across New York fall back", "FREQ=DAILY", ny, local(ny, 2026, 10, 31, 23, 0),
			[]time.Time{local(ny, 2026, 10, 31, 23, 0), local(ny, 2026, 11, 1, 23, 0), local(ny, 2026, 11, 2, 23, 0)}},
		{"leap day", "FREQ=YEARLY;BYMONTHDAY=29;BYMONTH=2", paris, local(paris, 2028, 2, 29, 10, 0),
			[]time.Time{local(paris, 2028, 2, 29, 10, 0), local(paris, 2032, 2, 29, 10, 0), local(paris, 2036, 2, 29, 10, 0)}},
		{"monthly on the 31st skips short months", "FREQ=MONTHLY;BYMONTHDAY=31", paris, local(paris, 2027, 1, 31, 9, 0),
			[]time.Time{local(paris, 2027, 1, 31, 9, 0), local(paris, 2027, 3, 31, 9, 0), local(paris, 2027, 5, 31, 9, 0)}},
		{"last day of the month", "FREQ=MONTHLY;BYMONTHDAY=-1", paris, local(paris, 2027, 1, 31, 9, 0),
			[]time.Time{local(paris, 2027, 1, 31, 9, 0), local(paris, 2027, 2, 28, 9, 0), local(paris, 2027, 3, 31, 9, 0)}},
		{"last weekday of the month", "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1", paris, local(paris, 2026, 1, 30, 17, 0),
			[]time.Time{local(paris, 2026, 1, 30, 17, 0), local(paris, 2026, 2, 27, 17, 0), local(paris, 2026, 3, 31, 17, 0)}},
		{"last friday", "FREQ=MONTHLY;BYDAY=-1FR", ny, local(ny, 2026, 10, 30, 9, 0),
			[]time.Time{local(ny, 2026, 10, 30, 9, 0), local(ny, 2026, 11, 27, 9, 0), local(ny, 2026, 12, 25, 9, 0)}},
		{"first monday", "FREQ=MONTHLY;BYDAY=1MO", paris, local(paris, 2026, 12, 7, 9, 0),
			[]time.Time{local(paris, 2026, 12, 7, 9, 0), local(paris, 2027, 1, 4, 9, 0), local(paris, 2027, 2, 1, 9, 0)}},
		{"every 2 weeks on mon and thu", "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH", paris, local(paris, 2026, 12, 3, 8, 0),
			[]time.Time{local(paris, 2026, 12, 3, 8, 0), local(paris, 2026, 12, 14, 8, 0), local(paris, 2026, 12, 17, 8, 0), local(paris, 2026, 12, 28, 8, 0)}},
		{"count", "FREQ=DAILY;COUNT=2", paris, local(paris, 2026, 12, 3, 8, 0),
			[]time.Time{local(paris, 2026, 12, 3, 8, 0), local(paris, 2026, 12, 4, 8, 0)}},
		{"until a date includes that day", "FREQ=WEEKLY;UNTIL=20261217", paris, local(paris, 2026, 12, 3, 20, 0),
			[]time.Time{local(paris, 2026, 12, 3, 20, 0), local(paris, 2026, 12, 10, 20, 0), local(paris, 2026, 12, 17, 20, 0)}},
		{"until an instant", "FREQ=DAILY;UNTIL=20261205T070000Z", paris, local(paris, 2026, 12, 3, 8, 0),
			[]time.Time{local(paris, 2026, 12, 3, 8, 0), local(paris, 2026, 12, 4, 8, 0), local(paris, 2026, 12, 5, 8, 0)}},
		{"yearly", "FREQ=YEARLY", ny, local(ny, 2026, 12, 3, 8, 0),
			[]time.Time{local(ny, 2026, 12, 3, 8, 0), local(ny, 2027, 12, 3, 8, 0)}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, err := taskapi.ParseRecurrence(c.rule, "")
			if err != nil {
				t.Fatal(err)
			}
			if err := r.Check(c.due, c.loc); err != nil {
				t.Fatal(err)
			}
			got, _, err := r.Occurrences(c.due, c.due, c.due.AddDate(20, 0, 0), len(c.want), c.loc)
			if err != nil {
				t.Fatal(err)
			}
			dates := make([]time.Time, len(got))
			for i, o := range got {
				dates[i] = o.At
				if o.Number != i+1 {
					t.Errorf("occurrence %d numbered %d", i+1, o.Number)
				}
			}
			if d := cmp.Diff(c.want, dates); d != "" {
				t.Errorf("occurrences (-want +got):\n%s", d)
			}
		})
	}
}

func TestRecurrenceAdvance(t *testing.T) {
	paris := zone(t, "Europe/Paris")
	due := local(paris, 2026, 12, 1, 9, 0) // a Tuesday
	daily, _ := taskapi.ParseRecurrence("FREQ=DAILY", "due")
	// Completed early: the next day of the schedule.
	next, n, ok, err := daily.Advance(due, local(paris, 2026, 11, 30, 12, 0), paris, true)
	if err != nil || !ok || !next.Equal(local(paris, 2026, 12, 2, 9, 0)) || n != 2 {
		t.Errorf("early: %v %d %v %v", next, n, ok, err)
	}
	// Completed two days late: the first occurrence still to come.
	next, n, ok, err = daily.Advance(due, local(paris, 2026, 12, 3, 10, 0), paris, true)
	if err != nil || !ok || !next.Equal(local(paris, 2026, 12, 4, 9, 0)) || n != 4 {
		t.Errorf("late: %v %d %v %v", next, n, ok, err)
	}
	// From completion: three days after the day it was done, at the due time.
	every3, _ := taskapi.ParseRecurrence("FREQ=DAILY;INTERVAL=3", "completion")
	next, _, ok, err = every3.Advance(due, local(paris, 2026, 12, 5, 22, 0), paris, true)
	if err != nil || !ok || !next.Equal(local(paris, 2026, 12, 8, 9, 0)) {
		t.Errorf("from completion: %v %v %v", next, ok, err)
	}
	// A skip of it follows the schedule from the due date.
	next, _, ok, err = every3.Advance(due, local(paris, 2026, 11, 20, 0, 0), paris, false)
	if err != nil || !ok || !next.Equal(local(paris, 2026, 12, 4, 9, 0)) {
		t.Errorf("skip from completion: %v %v %v", next, ok, err)
	}
	// COUNT reached: no next occurrence.
	twice, _ := taskapi.ParseRecurrence("FREQ=DAILY;COUNT=2", "due")
	twice.Occurrence = 2
	if _, _, ok, err := twice.Advance(due, due, paris, true); ok || err != nil {
		t.Errorf("after COUNT: ok %v, %v", ok, err)
	}
}

func TestParseRecurrenceRefuses(t *testing.T) {
	for _, rule := range []string{
		"", "FREQ=SECONDLY", "FREQ=MINUTELY", "FREQ=HOURLY", "FREQ=DAILY;BYHOUR=9", "BYDAY=MO", "FREQ=SOMETIMES",
		"FREQ=DAILY;COUNT=2;UNTIL=20270101", "FREQ=MONTHLY;BYMONTHDAY=32", "FREQ=DAILY\nFREQ=WEEKLY", "DTSTART:20260101T000000Z\nFREQ=DAILY",
		"FREQ=DAILY;INTERVAL=5000",
	} {
		_, err := taskapi.ParseRecurrence(rule, "due")
		var fe *taskapi.FieldError
		if !errors.As(err, &fe) || fe.Field != "recurrence.rule" {
			t.Errorf("%q: %v, want a recurrence.rule error", rule, err)
		}
	}
	if _, err := taskapi.ParseRecurrence("FREQ=DAILY", "whenever"); err == nil {
		t.Error("repeat_from whenever accepted")
	}
	// The due date is the first occurrence: a series that ends the day
	// after it still has one (the due date one second earlier would
	// imply the 28th of February and none).
	once, _ := taskapi.ParseRecurrence("FREQ=YEARLY;UNTIL=20270302", "")
	if err := once.Check(time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC), time.UTC); err != nil {
		t.Errorf("a yearly series from its due date until the next day: %v", err)
	}
	r, err := taskapi.ParseRecurrence(" rrule:freq=weekly;byday=mo ", "")
	if err != nil || r.Rule != "FREQ=WEEKLY;BYDAY=MO" || r.From != taskapi.RepeatFromDue {
		t.Errorf("normalised %+v, %v", r, err)
	}
	paris := zone(t, "Europe/Paris")
	for _, rule := range []string{"FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", "FREQ=DAILY;UNTIL=20200101"} {
		r, err := taskapi.ParseRecurrence(rule, "")
		if err != nil {
			t.Fatal(err)
		}
		if err := r.Check(local(paris, 2026, 12, 3, 9, 0), paris); err == nil {
			t.Errorf("%s: no occurrence, yet accepted", rule)
		}
	}
}

func TestRecurrenceWords(t *testing.T) {
	paris := zone(t, "Europe/Paris")
	due := local(paris, 2026, 12, 3, 9, 0) // a Thursday
	for rule, want := range map[string]string{
		"FREQ=DAILY":                                    "Every day",
		"FREQ=DAILY;INTERVAL=3":                         "Every 3 days",
		"FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR":              "Every weekday",
		"FREQ=WEEKLY;BYDAY=SU,SA":                       "Every weekend",
		"FREQ=WEEKLY":                                   "Every week on Thu",
		"FREQ=WEEKLY;INTERVAL=2;BYDAY=TH,MO":            "Every 2 weeks on Mon, Thu",
		"FREQ=MONTHLY;BYDAY=-1FR":                       "Monthly on the last Friday",
		"FREQ=MONTHLY;BYDAY=1MO":                        "Monthly on the 1st Monday",
		"FREQ=MONTHLY;BYMONTHDAY=15":                    "Monthly on the 15th",
		"FREQ=MONTHLY;BYMONTHDAY=-1":                    "Monthly on the last day",
		"FREQ=MONTHLY":                                  "Monthly on the 3rd",
		"FREQ=MONTHLY;INTERVAL=2;BYMONTHDAY=31":         "Every 2 months on the 31st",
		"FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1": "Monthly on the last weekday",
		"FREQ=YEARLY":                                   "Yearly on 3 Dec",
		"FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29":           "Yearly on 29 Feb",
		"FREQ=DAILY;COUNT=5":                            "Every day, 5 times",
		"FREQ=WEEKLY;BYDAY=MO;UNTIL=20270131":           "Every week on Mon, until 31 Jan 2027",
		"FREQ=YEARLY;BYWEEKNO=20":                       "Repeats (custom rule)",
	} {
		r, err := taskapi.ParseRecurrence(rule, "")
		if err != nil {
			t.Fatal(err)
		}
		if got := r.Words(due, paris); got != want {
			t.Errorf("%s: %q, want %q", rule, got, want)
		}
	}
	r, _ := taskapi.ParseRecurrence("FREQ=DAILY;INTERVAL=3", "completion")
	if got := r.Words(due, paris); got != "Every 3 days after completion" {
		t.Errorf("from completion: %q", got)
	}
}

func TestRecurrenceFirstOn(t *testing.T) {
	paris := zone(t, "Europe/Paris")
	thu := local(paris, 2026, 12, 10, 9, 0)
	r, _ := taskapi.ParseRecurrence("FREQ=MONTHLY;BYDAY=-1FR", "")
	if got, ok := r.FirstOn(thu, paris); !ok || !got.Equal(local(paris, 2026, 12, 25, 9, 0)) {
		t.Errorf("last Friday from Thu 10 Dec: %v %v", got, ok)
	}
	daily, _ := taskapi.ParseRecurrence("FREQ=DAILY", "")
	if got, ok := daily.FirstOn(thu, paris); !ok || !got.Equal(thu) {
		t.Errorf("daily from a due date: %v %v, want the due date itself", got, ok)
	}
}
