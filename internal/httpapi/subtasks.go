package httpapi

import (
	"context"

	"github.com/google/uuid"

	"github.com/taskapi/taskapi"
	"github.com/taskapi/taskapi/internal/store"
)

// ListSubtasksInput is GET /tasks/{id}/subtasks.
type ListSubtasksInput struct {
	TaskPath
	PageInput
}

func (s *server) listSubtasks(ctx context.Context, caller taskapi.Principal, in *ListSubtasksInput) (*TaskListOutput, error) {
	id, err := parseUUID("path.id", in.ID)
	if err != nil {
		return nil, err
	}
	out := &TaskListOutput{}
	out.Body.Items, out.Body.NextCursor, err = listPage(s, caller, scope("subtasks", id.String()), in.Cursor, in.Limit,
		func(p store.Page) ([]taskapi.Task, store.Position, error) {
			return s.store.ListSubtasks(ctx, caller.User.ID, id, p)
		}, taskBody)
	return out, err
}

// MoveTaskInput is POST /tasks/{id}/move.
type MoveTaskInput struct {
	TaskPath
	IfMatchHeader
	precondition
	Body struct {
		Before *string `json:"before,omitempty" format:"uuid" doc:"Put the subtask just before this sibling"`
		After  *string `json:"after,omitempty" format:"uuid" doc:"Put the subtask just after this sibling"`
	}
}

func (s *server) moveTask(ctx context.Context, caller taskapi.Principal, in *MoveTaskInput) (*TaskOutput, error) {
	id, err := parseUUID("path.id", in.ID)
	if err != nil {
		return nil, err
	}
	var m store.TaskMove
	for _, f := range []struct {
		name string
		in   *string
		out  **uuid.UUID
	}{{"before", in.Body.Before, &m.Before}, {"after", in.Body.After, &m.After}} {
		if f.in != nil {
			sibling, err := parseUUID(f.name, *f.in)
			if err != nil {
				return nil, err
			}
			*f.out = &sibling
		}
	}
	t, err := s.store.MoveTask(ctx, caller.User.ID, id, m, in.ifMatch())
	if err != nil {
		return nil, err
	}
	return taskOutput(t), nil
}
