package taskapi_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"

	"github.com/taskapi/taskapi"
)

func TestParseTaskSort(t *testing.T) {
	for in, want := range map[string]taskapi.TaskSort{
		"":            taskapi.DefaultTaskSort(),
		"created_at":  {Key: taskapi.SortCreatedAt},
		"-due_date":   {Key: taskapi.SortDueDate, Desc: true},
		"priority":    {Key: taskapi.SortPriority},
		"-title":      {Key: taskapi.SortTitle, Desc: true},
		"-updated_at": {Key: taskapi.SortUpdatedAt, Desc: true},
	} {
		got, err := taskapi.ParseTaskSort(in)
		if err != nil || got != want {
			t.Errorf("ParseTaskSort(%q) = %v, %v; want %v", in, got, err, want)
		}
		if in != "" && got.String() != in {
			t.Errorf("%v.String() = %q, want %q", got, got.String(), in)
		}
	}
	for _, bad := range []string{"-", "--title", "color", "Title", "title ", "+title"} {
		if _, err := taskapi.ParseTaskSort(bad); !errors.Is(err, taskapi.ErrInvalid) {
			t.Errorf("ParseTaskSort(%q): %v, want ErrInvalid", bad, err)
		}
	}
}

func TestTaskApply(t *testing.T) {
	now := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	desc := "d"
	cat := uuid.Must(uuid.NewV7())
	base := taskapi.Task{Title: "t", Description: &desc, Status: taskapi.StatusTodo, Priority: taskapi.PriorityLow, CategoryID: &cat}
	title := func(s string) *string { return &s }
	status := func(s taskapi.Status) *taskapi.Status { return &s }

	task := base
	changed, err := task.Apply(taskapi.TaskPatch{Description: taskapi.Clear[string](), CategoryID: taskapi.Clear[uuid.UUID](),
		Status: status(taskapi.StatusCompleted)}, now)
	if err != nil || !changed {
		t.Fatalf("apply: changed %v, %v", changed, err)
	}
	want := taskapi.Task{Title: "t", Status: taskapi.StatusCompleted, Priority: taskapi.PriorityLow, CompletedAt: &now}
	if diff := cmp.Diff(want, task); diff != "" {
		t.Errorf("applied (-want +got):\n%s", diff)
	}
	// Completing again keeps the first completion time; leaving clears it.
	later := now.Add(time.Hour)
	if changed, _ := task.Apply(taskapi.TaskPatch{Status: status(taskapi.StatusCompleted)}, later); changed || !task.CompletedAt.Equal(now) {
		t.Errorf("re-completing: changed %v, completed_at %v", changed, task.CompletedAt)
	}
	if _, err := task.Apply(taskapi.TaskPatch{Status: status(taskapi.StatusArchived)}, later); err != nil || task.CompletedAt != nil {
		t.Errorf("archiving: %v, completed_at %v", err, task.CompletedAt)
	}
	// A refused patch leaves the task as it was.
	for _, p := range []taskapi.TaskPatch{
		{Title: title(" "), Priority: func() *taskapi.Priority { p := taskapi.PriorityHigh; return &p }()},
		{Status: status("DONE")},
		{Description: taskapi.SetTo(strings.Repeat("x", taskapi.TaskDescriptionMaxLen+1))},
		{Title: title("nul\x00")},
	} {
		before := task
		if _, err := task.Apply(p, later); !errors.Is(err, taskapi.ErrInvalid) {
			t.Errorf("apply %+v: %v, want ErrInvalid", p, err)
		}
		if diff := cmp.Diff(before, task); diff != "" {
			t.Errorf("a refused patch changed the task (-before +after):\n%s", diff)
		}
	}
}

func TestTaskBulkValidate(t *testing.T) {
	a, b := uuid.Must(uuid.NewV7()), uuid.Must(uuid.NewV7())
	high := taskapi.PriorityHigh
	bulk := taskapi.TaskBulk{IDs: []uuid.UUID{a, b, a, a}, Action: taskapi.BulkUpdate, Changes: taskapi.TaskPatch{Priority: &high}}
	if err := bulk.Validate(); err != nil || len(bulk.IDs) != 2 || bulk.IDs[0] != a || bulk.IDs[1] != b {
		t.Fatalf("dedupe: %v %v", bulk.IDs, err)
	}
	title := "x"
	for name, bad := range map[string]taskapi.TaskBulk{
		"no ids":            {Action: taskapi.BulkDelete},
		"too many":          {IDs: make([]uuid.UUID, taskapi.BulkMaxIDs+1), Action: taskapi.BulkDelete},
		"unknown action":    {IDs: []uuid.UUID{a}, Action: "archive"},
		"update, no change": {IDs: []uuid.UUID{a}, Action: taskapi.BulkUpdate},
		"update title":      {IDs: []uuid.UUID{a}, Action: taskapi.BulkUpdate, Changes: taskapi.TaskPatch{Title: &title}},
		"delete, changes":   {IDs: []uuid.UUID{a}, Action: taskapi.BulkDelete, Changes: taskapi.TaskPatch{Priority: &high}},
	} {
		if err := bad.Validate(); !errors.Is(err, taskapi.ErrInvalid) {
			t.Errorf("%s: %v, want ErrInvalid", name, err)
		}
	}
}

func TestStatsWindowFollowsTheLocalDay(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Skip("no time zone database")
	}
	// 2030-03-10 is the day New York moves to summer time: 23 hours long.
	now := time.Date(2030, 3, 10, 15, 0, 0, 0, time.UTC)
	w := taskapi.NewStatsWindow(now, ny)
	if got := w.TomorrowStart.Sub(w.TodayStart); got != 23*time.Hour {
		t.Errorf("day length %v, want 23h", got)
	}
	if want := time.Date(2030, 3, 10, 5, 0, 0, 0, time.UTC); !w.TodayStart.Equal(want) {
		t.Errorf("today starts %v, want %v", w.TodayStart, want)
	}
	if !w.CompletedSince.Equal(now.Add(-7*24*time.Hour)) || w.Now.Location() != time.UTC {
		t.Errorf("window %+v", w)
	}
}

func TestCategoryApply(t *testing.T) {
	c := taskapi.Category{Name: "Work", Color: "#ABCDEF"}
	color := "#abcdef"
	if changed, err := c.Apply(taskapi.CategoryPatch{Color: &color}); err != nil || changed || c.Color != "#ABCDEF" {
		t.Errorf("same colour in lower case: changed %v, %v, %q", changed, err, c.Color)
	}
	for _, bad := range []string{"#ABCDE", "ABCDEF0", "#GHIJKL", "#ABCDEF0"} {
		if _, err := c.Apply(taskapi.CategoryPatch{Color: &bad}); !errors.Is(err, taskapi.ErrInvalid) {
			t.Errorf("colour %q: %v", bad, err)
		}
	}
	if taskapi.CategoryNameKey("WoRk") != taskapi.CategoryNameKey("work") {
		t.Errorf("name keys differ by case")
	}
}
