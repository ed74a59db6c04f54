package store

import (
	"context"
	"fmt"

	"github.com/google/uuid"

	"github.com/taskapi/taskapi"
)

const userColumns = `id, email, username, full_name, is_active, is_verified, is_superuser, created_at, updated_at`

type rowScanner interface{ Scan(dest ...any) error }

func scanUser(r rowScanner) (taskapi.User, error) {
	var u taskapi.User
	err := r.Scan(&u.ID, &u.Email, &u.Username, &u.FullName, &u.IsActive, &u.IsVerified, &u.IsSuperuser, &u.CreatedAt, &u.UpdatedAt)
	u.CreatedAt, u.UpdatedAt = u.CreatedAt.UTC(), u.UpdatedAt.UTC()
	return u, err
}

// CreateUser inserts a user with the given password hash. The ID and
// timestamps are set here. A taken email or username is ErrConflict.
func (s *Store) CreateUser(ctx context.Context, u taskapi.User, passwordHash string) (taskapi.User, error) {
	return s.createUser(ctx, s.write, u, passwordHash)
}

func (s *Store) createUser(ctx context.Context, q querier, u taskapi.User, passwordHash string) (taskapi.User, error) {
	id, err := uuid.NewV7()
	if err != nil {
		return taskapi.User{}, fmt.Errorf("create user: %w", err)
	}
	now := s.Now()
	u.ID, u.CreatedAt, u.UpdatedAt = id, now, now
	_, err = q.ExecContext(ctx, `INSERT INTO users (`+userColumns+`, password_hash)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		u.ID, u.Email, u.Username, u.FullName, u.IsActive, u.IsVerified, u.IsSuperuser, u.CreatedAt, u.UpdatedAt, passwordHash)
	if err != nil {
		return taskapi.User{}, fmt.Errorf("create user: %w", s.mapErr(err))
	}
	return u, nil
}

// GetUser returns the user with the given ID.
func (s *Store) GetUser(ctx context.Context, id uuid.UUID) (taskapi.User, error) {
	u, err := scanUser(s.read.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE id = $1`, id))
	if err != nil {
		return taskapi.User{}, fmt.Errorf("get user: %w", s.mapErr(err))
	}
	return u, nil
}
