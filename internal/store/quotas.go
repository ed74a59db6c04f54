package store

import (
	"cmp"
	"context"

	"github.com/google/uuid"

	"github.com/taskapi/taskapi"
)

// Quotas bound what one user may keep, so that one account cannot fill
// the disk: 50,000 tasks (some 500 MB at the 10 KB description limit)
// and 1,000 categories and 1,000 tags unless configured otherwise. The count is checked
// in the creating transaction; on PostgreSQL creates that overlap may
// pass it by a few.
type Quotas struct {
	Tasks, Categories, Tags int
}

// DefaultQuotas are the quotas a store enforces unless told otherwise.
func DefaultQuotas() Quotas { return Quotas{Tasks: 50_000, Categories: 1_000, Tags: 1_000} }

// WithQuotas sets the per-user quotas; zero fields keep their defaults.
func WithQuotas(q Quotas) Option {
	return func(s *Store) {
		d := DefaultQuotas()
		s.quotas = Quotas{Tasks: cmp.Or(max(q.Tasks, 0), d.Tasks), Categories: cmp.Or(max(q.Categories, 0), d.Categories),
			Tags: cmp.Or(max(q.Tags, 0), d.Tags)}
	}
}

// checkQuota refuses with taskapi.ErrQuotaExceeded when the user already
// has limit rows in table. The count stops at limit, reading no more of a
// user's rows than that through the (user_id, …) index.
func (s *Store) checkQuota(ctx context.Context, tx querier, table string, userID uuid.UUID, limit int, what string) error {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT 1 FROM `+table+` WHERE user_id = $1 LIMIT $2) q`,
		userID, limit).Scan(&n); err != nil {
		return s.mapErr(err)
	}
	if n >= limit {
		return taskapi.NewProblem(taskapi.ErrQuotaExceeded, "you have %d %s, the most an account may keep; delete some first", limit, what)
	}
	return nil
}
