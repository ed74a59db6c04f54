package httpapi

import (
	"context"
	"errors"
	"strings"
	"time"

	// The IANA time zone database, embedded so that tz works on hosts
	// (and containers) without one.
	_ "time/tzdata"

	"github.com/google/uuid"

	"github.com/taskapi/taskapi"
	"github.com/taskapi/taskapi/internal/store"
)

// TaskListQuery holds the filters, sort and page of a list of tasks; every
// filter is optional and they combine.
type TaskListQuery struct {
	Status    []string  `query:"status" enum:"TODO,IN_PROGRESS,COMPLETED,ARCHIVED" doc:"One status or several, comma-separated (status=TODO,COMPLETED) or repeated (status=TODO&status=COMPLETED). Without it, ARCHIVED tasks are left out."`
	Priority  []string  `query:"priority" enum:"LOW,MEDIUM,HIGH,URGENT" doc:"One priority or several, comma-separated or repeated"`
	DueAfter  QueryTime `query:"due_after" doc:"Tasks due at or after this instant (RFC 3339, years 0001–9999 in UTC); leaves out tasks without a due date"`
	DueBefore QueryTime `query:"due_before" doc:"Tasks due strictly before this instant (RFC 3339, years 0001–9999 in UTC); leaves out tasks without a due date"`
	Overdue   bool      `query:"overdue" doc:"true: only overdue tasks: neither COMPLETED nor ARCHIVED, due in the past; a due date at 00:00 in your time zone means that whole day, so it is overdue from the next day on. false changes nothing"`
	Q         string    `query:"q" maxLength:"200" doc:"Case-insensitive search in title and description. One request examines a bounded amount of text, so a page of a search may hold fewer tasks than limit, even none, and still have a next_cursor; a user runs at most a few searches at once (429 beyond)"`
	Sort      string    `query:"sort" default:"-created_at" enum:"created_at,-created_at,updated_at,-updated_at,due_date,-due_date,priority,-priority,title,-title" doc:"Sort key, - for descending. priority sorts by rank (LOW < MEDIUM < HIGH < URGENT); title ignores case; tasks without a due date come last in both directions; ties are broken by id."`
	ParentID  string    `query:"parent_id" format:"uuid" doc:"Only the direct subtasks of one of your tasks (404 for any other)"`
	TopLevel  bool      `query:"top_level" doc:"true: only tasks that are no one's subtask; not with parent_id"`
	Tag       []string  `query:"tag" format:"uuid" maxItems:"10" doc:"Only tasks that have every one of these tags (up to 10 of yours, comma-separated or repeated; 404 for any other)"`
	AnyTag    []string  `query:"any_tag" format:"uuid" maxItems:"10" doc:"Only tasks that have at least one of these tags (up to 10 of yours, comma-separated or repeated; 404 for any other)"`
	PageInput
}

// ListTasksInput is GET /tasks.
type ListTasksInput struct {
	TaskListQuery
	CategoryID string `query:"category_id" format:"uuid" doc:"Tasks of one of your categories (404 for any other)"`
}

// CategoryTasksInput is GET /categories/{id}/tasks.
type CategoryTasksInput struct {
	CategoryPath
	TaskListQuery
}

// TaskListOutput is one page of tasks.
type TaskListOutput struct {
	Body struct {
		Items      []TaskBody `json:"items"`
		NextCursor *string    `json:"next_cursor" doc:"Pass as cursor to get the next page; null on the last page"`
	}
}

func (s *server) listTasks(ctx context.Context, caller taskapi.Principal, in *ListTasksInput) (*TaskListOutput, error) {
	var category *uuid.UUID
	if in.CategoryID != "" {
		id, err := uuid.Parse(in.CategoryID)
		if err != nil {
			return nil, taskapi.Invalid("query.category_id", "must be a UUID")
		}
		category = &id
	}
	return s.taskPage(ctx, caller, in.TaskListQuery, category)
}

func (s *server) listCategoryTasks(ctx context.Context, caller taskapi.Principal, in *CategoryTasksInput) (*TaskListOutput, error) {
	id, err := parseUUID("path.id", in.ID)
	if err != nil {
		return nil, err
	}
	return s.taskPage(ctx, caller, in.TaskListQuery, &id)
}

