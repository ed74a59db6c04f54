package httpapi

import (
	"context"
	"time"

	"github.com/taskapi/taskapi"
	"github.com/taskapi/taskapi/internal/store"
)

// FieldChangeBody is one field a change altered.
type FieldChangeBody struct {
	Field string  `json:"field" doc:"The field's name as the API spells it (priority, due_date, …)"`
	From  *string `json:"from" doc:"Its value before, as text; null when empty or not kept (a description's text is not copied)"`
	To    *string `json:"to" doc:"Its value after, as text; null when empty or not kept"`
}

// ActivityBody is one entry of a task's history.
type ActivityBody struct {
	Seq      int64             `json:"seq" doc:"The change's sequence number in the caller's feed"`
	At       time.Time         `json:"at"`
	Type     string            `json:"type" enum:"task,comment" doc:"What changed: the task itself or one of its comments"`
	EntityID string            `json:"entity_id" format:"uuid"`
	Op       string            `json:"op" enum:"create,update,delete"`
	Actor    ActorBody         `json:"actor"`
	Changes  []FieldChangeBody `json:"changes" doc:"The fields an update changed"`
	Summary  string            `json:"summary" doc:"The change in words, e.g. \"priority LOW → HIGH\""`
}

// ActivityInput is GET /tasks/{id}/activity.
type ActivityInput struct {
	TaskPath
	PageInput
}

// ActivityOutput is one page of a task's history, newest first.
type ActivityOutput struct {
	Body struct {
		Items      []ActivityBody `json:"items"`
		NextCursor *string        `json:"next_cursor" doc:"Pass as cursor to get the next page; null on the last page"`
	}
}

func (s *server) taskActivity(ctx context.Context, caller taskapi.Principal, in *ActivityInput) (*ActivityOutput, error) {
	taskID, err := parseUUID("path.id", in.ID)
	if err != nil {
		return nil, err
	}
	out := &ActivityOutput{}
	out.Body.Items, out.Body.NextCursor, err = listPage(s, caller, scope("activity", taskID.String()), in.Cursor, in.Limit,
		func(p store.Page) ([]store.ChangeRecord, store.Position, error) {
			return s.store.TaskActivity(ctx, caller.User.ID, taskID, p)
		}, activityBody)
	if err != nil {
		return nil, err
	}
	return out, nil
}

func activityBody(r store.ChangeRecord) ActivityBody {
	b := ActivityBody{Seq: r.Seq, At: r.At, Type: r.Type, EntityID: r.ID.String(), Op: string(r.Op), Actor: *actorBody(r),
		Changes: make([]FieldChangeBody, len(r.Fields))}
	for i, f := range r.Fields {
		b.Changes[i] = FieldChangeBody{Field: f.Field, From: f.From, To: f.To}
	}
	b.Summary = taskapi.ActivityPhrase(r.Type, string(r.Op), r.Fields, func(_ string, v *string) string {
		if v == nil {
			return "none"
		}
		return *v
	})
	return b
}
