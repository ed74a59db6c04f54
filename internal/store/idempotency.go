package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/taskapi/taskapi"
)

// IdempotencyTTL is how long a key and its saved response are kept.
const IdempotencyTTL = 24 * time.Hour

// IdempotencyKey identifies a POST made with an Idempotency-Key header.
// Keys are per user.
type IdempotencyKey struct {
	Key    string
	Method string
	Path   string
	// RequestHash is a digest of the request body: a repeat must send the
	// same body.
	RequestHash string
}

// SavedResponse is the answer given to the first request with a key; it
// is replayed, as it was, to every repeat within IdempotencyTTL.
type SavedResponse struct {
	Status  int
	Headers map[string]string
	Body    []byte
}

// Idempotent makes a create idempotent. Respond builds the response to save
// from the created value; it runs inside the creating transaction, so the
// key, the resource and the response are committed together or not at all.
// A nil *Idempotent means the request carried no key.
type Idempotent[T any] struct {
	Key     IdempotencyKey
	Respond func(T) (SavedResponse, error)
}

func (i *Idempotent[T]) key() *IdempotencyKey {
	if i == nil {
		return nil
	}
	return &i.Key
}

func (i *Idempotent[T]) respond(v T) (*SavedResponse, error) {
	if i == nil {
		return nil, nil
	}
	r, err := i.Respond(v)
	if err != nil {
		return nil, fmt.Errorf("render response to save: %w", err)
	}
	return &r, nil
}

// errKeyReused is the answer to a key used again with another request.
var errKeyReused = taskapi.NewProblem(taskapi.ErrInvalid,
	"this Idempotency-Key was already used with a different request; use a new key for a new request")

// idempotently runs do in a write transaction. With a key, it first claims
// the key in that same transaction:
//   - a fresh (or expired) key is claimed; do runs, and the response it
//     returns is saved with the key before the commit;
//   - a live key of the same request returns its saved response, and do
//     does not run;
//   - a live key of another request (other body, method or path) is 422.
//
// Two identical requests racing: on PostgreSQL the second INSERT waits on
// the first one's uncommitted key, then sees it committed and replays; on
// SQLite the writer is single, so the second transaction starts after the
// first commits. Exactly one resource is created. A request that fails
// leaves no key behind, so the client can retry it.
func (s *Store) idempotently(ctx context.Context, userID uuid.UUID, key *IdempotencyKey, do func(tx querier) (*SavedResponse, error)) (*SavedResponse, error) {
	var replay *SavedResponse
	err := s.writeTx(ctx, func(tx querier) error {
		replay = nil
		if key != nil {
			saved, err := s.claimKey(ctx, tx, userID, key)
			if err != nil {
				return err
			}
			if saved != nil {
				replay = saved
				return nil
			}
		}
		resp, err := do(tx)
		if err != nil {
			return err
		}
		if key == nil {
			return nil
		}
		if resp == nil || resp.Status == 0 {
			return fmt.Errorf("idempotent operation returned no response to save")
		}
		headers, err := json.Marshal(resp.Headers)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE idempotency_keys SET status_code = $1, headers = $2, body = $3
			WHERE user_id = $4 AND key = $5`, resp.Status, string(headers), resp.Body, userID, key.Key)
		return err
	})
	return replay, err
}

// claimKey claims key for this request, or returns the response saved for
// it. An expired key is taken over as if it were new.
func (s *Store) claimKey(ctx context.Context, tx querier, userID uuid.UUID, key *IdempotencyKey) (*SavedResponse, error) {
	now := s.Now()
	rows, err := tx.QueryContext(ctx, `INSERT INTO idempotency_keys
			(user_id, key, method, path, request_hash, status_code, headers, body, created_at, expires_at)
		VALUES ($1, $2, $3, $4, $5, 0, '', $6, $7, $8)
		ON CONFLICT (user_id, key) DO UPDATE SET method = excluded.method, path = excluded.path,
			request_hash = excluded.request_hash, status_code = 0, headers = '', body = excluded.body,
			created_at = excluded.created_at, expires_at = excluded.expires_at
		WHERE idempotency_keys.expires_at <= excluded.created_at
		RETURNING user_id`,
		userID, key.Key, key.Method, key.Path, key.RequestHash, []byte{}, now, now.Add(IdempotencyTTL))
	if err != nil {
		return nil, fmt.Errorf("claim idempotency key: %w", s.mapErr(err))
	}
	claimed := rows.Next()
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("claim idempotency key: %w", s.mapErr(err))
	}
	if claimed {
		return nil, nil
	}
	var (
		method, path, hash, headers string
		saved                       SavedResponse
	)
	err = tx.QueryRowContext(ctx, `SELECT method, path, request_hash, status_code, headers, body
		FROM idempotency_keys WHERE user_id = $1 AND key = $2`, userID, key.Key).
		Scan(&method, &path, &hash, &saved.Status, &headers, &saved.Body)
	if err != nil {
		return nil, fmt.Errorf("read idempotency key: %w", s.mapErr(err))
	}
	if method != key.Method || path != key.Path || hash != key.RequestHash {
		return nil, errKeyReused
	}
	if saved.Status == 0 {
		// Only possible if a row was committed half-written; never replay it.
		return nil, fmt.Errorf("idempotency key without a saved response")
	}
	if err := json.Unmarshal([]byte(headers), &saved.Headers); err != nil {
		return nil, fmt.Errorf("decode saved headers: %w", err)
	}
	return &saved, nil
}

// PurgeIdempotencyKeys deletes up to limit expired keys and returns how
// many it deleted. Call it periodically; expired keys are also taken over
// when reused, so purging is only about space.
func (s *Store) PurgeIdempotencyKeys(ctx context.Context, limit int) (int64, error) {
	res, err := s.write.ExecContext(ctx, `DELETE FROM idempotency_keys WHERE (user_id, key) IN
		(SELECT user_id, key FROM idempotency_keys WHERE expires_at <= $1 ORDER BY expires_at LIMIT $2)`,
		s.Now(), limit)
	if err != nil {
		return 0, fmt.Errorf("purge idempotency keys: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("purge idempotency keys: %w", err)
	}
	return n, nil
}
