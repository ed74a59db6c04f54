package store

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/taskapi/taskapi"
)

// CreateSession inserts a session and its first refresh token (by hash).
// The session's ID, CreatedAt and LastUsedAt are set here.
func (s *Store) CreateSession(ctx context.Context, sess taskapi.Session, refreshHash string) (taskapi.Session, error) {
	id, err := uuid.NewV7()
	if err != nil {
		return taskapi.Session{}, fmt.Errorf("create session: %w", err)
	}
	now := s.Now()
	sess.ID, sess.CreatedAt, sess.LastUsedAt = id, now, now
	sess.ExpiresAt = sess.ExpiresAt.UTC().Truncate(time.Microsecond)
	err = s.inTx(ctx, func(tx querier) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO sessions (id, user_id, user_agent, ip, created_at, last_used_at, expires_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			sess.ID, sess.UserID, sess.UserAgent, sess.IP, sess.CreatedAt, sess.LastUsedAt, sess.ExpiresAt); err != nil {
			return s.mapErr(err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO refresh_tokens (token_hash, session_id, created_at) VALUES ($1, $2, $3)`,
			refreshHash, sess.ID, now); err != nil {
			return s.mapErr(err)
		}
		return nil
	})
	if err != nil {
		return taskapi.Session{}, fmt.Errorf("create session: %w", err)
	}
	return sess, nil
}

// SessionPrincipal returns the caller behind a live session: one that is
// not revoked nor expired, of an active user. Anything else is
// ErrUnauthorized. It is one indexed query, run on every authenticated
// request, so that a session ended anywhere is refused everywhere at once.
func (s *Store) SessionPrincipal(ctx context.Context, sessionID uuid.UUID) (taskapi.Principal, error) {
	row := s.read.QueryRowContext(ctx, `SELECT u.id, u.email, u.username, u.full_name, u.is_active, u.is_verified,
			u.is_superuser, u.created_at, u.updated_at
		FROM sessions s JOIN users u ON u.id = s.user_id
		WHERE s.id = $1 AND s.revoked_at IS NULL AND s.expires_at > $2 AND u.is_active = $3`,
		sessionID, s.Now(), true)
	u, err := scanUser(row)
	if err != nil {
		err = s.mapErr(err)
		if err == taskapi.ErrNotFound {
			return taskapi.Principal{}, taskapi.ErrUnauthorized
		}
		return taskapi.Principal{}, fmt.Errorf("session principal: %w", err)
	}
	return taskapi.Principal{User: u, SessionID: sessionID}, nil
}
