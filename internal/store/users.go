package store

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/google/uuid"

	"github.com/taskapi/taskapi"
)

const userColumns = `id, email, username, full_name, is_active, is_verified, is_superuser, created_at, updated_at, timezone, version`

type rowScanner interface{ Scan(dest ...any) error }

func scanUser(r rowScanner) (taskapi.User, error) {
	var u taskapi.User
	err := r.Scan(&u.ID, &u.Email, &u.Username, &u.FullName, &u.IsActive, &u.IsVerified, &u.IsSuperuser, &u.CreatedAt, &u.UpdatedAt, &u.TimeZone, &u.Version)
	u.CreatedAt, u.UpdatedAt = u.CreatedAt.UTC(), u.UpdatedAt.UTC()
	return u, err
}

// CreateUser inserts a user with the given password hash. The ID and
// timestamps are set here. A taken email or username is ErrConflict.
func (s *Store) CreateUser(ctx context.Context, u taskapi.User, passwordHash string) (taskapi.User, error) {
	return s.createUser(ctx, s.writer(), u, passwordHash)
}

func (s *Store) createUser(ctx context.Context, q querier, u taskapi.User, passwordHash string) (taskapi.User, error) {
	id, err := uuid.NewV7()
	if err != nil {
		return taskapi.User{}, fmt.Errorf("create user: %w", err)
	}
	now := s.Now()
	u.ID, u.CreatedAt, u.UpdatedAt, u.Version = id, now, now, 1
	if u.TimeZone == "" {
		u.TimeZone = taskapi.DefaultTimeZone
	}
	_, err = q.ExecContext(ctx, `INSERT INTO users (`+userColumns+`, password_hash)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
		u.ID, u.Email, u.Username, u.FullName, u.IsActive, u.IsVerified, u.IsSuperuser, u.CreatedAt, u.UpdatedAt, u.TimeZone, u.Version, passwordHash)
	if err != nil {
		return taskapi.User{}, fmt.Errorf("create user: %w", conflictProblem(s.mapErr(err), u))
	}
	return u, nil
}

// RegisterUser creates a user together with its first email token and the
// message carrying it, in one transaction: the message can never be lost
// nor sent for a user that was not created.
func (s *Store) RegisterUser(ctx context.Context, u taskapi.User, passwordHash string, tok EmailToken, msg OutboxMessage) (taskapi.User, error) {
	err := s.inTx(ctx, func(tx querier) error {
		var err error
		if u, err = s.createUser(ctx, tx, u, passwordHash); err != nil {
			return err
		}
		tok.UserID, msg.UserID = u.ID, &u.ID
		return s.issueEmailToken(ctx, tx, tok, msg)
	})
	if err != nil {
		return taskapi.User{}, fmt.Errorf("register user: %w", err)
	}
	return u, nil
}

// conflictProblem names the field a unique violation was about, so the
// client learns which of email and username is taken.
func conflictProblem(err error, u taskapi.User) error {
	if !errors.Is(err, taskapi.ErrConflict) {
		return err
	}
	// The driver's message names the index (PostgreSQL: users_email_key;
	// SQLite: users.email or index 'users_username_key').
	msg := err.Error()
	switch {
	case strings.Contains(msg, "email"):
		return taskapi.NewProblem(taskapi.ErrConflict, "the email %s is already registered", u.Email)
	case strings.Contains(msg, "username"):
		return taskapi.NewProblem(taskapi.ErrConflict, "the username %s is taken", u.Username)
	}
	return taskapi.NewProblem(taskapi.ErrConflict, "the email or the username is already registered")
}

// GetUser returns the user with the given ID.
func (s *Store) GetUser(ctx context.Context, id uuid.UUID) (taskapi.User, error) {
	u, err := scanUser(s.queryRow(ctx, `SELECT `+userColumns+` FROM users WHERE id = $1`, id))
	if err != nil {
		return taskapi.User{}, fmt.Errorf("get user: %w", s.mapErr(err))
	}
	return u, nil
}

// GetUserByEmail returns the user with the given (normalised) email.
func (s *Store) GetUserByEmail(ctx context.Context, email string) (taskapi.User, error) {
	u, err := scanUser(s.queryRow(ctx, `SELECT `+userColumns+` FROM users WHERE email = $1`, email))
	if err != nil {
		return taskapi.User{}, fmt.Errorf("get user by email: %w", s.mapErr(err))
	}
	return u, nil
}

// Credentials are what a login is checked against.
type Credentials struct {
	User         taskapi.User
	PasswordHash string
	// Epoch is the user's session epoch when the hash was read: a session
	// opened on the strength of this hash must still find it (see
	// CreateSession), so a login that overlaps a password change, a
	// reset, a disable or a logout everywhere opens nothing.
	Epoch int64
}

// Credentials returns the user a login names, its password hash and
// session epoch. The login is an email when it holds an '@' (usernames
// cannot), a username otherwise; usernames are matched ignoring case, as
// they are unique so.
func (s *Store) Credentials(ctx context.Context, login string) (Credentials, error) {
	q := `SELECT ` + userColumns + `, password_hash, session_epoch FROM users WHERE lower(username) = lower($1)`
	if strings.Contains(login, "@") {
		q = `SELECT ` + userColumns + `, password_hash, session_epoch FROM users WHERE email = $1`
		login = taskapi.NormalizeEmail(login)
	}
	var c Credentials
	u := &c.User
	err := s.queryRow(ctx, q, login).Scan(&u.ID, &u.Email, &u.Username, &u.FullName, &u.IsActive,
		&u.IsVerified, &u.IsSuperuser, &u.CreatedAt, &u.UpdatedAt, &u.TimeZone, &u.Version, &c.PasswordHash, &c.Epoch)
	if err != nil {
		return Credentials{}, fmt.Errorf("credentials: %w", s.mapErr(err))
	}
	u.CreatedAt, u.UpdatedAt = u.CreatedAt.UTC(), u.UpdatedAt.UTC()
	return c, nil
}

// SessionEpoch returns a user's session epoch (see Credentials).
func (s *Store) SessionEpoch(ctx context.Context, userID uuid.UUID) (int64, error) {
	var epoch int64
	if err := s.queryRow(ctx, `SELECT session_epoch FROM users WHERE id = $1`, userID).Scan(&epoch); err != nil {
		return 0, fmt.Errorf("session epoch: %w", s.mapErr(err))
	}
	return epoch, nil
}

// PasswordHash returns the password hash of a user.
func (s *Store) PasswordHash(ctx context.Context, userID uuid.UUID) (string, error) {
	var hash string
	if err := s.queryRow(ctx, `SELECT password_hash FROM users WHERE id = $1`, userID).Scan(&hash); err != nil {
		return "", fmt.Errorf("password hash: %w", s.mapErr(err))
	}
	return hash, nil
}

// UpgradePasswordHash replaces a user's hash with a stronger one of the
// same password, unless the password changed meanwhile (the old hash no
// longer matches), in which case it does nothing.
func (s *Store) UpgradePasswordHash(ctx context.Context, userID uuid.UUID, oldHash, newHash string) error {
	if _, err := s.exec(ctx, `UPDATE users SET password_hash = $1 WHERE id = $2 AND password_hash = $3`,
		newHash, userID, oldHash); err != nil {
		return fmt.Errorf("upgrade password hash: %w", s.mapErr(err))
	}
	return nil
}

// SetPassword stores a new password hash and ends every session of the user
// but keep (uuid.Nil ends all of them), and queues notice, in one
// transaction.
func (s *Store) SetPassword(ctx context.Context, userID uuid.UUID, newHash string, keep uuid.UUID, notice *OutboxMessage) error {
	err := s.inTx(ctx, func(tx querier) error {
		now := s.Now()
		res, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = $1, updated_at = $2, version = version + 1 WHERE id = $3`, newHash, now, userID)
		if err != nil {
			return s.mapErr(err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return taskapi.ErrNotFound
		}
		if err := s.revokeUserSessions(ctx, tx, userID, keep, now); err != nil {
			return err
		}
		// A reset link sent before the change must not undo it.
		if err := s.invalidateEmailTokens(ctx, tx, userID, PurposeResetPassword, now); err != nil {
			return err
		}
		if notice != nil {
			notice.UserID = &userID
			return s.insertNotice(ctx, tx, *notice)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("set password: %w", err)
	}
	return nil
}

// UserChanges are the account fields to change; a nil field stays as it is.
type UserChanges struct {
	Username      *string
	FullName      *string
	ClearFullName bool // set full_name to NULL
	IsActive      *bool
	IsVerified    *bool
	IsSuperuser   *bool
	TimeZone      *string
	// IfMatch makes the change conditional (If-Match).
	IfMatch Versions
}

// EmailChange moves an account to a new, unverified address: it comes
// with the verification token for the new address, the message carrying
// it and a notice to the old address.
type EmailChange struct {
	Email  string
	Token  EmailToken
	Verify OutboxMessage
	Notice OutboxMessage
}

// UpdateUser applies changes to a user and returns it, in one
// transaction: disabling an account ends its sessions; an email change
// marks the account unverified, voids the tokens sent to the old address,
// stores the new token and queues both messages.
func (s *Store) UpdateUser(ctx context.Context, id uuid.UUID, ch UserChanges, email *EmailChange) (taskapi.User, error) {
	var u taskapi.User
	err := s.inTx(ctx, func(tx querier) error {
		now := s.Now()
		sets := []string{"updated_at = $1", "version = version + 1"}
		args := []any{now}
		add := func(col string, v any) {
			args = append(args, v)
			sets = append(sets, fmt.Sprintf("%s = $%d", col, len(args)))
		}
		if ch.Username != nil {
			add("username", *ch.Username)
		}
		switch {
		case ch.ClearFullName:
			add("full_name", nil)
		case ch.FullName != nil:
			add("full_name", *ch.FullName)
		}
		if ch.IsActive != nil {
			add("is_active", *ch.IsActive)
		}
		if ch.IsVerified != nil {
			add("is_verified", *ch.IsVerified)
		}
		if ch.IsSuperuser != nil {
			add("is_superuser", *ch.IsSuperuser)
		}
		if ch.TimeZone != nil {
			add("timezone", *ch.TimeZone)
		}
		if email != nil {
			if ch.IsVerified != nil {
				return fmt.Errorf("an email change cannot also set is_verified")
			}
			add("email", email.Email)
			add("is_verified", false)
		}
		args = append(args, id)
		where := fmt.Sprintf("id = $%d", len(args)) + ch.IfMatch.where(&args)
		q := fmt.Sprintf(`UPDATE users SET %s WHERE %s RETURNING `+userColumns, strings.Join(sets, ", "), where)
		var err error
		if u, err = scanUser(tx.QueryRowContext(ctx, q, args...)); err != nil {
			if err = s.mapErr(err); errors.Is(err, taskapi.ErrNotFound) && ch.IfMatch != nil {
				return s.notFoundOrChanged(ctx, tx, id)
			}
			var want taskapi.User
			if ch.Username != nil {
				want.Username = *ch.Username
			}
			if email != nil {
				want.Email = email.Email
			}
			return conflictProblem(err, want)
		}
		if ch.TimeZone != nil {
			if err := s.retimeDigest(ctx, tx, id, *ch.TimeZone); err != nil {
				return err
			}
		}
		if ch.IsActive != nil && !*ch.IsActive {
			if err := s.revokeUserSessions(ctx, tx, id, uuid.Nil, now); err != nil {
				return err
			}
			// Like sessions, tokens end with a disable for good: enabling
			// the account again does not bring them back.
			if err := s.deleteAccessTokens(ctx, tx, id); err != nil {
				return err
			}
		}
		if email == nil {
			return nil
		}
		for _, p := range []EmailPurpose{PurposeVerifyEmail, PurposeResetPassword} {
			if err := s.invalidateEmailTokens(ctx, tx, id, p, now); err != nil {
				return err
			}
		}
		email.Token.UserID, email.Notice.UserID = id, &id
		if err := s.issueEmailToken(ctx, tx, email.Token, email.Verify); err != nil {
			return err
		}
		return s.insertOutbox(ctx, tx, email.Notice)
	})
	if err != nil {
		return taskapi.User{}, fmt.Errorf("update user: %w", err)
	}
	return u, nil
}

// DeleteUser deletes a user; the database removes its sessions, tokens,
// categories, tasks and pending mail with it (ON DELETE CASCADE).
// ifMatch makes it conditional (If-Match).
func (s *Store) DeleteUser(ctx context.Context, id uuid.UUID, ifMatch Versions) error {
	err := s.inTx(ctx, func(tx querier) error {
		args := []any{id}
		q := `DELETE FROM users WHERE id = $1` + ifMatch.where(&args)
		res, err := tx.ExecContext(ctx, q, args...)
		if err != nil {
			return s.mapErr(err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return s.notFoundOrChanged(ctx, tx, id)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("delete user: %w", err)
	}
	return nil
}

// notFoundOrChanged tells why a conditional change of a user touched no
// row: the user is gone (ErrNotFound) or has changed meanwhile
// (ErrPreconditionFailed).
func (s *Store) notFoundOrChanged(ctx context.Context, tx querier, id uuid.UUID) error {
	var one int
	if err := tx.QueryRowContext(ctx, `SELECT 1 FROM users WHERE id = $1`, id).Scan(&one); err != nil {
		return s.mapErr(err)
	}
	return changedSince("user")
}
