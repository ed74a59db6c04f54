// Package calendar writes a user's tasks as an iCalendar (RFC 5545)
// document, with github.com/arran4/golang-ical, for calendar apps that
// subscribe to a feed: a VTODO for each task, and a VEVENT at its due
// date so that calendars that ignore VTODO (most do) show it too.
package calendar

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	ics "github.com/arran4/golang-ical"

	"github.com/taskapi/taskapi"
)

// Feed is what a calendar document shows.
type Feed struct {
	// Name is the calendar's name in the app ("taskapi · Work").
	Name string
	// Host makes the UIDs globally unique ("taskapi.example.com").
	Host string
	// TaskURL links an item to the task in the web app; "" for none.
	TaskURL func(taskapi.Task) string
	// Loc is the owner's time zone: a task due at 00:00 there is due on
	// that day, with no time, and shows as an all-day event.
	Loc   *time.Location
	Tasks []Item
}

// Item is one task and what the document says of it beyond its fields.
// A recurring task (Task.Recurrence) is a series from its current due
// date (seriesRule).
type Item struct {
	Task taskapi.Task
	// Categories are its category's name and its tags' names.
	Categories []string
}

// EventLength is how long a timed task's event lasts in the calendar: a
// due date is a moment, and a calendar needs a span to draw.
const EventLength = 30 * time.Minute

// Write renders the feed. The document is a pure function of the tasks
// (DTSTAMP is each task's last change, as RFC 5545 allows for a calendar
// without METHOD), so the same tasks give the same bytes and the same
// ETag, and a calendar app's poll is a 304.
func Write(f Feed) ([]byte, error) {
	cal := ics.NewCalendarFor("taskapi")
	cal.SetProductId("-//taskapi//Task calendar//EN")
	cal.SetCalscale("GREGORIAN")
	cal.SetName(f.Name)
	cal.SetXWRCalName(f.Name)
	// Calendar apps that honour them poll this often.
	cal.SetRefreshInterval("PT15M")
	cal.SetXPublishedTTL("PT15M")
	zoneAdded := false
	for _, it := range f.Tasks {
		if it.Task.DueDate == nil {
			continue
		}
		if f.zoned(it) && !zoneAdded {
			// Before the first component that names it; its rules are
			// those of the first series' year.
			addTimezone(cal, f.Loc, it.Task.DueDate.In(f.Loc).Year())
			zoneAdded = true
		}
		addTodo(cal, f, it)
		addEvent(cal, f, it)
	}
	var b bytes.Buffer
	if err := cal.SerializeTo(&b); err != nil {
		return nil, fmt.Errorf("write calendar: %w", err)
	}
	return b.Bytes(), nil
}

// allDay reports whether due is a day without a time in loc (00:00), as
// the web app reads it too.
func allDay(due time.Time, loc *time.Location) bool {
	l := due.In(loc)
	return l.Hour() == 0 && l.Minute() == 0 && l.Second() == 0
}

// common sets what a task's VTODO and VEVENT share.
func common(c *ics.ComponentBase, f Feed, it Item) {
	t := it.Task
	c.SetDtStampTime(t.UpdatedAt)
	c.SetCreatedTime(t.CreatedAt)
	c.SetModifiedAt(t.UpdatedAt)
	// The version grows with every change: apps that compare SEQUENCE
	// take the newer copy.
	c.SetSequence(int(t.Version))
	c.SetSummary(oneLine(t.Title))
	if t.Description != nil && strings.TrimSpace(*t.Description) != "" {
		c.SetDescription(strings.ReplaceAll(*t.Description, "\r\n", "\n"))
	}
	if f.TaskURL != nil {
		if u := f.TaskURL(t); u != "" {
			c.SetURL(u)
		}
	}
	// One CATEGORIES line each: a comma inside a name stays in the name.
	for _, name := range it.Categories {
		c.AddCategory(name)
	}
	if rule := seriesRule(it.Task, f.Loc); rule != "" {
		c.AddRrule(rule)
	}
}

// zoned reports whether an item's times are written on the owner's wall
// clock with a TZID: a timed series in a zone other than UTC, whose
// occurrences keep their time of day across DST as the server's do. Other
// times are instants in UTC.
func (f Feed) zoned(it Item) bool {
	return seriesRule(it.Task, f.Loc) != "" && f.Loc != time.UTC && !allDay(*it.Task.DueDate, f.Loc)
}

// setTime sets a date-time property of an item: on the wall clock with
// TZID when the item is zoned, else in UTC.
func (f Feed) setTime(c *ics.ComponentBase, p ics.ComponentProperty, t time.Time, it Item) {
	if f.zoned(it) {
		c.SetProperty(p, t.In(f.Loc).Format("20060102T150405"), ics.WithTZID(f.Loc.String()))
		return
	}
	c.SetProperty(p, t.UTC().Format("20060102T150405Z"))
}

