package store

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
)

// NavCounts are the numbers beside the web app's smart lists.
type NavCounts struct {
	// Open counts the tasks to do or in progress; Completed the completed
	// ones; Today the open ones due before dueBefore (overdue or due today).
	Open, Completed, Today int64
}

// TaskNavCounts counts what the sidebar shows, in the index on (user_id,
// status, due_date) without reading the tasks, and without the rest of
// TaskStats (priorities, the week's completions), which every page view
// would otherwise pay for.
func (s *Store) TaskNavCounts(ctx context.Context, userID uuid.UUID, dueBefore time.Time) (NavCounts, error) {
	var n NavCounts
	err := s.queryRow(ctx, `SELECT
			(SELECT count(*) FROM tasks WHERE user_id = $1 AND status IN ('TODO', 'IN_PROGRESS')),
			(SELECT count(*) FROM tasks WHERE user_id = $1 AND status = 'COMPLETED'),
			(SELECT count(*) FROM tasks WHERE user_id = $1 AND status IN ('TODO', 'IN_PROGRESS') AND due_date < $2)`,
		userID, dueBefore.UTC()).Scan(&n.Open, &n.Completed, &n.Today)
	if err != nil {
		return NavCounts{}, fmt.Errorf("task nav counts: %w", s.mapErr(err))
	}
	return n, nil
}
