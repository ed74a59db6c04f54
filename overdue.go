package taskapi

import "time"

// OverdueCut is the one rule for "overdue", which the lists, the stats,
// the API and the web app all apply: an open task (TODO or IN_PROGRESS)
// is overdue once its due date has passed, except that a due date at
// exactly 00:00 in the person's time zone means that whole day (an
// all-day task, as quick add's "today" or "friday" sets it): such a task is
// overdue from the next day on, not from the first second of its day.
type OverdueCut struct {
	// Now is the moment: due dates before it have passed...
	Now time.Time
	// AllDay is 00:00 today in the person's time zone: a due date at it
	// has not passed yet.
	AllDay time.Time
}

// NewOverdueCut is the rule at now, for a person in loc (UTC when nil).
func NewOverdueCut(now time.Time, loc *time.Location) OverdueCut {
	if loc == nil {
		loc = time.UTC
	}
	y, m, d := now.In(loc).Date()
	return OverdueCut{Now: now.UTC(), AllDay: time.Date(y, m, d, 0, 0, 0, 0, loc).UTC()}
}

// Passed reports whether a due date has passed by the rule. The store's
// SQL says the same: due_date < Now AND due_date <> AllDay.
func (c OverdueCut) Passed(due time.Time) bool {
	return due.Before(c.Now) && !due.Equal(c.AllDay)
}

// Overdue reports whether t is overdue: open, with a due date that has
// passed.
func (c OverdueCut) Overdue(t Task) bool {
	return (t.Status == StatusTodo || t.Status == StatusInProgress) && t.DueDate != nil && c.Passed(*t.DueDate)
}

// OverdueCut is the window's rule for overdue: at Now, with today's 00:00
// in its zone as the all-day due date.
func (w StatsWindow) OverdueCut() OverdueCut {
	return OverdueCut{Now: w.Now, AllDay: w.TodayStart}
}
