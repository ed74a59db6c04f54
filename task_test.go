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
