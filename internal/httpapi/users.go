package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"time"

	"github.com/google/uuid"

	"github.com/taskapi/taskapi"
	"github.com/taskapi/taskapi/internal/auth"
	"github.com/taskapi/taskapi/internal/store"
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
	TimeZone    string    `json:"timezone" doc:"IANA time zone in which the web app shows due dates and counts today"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

func userBody(u taskapi.User) UserBody {
	return UserBody{
		ID: u.ID.String(), Email: u.Email, Username: u.Username, FullName: u.FullName,
		IsActive: u.IsActive, IsVerified: u.IsVerified, IsSuperuser: u.IsSuperuser,
		TimeZone: u.TimeZone, CreatedAt: u.CreatedAt.UTC(), UpdatedAt: u.UpdatedAt.UTC(),
	}
}

// UserOutput is a response holding one user.
type UserOutput struct {
	ETag string `header:"ETag" doc:"Version of the user; send it as If-Match to change or delete only this version"`
	Body UserBody
}

func userOutput(u taskapi.User) *UserOutput {
	return &UserOutput{ETag: userETag(u), Body: userBody(u)}
}

func (s *server) getMe(ctx context.Context, caller taskapi.Principal, _ *struct{}) (*UserOutput, error) {
	return userOutput(caller.User), nil
}

// UpdateMeInput is a merge patch of the caller's account.
type UpdateMeInput struct {
	IfMatch string `header:"If-Match" doc:"ETag of the version to change; 412 when the account changed since"`
	precondition
	Body struct {
		Username *string `json:"username,omitempty" minLength:"3" maxLength:"50" pattern:"^[A-Za-z0-9_.-]+$" patternDescription:"letters, digits, '_', '.' and '-'" doc:"New username"`
		FullName *string `json:"full_name,omitempty" maxLength:"200" nullable:"true" doc:"New display name; null clears it"`
		TimeZone *string `json:"timezone,omitempty" maxLength:"64" doc:"New IANA time zone, such as Europe/Paris"`
		Email    *string `json:"email,omitempty" maxLength:"254" doc:"New email address: it needs current_password; it is unverified until the link sent to it is followed, and the old address is told"`
		// The address is where password reset links go: moving it must
		// take more than a stolen access token.
		CurrentPassword *string `json:"current_password,omitempty" minLength:"1" maxLength:"128" doc:"The password in use; required to change the email (422 without it, 403 when wrong)"`
	}
	// RawBody tells an absent full_name from a null one.
	RawBody []byte
}

func (s *server) updateMe(ctx context.Context, caller taskapi.Principal, in *UpdateMeInput) (*UserOutput, error) {
	// Only full_name may be cleared; null elsewhere is a mistake, not "leave as is".
	for _, field := range []string{"username", "email", "timezone"} {
		if jsonHasNull(in.RawBody, field) {
			return nil, taskapi.Invalid(field, "cannot be null")
		}
	}
	// The caller's account was read with this request: a stale tag is
	// refused before any password is checked.
	if err := in.ifMatch().Check(caller.User.Version, "user"); err != nil {
		return nil, err
	}
	ch := auth.ProfileChanges{Username: in.Body.Username, FullName: in.Body.FullName, Email: in.Body.Email, TimeZone: in.Body.TimeZone, IfMatch: in.ifMatch()}
	if in.Body.FullName == nil && jsonHasNull(in.RawBody, "full_name") {
		ch.ClearFullName = true
	}
	if in.Body.CurrentPassword != nil {
		ch.CurrentPassword = *in.Body.CurrentPassword
	}
	if in.Body.Username != nil && *in.Body.Username != caller.User.Username {
		// A 409 says the name is taken: limited like registration.
		if err := s.takeAuthIP(ctx); err != nil {
			return nil, err
		}
	}
	u, err := s.auth.UpdateProfile(ctx, caller, ch)
	if err != nil {
		return nil, err
	}
	return userOutput(u), nil
}

// jsonHasNull reports whether the JSON object body has key set to null.
func jsonHasNull(body []byte, key string) bool {
	var m map[string]json.RawMessage
	if json.Unmarshal(body, &m) != nil {
		return false
	}
	v, ok := m[key]
	return ok && bytes.Equal(bytes.TrimSpace(v), []byte("null"))
}

// DeleteMeInput confirms the deletion of the caller's account.
type DeleteMeInput struct {
	IfMatch string `header:"If-Match" doc:"ETag of the version to delete; 412 when the account changed since"`
	precondition
	Body struct {
		Password string `json:"password" minLength:"1" maxLength:"128" doc:"The current password, to confirm"`
	}
}

func (s *server) deleteMe(ctx context.Context, caller taskapi.Principal, in *DeleteMeInput) (*NoContent, error) {
	if err := in.ifMatch().Check(caller.User.Version, "user"); err != nil {
		return nil, err
	}
	if err := s.auth.DeleteAccount(ctx, caller, in.Body.Password, in.ifMatch()); err != nil {
		return nil, err
	}
	return &NoContent{}, nil
}

// SessionBody is one session as its owner sees it.
type SessionBody struct {
	ID         string    `json:"id" format:"uuid"`
	UserAgent  string    `json:"user_agent" doc:"User-Agent of the device that logged in"`
	IP         string    `json:"ip" doc:"Address the login came from"`
	CreatedAt  time.Time `json:"created_at" doc:"When the session was opened (login)"`
	LastUsedAt time.Time `json:"last_used_at" doc:"When it was last used, to the minute"`
	ExpiresAt  time.Time `json:"expires_at" doc:"When it ends unless refreshed"`
	Current    bool      `json:"current" doc:"True for the session of this request"`
}

// SessionListOutput is a page of sessions.
type SessionListOutput struct {
	Body struct {
		Items      []SessionBody `json:"items"`
		NextCursor *string       `json:"next_cursor" doc:"Cursor of the next page; null on the last"`
	}
}

func (s *server) listSessions(ctx context.Context, caller taskapi.Principal, in *PageInput) (*SessionListOutput, error) {
	out := &SessionListOutput{}
	var err error
	out.Body.Items, out.Body.NextCursor, err = listPage(s, caller, scope("sessions"), in.Cursor, in.Limit,
		func(p store.Page) ([]taskapi.Session, store.Position, error) {
			return s.store.ListSessions(ctx, caller.User.ID, p)
		},
		func(x taskapi.Session) SessionBody {
			return SessionBody{ID: x.ID.String(), UserAgent: x.UserAgent, IP: x.IP, CreatedAt: x.CreatedAt,
				LastUsedAt: x.LastUsedAt, ExpiresAt: x.ExpiresAt, Current: x.ID == caller.SessionID}
		})
	return out, err
}

// SessionIDInput names one of the caller's sessions.
type SessionIDInput struct {
	ID uuid.UUID `path:"id" doc:"Session ID"`
}

func (s *server) deleteSession(ctx context.Context, caller taskapi.Principal, in *SessionIDInput) (*NoContent, error) {
	if err := s.auth.EndSession(ctx, caller.User.ID, in.ID); err != nil {
		return nil, err
	}
	return &NoContent{}, nil
}
