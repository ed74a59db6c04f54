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
	c := newCursorCodec("benchmark-secret-0123456789-0123456789").encodeTaskCursor(uuid.New(), "scope", taskapi.SortCreatedAt,
		store.TaskCursorOf(tasks[49], taskapi.SortCreatedAt))
	out.Body.NextCursor = &c
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
// digest, encoding on the way out, verification and decoding on the way
// back in.
func BenchmarkTaskCursor(b *testing.B) {
	codec := newCursorCodec("benchmark-secret-0123456789-0123456789")
	user := uuid.New()
	sort := taskapi.TaskSort{Key: taskapi.SortPriority, Desc: true}
	filter := taskapi.TaskFilter{Statuses: []taskapi.Status{taskapi.StatusTodo, taskapi.StatusInProgress}}
	pos := store.TaskCursor{Rank: 3, ID: uuid.Must(uuid.NewV7())}
	b.Run("encode", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_ = codec.encodeTaskCursor(user, taskScope(sort, filter), sort.Key, pos)
		}
	})
	b.Run("decode", func(b *testing.B) {
		c := codec.encodeTaskCursor(user, taskScope(sort, filter), sort.Key, pos)
		b.ReportAllocs()
		for b.Loop() {
			if _, err := codec.decodeTaskCursor(user, c, taskScope(sort, filter), sort.Key); err != nil {
				b.Fatal(err)
			}
		}
	})
}
