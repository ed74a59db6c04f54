package taskapi_test

import (
	"errors"
	"testing"
	"time"

	"github.com/taskapi/taskapi"
)

func TestValidateDueDate(t *testing.T) {
	minus5 := time.FixedZone("-05:00", -5*3600)
	plus1 := time.FixedZone("+01:00", 3600)
	tests := []struct {
		name string
		due  time.Time
		ok   bool
	}{
		{"first instant", time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC), true},
		{"last instant", time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC), true},
		{"year 0", time.Date(0, 6, 1, 0, 0, 0, 0, time.UTC), false},
		{"year 10000", time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), false},
		{"in range locally, year 10000 in UTC", time.Date(9999, 12, 31, 23, 0, 0, 0, minus5), false},
		{"in range locally, year 0 in UTC", time.Date(1, 1, 1, 0, 30, 0, 0, plus1), false},
		{"late on the last day in UTC", time.Date(9999, 12, 31, 18, 0, 0, 0, minus5), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			due := tt.due
			err := taskapi.ValidateDueDate(&due)
			var fe *taskapi.FieldError
			if tt.ok != (err == nil) || err != nil && (!errors.As(err, &fe) || fe.Field != "due_date") {
				t.Errorf("ValidateDueDate(%v) = %v", tt.due, err)
			}
			// Every way in checks it: a new task, a patch, a filter.
			task := taskapi.Task{Title: "t", Status: taskapi.StatusTodo, Priority: taskapi.PriorityLow, DueDate: &due}
			if err := task.Validate(); tt.ok != (err == nil) {
				t.Errorf("Validate: %v", err)
			}
			task.DueDate = nil
			if _, err := task.Apply(taskapi.TaskPatch{DueDate: taskapi.SetTo(due)}, time.Now()); tt.ok != (err == nil) {
				t.Errorf("Apply: %v", err)
			}
			if tt.ok && (task.DueDate == nil || !task.DueDate.Equal(due)) || !tt.ok && task.DueDate != nil {
				t.Errorf("after Apply: due %v", task.DueDate)
			}
			for _, f := range []taskapi.TaskFilter{{DueAfter: &due}, {DueBefore: &due}} {
				if err := f.Validate(); tt.ok != (err == nil) {
					t.Errorf("filter %+v: %v", f, err)
				}
			}
		})
	}
	if err := taskapi.ValidateDueDate(nil); err != nil {
		t.Errorf("no due date: %v", err)
	}
}

// The enumerations are handed out as fresh copies: a caller that changes
// its copy changes nothing for anyone else (no package-level state).
func TestEnumerationsAreCopies(t *testing.T) {
	p := taskapi.Priorities()
	p[0], p[3] = taskapi.PriorityUrgent, taskapi.PriorityLow
	s := taskapi.Statuses()
	s[0] = taskapi.StatusArchived
	k := taskapi.TaskSortKeys()
	k[0] = taskapi.SortTitle
	for i, p := range taskapi.Priorities() {
		back, ok := taskapi.PriorityFromRank(i + 1)
		if p.Rank() != i+1 || !ok || back != p || !p.Valid() {
			t.Errorf("priority %d: %s rank %d, from rank %s %v", i, p, p.Rank(), back, ok)
		}
	}
	if taskapi.Priorities()[0] != taskapi.PriorityLow || taskapi.Statuses()[0] != taskapi.StatusTodo || taskapi.TaskSortKeys()[0] != taskapi.SortCreatedAt {
		t.Error("changing a copy changed the enumeration")
	}
	for _, bad := range []int{0, 5, -1} {
		if _, ok := taskapi.PriorityFromRank(bad); ok {
			t.Errorf("PriorityFromRank(%d) ok", bad)
		}
	}
	if taskapi.Priority("CRITICAL").Rank() != 0 {
		t.Error("an unknown priority has a rank")
	}
	for _, st := range taskapi.Statuses() {
		if !st.Valid() {
			t.Errorf("status %s not valid", st)
		}
	}
	for _, key := range taskapi.TaskSortKeys() {
		if got, err := taskapi.ParseTaskSort("-" + string(key)); err != nil || got != (taskapi.TaskSort{Key: key, Desc: true}) {
			t.Errorf("ParseTaskSort(-%s) = %v, %v", key, got, err)
		}
	}
	d := taskapi.DefaultTaskSort()
	d.Desc = false
	if !taskapi.DefaultTaskSort().Desc {
		t.Error("changing a copy changed the default sort")
	}
}
