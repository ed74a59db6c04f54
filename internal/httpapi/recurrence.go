package httpapi

import (
	"context"
	"reflect"

	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/taskapi/taskapi"
	"github.com/taskapi/taskapi/internal/store"
)

// RecurrenceInput makes a task repeat.
type RecurrenceInput struct {
	Rule string `json:"rule" minLength:"1" maxLength:"300" example:"FREQ=WEEKLY;BYDAY=MO,TH" doc:"An RFC 5545 RRULE: FREQ DAILY, WEEKLY, MONTHLY or YEARLY, with INTERVAL, BYDAY (1MO, -1FR), BYMONTHDAY (negative from the month's end), BYMONTH, BYSETPOS, BYWEEKNO, BYYEARDAY, WKST, and COUNT or UNTIL. No DTSTART (the series starts at the due date) and no BYHOUR/BYMINUTE/BYSECOND (the time of day is the due date's). Computed on the wall clock of the owner's time zone: 09:00 stays 09:00 across DST, and a day a month does not have (the 31st) skips that month."`
	From string `json:"repeat_from,omitempty" enum:"due,completion" default:"due" doc:"due: the next date follows the schedule; completion: it counts from the day the task is completed (\"every! 3 days\")"`
}

// RecurrencePatch is the recurrence of a PATCH: an object, or null to
// stop the repeat. Its schema is RecurrenceInput's inline, made nullable
// (huma cannot make a shared schema nullable).
type RecurrencePatch struct {
	Optional[RecurrenceInput]
}

// Schema implements huma.SchemaProvider.
func (RecurrencePatch) Schema(r huma.Registry) *huma.Schema {
	s := *r.Schema(reflect.TypeFor[RecurrenceInput](), false, "")
	s.Nullable = true
	return &s
}

// RecurrenceBody is a task's recurrence as the API shows it.
type RecurrenceBody struct {
	Rule       string `json:"rule" doc:"The RRULE, normalised (upper case, without RRULE:)"`
	From       string `json:"repeat_from" enum:"due,completion"`
	Occurrence int    `json:"occurrence" doc:"Read-only: the number of the current occurrence (the due date), from 1; counts towards COUNT"`
}

func recurrenceBody(r *taskapi.Recurrence) *RecurrenceBody {
	if r == nil {
		return nil
	}
	return &RecurrenceBody{Rule: r.Rule, From: string(r.From), Occurrence: r.Occurrence}
}

func parseRecurrence(in RecurrenceInput) (taskapi.Recurrence, error) {
	return taskapi.ParseRecurrence(in.Rule, in.From)
}

// SkipTaskInput is POST /tasks/{id}/skip.
type SkipTaskInput struct {
	TaskPath
	IfMatchHeader
	precondition
	Body *struct {
		Occurrence *time.Time `json:"occurrence,omitempty" doc:"The due date of the occurrence to skip, as read: when the task has moved on from it already, nothing changes and the task is answered as it is, so a retried skip never skips twice"`
	}
}

func (s *server) skipTask(ctx context.Context, caller taskapi.Principal, in *SkipTaskInput) (*TaskOutput, error) {
	id, err := parseUUID("path.id", in.ID)
	if err != nil {
		return nil, err
	}
	var occurrence *time.Time
	if in.Body != nil && in.Body.Occurrence != nil {
		o := clientTime(*in.Body.Occurrence)
		occurrence = &o
	}
	t, err := s.store.SkipTask(ctx, caller.User.ID, id, occurrence, in.ifMatch())
	if err != nil {
		return nil, err
	}
	return taskOutput(t), nil
}

// CompletionBody is one completion of a recurring task.
type CompletionBody struct {
	ID          string    `json:"id" format:"uuid"`
	Occurrence  int       `json:"occurrence" doc:"The number of the occurrence completed, from 1"`
	DueDate     time.Time `json:"due_date" doc:"The due date of the occurrence completed"`
	CompletedAt time.Time `json:"completed_at" doc:"When it was completed"`
}

func completionBody(c store.Completion) CompletionBody {
	return CompletionBody{ID: c.ID.String(), Occurrence: c.Occurrence, DueDate: c.DueDate, CompletedAt: c.CompletedAt}
}

