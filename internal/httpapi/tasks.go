package httpapi

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/taskapi/taskapi"
)

// TaskBody is a task as the API shows it.
type TaskBody struct {
	ID          string         `json:"id" format:"uuid" doc:"Task ID"`
	Title       string         `json:"title" doc:"1–200 characters"`
	Description *string        `json:"description" doc:"Up to 10,000 characters; null when there is none"`
	Status      string         `json:"status" enum:"TODO,IN_PROGRESS,COMPLETED,ARCHIVED" doc:"Where the task stands"`
	Priority    string         `json:"priority" enum:"LOW,MEDIUM,HIGH,URGENT" doc:"Ordered LOW < MEDIUM < HIGH < URGENT"`
	DueDate     *time.Time     `json:"due_date" doc:"When the task is due (UTC); null when it has no due date"`
	CategoryID  *string        `json:"category_id" format:"uuid" doc:"The task's category; null when it has none"`
	CompletedAt *time.Time     `json:"completed_at" doc:"Read-only: set by the server when the task becomes COMPLETED, cleared when it leaves it"`
	CreatedAt   time.Time      `json:"created_at"`
	UpdatedAt   time.Time      `json:"updated_at"`
	Reminders   []ReminderBody `json:"reminders" doc:"The task's reminders, in the order given"`
	ParentID    *string        `json:"parent_id" format:"uuid" doc:"The task this one is a subtask of; null for a top-level task"`
	Position    int64          `json:"position" doc:"Read-only: orders a subtask among its parent's children (ascending); 0 for a top-level task. Change it with POST /tasks/{id}/move"`
	// The counts are live aggregates, folded into the ETag (taskETag).
	SubtaskCount          int64 `json:"subtask_count" doc:"How many direct subtasks the task has (not their subtasks). Part of the ETag: a conditional GET sees it change; If-Match on a write compares the task's own fields only"`
	CompletedSubtaskCount int64 `json:"completed_subtask_count" doc:"How many of the direct subtasks are COMPLETED. Part of the ETag, as subtask_count"`
	CommentCount          int64 `json:"comment_count" doc:"How many comments the task has (at most 1,000). Part of the ETag, as subtask_count"`
	// Recurrence is set by recurrenceBody (recurrence.go).
	Recurrence *RecurrenceBody `json:"recurrence" doc:"How the task repeats; null when it does not"`

	// Tags are the task's tags (tags.go).
	Tags []TaskTagBody `json:"tags" doc:"The task's tags, by name ignoring case. Part of the ETag, names and colors too, as subtask_count: a tag's rename changes the ETag but not the version that If-Match compares; changing the set changes both"`
}

func taskBody(t taskapi.Task) TaskBody {
	b := TaskBody{
		ID: t.ID.String(), Title: t.Title, Description: t.Description, Status: string(t.Status),
		Priority: string(t.Priority), DueDate: t.DueDate, CompletedAt: t.CompletedAt,
		CreatedAt: t.CreatedAt.UTC(), UpdatedAt: t.UpdatedAt.UTC(), Reminders: reminderBodies(t.Reminders), Position: t.Position,
		SubtaskCount: t.SubtaskCount, CompletedSubtaskCount: t.CompletedSubtaskCount, CommentCount: t.CommentCount,
		Tags: taskTagBodies(t.Tags),
	}
	if t.CategoryID != nil {
		id := t.CategoryID.String()
		b.CategoryID = &id
	}
	if t.ParentID != nil {
		id := t.ParentID.String()
		b.ParentID = &id
	}
	b.Recurrence = recurrenceBody(t.Recurrence)
	return b
}

func taskBodies(ts []taskapi.Task) []TaskBody {
	out := make([]TaskBody, len(ts))
	for i, t := range ts {
		out[i] = taskBody(t)
	}
	return out
}

// TaskPath names one task.
type TaskPath struct {
	ID string `path:"id" format:"uuid" doc:"Task ID"`
}

// TaskOutput is a response holding one task and its ETag.
type TaskOutput struct {
	ETag string `header:"ETag" doc:"Strong validator of this version of the task, for If-Match"`
	Body TaskBody
}

func taskOutput(t taskapi.Task) *TaskOutput {
	return &TaskOutput{ETag: taskETag(t), Body: taskBody(t)}
}

// CreatedTaskOutput is the response to a create.
type CreatedTaskOutput struct {
	ReplayedHeader
	Status   int
	Location string `header:"Location" doc:"URL of the new task"`
	ETag     string `header:"ETag" doc:"Strong validator of the task, for If-Match"`
	Body     TaskBody
}

func taskLocation(id uuid.UUID) string { return apiPrefix + "/tasks/" + id.String() }

