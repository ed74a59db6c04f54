package httpapi

import (
	"context"
	"time"

	"github.com/taskapi/taskapi"
)

// UserBody is a user as the API shows it. The password hash never leaves
// the server: it is not even a field of taskapi.User.
type UserBody struct {
	ID          string    `json:"id" format:"uuid" doc:"User ID"`
	Email       string    `json:"email" format:"email" doc:"Email address, lower case"`
	Username    string    `json:"username" doc:"Unique username"`
	FullName    *string   `json:"full_name" doc:"Display name"`
	IsActive    bool      `json:"is_active" doc:"False when an administrator disabled the account"`
	IsVerified  bool      `json:"is_verified" doc:"True once the email address is verified"`
	IsSuperuser bool      `json:"is_superuser" doc:"Administrators may use /admin routes"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

func userBody(u taskapi.User) UserBody {
	return UserBody{
		ID: u.ID.String(), Email: u.Email, Username: u.Username, FullName: u.FullName,
		IsActive: u.IsActive, IsVerified: u.IsVerified, IsSuperuser: u.IsSuperuser,
		CreatedAt: u.CreatedAt.UTC(), UpdatedAt: u.UpdatedAt.UTC(),
	}
}

// UserOutput is a response holding one user.
type UserOutput struct {
	Body UserBody
}

func (s *server) getMe(ctx context.Context, _ *struct{}) (*UserOutput, error) {
	return &UserOutput{Body: userBody(principalFrom(ctx).User)}, nil
}