// seriesRule is the RRULE of a recurring task's series from its current
// due date: the task's rule with COUNT lowered by the occurrences already
// past and UNTIL in the form its start takes (a date for an all-day
// series, UTC otherwise). "" for a task that does not repeat, and for one
// that repeats from its completion, whose next dates nobody knows yet:
// its current occurrence alone is shown.
func seriesRule(t taskapi.Task, loc *time.Location) string {
	r := t.Recurrence
	if r == nil || r.From != taskapi.RepeatFromDue || t.DueDate == nil {
		return ""
	}
	var parts []string
	for _, p := range strings.Split(r.Rule, ";") {
		if p != "" && !strings.HasPrefix(p, "COUNT=") && !strings.HasPrefix(p, "UNTIL=") {
			parts = append(parts, p)
		}
	}
	if n := r.Count(); n > 0 {
		left := n - max(r.Occurrence, 1) + 1
		if left < 1 {
			return ""
		}
		parts = append(parts, fmt.Sprintf("COUNT=%d", left))
	}
	if u := r.Until(loc); u != nil {
		if allDay(*t.DueDate, loc) {
			parts = append(parts, "UNTIL="+u.In(loc).Format("20060102"))
		} else {
			parts = append(parts, "UNTIL="+u.UTC().Format("20060102T150405Z"))
		}
	}
	return strings.Join(parts, ";")
}

func addTodo(cal *ics.Calendar, f Feed, it Item) {
	t := it.Task
	todo := cal.AddTodo(t.ID.String() + "@" + f.Host)
	common(&todo.ComponentBase, f, it)
	switch {
	case allDay(*t.DueDate, f.Loc):
		todo.SetAllDayDueAt(t.DueDate.In(f.Loc))
		if seriesRule(t, f.Loc) != "" {
			// A recurring VTODO needs a DTSTART for its rule.
			todo.SetAllDayStartAt(t.DueDate.In(f.Loc))
		}
	default:
		f.setTime(&todo.ComponentBase, ics.ComponentPropertyDue, *t.DueDate, it)
		if seriesRule(t, f.Loc) != "" {
			f.setTime(&todo.ComponentBase, ics.ComponentPropertyDtStart, *t.DueDate, it)
		}
	}
	todo.SetPriority(icalPriority(t.Priority))
	switch t.Status {
	case taskapi.StatusCompleted:
		todo.SetStatus(ics.ObjectStatusCompleted)
		todo.SetPercentComplete(100)
		if t.CompletedAt != nil {
			todo.SetCompletedAt(*t.CompletedAt)
		}
	case taskapi.StatusInProgress:
		todo.SetStatus(ics.ObjectStatusInProcess)
	default:
		todo.SetStatus(ics.ObjectStatusNeedsAction)
	}
}

func addEvent(cal *ics.Calendar, f Feed, it Item) {
	t := it.Task
	// Its own UID: a VEVENT and a VTODO are different objects to a
	// calendar, and one UID for both would make some apps drop one.
	ev := cal.AddEvent(t.ID.String() + "-due@" + f.Host)
	common(&ev.ComponentBase, f, it)
	if t.Status == taskapi.StatusCompleted {
		// A calendar has no "done" for an event: the title says it.
		ev.SetSummary("✓ " + oneLine(t.Title))
	}
	if allDay(*t.DueDate, f.Loc) {
		day := t.DueDate.In(f.Loc)
		ev.SetAllDayStartAt(day)
		ev.SetAllDayEndAt(day.AddDate(0, 0, 1))
	} else {
		f.setTime(&ev.ComponentBase, ics.ComponentPropertyDtStart, *t.DueDate, it)
		f.setTime(&ev.ComponentBase, ics.ComponentPropertyDtEnd, t.DueDate.Add(EventLength), it)
	}
	ev.SetStatus(ics.ObjectStatusConfirmed)
	// A task does not make its owner busy.
	ev.SetTimeTransparency(ics.TransparencyTransparent)
}

// icalPriority maps a priority to RFC 5545's 1 (highest) to 9 (lowest).
func icalPriority(p taskapi.Priority) int {
	switch p {
	case taskapi.PriorityUrgent:
		return 1
	case taskapi.PriorityHigh:
		return 3
	case taskapi.PriorityLow:
		return 9
	}
	return 5
}

// oneLine keeps a summary on one line: titles have no line breaks by the
// domain's rules, but a calendar app would show one badly.
func oneLine(s string) string {
	return lineBreaks.Replace(s)
}

var lineBreaks = strings.NewReplacer("\r\n", " ", "\r", " ", "\n", " ")
