package httpapi

import (
	"context"
	"net/http"
	"time"

	"github.com/taskapi/taskapi"
	"github.com/taskapi/taskapi/internal/store"
)

// CategoryBody is a category as the API shows it.
type CategoryBody struct {
	ID        string    `json:"id" format:"uuid" doc:"Category ID"`
	Name      string    `json:"name" doc:"1–50 characters, unique per user ignoring case"`
	Color     string    `json:"color" pattern:"^#[0-9A-F]{6}$" doc:"#RRGGBB, upper case"`
	TaskCount int64     `json:"task_count" doc:"How many tasks the category holds (not part of the ETag)"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

func categoryBody(c taskapi.Category) CategoryBody {
	return CategoryBody{ID: c.ID.String(), Name: c.Name, Color: c.Color, TaskCount: c.TaskCount,
		CreatedAt: c.CreatedAt.UTC(), UpdatedAt: c.UpdatedAt.UTC()}
}

// CategoryPath names one category.
type CategoryPath struct {
	ID string `path:"id" format:"uuid" doc:"Category ID"`
}

// CategoryOutput is a response holding one category and its ETag.
type CategoryOutput struct {
	ETag string `header:"ETag" doc:"Strong validator of this version of the category, for If-Match"`
	Body CategoryBody
}

func categoryOutput(c taskapi.Category) *CategoryOutput {
	return &CategoryOutput{ETag: categoryETag(c), Body: categoryBody(c)}
}

// CreatedCategoryOutput is the response to a create.
type CreatedCategoryOutput struct {
	ReplayedHeader
	Status   int
	Location string `header:"Location" doc:"URL of the new category"`
	ETag     string `header:"ETag" doc:"Strong validator of the category, for If-Match"`
	Body     CategoryBody
}

func createdCategory(c taskapi.Category) *CreatedCategoryOutput {
	return &CreatedCategoryOutput{Status: http.StatusCreated, Location: apiPrefix + "/categories/" + c.ID.String(),
		ETag: categoryETag(c), Body: categoryBody(c)}
}

// CreateCategoryInput is POST /categories.
type CreateCategoryInput struct {
	IdempotencyKeyHeader
	Body struct {
		Name  string `json:"name" minLength:"1" maxLength:"50" doc:"1–50 characters, not blank; unique per user ignoring case (409)"`
		Color string `json:"color,omitempty" pattern:"^#[0-9A-Fa-f]{6}$" default:"#6B7280" doc:"#RRGGBB; stored upper case"`
	}
}

func (s *server) createCategory(ctx context.Context, caller taskapi.Principal, in *CreateCategoryInput) (*CreatedCategoryOutput, error) {
	c, replayed, err := s.store.CreateCategory(ctx, caller.User.ID, taskapi.Category{Name: in.Body.Name, Color: in.Body.Color}, in.key())
	return answer(createdCategory, c, replayed, err)
}

// ListCategoriesInput is GET /categories.
type ListCategoriesInput struct {
	PageInput
}

// CategoryListOutput is one page of categories, sorted by name ignoring
// case.
type CategoryListOutput struct {
	Body struct {
		Items      []CategoryBody `json:"items"`
		NextCursor *string        `json:"next_cursor" doc:"Pass as cursor to get the next page; null on the last page"`
	}
}

func (s *server) listCategories(ctx context.Context, caller taskapi.Principal, in *ListCategoriesInput) (*CategoryListOutput, error) {
	out := &CategoryListOutput{}
	var err error
	out.Body.Items, out.Body.NextCursor, err = listPage(s, caller, scope("categories"), in.Cursor, in.Limit,
		func(p store.Page) ([]taskapi.Category, store.Position, error) {
			return s.store.ListCategories(ctx, caller.User.ID, p)
		},
		categoryBody)
	return out, err
}

// GetCategoryInput names the category to read.
type GetCategoryInput struct {
	CategoryPath
}

func (s *server) getCategory(ctx context.Context, caller taskapi.Principal, in *GetCategoryInput) (*CategoryOutput, error) {
	id, err := parseUUID("path.id", in.ID)
	if err != nil {
		return nil, err
	}
	c, err := s.store.GetCategory(ctx, caller.User.ID, id)
	if err != nil {
		return nil, err
	}
	return categoryOutput(c), nil
}

// PatchCategoryInput is a merge-patch of a category.
type PatchCategoryInput struct {
	CategoryPath
	IfMatchHeader
	precondition
	Body struct {
		Name  Optional[string] `json:"name,omitzero" minLength:"1" maxLength:"50" doc:"1–50 characters; unique per user ignoring case (409)"`
		Color Optional[string] `json:"color,omitzero" pattern:"^#[0-9A-Fa-f]{6}$" doc:"#RRGGBB"`
	}
}

func (s *server) patchCategory(ctx context.Context, caller taskapi.Principal, in *PatchCategoryInput) (*CategoryOutput, error) {
	id, err := parseUUID("path.id", in.ID)
	if err != nil {
		return nil, err
	}
	var patch taskapi.CategoryPatch
	if patch.Name, err = required("name", in.Body.Name); err != nil {
		return nil, err
	}
	if patch.Color, err = required("color", in.Body.Color); err != nil {
		return nil, err
	}
	c, err := s.store.UpdateCategory(ctx, caller.User.ID, id, patch, in.ifMatch())
	if err != nil {
		return nil, err
	}
	return categoryOutput(c), nil
}

// DeleteCategoryInput names the category to delete.
type DeleteCategoryInput struct {
	CategoryPath
	IfMatchHeader
	precondition
}

func (s *server) deleteCategory(ctx context.Context, caller taskapi.Principal, in *DeleteCategoryInput) (*struct{}, error) {
	id, err := parseUUID("path.id", in.ID)
	if err != nil {
		return nil, err
	}
	if err := s.store.DeleteCategory(ctx, caller.User.ID, id, in.ifMatch()); err != nil {
		return nil, err
	}
	return nil, nil
}
