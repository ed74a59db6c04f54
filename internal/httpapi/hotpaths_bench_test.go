package httpapi

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/taskapi/taskapi"
	"github.com/taskapi/taskapi/internal/store"
)

// benchPage is a page of 50 tasks as the list handler builds it: half
// with a description and a category, two thirds with a due date.
func benchPage(b *testing.B) *TaskListOutput {
	b.Helper()
	now := time.Date(2025, 6, 1, 12, 0, 0, 123456000, time.UTC)
	cat := uuid.Must(uuid.NewV7())
	tasks := make([]taskapi.Task, 50)
	for i := range tasks {
		t := taskapi.Task{ID: uuid.Must(uuid.NewV7()), Title: fmt.Sprintf("Review budget report %d", i),
			Status: taskapi.StatusTodo, Priority: taskapi.PriorityHigh, CreatedAt: now, UpdatedAt: now, Version: 3}
		if i%2 == 0 {
			d := fmt.Sprintf("Prepare the quarterly report for client %d and send it to the team before the review", i)
			t.Description, t.CategoryID = &d, &cat
		}
		if i%3 != 0 {
			due := now.Add(time.Duration(i) * time.Hour)
			t.DueDate = &due
		}
		tasks[i] = t
	}
	out := &TaskListOutput{}
	out.Body.Items = taskBodies(tasks)
	out.Body.NextCursor = newCursorCodec("benchmark-secret-0123456789-0123456789").next(uuid.New(), "scope",
		store.TaskPosition(tasks[49], taskapi.SortCreatedAt))
	return out
}

// BenchmarkEncodeTaskPage is the cost of writing a page of 50 tasks as
// JSON with the server's JSON format, as every list request does.
func BenchmarkEncodeTaskPage(b *testing.B) {
	page := benchPage(b)
	format := formats()["application/json"]
	var buf bytes.Buffer
	if err := format.Marshal(&buf, page.Body); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(buf.Len()))
	b.ReportAllocs()
	for b.Loop() {
		buf.Reset()
		if err := format.Marshal(&buf, page.Body); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkTaskBodies is the cost of turning 50 domain tasks into their
// wire form.
func BenchmarkTaskBodies(b *testing.B) {
	tasks := make([]taskapi.Task, 50)
	now := time.Now().UTC()
	for i := range tasks {
		tasks[i] = taskapi.Task{ID: uuid.Must(uuid.NewV7()), Title: "Review", Status: taskapi.StatusTodo,
			Priority: taskapi.PriorityLow, CreatedAt: now, UpdatedAt: now}
	}
	b.ReportAllocs()
	for b.Loop() {
		_ = taskBodies(tasks)
	}
}

// BenchmarkTaskCursor is the cost of the signed cursor of a page: scope
// digest, encoding on the way out, verification on the way back in.
func BenchmarkTaskCursor(b *testing.B) {
	codec := newCursorCodec("benchmark-secret-0123456789-0123456789")
	user := uuid.New()
	q := store.TaskQuery{Sort: taskapi.TaskSort{Key: taskapi.SortPriority, Desc: true},
		Filter: taskapi.TaskFilter{Statuses: []taskapi.Status{taskapi.StatusTodo, taskapi.StatusInProgress}}}
	pos := store.TaskPosition(taskapi.Task{ID: uuid.Must(uuid.NewV7()), Priority: taskapi.PriorityHigh}, q.Sort.Key)
	b.Run("encode", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_ = codec.next(user, scope("tasks", q.ListID()), pos)
		}
	})
	b.Run("decode", func(b *testing.B) {
		c := codec.next(user, scope("tasks", q.ListID()), pos)
		b.ReportAllocs()
		for b.Loop() {
			if _, err := codec.page(user, scope("tasks", q.ListID()), *c, 20); err != nil {
				b.Fatal(err)
			}
		}
	})
}
