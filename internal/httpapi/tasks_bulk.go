package httpapi

import (
	"context"
	"net/http"

	"github.com/google/uuid"

	"github.com/taskapi/taskapi"
	"github.com/taskapi/taskapi/internal/store"
)

// BulkChanges are the fields a bulk update may change.
type BulkChanges struct {
	Status     string           `json:"status,omitempty" enum:"TODO,IN_PROGRESS,COMPLETED,ARCHIVED" doc:"completed_at follows; tasks already COMPLETED keep theirs"`
	Priority   string           `json:"priority,omitempty" enum:"LOW,MEDIUM,HIGH,URGENT"`
	CategoryID Optional[string] `json:"category_id,omitzero" format:"uuid" nullable:"true" doc:"One of your categories (422 otherwise); null takes the tasks out of their category"`
}

// BulkTasksInput is POST /tasks/bulk.
type BulkTasksInput struct {
	IdempotencyKeyHeader
	Body struct {
		IDs     []string     `json:"ids" minItems:"1" maxItems:"100" format:"uuid" doc:"The tasks, 1 to 100; a repeated ID counts once"`
		Action  string       `json:"action" enum:"update,delete,add_tags,remove_tags" doc:"add_tags and remove_tags add tag_ids to, or take them from, every task (a task's subtasks are not touched)"`
		Changes *BulkChanges `json:"changes,omitempty" doc:"Required for update, refused for the other actions"`
		TagIDs  []string     `json:"tag_ids,omitempty" maxItems:"50" format:"uuid" doc:"The tags of add_tags and remove_tags: 1 to 50 of yours (422 otherwise); refused for the other actions"`
	}
}

// BulkBody says what a bulk request did.
type BulkBody struct {
	Action string     `json:"action" enum:"update,delete,add_tags,remove_tags"`
	Count  int        `json:"count" doc:"How many tasks were updated or deleted (every one named)"`
	Items  []TaskBody `json:"items" doc:"The tasks (updated or not) in the order of ids; empty for delete"`
}

// BulkOutput is the response to POST /tasks/bulk.
type BulkOutput struct {
	ReplayedHeader
	Status int
	Body   BulkBody
}

func (in *BulkTasksInput) bulk() (taskapi.TaskBulk, error) {
	b := taskapi.TaskBulk{Action: taskapi.BulkAction(in.Body.Action), IDs: make([]uuid.UUID, len(in.Body.IDs))}
	for i, s := range in.Body.IDs {
		id, err := uuid.Parse(s)
		if err != nil {
			return b, taskapi.Invalid("ids", "must be UUIDs")
		}
		b.IDs[i] = id
	}
	var err error
	if b.TagIDs, err = parseTagIDs("tag_ids", in.Body.TagIDs); err != nil {
		return b, err
	}
	if c := in.Body.Changes; c != nil {
		if c.Status != "" {
			st := taskapi.Status(c.Status)
			b.Changes.Status = &st
		}
		if c.Priority != "" {
			p := taskapi.Priority(c.Priority)
			b.Changes.Priority = &p
		}
		b.Changes.CategoryID, err = change(c.CategoryID, func(s string) (uuid.UUID, error) { return parseUUID("changes.category_id", s) })
		if err != nil {
			return b, err
		}
	}
	return b, nil
}

func (s *server) bulkTasks(ctx context.Context, caller taskapi.Principal, in *BulkTasksInput) (*BulkOutput, error) {
	b, err := in.bulk()
	if err != nil {
		return nil, err
	}
	res, replayed, err := s.store.BulkTasks(ctx, caller.User.ID, b, in.key())
	return answer(bulkOutput, res, replayed, err)
}

func bulkOutput(r store.BulkResult) *BulkOutput {
	return &BulkOutput{Status: http.StatusOK, Body: BulkBody{Action: string(r.Action), Count: r.Count, Items: taskBodies(r.Tasks)}}
}
