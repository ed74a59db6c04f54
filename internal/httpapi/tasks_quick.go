package httpapi

import (
	"context"
	"net/http"
	"time"
	"unicode/utf8"

	"github.com/taskapi/taskapi"
	"github.com/taskapi/taskapi/internal/store"
)

// QuickTaskInput is one line to turn into a task.
type QuickTaskInput struct {
	Body struct {
		Text     string           `json:"text" minLength:"1" maxLength:"500" doc:"One line such as \"Pay rent tomorrow 9am !high #Home\": a day (today, tomorrow, friday, next friday, in 3 days, 2026-12-24, dec 24), a time (9am, 17:00), a priority (!low…!urgent or p1…p4), #Category or #\"Deep Work\" (one of yours) and tags @name or @\"long name\" (yours) are recognised; the rest is the title" example:"Pay rent tomorrow 9am !high #Home"`
		DryRun   bool             `json:"dry_run,omitempty" doc:"Only parse: answer 200 with what was recognised, create nothing"`
		Declined []QuickRangeBody `json:"declined,omitempty" maxItems:"20" doc:"Parts of the text to keep as plain title text, unrecognised: spans of an earlier parse of the same text that the person turned back into words (\"Read Tomorrow by Sam\")"`
	}
}

// QuickRangeBody is a part of the text, as a span's offsets give it.
type QuickRangeBody struct {
	Start int `json:"start" minimum:"0" doc:"Offset of the part in the text, in characters (Unicode code points)"`
	End   int `json:"end" minimum:"0" doc:"Offset just after the part, in characters"`
}

// QuickSpanBody is one recognised part of the text.
type QuickSpanBody struct {
	Start int    `json:"start" doc:"Offset of the part in the text, in characters (Unicode code points)"`
	End   int    `json:"end" doc:"Offset just after the part, in characters"`
	Kind  string `json:"kind" enum:"due,priority,category,recurrence,tag"`
	Text  string `json:"text"`
}

// QuickTaskBody is the parse of a quick-add line and, unless dry_run, the
// task created from it.
type QuickTaskBody struct {
	Title      string          `json:"title" doc:"What is left of the text once the recognised parts are taken out"`
	DueDate    *time.Time      `json:"due_date" doc:"In UTC; computed in the user's time zone"`
	Priority   string          `json:"priority" enum:"LOW,MEDIUM,HIGH,URGENT"`
	CategoryID *string         `json:"category_id" format:"uuid"`
	Recurrence *RecurrenceBody `json:"recurrence" doc:"The repeat phrase's rule (\"every monday 9am\", \"every! 3 days\"); null when there is none"`
	TagIDs     []string        `json:"tag_ids" doc:"The tags named with @, in the order of the text"`
	Spans      []QuickSpanBody `json:"spans" doc:"The recognised parts, in order"`
	Task       *TaskBody       `json:"task,omitempty" doc:"The task created (absent with dry_run)"`
}

// QuickTaskOutput answers 201 with the task, or 200 for a dry run.
type QuickTaskOutput struct {
	Status   int
	Location string `header:"Location" doc:"URL of the new task (not on dry_run)"`
	ETag     string `header:"ETag" doc:"Strong validator of the new task (not on dry_run)"`
	Body     QuickTaskBody
}

// quickTask parses a line with the domain's quick-add parser, in the
// caller's time zone and against the caller's categories, and creates
// the task, as the web app's quick add does.
func (s *server) quickTask(ctx context.Context, caller taskapi.Principal, in *QuickTaskInput) (*QuickTaskOutput, error) {
	cats, _, err := s.store.ListCategories(ctx, caller.User.ID, store.Page{Limit: 1000})
	if err != nil {
		return nil, err
	}
	text := in.Body.Text
	keep := make([]taskapi.QuickRange, 0, len(in.Body.Declined))
	for _, d := range in.Body.Declined {
		keep = append(keep, taskapi.QuickRange{Start: runeOffset(text, d.Start), End: runeOffset(text, d.End)})
	}
	tags, _, err := s.store.ListTags(ctx, caller.User.ID, store.Page{Limit: 1000})
	if err != nil {
		return nil, err
	}
	qa := taskapi.ParseQuickAddKeeping(text, keep, s.now(), caller.User.Location(), taskapi.CategoryNames(cats), taskapi.TagNames(tags)...)
	if err := taskapi.ValidateQuickAdd(text, qa); err != nil {
		return nil, err
	}
	t := qa.Task(cats)
	t.Tags = qa.TaskTags(tags)
	out := &QuickTaskOutput{Status: http.StatusOK, Body: QuickTaskBody{Title: t.Title, DueDate: t.DueDate, Priority: string(t.Priority),
		Spans: make([]QuickSpanBody, 0, len(qa.Spans)), TagIDs: make([]string, len(t.Tags))}}
	for i, tag := range t.Tags {
		out.Body.TagIDs[i] = tag.ID.String()
	}
	if t.CategoryID != nil {
		id := t.CategoryID.String()
		out.Body.CategoryID = &id
	}
	out.Body.Recurrence = recurrenceBody(t.Recurrence)
	for _, sp := range qa.Spans {
		out.Body.Spans = append(out.Body.Spans, QuickSpanBody{Start: utf8.RuneCountInString(text[:sp.Start]),
			End: utf8.RuneCountInString(text[:sp.End]), Kind: string(sp.Kind), Text: sp.Text})
	}
	if in.Body.DryRun {
		if err := t.Validate(); err != nil {
			return nil, err
		}
		return out, nil
	}
	created, _, err := s.store.CreateTask(ctx, caller.User.ID, t, nil)
	if err != nil {
		return nil, err
	}
	body := taskBody(created)
	out.Status, out.Location, out.ETag, out.Body.Task = http.StatusCreated, taskLocation(created.ID), taskETag(created), &body
	return out, nil
}

// runeOffset is the byte offset in s of its n-th character; len(s)+1 past
// its end, which the parser ignores as a range.
func runeOffset(s string, n int) int {
	c := 0
	for i := range s {
		if c == n {
			return i
		}
		c++
	}
	if c == n {
		return len(s)
	}
	return len(s) + 1
}
