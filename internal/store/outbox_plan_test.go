package store_test

import (
	"context"
	"strings"
	"testing"

	"github.com/taskapi/taskapi/internal/store"
	"github.com/taskapi/taskapi/internal/store/storetest"
)

// The metrics count the outbox at every (cached) scrape: each count must be
// served by the partial index made for it, so that it costs the rows it
// counts, not a scan of every message kept.
func TestOutboxCountsUsePartialIndexes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		for query, index := range map[string]string{
			store.OutboxPendingCountSQL: "outbox_pending_idx",
			store.OutboxFailedCountSQL:  "outbox_failed_idx",
		} {
			plan := explain(t, ctx, s, query)
			if !strings.Contains(plan, index) {
				t.Errorf("%s\nplan:\n%s\nwant it to use %s", query, plan, index)
			}
		}
		if _, _, err := s.OutboxStats(ctx); err != nil {
			t.Fatal(err)
		}
	})
}

// explain returns the plan of query. On PostgreSQL sequential scans are
// priced out first: on a table this small the planner would rightly prefer
// one, and the question is whether an index can serve the query at all.
func explain(t *testing.T, ctx context.Context, s *store.Store, query string) string {
	t.Helper()
	tx, err := s.DB().BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	prefix := "EXPLAIN QUERY PLAN "
	if s.Engine() == "postgres" {
		if _, err := tx.ExecContext(ctx, "SET LOCAL enable_seqscan = off"); err != nil {
			t.Fatal(err)
		}
		prefix = "EXPLAIN "
	}
	rows, err := tx.QueryContext(ctx, prefix+query)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		for _, v := range vals {
			switch v := v.(type) {
			case string:
				b.WriteString(v + " ")
			case []byte:
				b.WriteString(string(v) + " ")
			}
		}
		b.WriteString("\n")
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}
