package auth

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"

	"github.com/taskapi/taskapi"
	"github.com/taskapi/taskapi/internal/store"
)

// checkPassword compares password with the user's, as one failed
// credential check (ErrWrongPassword) when it does not match.
func (s *Service) checkPassword(ctx context.Context, userID uuid.UUID, password string) error {
	hash, err := s.store.PasswordHash(ctx, userID)
	if err != nil {
		return err
	}
	if ok, _ := s.passwords.Check(hash, password); !ok {
		return ErrWrongPassword
	}
	return nil
}

// ProfileChanges are what a user may change on their own account; nil
// leaves a field as it is.
type ProfileChanges struct {
	Username      *string
	FullName      *string
	ClearFullName bool
	Email         *string
	// TimeZone is an IANA zone name (taskapi.ValidateTimeZone).
	TimeZone *string
	// CurrentPassword is required to change the email: the address is
	// where reset links go, so an access token alone must not move it.
	CurrentPassword string
	// IfMatch makes the change conditional (If-Match).
	IfMatch store.Versions
}

// ChangesEmail reports whether email (as given by the client) would move
// u to another address, which needs the current password.
func ChangesEmail(u taskapi.User, email *string) bool {
	return email != nil && taskapi.NormalizeEmail(*email) != u.Email
}

// UpdateProfile changes the caller's own account. A new email address
// needs the current password (a missing one is 422, a wrong one
// ErrWrongPassword); it is unverified until the link sent to it is
// followed; the old address gets a notice, and links sent to it stop
// working. A password given with a new email is a check the Guard counts
// (and only then, so edits without one cannot clear the failure count).
func (s *Service) UpdateProfile(ctx context.Context, p taskapi.Principal, ch ProfileChanges) (taskapi.User, error) {
	if ChangesEmail(p.User, ch.Email) && ch.CurrentPassword != "" {
		return guarded(ctx, s, userKey(p.User.ID), func() (taskapi.User, error) { return s.updateProfile(ctx, p, ch) })
	}
	return s.updateProfile(ctx, p, ch)
}

func (s *Service) updateProfile(ctx context.Context, p taskapi.Principal, ch ProfileChanges) (taskapi.User, error) {
	changes := store.UserChanges{Username: ch.Username, ClearFullName: ch.ClearFullName, TimeZone: ch.TimeZone, IfMatch: ch.IfMatch}
	if ch.TimeZone != nil {
		if err := taskapi.ValidateTimeZone(*ch.TimeZone); err != nil {
			return taskapi.User{}, err
		}
	}
	if ch.Username != nil {
		if err := taskapi.ValidateUsername(*ch.Username); err != nil {
			return taskapi.User{}, err
		}
	}
	if ch.FullName != nil {
		changes.FullName = trimmedName(ch.FullName)
		changes.ClearFullName = changes.FullName == nil
		if err := taskapi.ValidateFullName(changes.FullName); err != nil {
			return taskapi.User{}, err
		}
	}
	var change *store.EmailChange
	if ch.Email != nil {
		email, err := validEmail(*ch.Email)
		if err != nil {
			return taskapi.User{}, err
		}
		if email != p.User.Email {
			if ch.CurrentPassword == "" {
				return taskapi.User{}, taskapi.Invalid("current_password", "is required to change the email")
			}
			if err := s.checkPassword(ctx, p.User.ID, ch.CurrentPassword); err != nil {
				return taskapi.User{}, err
			}
			if change, err = s.emailChange(p.User, email, ch.Username); err != nil {
				return taskapi.User{}, err
			}
		}
	}
	if changes.Username == nil && changes.FullName == nil && !changes.ClearFullName && changes.TimeZone == nil && change == nil {
		return p.User, nil
	}
	u, err := s.store.UpdateUser(ctx, p.User.ID, changes, change)
	if err != nil {
		return taskapi.User{}, err
	}
	if change != nil {
		s.queued()
	}
	return u, nil
}

func (s *Service) emailChange(u taskapi.User, email string, newUsername *string) (*store.EmailChange, error) {
	name := u.Username
	if newUsername != nil {
		name = *newUsername
	}
	moved := u
	moved.Email, moved.Username = email, name
	tok, verify, err := s.verificationFor(moved)
	if err != nil {
		return nil, err
	}
	notice, err := s.templates.EmailChanged(u.Email, name, email)
	if err != nil {
		return nil, err
	}
	return &store.EmailChange{Email: email, Token: tok, Verify: verify, Notice: outbox(notice)}, nil
}

