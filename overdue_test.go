package taskapi_test

import (
	"testing"
	"time"

	"github.com/taskapi/taskapi"
)

func TestOverdueCut(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 12, 3, 14, 30, 0, 0, paris)
	cut := taskapi.NewOverdueCut(now, paris)
	at := func(d, h, m int) *time.Time { v := time.Date(2026, 12, d, h, m, 0, 0, paris); return &v }
	tests := []struct {
		name   string
		due    *time.Time
		status taskapi.Status
		want   bool
	}{
		{"all day today", at(3, 0, 0), taskapi.StatusTodo, false},
		{"all day yesterday", at(2, 0, 0), taskapi.StatusTodo, true},
		{"earlier today", at(3, 14, 0), taskapi.StatusInProgress, true},
		{"later today", at(3, 15, 0), taskapi.StatusTodo, false},
		{"a minute after midnight", at(3, 0, 1), taskapi.StatusTodo, true},
		{"midnight UTC is 01:00 in Paris: a time, passed", func() *time.Time { v := time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC); return &v }(), taskapi.StatusTodo, true},
		{"completed", at(2, 0, 0), taskapi.StatusCompleted, false},
		{"archived", at(2, 0, 0), taskapi.StatusArchived, false},
		{"no due date", nil, taskapi.StatusTodo, false},
	}
	for _, tt := range tests {
		if got := cut.Overdue(taskapi.Task{DueDate: tt.due, Status: tt.status}); got != tt.want {
			t.Errorf("%s: overdue %v, want %v", tt.name, got, tt.want)
		}
	}
	// The stats window says the same; in UTC, Paris's midnight is a time.
	if w := taskapi.NewStatsWindow(now, paris).OverdueCut(); w != cut {
		t.Errorf("window cut %+v, want %+v", w, cut)
	}
	if !taskapi.NewOverdueCut(now, nil).Passed(*at(3, 0, 0)) {
		t.Error("in UTC, 00:00 in Paris is a passed time of day")
	}
}
