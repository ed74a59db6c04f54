package store

import (
	"context"
	"testing"

	"github.com/google/uuid"

	"github.com/taskapi/taskapi"
)

// The queries behind the outbox metrics, for the tests that check their
// plans.
const (
	OutboxPendingCountSQL = outboxPendingCountSQL
	OutboxFailedCountSQL  = outboxFailedCountSQL
)

// SetAfterSearchWalk makes f run between a search's walk and the read of
// its hits, for the tests that change tasks there.
func SetAfterSearchWalk(s *Store, f func()) { s.afterSearchWalk = f }

// SearchHitsSQL is the query that reads a search walk's hits, for the
// test of its plan.
func SearchHitsSQL(s *Store) string {
	return searchHitsSQL(taskColumns, "created_at DESC, id DESC")
}

// SearchIndexSQL returns the query that reads the hits of the first
// section of q's page among the full-text index's candidates (SQLite),
// for the test of its plan.
func SearchIndexSQL(t testing.TB, s *Store, userID uuid.UUID, q TaskQuery) (string, []any) {
	t.Helper()
	l, after := listerOf(t, s, userID, q)
	var a args
	return l.indexHitsSQL(&a, true, after, q.Limit+1, "[1, 2, 3]"), a
}

// Exec runs a statement on the writer, for tests that set up rows the
// store's API no longer makes.
func Exec(s *Store, query string, args ...any) error {
	_, err := s.write.ExecContext(context.Background(), query, args...)
	return err
}

// TraceSearch makes a search's walks report what they read and spent,
// and its looks at the full-text index how many tasks the index listed.
func TraceSearch(s *Store, walk func(walked int, spent float64), probe func(found int)) {
	s.searchTrace, s.searchProbe = walk, probe
}

// RawChanges returns every change record of the user after the position
// after, one by one (ReadChanges merges an entity's records in a page).
func RawChanges(t testing.TB, s *Store, userID uuid.UUID, after int64) []ChangeRecord {
	t.Helper()
	recs, err := s.changesAfter(context.Background(), userID, after, nil, 1_000_000)
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

// TagWalkOf returns the tags whose rows a list with filter f walks (none:
// it walks the user's tasks), for the tests of the plan's choice.
func TagWalkOf(t testing.TB, s *Store, userID uuid.UUID, f taskapi.TaskFilter) []uuid.UUID {
	t.Helper()
	w, err := s.planTagWalk(context.Background(), userID, f)
	if err != nil {
		t.Fatal(err)
	}
	return w.tags
}

// TaskSectionSQL returns the query of the first section of q's page (the
// tasks with a key), for the tests of its plan.
func TaskSectionSQL(t testing.TB, s *Store, userID uuid.UUID, q TaskQuery) (string, []any) {
	t.Helper()
	l, after := listerOf(t, s, userID, q)
	var a args
	query := l.sectionSQL(&a, true, after, q.Limit+1, taskColumns, q.Filter)
	return query, a
}

// listerOf is the lister of q's page and where its first section starts.
func listerOf(t testing.TB, s *Store, userID uuid.UUID, q TaskQuery) (*taskLister, *position) {
	t.Helper()
	l, after, err := s.newTaskLister(context.Background(), userID, q)
	if err != nil {
		t.Fatal(err)
	}
	return l, after
}
