package httpapi

import (
	"context"
	"net/http"
	"time"

	"github.com/google/uuid"

	"github.com/taskapi/taskapi"
	"github.com/taskapi/taskapi/internal/store"
)

// CommentBody is a comment as the API shows it.
type CommentBody struct {
	ID        string    `json:"id" format:"uuid" doc:"Comment ID"`
	TaskID    string    `json:"task_id" format:"uuid" doc:"The task it is on"`
	Body      string    `json:"body" doc:"Plain text, 1–10,000 characters"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

func commentBody(c taskapi.Comment) CommentBody {
	return CommentBody{ID: c.ID.String(), TaskID: c.TaskID.String(), Body: c.Body,
		CreatedAt: c.CreatedAt.UTC(), UpdatedAt: c.UpdatedAt.UTC()}
}

func commentETag(c taskapi.Comment) string { return etagOf("comment", c.ID, c.Version) }

func commentLocation(c taskapi.Comment) string {
	return apiPrefix + "/tasks/" + c.TaskID.String() + "/comments/" + c.ID.String()
}

// CommentPath names one comment of one task.
type CommentPath struct {
	ID        string `path:"id" format:"uuid" doc:"Task ID"`
	CommentID string `path:"comment_id" format:"uuid" doc:"Comment ID"`
}

func (p *CommentPath) ids() (task, comment uuid.UUID, err error) {
	if task, err = parseUUID("path.id", p.ID); err != nil {
		return
	}
	comment, err = parseUUID("path.comment_id", p.CommentID)
	return
}

func (p *CommentPath) resource(taskapi.Principal) (uuid.UUID, error) {
	return parseUUID("path.comment_id", p.CommentID)
}

// commentBodyField is the body a create or an edit sends.
type commentBodyField struct {
	Body string `json:"body" minLength:"1" maxLength:"10000" doc:"Plain text, 1–10,000 characters, not blank; shown as written (never as HTML)"`
}

// CommentOutput is a response holding one comment and its ETag.
type CommentOutput struct {
	ETag string `header:"ETag" doc:"Strong validator of this version of the comment, for If-Match"`
	Body CommentBody
}

func commentOutput(c taskapi.Comment) *CommentOutput {
	return &CommentOutput{ETag: commentETag(c), Body: commentBody(c)}
}

// CreatedCommentOutput is the response to a create.
type CreatedCommentOutput struct {
	ReplayedHeader
	Status   int
	Location string `header:"Location" doc:"URL of the new comment"`
	ETag     string `header:"ETag" doc:"Strong validator of the comment, for If-Match"`
	Body     CommentBody
}

func createdComment(c taskapi.Comment) *CreatedCommentOutput {
	return &CreatedCommentOutput{Status: http.StatusCreated, Location: commentLocation(c), ETag: commentETag(c), Body: commentBody(c)}
}

// CreateCommentInput is POST /tasks/{id}/comments.
type CreateCommentInput struct {
	TaskPath
	IdempotencyKeyHeader
	Body commentBodyField
}

func (s *server) createComment(ctx context.Context, caller taskapi.Principal, in *CreateCommentInput) (*CreatedCommentOutput, error) {
	taskID, err := parseUUID("path.id", in.ID)
	if err != nil {
		return nil, err
	}
	c, replayed, err := s.store.CreateComment(ctx, caller.User.ID, taskID, in.Body.Body, in.key())
	return answer(createdComment, c, replayed, err)
}

// ListCommentsInput is GET /tasks/{id}/comments.
type ListCommentsInput struct {
	TaskPath
	PageInput
}

// CommentListOutput is one page of comments, oldest first.
type CommentListOutput struct {
	Body struct {
		Items      []CommentBody `json:"items"`
		NextCursor *string       `json:"next_cursor" doc:"Pass as cursor to get the next page; null on the last page"`
	}
}

func (s *server) listComments(ctx context.Context, caller taskapi.Principal, in *ListCommentsInput) (*CommentListOutput, error) {
	taskID, err := parseUUID("path.id", in.ID)
	if err != nil {
		return nil, err
	}
	out := &CommentListOutput{}
	out.Body.Items, out.Body.NextCursor, err = listPage(s, caller, scope("comments", taskID.String()), in.Cursor, in.Limit,
		func(p store.Page) ([]taskapi.Comment, store.Position, error) {
			return s.store.ListComments(ctx, caller.User.ID, taskID, p)
		}, commentBody)
	return out, err
}

// GetCommentInput names the comment to read.
type GetCommentInput struct {
	CommentPath
}

func (s *server) getComment(ctx context.Context, caller taskapi.Principal, in *GetCommentInput) (*CommentOutput, error) {
	taskID, id, err := in.ids()
	if err != nil {
		return nil, err
	}
	c, err := s.store.GetComment(ctx, caller.User.ID, taskID, id)
	if err != nil {
		return nil, err
	}
	return commentOutput(c), nil
}

// PatchCommentInput edits a comment's body.
type PatchCommentInput struct {
	CommentPath
	IfMatchHeader
	precondition
	Body commentBodyField
}

func (s *server) patchComment(ctx context.Context, caller taskapi.Principal, in *PatchCommentInput) (*CommentOutput, error) {
	taskID, id, err := in.ids()
	if err != nil {
		return nil, err
	}
	c, err := s.store.UpdateComment(ctx, caller.User.ID, taskID, id, in.Body.Body, in.ifMatch())
	if err != nil {
		return nil, err
	}
	return commentOutput(c), nil
}

// DeleteCommentInput names the comment to delete.
type DeleteCommentInput struct {
	CommentPath
	IfMatchHeader
	precondition
}

func (s *server) deleteComment(ctx context.Context, caller taskapi.Principal, in *DeleteCommentInput) (*struct{}, error) {
	taskID, id, err := in.ids()
	if err != nil {
		return nil, err
	}
	return nil, s.store.DeleteComment(ctx, caller.User.ID, taskID, id, in.ifMatch())
}