// CreateTaskInput is the body of POST /tasks.
type CreateTaskInput struct {
	IdempotencyKeyHeader
	Body struct {
		Title       string          `json:"title" minLength:"1" maxLength:"200" doc:"1–200 characters, not blank"`
		Description *string         `json:"description,omitempty" maxLength:"10000" nullable:"true" doc:"Up to 10,000 characters"`
		Status      string          `json:"status,omitempty" enum:"TODO,IN_PROGRESS,COMPLETED,ARCHIVED" default:"TODO" doc:"COMPLETED sets completed_at"`
		Priority    string          `json:"priority,omitempty" enum:"LOW,MEDIUM,HIGH,URGENT" default:"MEDIUM"`
		DueDate     *time.Time      `json:"due_date,omitempty" nullable:"true" doc:"RFC 3339, in the years 0001–9999 once in UTC; stored in UTC, to the microsecond"`
		CategoryID  *string         `json:"category_id,omitempty" format:"uuid" nullable:"true" doc:"One of your categories (422 otherwise). A subtask without one takes its parent's"`
		Reminders   []ReminderInput `json:"reminders,omitempty" maxItems:"10" doc:"Up to 10 reminders, each {\"at\": instant} or {\"relative\": \"-PT30M\"} (from the due date, which it then needs)"`
		ParentID    *string         `json:"parent_id,omitempty" format:"uuid" nullable:"true" doc:"Makes the task a subtask of one of your tasks (422 otherwise, or when the tree would be more than 4 levels deep); it goes after its siblings"`
		// Recurrence: see recurrence.go.
		Recurrence *RecurrenceInput `json:"recurrence,omitempty" doc:"Makes the task repeat; it needs a due_date, its first occurrence"`
		TagIDs     []string         `json:"tag_ids,omitempty" maxItems:"50" format:"uuid" doc:"Up to 50 of your tags (422 otherwise); a repeated ID counts once. A subtask does not take its parent's tags"`
	}
}

func (s *server) createTask(ctx context.Context, caller taskapi.Principal, in *CreateTaskInput) (*CreatedTaskOutput, error) {
	b := in.Body
	t := taskapi.Task{Title: b.Title, Description: b.Description, Status: taskapi.Status(b.Status),
		Priority: taskapi.Priority(b.Priority)}
	if b.DueDate != nil {
		due := clientTime(*b.DueDate)
		t.DueDate = &due
	}
	if b.CategoryID != nil {
		id, err := parseUUID("category_id", *b.CategoryID)
		if err != nil {
			return nil, err
		}
		t.CategoryID = &id
	}
	rs, err := reminders(b.Reminders)
	if err != nil {
		return nil, err
	}
	t.Reminders = rs
	if t.Tags, err = taskTags(b.TagIDs); err != nil {
		return nil, err
	}
	if b.ParentID != nil {
		id, err := parseUUID("parent_id", *b.ParentID)
		if err != nil {
			return nil, err
		}
		t.ParentID = &id
	}
	if b.Recurrence != nil {
		r, err := parseRecurrence(*b.Recurrence)
		if err != nil {
			return nil, err
		}
		t.Recurrence = &r
	}
	created, replayed, err := s.store.CreateTask(ctx, caller.User.ID, t, in.key())
	return answer(createdTask, created, replayed, err)
}

func createdTask(t taskapi.Task) *CreatedTaskOutput {
	return &CreatedTaskOutput{Status: http.StatusCreated, Location: taskLocation(t.ID), ETag: taskETag(t), Body: taskBody(t)}
}

// GetTaskInput names the task to read.
type GetTaskInput struct {
	TaskPath
}

func (s *server) getTask(ctx context.Context, caller taskapi.Principal, in *GetTaskInput) (*TaskOutput, error) {
	id, err := parseUUID("path.id", in.ID)
	if err != nil {
		return nil, err
	}
	var t taskapi.Task
	if c, ok := carried[carriedTask](ctx); ok && c.id == id {
		t, err = c.task, c.err
	} else {
		t, err = s.store.GetTask(ctx, caller.User.ID, id)
	}
	if err != nil {
		return nil, err
	}
	return taskOutput(t), nil
}

// carriedTask is the task getTaskWithSession read.
type carriedTask struct {
	id   uuid.UUID
	task taskapi.Task
	err  error
}

// getTaskWithSession reads the task of get-task in the session check's
// round trip (route.WithSession). An ID that is not one is left to the
// handler, which answers for it.
func (s *server) getTaskWithSession(ctx context.Context, hc huma.Context, sessionID, userID uuid.UUID) (taskapi.Principal, time.Time, any, error) {
	id, err := uuid.Parse(hc.Param("id"))
	if err != nil {
		p, lastUsed, err := s.store.SessionPrincipal(ctx, sessionID)
		return p, lastUsed, nil, err
	}
	r, err := s.store.SessionTask(ctx, sessionID, userID, id)
	return r.Principal, r.LastUsed, carriedTask{id: id, task: r.Task, err: r.TaskErr}, err
}

