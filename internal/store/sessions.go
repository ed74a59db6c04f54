package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/taskapi/taskapi"
)

// ErrRefreshTokenReused means a spent refresh token was presented again:
// someone holds a copy, so the session it belongs to has been ended.
var ErrRefreshTokenReused = fmt.Errorf("%w: refresh token reused", taskapi.ErrUnauthorized)

// ErrCredentialsChanged means a session was not opened because the user's
// session epoch moved on since the credentials were read (password set or
// reset, account disabled, logout everywhere), or the user is disabled.
var ErrCredentialsChanged = fmt.Errorf("%w: the credentials changed", taskapi.ErrUnauthorized)

// CreateSession inserts a session and its first refresh token (by hash),
// provided the user is active and its session epoch is still epoch;
// otherwise ErrCredentialsChanged. The session's ID, CreatedAt and
// LastUsedAt are set here. Beyond maxLive live sessions, the user's
// oldest sessions end.
func (s *Store) CreateSession(ctx context.Context, sess taskapi.Session, refreshHash string, epoch int64, maxLive int) (taskapi.Session, error) {
	id, err := uuid.NewV7()
	if err != nil {
		return taskapi.Session{}, fmt.Errorf("create session: %w", err)
	}
	now := s.Now()
	sess.ID, sess.CreatedAt, sess.LastUsedAt = id, now, now
	sess.ExpiresAt = sess.ExpiresAt.UTC().Truncate(time.Microsecond)
	err = s.inTx(ctx, func(tx querier) error {
		// The check takes the user's row lock (a no-op UPDATE: SQLite has
		// no FOR SHARE), which every change that ends sessions also takes
		// before it ends them (revokeUserSessions). So either that change
		// commits first and this finds the epoch moved on, or this session
		// commits first and that change ends it: no session opened on an
		// old password survives.
		res, err := tx.ExecContext(ctx, `UPDATE users SET session_epoch = session_epoch
			WHERE id = $1 AND session_epoch = $2 AND is_active = $3`, sess.UserID, epoch, true)
		if err != nil {
			return s.mapErr(err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrCredentialsChanged
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO sessions (id, user_id, user_agent, ip, created_at, last_used_at, expires_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			sess.ID, sess.UserID, sess.UserAgent, sess.IP, sess.CreatedAt, sess.LastUsedAt, sess.ExpiresAt); err != nil {
			return s.mapErr(err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO refresh_tokens (token_hash, session_id, created_at) VALUES ($1, $2, $3)`,
			refreshHash, sess.ID, now); err != nil {
			return s.mapErr(err)
		}
		_, err = tx.ExecContext(ctx, `UPDATE sessions SET revoked_at = $1
			WHERE user_id = $2 AND revoked_at IS NULL AND id NOT IN (
				SELECT id FROM sessions WHERE user_id = $2 AND revoked_at IS NULL AND expires_at > $1
				ORDER BY created_at DESC LIMIT $3)`, now, sess.UserID, maxLive)
		return s.mapErr(err)
	})
	if err != nil {
		return taskapi.Session{}, fmt.Errorf("create session: %w", err)
	}
	return sess, nil
}

// SessionPrincipal returns the caller behind a live session: one that is
// not revoked nor expired, of an active user. Anything else is
// ErrUnauthorized. It also returns when the session was last marked used.
// It is one primary-key query, run on every authenticated request, so that
// a session ended anywhere is refused everywhere at once.
func (s *Store) SessionPrincipal(ctx context.Context, sessionID uuid.UUID) (taskapi.Principal, time.Time, error) {
	var sess liveSession
	if err := s.runReads(ctx, s.reader(), s.sessionOf(sessionID, &sess)); err != nil {
		return sessionFailed(err)
	}
	return sess.Principal, sess.LastUsed, nil
}

// SessionTask is SessionPrincipal and GetTask(userID, taskID) in one
// round trip to PostgreSQL (one pipeline; in turn on SQLite). userID is
// the user the caller's credentials name: the task is read as theirs, and
// kept only when the session is live and theirs (the caller still refuses
// a principal that is not that user, as for SessionPrincipal). A session that is not live is
// ErrUnauthorized, whatever the task; once it is, the task's absence is
// TaskErr (ErrNotFound), not an error of the call.
func (s *Store) SessionTask(ctx context.Context, sessionID, userID, taskID uuid.UUID) (SessionAndTask, error) {
	var sess liveSession
	ts := []taskapi.Task{{ID: taskID}}
	reads := append([]read{s.sessionOf(sessionID, &sess), taskOf(userID, taskID, &ts[0])}, taskExtras([]uuid.UUID{taskID}, &ts)...)
	err := s.pipeline(ctx, reads...)
	if !sess.Found {
		// The session's read failed: nothing after it counts.
		p, lastUsed, err := sessionFailed(err)
		return SessionAndTask{Principal: p, LastUsed: lastUsed}, err
	}
	out := SessionAndTask{Principal: sess.Principal, LastUsed: sess.LastUsed}
	switch {
	case err == nil && sess.Principal.User.ID != userID:
		// Read as another user than the session's: not the caller's to see.
		out.TaskErr = fmt.Errorf("get task: %w", taskapi.ErrNotFound)
	case err == nil:
		out.Task = ts[0]
	case errors.Is(err, taskapi.ErrNotFound):
		out.TaskErr = fmt.Errorf("get task: %w", err)
	default:
		return SessionAndTask{}, fmt.Errorf("get task: %w", err)
	}
	return out, nil
}

// SessionAndTask is what SessionTask read.
type SessionAndTask struct {
	Principal taskapi.Principal
	// LastUsed is when the session was last marked used.
	LastUsed time.Time
	Task     taskapi.Task
	// TaskErr is why there is no Task: ErrNotFound for a task that is
	// not the user's.
	TaskErr error
}

// liveSession is what the session check reads.
type liveSession struct {
	Found     bool
	Principal taskapi.Principal
	LastUsed  time.Time
}

// sessionOf is the session check, the one owner of what makes a session
// live (not revoked, not expired, its user active), reading into sess;
// no such session is sql.ErrNoRows.
func (s *Store) sessionOf(sessionID uuid.UUID, sess *liveSession) read {
	const q = `SELECT u.id, u.email, u.username, u.full_name, u.is_active, u.is_verified,
			u.is_superuser, u.created_at, u.updated_at, s.last_used_at, u.timezone, u.version
		FROM sessions s JOIN users u ON u.id = s.user_id
		WHERE s.id = $1 AND s.revoked_at IS NULL AND s.expires_at > $2 AND u.is_active = $3`
	return read{what: "session principal", sql: q, args: []any{sessionID, s.Now(), true}, scan: one(func(r rowScanner) error {
		var u taskapi.User
		var created, updated, lastUsed dbTime
		if err := r.Scan(&u.ID, &u.Email, &u.Username, &u.FullName, &u.IsActive, &u.IsVerified, &u.IsSuperuser,
			&created, &updated, &lastUsed, &u.TimeZone, &u.Version); err != nil {
			return err
		}
		if !created.Valid || !updated.Valid || !lastUsed.Valid {
			return errors.New("a timestamp is NULL")
		}
		u.CreatedAt, u.UpdatedAt = created.Time.UTC(), updated.Time.UTC()
		*sess = liveSession{Found: true, Principal: taskapi.Principal{User: u, SessionID: sessionID}, LastUsed: lastUsed.Time.UTC()}
		return nil
	})}
}

// sessionFailed is the answer of a session check that read no live
// session: ErrUnauthorized when there is none, the error otherwise.
func sessionFailed(err error) (taskapi.Principal, time.Time, error) {
	if err == nil || errors.Is(err, taskapi.ErrNotFound) {
		return taskapi.Principal{}, time.Time{}, taskapi.ErrUnauthorized
	}
	return taskapi.Principal{}, time.Time{}, err
}

// TouchSession records that a session was used now.
func (s *Store) TouchSession(ctx context.Context, sessionID uuid.UUID) error {
	if _, err := s.exec(ctx, `UPDATE sessions SET last_used_at = $1 WHERE id = $2`, s.Now(), sessionID); err != nil {
		return fmt.Errorf("touch session: %w", s.mapErr(err))
	}
	return nil
}

// RotateRefreshToken spends the refresh token with hash oldHash and gives
// its session newHash instead, extending the session to expiresAt, but
// never past maxAge after the session was opened (login): a session
// renewed by refresh still ends, and the user logs in again. The token
// must be unspent and its session live, of an active user; anything else
// is ErrUnauthorized. A spent token presented again ends its session and
// returns ErrRefreshTokenReused. A session keeps its latest keptSpent
// spent tokens, to recognise a replay; older ones are deleted.
func (s *Store) RotateRefreshToken(ctx context.Context, oldHash, newHash string, expiresAt time.Time, maxAge time.Duration, keptSpent int) (taskapi.Session, error) {
	var sess taskapi.Session
	reused := false
	err := s.inTx(ctx, func(tx querier) error {
		now := s.Now()
		// Spending is one conditional UPDATE, so of two concurrent
		// refreshes with the same token exactly one succeeds.
		var sid uuid.UUID
		err := tx.QueryRowContext(ctx, `UPDATE refresh_tokens SET spent_at = $1
			WHERE token_hash = $2 AND spent_at IS NULL RETURNING session_id`, now, oldHash).Scan(&sid)
		if err != nil {
			if err = s.mapErr(err); !errors.Is(err, taskapi.ErrNotFound) {
				return err
			}
			// Unknown, or spent: a spent one means theft.
			err = tx.QueryRowContext(ctx, `SELECT session_id FROM refresh_tokens WHERE token_hash = $1`, oldHash).Scan(&sid)
			if err != nil {
				if err = s.mapErr(err); errors.Is(err, taskapi.ErrNotFound) {
					return taskapi.ErrUnauthorized
				}
				return err
			}
			reused = true
			_, err = tx.ExecContext(ctx, `UPDATE sessions SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL`, now, sid)
			return s.mapErr(err)
		}
		var opened time.Time
		if err := tx.QueryRowContext(ctx, `SELECT created_at FROM sessions WHERE id = $1`, sid).Scan(&opened); err != nil {
			if err = s.mapErr(err); errors.Is(err, taskapi.ErrNotFound) {
				return taskapi.ErrUnauthorized
			}
			return err
		}
		exp := expiresAt.UTC().Truncate(time.Microsecond)
		if end := opened.UTC().Add(maxAge); maxAge > 0 && end.Before(exp) {
			exp = end
		}
		if !exp.After(now) {
			return taskapi.ErrUnauthorized // past its maximum age
		}
		err = tx.QueryRowContext(ctx, `UPDATE sessions SET last_used_at = $1, expires_at = $2
			WHERE id = $3 AND revoked_at IS NULL AND expires_at > $1
			  AND user_id IN (SELECT id FROM users WHERE is_active = $4)
			RETURNING id, user_id, user_agent, ip, created_at, last_used_at, expires_at`,
			now, exp, sid, true).Scan(
			&sess.ID, &sess.UserID, &sess.UserAgent, &sess.IP, &sess.CreatedAt, &sess.LastUsedAt, &sess.ExpiresAt)
		if err != nil {
			if err = s.mapErr(err); errors.Is(err, taskapi.ErrNotFound) {
				return taskapi.ErrUnauthorized
			}
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO refresh_tokens (token_hash, session_id, created_at) VALUES ($1, $2, $3)`,
			newHash, sid, now); err != nil {
			return s.mapErr(err)
		}
		// The token just spent is kept whatever the clock's resolution,
		// with the latest others.
		_, err = tx.ExecContext(ctx, `DELETE FROM refresh_tokens
			WHERE session_id = $1 AND spent_at IS NOT NULL AND token_hash <> $2 AND token_hash NOT IN (
				SELECT token_hash FROM refresh_tokens WHERE session_id = $1 AND spent_at IS NOT NULL AND token_hash <> $2
				ORDER BY spent_at DESC, created_at DESC LIMIT $3)`, sid, oldHash, keptSpent-1)
		return s.mapErr(err)
	})
	if err != nil {
		return taskapi.Session{}, fmt.Errorf("rotate refresh token: %w", err)
	}
	if reused {
		return taskapi.Session{}, ErrRefreshTokenReused
	}
	sess.CreatedAt, sess.LastUsedAt, sess.ExpiresAt = sess.CreatedAt.UTC(), sess.LastUsedAt.UTC(), sess.ExpiresAt.UTC()
	return sess, nil
}

// RevokeSessionByRefreshToken ends the session a refresh token (spent or
// not) belongs to. An unknown token is ErrUnauthorized; a session that had
// already ended is not an error.
func (s *Store) RevokeSessionByRefreshToken(ctx context.Context, hash string) error {
	err := s.inTx(ctx, func(tx querier) error {
		var sid uuid.UUID
		if err := tx.QueryRowContext(ctx, `SELECT session_id FROM refresh_tokens WHERE token_hash = $1`, hash).Scan(&sid); err != nil {
			if err = s.mapErr(err); errors.Is(err, taskapi.ErrNotFound) {
				return taskapi.ErrUnauthorized
			}
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE sessions SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL`, s.Now(), sid)
		return s.mapErr(err)
	})
	if err != nil {
		return fmt.Errorf("revoke session: %w", err)
	}
	return nil
}

// RevokeSession ends one live session of userID; another user's session,
// or one already ended, is ErrNotFound.
func (s *Store) RevokeSession(ctx context.Context, userID, sessionID uuid.UUID) error {
	now := s.Now()
	res, err := s.exec(ctx, `UPDATE sessions SET revoked_at = $1
		WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL AND expires_at > $1`, now, sessionID, userID)
	if err != nil {
		return fmt.Errorf("revoke session: %w", s.mapErr(err))
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("revoke session: %w", taskapi.ErrNotFound)
	}
	return nil
}

// RevokeUserSessions ends every session of userID except keep (uuid.Nil
// keeps none).
func (s *Store) RevokeUserSessions(ctx context.Context, userID, keep uuid.UUID) error {
	err := s.inTx(ctx, func(tx querier) error { return s.revokeUserSessions(ctx, tx, userID, keep, s.Now()) })
	if err != nil {
		return fmt.Errorf("revoke sessions: %w", err)
	}
	return nil
}

// revokeUserSessions ends the sessions and moves the session epoch on,
// the epoch first: that takes the user's row lock, which CreateSession
// also takes, so a login racing this either lands before (and its session
// is ended here) or after (and finds the epoch changed).
func (s *Store) revokeUserSessions(ctx context.Context, q querier, userID, keep uuid.UUID, now time.Time) error {
	if _, err := q.ExecContext(ctx, `UPDATE users SET session_epoch = session_epoch + 1 WHERE id = $1`, userID); err != nil {
		return s.mapErr(err)
	}
	_, err := q.ExecContext(ctx, `UPDATE sessions SET revoked_at = $1 WHERE user_id = $2 AND id <> $3 AND revoked_at IS NULL`,
		now, userID, keep)
	return s.mapErr(err)
}

// ListSessions returns one page of the live sessions of userID, newest
// first (sessionOrder: session IDs are UUIDv7, so the keyset is the
// primary key), and the position of the next page ("" on the last).
func (s *Store) ListSessions(ctx context.Context, userID uuid.UUID, page Page) ([]taskapi.Session, Position, error) {
	after, err := sessionOrder.decode(page.After)
	if err != nil || page.Limit < 1 {
		return nil, "", fmt.Errorf("list sessions: limit %d: %w", page.Limit, err)
	}
	var a args
	q := `SELECT id, user_id, user_agent, ip, created_at, last_used_at, expires_at FROM sessions
		WHERE user_id = ` + a.add(userID) + ` AND revoked_at IS NULL AND expires_at > ` + a.add(s.Now())
	if after != nil {
		q += ` AND ` + sessionOrder.after(&a, after, true)
	}
	q += ` ORDER BY ` + sessionOrder.order(true) + ` LIMIT ` + a.add(page.Limit+1)
	rows, err := s.query(ctx, q, a...)
	if err != nil {
		return nil, "", fmt.Errorf("list sessions: %w", s.mapErr(err))
	}
	defer rows.Close()
	out := make([]taskapi.Session, 0, page.Limit+1)
	for rows.Next() {
		var x taskapi.Session
		if err := rows.Scan(&x.ID, &x.UserID, &x.UserAgent, &x.IP, &x.CreatedAt, &x.LastUsedAt, &x.ExpiresAt); err != nil {
			return nil, "", fmt.Errorf("list sessions: %w", err)
		}
		x.CreatedAt, x.LastUsedAt, x.ExpiresAt = x.CreatedAt.UTC(), x.LastUsedAt.UTC(), x.ExpiresAt.UTC()
		out = append(out, x)
	}
	if err := rows.Err(); err != nil {
		return nil, "", fmt.Errorf("list sessions: %w", err)
	}
	out, next := pageOf(sessionOrder, out, page.Limit, func(x taskapi.Session) uuid.UUID { return x.ID })
	return out, next, nil
}

// PurgeEnded deletes sessions (with their refresh tokens), email tokens
// and access tokens that ended or expired before before, and mail sent or
// abandoned before it. Spent refresh tokens are kept while their session may still be
// replayed against, which is until it expires.
func (s *Store) PurgeEnded(ctx context.Context, before time.Time) (int64, error) {
	before = before.UTC().Truncate(time.Microsecond)
	var total int64
	for _, q := range []string{
		`DELETE FROM sessions WHERE expires_at < $1 OR revoked_at < $1`,
		`DELETE FROM email_tokens WHERE expires_at < $1 OR used_at < $1`,
		`DELETE FROM outbox WHERE sent_at < $1 OR failed_at < $1`,
		`DELETE FROM access_tokens WHERE expires_at < $1`,
	} {
		res, err := s.exec(ctx, q, before)
		if err != nil {
			return total, fmt.Errorf("purge: %w", s.mapErr(err))
		}
		n, _ := res.RowsAffected()
		total += n
	}
	return total, nil
}
