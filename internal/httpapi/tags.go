package httpapi

import (
	"context"
	"net/http"
	"time"

	"github.com/google/uuid"

	"github.com/taskapi/taskapi"
	"github.com/taskapi/taskapi/internal/store"
)

// TagBody is a tag as the API shows it.
type TagBody struct {
	ID        string    `json:"id" format:"uuid" doc:"Tag ID"`
	Name      string    `json:"name" doc:"1–50 characters, unique per user ignoring case"`
	Color     string    `json:"color" pattern:"^#[0-9A-F]{6}$" doc:"#RRGGBB, upper case"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

func tagBody(t taskapi.Tag) TagBody {
	return TagBody{ID: t.ID.String(), Name: t.Name, Color: t.Color, CreatedAt: t.CreatedAt.UTC(), UpdatedAt: t.UpdatedAt.UTC()}
}

func tagETag(t taskapi.Tag) string { return etagOf("tag", t.ID, t.Version) }

// TaskTagBody is a tag as a task shows it.
type TaskTagBody struct {
	ID    string `json:"id" format:"uuid" doc:"Tag ID"`
	Name  string `json:"name"`
	Color string `json:"color" pattern:"^#[0-9A-F]{6}$"`
}

func taskTagBodies(tags []taskapi.TaskTag) []TaskTagBody {
	out := make([]TaskTagBody, len(tags))
	for i, t := range tags {
		out[i] = TaskTagBody{ID: t.ID.String(), Name: t.Name, Color: t.Color}
	}
	return out
}

// parseTagIDs reads the tag IDs a client gave in field (the schema has
// checked their form).
func parseTagIDs(field string, ids []string) ([]uuid.UUID, error) {
	out := make([]uuid.UUID, len(ids))
	for i, s := range ids {
		id, err := uuid.Parse(s)
		if err != nil {
			return nil, taskapi.Invalid(field, "must be UUIDs")
		}
		out[i] = id
	}
	return out, nil
}

// taskTags turns the tag_ids of a create into the tags of the new task
// (only their IDs are read).
func taskTags(ids []string) ([]taskapi.TaskTag, error) {
	parsed, err := parseTagIDs("tag_ids", ids)
	if err != nil {
		return nil, err
	}
	out := make([]taskapi.TaskTag, len(parsed))
	for i, id := range parsed {
		out[i] = taskapi.TaskTag{ID: id}
	}
	return out, nil
}

// tagIDsPatch turns the tag_ids of a PATCH into the new set: nil when left
// out, empty when null or [].
func tagIDsPatch(o Optional[[]string]) (*[]uuid.UUID, error) {
	if !o.Set {
		return nil, nil
	}
	ids, err := parseTagIDs("tag_ids", o.Value)
	return &ids, err
}

// TagPath names one tag.
type TagPath struct {
	ID string `path:"id" format:"uuid" doc:"Tag ID"`
}

// TagOutput is a response holding one tag and its ETag.
type TagOutput struct {
	ETag string `header:"ETag" doc:"Strong validator of this version of the tag, for If-Match"`
	Body TagBody
}

func tagOutput(t taskapi.Tag) *TagOutput { return &TagOutput{ETag: tagETag(t), Body: tagBody(t)} }

// CreatedTagOutput is the response to a create.
type CreatedTagOutput struct {
	ReplayedHeader
	Status   int
	Location string `header:"Location" doc:"URL of the new tag"`
	ETag     string `header:"ETag" doc:"Strong validator of the tag, for If-Match"`
	Body     TagBody
}

func createdTag(t taskapi.Tag) *CreatedTagOutput {
	return &CreatedTagOutput{Status: http.StatusCreated, Location: apiPrefix + "/tags/" + t.ID.String(),
		ETag: tagETag(t), Body: tagBody(t)}
}

// CreateTagInput is POST /tags.
type CreateTagInput struct {
	IdempotencyKeyHeader
	Body struct {
		Name  string `json:"name" minLength:"1" maxLength:"50" doc:"1–50 characters, not blank; unique per user ignoring case (409)"`
		Color string `json:"color,omitempty" pattern:"^#[0-9A-Fa-f]{6}$" default:"#6B7280" doc:"#RRGGBB; stored upper case"`
	}
}

func (s *server) createTag(ctx context.Context, caller taskapi.Principal, in *CreateTagInput) (*CreatedTagOutput, error) {
	t, replayed, err := s.store.CreateTag(ctx, caller.User.ID, taskapi.Tag{Name: in.Body.Name, Color: in.Body.Color}, in.key())
	return answer(createdTag, t, replayed, err)
}

// ListTagsInput is GET /tags.
type ListTagsInput struct {
	PageInput
}

// TagListOutput is one page of tags, sorted by name ignoring case.
type TagListOutput struct {
	Body struct {
		Items      []TagBody `json:"items"`
		NextCursor *string   `json:"next_cursor" doc:"Pass as cursor to get the next page; null on the last page"`
	}
}

func (s *server) listTags(ctx context.Context, caller taskapi.Principal, in *ListTagsInput) (*TagListOutput, error) {
	out := &TagListOutput{}
	var err error
	out.Body.Items, out.Body.NextCursor, err = listPage(s, caller, scope("tags"), in.Cursor, in.Limit,
		func(p store.Page) ([]taskapi.Tag, store.Position, error) {
			return s.store.ListTags(ctx, caller.User.ID, p)
		},
		tagBody)
	return out, err
}

// GetTagInput names the tag to read.
type GetTagInput struct {
	TagPath
}

func (s *server) getTag(ctx context.Context, caller taskapi.Principal, in *GetTagInput) (*TagOutput, error) {
	id, err := parseUUID("path.id", in.ID)
	if err != nil {
		return nil, err
	}
	t, err := s.store.GetTag(ctx, caller.User.ID, id)
	if err != nil {
		return nil, err
	}
	return tagOutput(t), nil
}

// PatchTagInput is a merge-patch of a tag.
type PatchTagInput struct {
	TagPath
	IfMatchHeader
	precondition
	Body struct {
		Name  Optional[string] `json:"name,omitzero" minLength:"1" maxLength:"50" doc:"1–50 characters; unique per user ignoring case (409)"`
		Color Optional[string] `json:"color,omitzero" pattern:"^#[0-9A-Fa-f]{6}$" doc:"#RRGGBB"`
	}
}

func (s *server) patchTag(ctx context.Context, caller taskapi.Principal, in *PatchTagInput) (*TagOutput, error) {
	id, err := parseUUID("path.id", in.ID)
	if err != nil {
		return nil, err
	}
	var patch taskapi.TagPatch
	if patch.Name, err = required("name", in.Body.Name); err != nil {
		return nil, err
	}
	if patch.Color, err = required("color", in.Body.Color); err != nil {
		return nil, err
	}
	t, err := s.store.UpdateTag(ctx, caller.User.ID, id, patch, in.ifMatch())
	if err != nil {
		return nil, err
	}
	return tagOutput(t), nil
}

// DeleteTagInput names the tag to delete.
type DeleteTagInput struct {
	TagPath
	IfMatchHeader
	precondition
}

func (s *server) deleteTag(ctx context.Context, caller taskapi.Principal, in *DeleteTagInput) (*struct{}, error) {
	id, err := parseUUID("path.id", in.ID)
	if err != nil {
		return nil, err
	}
	return nil, s.store.DeleteTag(ctx, caller.User.ID, id, in.ifMatch())
}

func (p *TagPath) resource(taskapi.Principal) (uuid.UUID, error) { return parseUUID("path.id", p.ID) }

// foldTags appends what a task shows of its tags to the bytes its ETag
// folds in (taskETag): a tag renamed or recoloured changes the answer
// without the task's version.
func foldTags(b []byte, tags []taskapi.TaskTag) []byte {
	for _, t := range tags {
		b = append(b, t.ID[:]...)
		b = append(b, t.Color...)
		b = append(b, t.Name...)
		b = append(b, 0)
	}
	return b
}