// DeleteAccount deletes the caller's account, which needs the password
// (a check the Guard counts); the user's sessions, categories and tasks go
// with it. ifMatch makes it conditional (If-Match).
func (s *Service) DeleteAccount(ctx context.Context, p taskapi.Principal, password string, ifMatch store.Versions) error {
	_, err := guarded(ctx, s, userKey(p.User.ID), func() (struct{}, error) {
		if err := s.checkPassword(ctx, p.User.ID, password); err != nil {
			return struct{}{}, err
		}
		return struct{}{}, s.store.DeleteUser(ctx, p.User.ID, ifMatch)
	})
	return err
}

// AdminChanges are what an administrator may set on an account.
type AdminChanges struct {
	IsActive    *bool
	IsVerified  *bool
	IsSuperuser *bool
	IfMatch     store.Versions // conditional change (If-Match)
}

// AdminUpdate changes another account's flags. Disabling an account ends
// its sessions at once. An administrator cannot disable themselves or take
// away their own superuser flag: a slip would lock them (perhaps the last
// administrator) out; another administrator must do it.
func (s *Service) AdminUpdate(ctx context.Context, actor taskapi.Principal, id uuid.UUID, ch AdminChanges) (taskapi.User, error) {
	if !actor.User.IsSuperuser {
		return taskapi.User{}, errNotAdmin
	}
	if id == actor.User.ID && (ch.IsActive != nil && !*ch.IsActive || ch.IsSuperuser != nil && !*ch.IsSuperuser) {
		return taskapi.User{}, taskapi.NewProblem(taskapi.ErrForbidden,
			"you cannot disable yourself or remove your own superuser flag; another administrator must")
	}
	if ch.IsActive == nil && ch.IsVerified == nil && ch.IsSuperuser == nil {
		u, err := s.store.GetUser(ctx, id)
		if err == nil {
			err = ch.IfMatch.Check(u.Version, "user")
		}
		return u, err
	}
	return s.store.UpdateUser(ctx, id, store.UserChanges{
		IsActive: ch.IsActive, IsVerified: ch.IsVerified, IsSuperuser: ch.IsSuperuser, IfMatch: ch.IfMatch,
	}, nil)
}

// AdminDelete deletes another account (conditionally, with ifMatch).
// Administrators delete their own through DELETE /users/me, which asks for
// the password.
func (s *Service) AdminDelete(ctx context.Context, actor taskapi.Principal, id uuid.UUID, ifMatch store.Versions) error {
	if !actor.User.IsSuperuser {
		return errNotAdmin
	}
	if id == actor.User.ID {
		return taskapi.NewProblem(taskapi.ErrForbidden, "delete your own account with DELETE /users/me")
	}
	return s.store.DeleteUser(ctx, id, ifMatch)
}

var errNotAdmin = taskapi.NewProblem(taskapi.ErrForbidden, "only administrators may do this")

// EnsureSuperuser makes the account with the given email a verified,
// active superuser, creating it when there is none. An existing account
// keeps its password unless password is not empty; a new one needs a
// password. A username that belongs to another account than the email's
// is ErrConflict. It reports whether the account was created.
func (s *Service) EnsureSuperuser(ctx context.Context, email, username, password string) (taskapi.User, bool, error) {
	email, err := validEmail(email)
	if err != nil {
		return taskapi.User{}, false, err
	}
	yes := true
	u, err := s.store.GetUserByEmail(ctx, email)
	switch {
	case err == nil:
		if username != "" && username != u.Username {
			return taskapi.User{}, false, taskapi.NewProblem(taskapi.ErrConflict,
				"%s already has the username %s; leave --username out or give that one", email, u.Username)
		}
		if password != "" {
			if err := CheckPasswordPolicy("password", password, u); err != nil {
				return taskapi.User{}, false, err
			}
			hash, err := s.passwords.Hash(password)
			if err != nil {
				return taskapi.User{}, false, err
			}
			if err := s.store.SetPassword(ctx, u.ID, hash, uuid.Nil, nil); err != nil {
				return taskapi.User{}, false, err
			}
		}
		u, err = s.store.UpdateUser(ctx, u.ID, store.UserChanges{IsActive: &yes, IsVerified: &yes, IsSuperuser: &yes}, nil)
		return u, false, err
	case !errors.Is(err, taskapi.ErrNotFound):
		return taskapi.User{}, false, err
	}
	if err := taskapi.ValidateUsername(username); err != nil {
		return taskapi.User{}, false, err
	}
	u = taskapi.User{Email: email, Username: username, IsActive: true, IsVerified: true, IsSuperuser: true}
	if password == "" {
		return taskapi.User{}, false, taskapi.Invalid("password", "is required for a new account")
	}
	if err := CheckPasswordPolicy("password", password, u); err != nil {
		return taskapi.User{}, false, err
	}
	hash, err := s.passwords.Hash(password)
	if err != nil {
		return taskapi.User{}, false, err
	}
	if u, err = s.store.CreateUser(ctx, u, hash); err != nil {
		return taskapi.User{}, false, fmt.Errorf("create superuser: %w", err)
	}
	return u, true, nil
}
