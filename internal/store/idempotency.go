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

// errKeyReused is the answer to a key used again with another request.
var errKeyReused = taskapi.NewProblem(taskapi.ErrInvalid,
	"this Idempotency-Key was already used with a different request; use a new key for a new request")

// errKeyFromEarlierRelease answers a key saved, within its 24 hours, by a
// release that kept HTTP responses instead of results: replaying it is not
// possible and creating again would break the key's promise.
var errKeyFromEarlierRelease = taskapi.NewProblem(taskapi.ErrInvalid,
	"this Idempotency-Key was used before a server upgrade; use a new key for a new request")

// savedResult marks, in status_code, a key whose result is saved; 0 marks
// a key claimed by a transaction that has not saved its result yet.
const savedResult = 1

// idempotently runs do in a write transaction and returns its result. With
// a key, it first claims the key in that same transaction:
//   - a fresh (or expired) key is claimed; do runs, and its result is saved
//     with the key before the commit;
//   - a live key of the same request returns the saved result, replayed
//     true, and do does not run;
//   - a live key of another request (other body, method or path) is 422.
//
// The result is saved as JSON of T: opaque to the database and to callers,
// who render a replay exactly as they rendered the first answer.
//
// Two identical requests racing: on PostgreSQL the second INSERT waits on
// the first one's uncommitted key, then sees it committed and replays; on
// SQLite the writer is single, so the second transaction starts after the
// first commits. Exactly one resource is created. A request that fails
// leaves no key behind, so the client can retry it.
func idempotently[T any](ctx context.Context, s *Store, userID uuid.UUID, key *IdempotencyKey, do func(tx querier) (T, error)) (T, bool, error) {
	var (
		out      T
		replayed bool
	)
	err := s.tx(ctx, func(tx querier) error {
		var zero T
		out, replayed = zero, false
		if key != nil {
			saved, err := s.claimKey(ctx, tx, userID, key)
			if err != nil {
				return err
			}
			if saved != nil {
				replayed = true
				if err := json.Unmarshal(saved, &out); err != nil {
					return fmt.Errorf("decode saved result: %w", err)
				}
				return nil
			}
		}
		var err error
		if out, err = do(tx); err != nil || key == nil {
			return err
		}
		b, err := json.Marshal(out)
		if err != nil {
			return fmt.Errorf("encode result to save: %w", err)
		}
		_, err = tx.ExecContext(ctx, `UPDATE idempotency_keys SET status_code = $1, headers = '', body = $2
			WHERE user_id = $3 AND key = $4`, savedResult, b, userID, key.Key)
		return err
	})
	return out, replayed, err
}

// claimKey claims key for this request, or returns the result saved for
// it. An expired key is taken over as if it were new.
func (s *Store) claimKey(ctx context.Context, tx querier, userID uuid.UUID, key *IdempotencyKey) ([]byte, error) {
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
		status                      int
		saved                       []byte
	)
	err = tx.QueryRowContext(ctx, `SELECT method, path, request_hash, status_code, headers, body
		FROM idempotency_keys WHERE user_id = $1 AND key = $2`, userID, key.Key).
		Scan(&method, &path, &hash, &status, &headers, &saved)
	if err != nil {
		return nil, fmt.Errorf("read idempotency key: %w", s.mapErr(err))
	}
	switch {
	case method != key.Method || path != key.Path || hash != key.RequestHash:
		return nil, errKeyReused
	case status == 0:
		// Only possible if a row was committed half-written; never replay it.
		return nil, fmt.Errorf("idempotency key without a saved result")
	case status != savedResult || headers != "":
		return nil, errKeyFromEarlierRelease
	}
	return saved, nil
}

// PurgeIdempotencyKeys deletes up to limit expired keys and returns how
// many it deleted. Call it periodically; expired keys are also taken over
// when reused, so purging is only about space.
func (s *Store) PurgeIdempotencyKeys(ctx context.Context, limit int) (int64, error) {
	res, err := s.exec(ctx, `DELETE FROM idempotency_keys WHERE (user_id, key) IN
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
