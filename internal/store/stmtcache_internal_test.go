package store

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
)

// The statement cache keeps one statement per text, stops growing at its
// bound (queries past it still run, unprepared), and a query that cannot
// be prepared reports the database's error instead of being cached.
func TestStmtCache(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "cache.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	c := s.readStmts
	if c == nil {
		t.Fatal("SQLite store without a statement cache")
	}
	for i := range 3 {
		var n int
		if err := c.QueryRowContext(ctx, `SELECT $1 + 1`, i).Scan(&n); err != nil || n != i+1 {
			t.Fatalf("query %d: %d, %v", i, n, err)
		}
	}
	if len(c.m) != 1 {
		t.Fatalf("one text cached %d times", len(c.m))
	}
	for i := len(c.m); i < maxCachedStmts+10; i++ {
		var n int
		q := fmt.Sprintf(`SELECT %d`, i)
		if err := c.QueryRowContext(ctx, q).Scan(&n); err != nil || n != i {
			t.Fatalf("%s: %d, %v", q, n, err)
		}
	}
	if len(c.m) != maxCachedStmts {
		t.Fatalf("cache holds %d statements, bound %d", len(c.m), maxCachedStmts)
	}
	if _, err := c.QueryContext(ctx, `SELECT * FROM no_such_table`); err == nil {
		t.Fatal("a query on a missing table succeeded")
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if len(c.m) != 0 {
		t.Fatalf("%d statements left after Close", len(c.m))
	}
}
