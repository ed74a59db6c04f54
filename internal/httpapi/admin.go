package httpapi

import (
	"context"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/taskapi/taskapi"
	"github.com/taskapi/taskapi/internal/auth"
)

// errNotAdmin answers a caller who is not a superuser.
var errNotAdmin = taskapi.NewProblem(taskapi.ErrForbidden, "only administrators may use /admin routes")

// admin returns the caller when they are a superuser.
func admin(ctx context.Context) (taskapi.Principal, error) {
	p := principalFrom(ctx)
	if !p.User.IsSuperuser {
		return taskapi.Principal{}, errNotAdmin
	}
	return p, nil
}

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

func (s *server) adminListUsers(ctx context.Context, in *AdminListUsersInput) (*UserListOutput, error) {
	p, err := admin(ctx)
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	q := strings.TrimSpace(in.Q)
	if !taskapi.ValidText(q) {
		return nil, s.fail(ctx, taskapi.Invalid("q", "must be valid UTF-8 without NUL characters"))
	}
	// A cursor continues only the search it came from.
	scope := scopeDigest([]byte("admin users\x00" + q))
	after, err := s.decodeIDCursor(p.User.ID, in.Cursor, scope)
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	list, err := s.store.ListUsers(ctx, q, after, in.Limit+1)
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	out := &UserListOutput{}
	out.Body.Items = make([]UserBody, 0, min(len(list), in.Limit))
	for i, u := range list {
		if i == in.Limit {
			c := s.encodeIDCursor(p.User.ID, scope, list[i-1].ID)
			out.Body.NextCursor = &c
			break
		}
		out.Body.Items = append(out.Body.Items, userBody(u))
	}
	return out, nil
}

// UserIDInput names a user.
type UserIDInput struct {
	ID uuid.UUID `path:"id" doc:"User ID"`
}

// AdminDeleteUserInput names the user to delete.
type AdminDeleteUserInput struct {
	ID      uuid.UUID `path:"id" doc:"User ID"`
	IfMatch string    `header:"If-Match" doc:"ETag of the version to delete; 412 when the user changed since"`
}

func (s *server) adminGetUser(ctx context.Context, in *UserIDInput) (*UserOutput, error) {
	if _, err := admin(ctx); err != nil {
		return nil, s.fail(ctx, err)
	}
	u, err := s.store.GetUser(ctx, in.ID)
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	return userOutput(u), nil
}

// adminVersion reads the If-Match header of an admin change: the version
// of the target user the change must still find (nil without a header).
func (s *server) adminVersion(ctx context.Context, id uuid.UUID, header string) (*time.Time, error) {
	if header == "" {
		return nil, nil
	}
	u, err := s.store.GetUser(ctx, id)
	if err != nil {
		return nil, err
	}
	return userIfMatch(header, u)
}

// AdminUpdateUserInput is a merge patch of an account's flags.
type AdminUpdateUserInput struct {
	ID      uuid.UUID `path:"id" doc:"User ID"`
	IfMatch string    `header:"If-Match" doc:"ETag of the version to change; 412 when the user changed since"`
	Body    struct {
		IsActive    *bool `json:"is_active,omitempty" doc:"False disables the account and ends its sessions at once"`
		IsVerified  *bool `json:"is_verified,omitempty" doc:"Whether the email address counts as verified"`
		IsSuperuser *bool `json:"is_superuser,omitempty" doc:"Whether the user is an administrator"`
	}
}

func (s *server) adminUpdateUser(ctx context.Context, in *AdminUpdateUserInput) (*UserOutput, error) {
	p, err := admin(ctx)
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	version, err := s.adminVersion(ctx, in.ID, in.IfMatch)
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	u, err := s.auth.AdminUpdate(ctx, p, in.ID, auth.AdminChanges{
		IsActive: in.Body.IsActive, IsVerified: in.Body.IsVerified, IsSuperuser: in.Body.IsSuperuser, IfUpdatedAt: version,
	})
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	return userOutput(u), nil
}

func (s *server) adminDeleteUser(ctx context.Context, in *AdminDeleteUserInput) (*NoContent, error) {
	p, err := admin(ctx)
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	version, err := s.adminVersion(ctx, in.ID, in.IfMatch)
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	if err := s.auth.AdminDelete(ctx, p, in.ID, version); err != nil {
		return nil, s.fail(ctx, err)
	}
	return &NoContent{}, nil
}