// ListCompletionsInput is GET /tasks/{id}/completions.
type ListCompletionsInput struct {
	TaskPath
	PageInput
}

// CompletionListOutput is a page of completions.
type CompletionListOutput struct {
	Body struct {
		Items      []CompletionBody `json:"items"`
		NextCursor *string          `json:"next_cursor" doc:"Cursor of the next page; null on the last page"`
	}
}

func (s *server) listCompletions(ctx context.Context, caller taskapi.Principal, in *ListCompletionsInput) (*CompletionListOutput, error) {
	id, err := parseUUID("path.id", in.ID)
	if err != nil {
		return nil, err
	}
	out := &CompletionListOutput{}
	out.Body.Items, out.Body.NextCursor, err = listPage(s, caller, scope("completions", id.String()), in.Cursor, in.Limit,
		func(p store.Page) ([]store.Completion, store.Position, error) {
			return s.store.ListCompletions(ctx, caller.User.ID, id, p)
		}, completionBody)
	return out, err
}

// maxOccurrenceWindow bounds the span one list of occurrences covers.
const maxOccurrenceWindow = 5 * 366 * 24 * time.Hour

// ListOccurrencesInput is GET /tasks/{id}/occurrences.
type ListOccurrencesInput struct {
	TaskPath
	From  time.Time `query:"from" doc:"Start of the span (RFC 3339, included); default now"`
	To    time.Time `query:"to" doc:"End of the span (excluded); default a year after from; at most 5 years after it"`
	Limit int       `query:"limit" default:"20" minimum:"1" maximum:"100" doc:"At most this many occurrences"`
}

// OccurrenceBody is one coming occurrence.
type OccurrenceBody struct {
	Occurrence int       `json:"occurrence" doc:"Its number in the series, from 1"`
	DueDate    time.Time `json:"due_date"`
}

// OccurrenceListOutput lists coming occurrences.
type OccurrenceListOutput struct {
	Body struct {
		Items []OccurrenceBody `json:"items" doc:"The current occurrence (the due date) and the next ones, in order"`
		// NextFrom pages through a long span: the from of the next list.
		NextFrom *time.Time `json:"next_from" doc:"When the list was cut at limit: the from that lists the next ones; null otherwise"`
	}
}

func (s *server) listOccurrences(ctx context.Context, caller taskapi.Principal, in *ListOccurrencesInput) (*OccurrenceListOutput, error) {
	id, err := parseUUID("path.id", in.ID)
	if err != nil {
		return nil, err
	}
	from, to := clientTime(in.From), clientTime(in.To)
	if in.From.IsZero() {
		from = s.store.Now()
	}
	if in.To.IsZero() {
		to = from.AddDate(1, 0, 0)
	}
	switch {
	case !from.Before(to):
		return nil, taskapi.Invalid("query.to", "must be after from")
	case to.Sub(from) > maxOccurrenceWindow:
		return nil, taskapi.Invalid("query.to", "must be at most 5 years after from")
	}
	items, more, err := s.store.TaskOccurrences(ctx, caller.User.ID, id, from, to, in.Limit)
	if err != nil {
		return nil, err
	}
	out := &OccurrenceListOutput{}
	out.Body.Items = make([]OccurrenceBody, len(items))
	for i, o := range items {
		out.Body.Items[i] = OccurrenceBody{Occurrence: o.Number, DueDate: o.At}
	}
	if more {
		next := items[len(items)-1].At.Add(time.Microsecond)
		out.Body.NextFrom = &next
	}
	return out, nil
}

// DayCountBody is a count for one local day.
type DayCountBody struct {
	Date  string `json:"date" example:"2026-12-03" doc:"The day, in the time zone asked for"`
	Count int64  `json:"count"`
}

func dayCounts(days []taskapi.DayCount, loc *time.Location) []DayCountBody {
	out := make([]DayCountBody, len(days))
	for i, d := range days {
		out[i] = DayCountBody{Date: d.Day.In(loc).Format(time.DateOnly), Count: d.Count}
	}
	return out
}