// PatchTaskInput is a merge-patch of a task: fields left out stay, null
// clears description, due_date and category_id.
type PatchTaskInput struct {
	TaskPath
	IfMatchHeader
	precondition
	Body struct {
		Title       Optional[string]          `json:"title,omitzero" minLength:"1" maxLength:"200" doc:"1–200 characters, not blank"`
		Description Optional[string]          `json:"description,omitzero" maxLength:"10000" nullable:"true" doc:"null clears it"`
		Status      Optional[string]          `json:"status,omitzero" enum:"TODO,IN_PROGRESS,COMPLETED,ARCHIVED" doc:"completed_at follows"`
		Priority    Optional[string]          `json:"priority,omitzero" enum:"LOW,MEDIUM,HIGH,URGENT"`
		DueDate     Optional[time.Time]       `json:"due_date,omitzero" nullable:"true" doc:"RFC 3339, in the years 0001–9999 once in UTC; stored in UTC, to the microsecond; null clears it"`
		CategoryID  Optional[string]          `json:"category_id,omitzero" format:"uuid" nullable:"true" doc:"One of your categories (422 otherwise); null clears it. The task's subtasks, all levels, move with it"`
		Reminders   Optional[[]ReminderInput] `json:"reminders,omitzero" maxItems:"10" nullable:"true" doc:"Replaces the task's reminders (null or [] removes them). A reminder asking for the same moment as one the task has keeps its state: one already sent is not sent again."`
		ParentID    Optional[string]          `json:"parent_id,omitzero" format:"uuid" nullable:"true" doc:"Moves the task (with its subtasks) under one of your tasks, after its children: 422 for a task not yours, the task itself or one of its subtasks (a cycle), or a tree deeper than 4 levels; null makes it top-level"`
		// Recurrence: see recurrence.go.
		Recurrence RecurrencePatch    `json:"recurrence,omitzero" doc:"Makes the task repeat (a new rule starts counting occurrences at 1), or null to stop. Completing a recurring task records the completion and moves it to its next occurrence as TODO"`
		TagIDs     Optional[[]string] `json:"tag_ids,omitzero" maxItems:"50" format:"uuid" nullable:"true" doc:"Replaces the task's tags with up to 50 of yours (422 otherwise); null or [] removes them. Its subtasks keep theirs"`
	}
}

func (in *PatchTaskInput) patch() (taskapi.TaskPatch, error) {
	var p taskapi.TaskPatch
	var err error
	b := in.Body
	if p.Title, err = required("title", b.Title); err != nil {
		return p, err
	}
	status, err := required("status", b.Status)
	if err != nil {
		return p, err
	}
	if status != nil {
		st := taskapi.Status(*status)
		p.Status = &st
	}
	priority, err := required("priority", b.Priority)
	if err != nil {
		return p, err
	}
	if priority != nil {
		pr := taskapi.Priority(*priority)
		p.Priority = &pr
	}
	same := func(s string) (string, error) { return s, nil }
	if p.Description, err = change(b.Description, same); err != nil {
		return p, err
	}
	if p.DueDate, err = change(b.DueDate, func(t time.Time) (time.Time, error) { return clientTime(t), nil }); err != nil {
		return p, err
	}
	if p.CategoryID, err = change(b.CategoryID, func(s string) (uuid.UUID, error) { return parseUUID("category_id", s) }); err != nil {
		return p, err
	}
	if p.ParentID, err = change(b.ParentID, func(s string) (uuid.UUID, error) { return parseUUID("parent_id", s) }); err != nil {
		return p, err
	}
	if p.Recurrence, err = change(b.Recurrence.Optional, parseRecurrence); err != nil {
		return p, err
	}
	if p.TagIDs, err = tagIDsPatch(b.TagIDs); err != nil {
		return p, err
	}
	if b.Reminders.Set {
		rs, err := reminders(b.Reminders.Value)
		if err != nil {
			return p, err
		}
		p.Reminders = &rs
	}
	return p, nil
}

func (s *server) patchTask(ctx context.Context, caller taskapi.Principal, in *PatchTaskInput) (*TaskOutput, error) {
	id, err := parseUUID("path.id", in.ID)
	if err != nil {
		return nil, err
	}
	patch, err := in.patch()
	if err != nil {
		return nil, err
	}
	t, err := s.store.UpdateTask(ctx, caller.User.ID, id, patch, in.ifMatch())
	if err != nil {
		return nil, err
	}
	return taskOutput(t), nil
}

// DeleteTaskInput names the task to delete.
type DeleteTaskInput struct {
	TaskPath
	IfMatchHeader
	precondition
}

func (s *server) deleteTask(ctx context.Context, caller taskapi.Principal, in *DeleteTaskInput) (*struct{}, error) {
	id, err := parseUUID("path.id", in.ID)
	if err != nil {
		return nil, err
	}
	if err := s.store.DeleteTask(ctx, caller.User.ID, id, in.ifMatch()); err != nil {
		return nil, err
	}
	return nil, nil
}

// clientTime is an instant from a client as the API keeps it: in UTC, to
// the microsecond, which is what the databases store. Cut where it enters,
// it is the value that answers show, that a later read returns, that a
// repeated PATCH compares equal to, and that filters compare with alike on
// both engines (PostgreSQL would round the nanoseconds, SQLite compare them
// as text).
func clientTime(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// parseUUID reads an ID that the schema already checked; a failure is
// still a field error, never a panic.
func parseUUID(field, s string) (uuid.UUID, error) {
	id, err := uuid.Parse(s)
	if err != nil {
		return uuid.Nil, taskapi.Invalid(field, "must be a UUID")
	}
	return id, nil
}