// taskPage answers one page of a list of tasks. The store validates the
// filter; its field errors are placed in the query string.
func (s *server) taskPage(ctx context.Context, caller taskapi.Principal, in TaskListQuery, category *uuid.UUID) (*TaskListOutput, error) {
	sort, err := taskapi.ParseTaskSort(in.Sort)
	if err != nil {
		return nil, queryFieldError(err)
	}
	f := taskapi.TaskFilter{CategoryID: category, Overdue: in.Overdue, Query: in.Q, TopLevel: in.TopLevel}
	if in.ParentID != "" {
		id, err := parseUUID("query.parent_id", in.ParentID)
		if err != nil {
			return nil, err
		}
		f.ParentID = &id
	}
	for _, v := range dedupe(in.Status) {
		f.Statuses = append(f.Statuses, taskapi.Status(v))
	}
	for _, v := range dedupe(in.Priority) {
		f.Priorities = append(f.Priorities, taskapi.Priority(v))
	}
	f.DueAfter, f.DueBefore = in.DueAfter.Ptr(), in.DueBefore.Ptr()
	if f.AllTags, err = parseTagIDs("query.tag", dedupe(in.Tag)); err != nil {
		return nil, err
	}
	if f.AnyTags, err = parseTagIDs("query.any_tag", dedupe(in.AnyTag)); err != nil {
		return nil, err
	}
	q := store.TaskQuery{Filter: f, Sort: sort, Loc: caller.User.Location()}
	out := &TaskListOutput{}
	out.Body.Items, out.Body.NextCursor, err = listPage(s, caller, scope("tasks", q.ListID()), in.Cursor, in.Limit,
		func(p store.Page) ([]taskapi.Task, store.Position, error) {
			q.Limit, q.After = p.Limit, p.After
			if q.Filter.Query != "" {
				release, err := s.searches.Acquire(caller.User.ID.String())
				if err != nil {
					return nil, "", err
				}
				defer release()
			}
			items, next, err := s.store.ListTasks(ctx, caller.User.ID, q)
			return items, next, queryFieldError(err)
		}, taskBody)
	return out, err
}

// queryFieldError places a domain field error in the query string.
func queryFieldError(err error) error {
	var fe *taskapi.FieldError
	if errors.As(err, &fe) && !strings.Contains(fe.Field, ".") {
		return taskapi.Invalid("query."+fe.Field, "%s", fe.Message)
	}
	return err
}

// dedupe drops repeated values, keeping the first of each (bounded by the
// URL length the server accepts).
func dedupe(values []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, v := range values {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}

// TaskStatsInput is GET /tasks/stats.
type TaskStatsInput struct {
	TZ string `query:"tz" default:"UTC" maxLength:"64" doc:"IANA time zone that decides what today is for due_today, e.g. Europe/Paris"`
}

// StatusCounts counts tasks by status.
type StatusCounts struct {
	Todo       int64 `json:"TODO"`
	InProgress int64 `json:"IN_PROGRESS"`
	Completed  int64 `json:"COMPLETED"`
	Archived   int64 `json:"ARCHIVED"`
}

// PriorityCounts counts tasks by priority.
type PriorityCounts struct {
	Low    int64 `json:"LOW"`
	Medium int64 `json:"MEDIUM"`
	High   int64 `json:"HIGH"`
	Urgent int64 `json:"URGENT"`
}

// TaskStatsOutput summarises the caller's tasks.
type TaskStatsOutput struct {
	Body struct {
		ByStatus           StatusCounts   `json:"by_status" doc:"Every task, by status"`
		ByPriority         PriorityCounts `json:"by_priority" doc:"Every task (ARCHIVED included), by priority"`
		Overdue            int64          `json:"overdue" doc:"Open tasks (TODO, IN_PROGRESS) due before now, except those due at 00:00 today in tz (all day today)"`
		DueToday           int64          `json:"due_today" doc:"Open tasks (TODO, IN_PROGRESS) due today in tz"`
		CompletedLast7Days int64          `json:"completed_last_7_days" doc:"Tasks completed in the last 7×24 hours"`
		TZ                 string         `json:"tz" doc:"The time zone used for due_today"`
		// CompletionsPerDay is filled by completionsPerDay (recurrence.go).
		CompletionsPerDay []DayCountBody `json:"completions_per_day" doc:"Completions on each of the last 7 days in tz, oldest first, today last: every completion of a recurring task (from its history) and every other completed task"`
	}
}

func (s *server) taskStats(ctx context.Context, caller taskapi.Principal, in *TaskStatsInput) (*TaskStatsOutput, error) {
	name := in.TZ
	if name == "" {
		name = "UTC"
	}
	// "Local" would be the server's zone, which means nothing to a client.
	loc, err := time.LoadLocation(name)
	if err != nil || name == "Local" {
		return nil, taskapi.Invalid("query.tz", "must be an IANA time zone name such as UTC or Europe/Paris")
	}
	st, err := s.store.TaskStats(ctx, caller.User.ID, taskapi.NewStatsWindow(s.store.Now(), loc))
	if err != nil {
		return nil, err
	}
	out := &TaskStatsOutput{}
	b := &out.Body
	b.ByStatus = StatusCounts{Todo: st.ByStatus[taskapi.StatusTodo], InProgress: st.ByStatus[taskapi.StatusInProgress],
		Completed: st.ByStatus[taskapi.StatusCompleted], Archived: st.ByStatus[taskapi.StatusArchived]}
	b.ByPriority = PriorityCounts{Low: st.ByPriority[taskapi.PriorityLow], Medium: st.ByPriority[taskapi.PriorityMedium],
		High: st.ByPriority[taskapi.PriorityHigh], Urgent: st.ByPriority[taskapi.PriorityUrgent]}
	b.Overdue, b.DueToday, b.CompletedLast7Days, b.TZ = st.Overdue, st.DueToday, st.CompletedLast7Days, name
	b.CompletionsPerDay = dayCounts(st.CompletionsPerDay, loc)
	return out, nil
}
