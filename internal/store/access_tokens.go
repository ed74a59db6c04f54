package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/taskapi/taskapi"
)

// accessTokenColumns is what scanAccessToken reads.
const accessTokenColumns = `id, user_id, name, prefix, scopes, created_at, last_used_at, expires_at`

func scanAccessToken(r rowScanner) (taskapi.AccessToken, error) {
	var (
		t                 taskapi.AccessToken
		scopes            string
		created           time.Time
		lastUsed, expires dbTime
	)
	if err := r.Scan(&t.ID, &t.UserID, &t.Name, &t.Prefix, &scopes, &created, &lastUsed, &expires); err != nil {
		return taskapi.AccessToken{}, err
	}
	t.CreatedAt = created.UTC()
	t.Scopes = parseScopes(scopes)
	t.LastUsedAt, t.ExpiresAt = lastUsed.ptr(), expires.ptr()
	return t, nil
}

func parseScopes(s string) []taskapi.Scope {
	var out []taskapi.Scope
	for _, f := range strings.Fields(s) {
		out = append(out, taskapi.Scope(f))
	}
	return taskapi.CanonicalScopes(out)
}

func joinScopes(scopes []taskapi.Scope) string {
	names := make([]string, len(scopes))
	for i, s := range scopes {
		names[i] = string(s)
	}
	return strings.Join(names, " ")
}

