package httpapi

import (
	"context"
	"strings"

	"github.com/google/uuid"

	"github.com/taskapi/taskapi"
	"github.com/taskapi/taskapi/internal/auth"
	"github.com/taskapi/taskapi/internal/store"
)

// AdminListUsersInput is the query of GET /admin/users.
type AdminListUsersInput struct {
	PageInput
	Q string `query:"q" maxLength:"254" doc:"Keep users whose email or username contains this, ignoring case"`
}

// UserListOutput is a page of users.
type UserListOutput struct {
	Body struct {
		Items      []UserBody `json:"items"`
		NextCursor *string    `json:"next_cursor" doc:"Cursor of the next page; null on the last"`
	}
}

func (s *server) adminListUsers(ctx context.Context, caller taskapi.Principal, in *AdminListUsersInput) (*UserListOutput, error) {
	q := strings.TrimSpace(in.Q)
	if !taskapi.ValidText(q) {
		return nil, taskapi.Invalid("q", "must be valid UTF-8 without NUL characters")
	}
	out := &UserListOutput{}
	var err error
	// A cursor continues only the search it came from.
	out.Body.Items, out.Body.NextCursor, err = listPage(s, caller, scope("admin users", q), in.Cursor, in.Limit,
		func(p store.Page) ([]taskapi.User, store.Position, error) { return s.store.ListUsers(ctx, q, p) },
		userBody)
	return out, err
}

// UserIDInput names a user.
type UserIDInput struct {
	ID uuid.UUID `path:"id" doc:"User ID"`
}

// AdminDeleteUserInput names the user to delete.
type AdminDeleteUserInput struct {
	ID      uuid.UUID `path:"id" doc:"User ID"`
	IfMatch string    `header:"If-Match" doc:"ETag of the version to delete; 412 when the user changed since"`
	precondition
}

func (s *server) adminGetUser(ctx context.Context, caller taskapi.Principal, in *UserIDInput) (*UserOutput, error) {
	u, err := s.store.GetUser(ctx, in.ID)
	if err != nil {
		return nil, err
	}
	return userOutput(u), nil
}

// AdminUpdateUserInput is a merge patch of an account's flags.
type AdminUpdateUserInput struct {
	ID      uuid.UUID `path:"id" doc:"User ID"`
	IfMatch string    `header:"If-Match" doc:"ETag of the version to change; 412 when the user changed since"`
	precondition
	Body struct {
		IsActive    *bool `json:"is_active,omitempty" doc:"False disables the account and ends its sessions at once"`
		IsVerified  *bool `json:"is_verified,omitempty" doc:"Whether the email address counts as verified"`
		IsSuperuser *bool `json:"is_superuser,omitempty" doc:"Whether the user is an administrator"`
	}
}

func (s *server) adminUpdateUser(ctx context.Context, caller taskapi.Principal, in *AdminUpdateUserInput) (*UserOutput, error) {
	u, err := s.auth.AdminUpdate(ctx, caller, in.ID, auth.AdminChanges{
		IsActive: in.Body.IsActive, IsVerified: in.Body.IsVerified, IsSuperuser: in.Body.IsSuperuser, IfMatch: in.ifMatch(),
	})
	if err != nil {
		return nil, err
	}
	return userOutput(u), nil
}

func (s *server) adminDeleteUser(ctx context.Context, caller taskapi.Principal, in *AdminDeleteUserInput) (*NoContent, error) {
	if err := s.auth.AdminDelete(ctx, caller, in.ID, in.ifMatch()); err != nil {
		return nil, err
	}
	return &NoContent{}, nil
}
