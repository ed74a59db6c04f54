package httpapi_test

import (
	"time"

	"github.com/taskapi/taskapi/internal/httpapi"
)

// taskFacts is what requests decide about a task, for cmp.Diff: the task
// without what the server picks (its ID and timestamps), and whether
// completed_at is set.
type taskFacts struct {
	Title, Status, Priority string
	Description, CategoryID *string
	DueDate                 *time.Time
	Completed               bool
}

func factsOf(b httpapi.TaskBody) taskFacts {
	return taskFacts{Title: b.Title, Status: b.Status, Priority: b.Priority, Description: b.Description,
		CategoryID: b.CategoryID, DueDate: b.DueDate, Completed: b.CompletedAt != nil}
}

// idsOf lists the tasks' IDs in order.
func idsOf(items []httpapi.TaskBody) []string {
	ids := make([]string, len(items))
	for i, it := range items {
		ids[i] = it.ID
	}
	return ids
}

// answer is what a replayed answer repeats: the body and the headers that
// name the resource.
type answer struct{ Body, Location, ETag string }

func answerOf(r *response) answer {
	return answer{Body: string(r.Body), Location: r.Header.Get("Location"), ETag: r.Header.Get("ETag")}
}