// CreateAccessToken stores a personal access token of t.UserID by the
// hash of its secret; ID and CreatedAt are set here. The user must be
// active (else ErrUnauthorized) and hold fewer than
// taskapi.MaxAccessTokens live tokens (else ErrQuotaExceeded). The check
// takes the user's row lock, so two creates of one user cannot both pass
// it on PostgreSQL, and a disable that commits first is seen.
func (s *Store) CreateAccessToken(ctx context.Context, t taskapi.AccessToken, hash string) (taskapi.AccessToken, error) {
	id, err := uuid.NewV7()
	if err != nil {
		return taskapi.AccessToken{}, fmt.Errorf("create access token: %w", err)
	}
	t.ID, t.CreatedAt, t.LastUsedAt = id, s.Now(), nil
	err = s.inTx(ctx, func(tx querier) error {
		res, err := tx.ExecContext(ctx, `UPDATE users SET session_epoch = session_epoch WHERE id = $1 AND is_active = $2`, t.UserID, true)
		if err != nil {
			return s.mapErr(err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return taskapi.ErrUnauthorized
		}
		var live int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM access_tokens
			WHERE user_id = $1 AND (expires_at IS NULL OR expires_at > $2)`, t.UserID, t.CreatedAt).Scan(&live); err != nil {
			return s.mapErr(err)
		}
		if live >= taskapi.MaxAccessTokens {
			return taskapi.NewProblem(taskapi.ErrQuotaExceeded,
				"you have %d access tokens, the most an account may keep; revoke one first", taskapi.MaxAccessTokens)
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO access_tokens (id, user_id, name, token_hash, prefix, scopes, created_at, expires_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
			t.ID, t.UserID, t.Name, hash, t.Prefix, joinScopes(t.Scopes), t.CreatedAt, t.ExpiresAt)
		return s.mapErr(err)
	})
	if err != nil {
		return taskapi.AccessToken{}, fmt.Errorf("create access token: %w", err)
	}
	return t, nil
}

// ListAccessTokens returns one page of the access tokens of userID,
// newest first (accessTokenOrder: IDs are UUIDv7), expired ones included
// until the janitor deletes them, and the position of the next page.
func (s *Store) ListAccessTokens(ctx context.Context, userID uuid.UUID, page Page) ([]taskapi.AccessToken, Position, error) {
	after, err := accessTokenOrder.decode(page.After)
	if err != nil || page.Limit < 1 {
		return nil, "", fmt.Errorf("list access tokens: limit %d: %w", page.Limit, err)
	}
	var a args
	q := `SELECT ` + accessTokenColumns + ` FROM access_tokens WHERE user_id = ` + a.add(userID)
	if after != nil {
		q += ` AND ` + accessTokenOrder.after(&a, after, true)
	}
	q += ` ORDER BY ` + accessTokenOrder.order(true) + ` LIMIT ` + a.add(page.Limit+1)
	rows, err := s.query(ctx, q, a...)
	if err != nil {
		return nil, "", fmt.Errorf("list access tokens: %w", s.mapErr(err))
	}
	defer rows.Close()
	out := make([]taskapi.AccessToken, 0, page.Limit+1)
	for rows.Next() {
		t, err := scanAccessToken(rows)
		if err != nil {
			return nil, "", fmt.Errorf("list access tokens: %w", err)
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, "", fmt.Errorf("list access tokens: %w", err)
	}
	out, next := pageOf(accessTokenOrder, out, page.Limit, func(t taskapi.AccessToken) uuid.UUID { return t.ID })
	return out, next, nil
}

// GetAccessToken returns one of userID's access tokens; another user's
// is ErrNotFound.
func (s *Store) GetAccessToken(ctx context.Context, userID, id uuid.UUID) (taskapi.AccessToken, error) {
	t, err := scanAccessToken(s.queryRow(ctx, `SELECT `+accessTokenColumns+` FROM access_tokens WHERE id = $1 AND user_id = $2`, id, userID))
	if err != nil {
		return taskapi.AccessToken{}, fmt.Errorf("get access token: %w", s.mapErr(err))
	}
	return t, nil
}

// DeleteAccessToken revokes one of userID's access tokens: the row goes,
// so the next request with it finds nothing. Another user's token, or
// one already revoked, is ErrNotFound.
func (s *Store) DeleteAccessToken(ctx context.Context, userID, id uuid.UUID) error {
	res, err := s.exec(ctx, `DELETE FROM access_tokens WHERE id = $1 AND user_id = $2`, id, userID)
	if err != nil {
		return fmt.Errorf("delete access token: %w", s.mapErr(err))
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("delete access token: %w", taskapi.ErrNotFound)
	}
	return nil
}

// AccessTokenPrincipal returns the caller behind the access token whose
// secret hashes to hash: the token must exist and not have expired, its
// user be active; anything else is ErrUnauthorized. It also returns when
// the token was last marked used (nil: never). It is one lookup by the
// unique hash, run on every request made with a token, so a token revoked
// or an account disabled anywhere is refused everywhere at once.
func (s *Store) AccessTokenPrincipal(ctx context.Context, hash string) (taskapi.Principal, *time.Time, error) {
	row := s.queryRow(ctx, `SELECT u.id, u.email, u.username, u.full_name, u.is_active, u.is_verified,
			u.is_superuser, u.created_at, u.updated_at, u.timezone, u.version, a.id, a.scopes, a.last_used_at
		FROM access_tokens a JOIN users u ON u.id = a.user_id
		WHERE a.token_hash = $1 AND (a.expires_at IS NULL OR a.expires_at > $2) AND u.is_active = $3`,
		hash, s.Now(), true)
	var (
		u                          taskapi.User
		p                          taskapi.Principal
		scopes                     string
		created, updated, lastUsed dbTime
	)
	err := row.Scan(&u.ID, &u.Email, &u.Username, &u.FullName, &u.IsActive, &u.IsVerified, &u.IsSuperuser,
		&created, &updated, &u.TimeZone, &u.Version, &p.TokenID, &scopes, &lastUsed)
	if err != nil {
		err = s.mapErr(err)
		if errors.Is(err, taskapi.ErrNotFound) {
			return taskapi.Principal{}, nil, taskapi.ErrUnauthorized
		}
		return taskapi.Principal{}, nil, fmt.Errorf("access token principal: %w", err)
	}
	if !created.Valid || !updated.Valid {
		return taskapi.Principal{}, nil, errors.New("access token principal: a timestamp is NULL")
	}
	u.CreatedAt, u.UpdatedAt = created.Time.UTC(), updated.Time.UTC()
	p.User, p.Scopes = u, parseScopes(scopes)
	return p, lastUsed.ptr(), nil
}

// TouchAccessToken records that a token was used now.
func (s *Store) TouchAccessToken(ctx context.Context, id uuid.UUID) error {
	if _, err := s.exec(ctx, `UPDATE access_tokens SET last_used_at = $1 WHERE id = $2`, s.Now(), id); err != nil {
		return fmt.Errorf("touch access token: %w", s.mapErr(err))
	}
	return nil
}

// deleteAccessTokens revokes every access token of userID (a password
// reset, a disabled account).
func (s *Store) deleteAccessTokens(ctx context.Context, q querier, userID uuid.UUID) error {
	_, err := q.ExecContext(ctx, `DELETE FROM access_tokens WHERE user_id = $1`, userID)
	return s.mapErr(err)
}
