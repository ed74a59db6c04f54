package store_test

import (
	"context"
	"io/fs"
	"path"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/taskapi/taskapi/internal/store"
	"github.com/taskapi/taskapi/internal/store/storetest"
)

// The two migration trees must hold the same versions with the same names:
// a schema change is written for both engines or for neither.
func TestMigrationTreesMatch(t *testing.T) {
	names := func(dir string) []string {
		entries, err := fs.ReadDir(store.MigrationsFS(), dir)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, e := range entries {
			if path.Ext(e.Name()) == ".sql" {
				out = append(out, e.Name())
			}
		}
		return out
	}
	pg, lite := names("migrations/postgres"), names("migrations/sqlite")
	if len(pg) == 0 {
		t.Fatal("no migrations found")
	}
	if diff := cmp.Diff(pg, lite); diff != "" {
		t.Errorf("migration trees differ (-postgres +sqlite):\n%s", diff)
	}
}

func TestMigrateDownUpRoundTrip(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		before := schemaOf(t, s)
		if len(before) == 0 {
			t.Fatal("no tables after migrate up")
		}
		if err := s.MigrateReset(ctx); err != nil {
			t.Fatal(err)
		}
		for _, st := range mustStatuses(t, s) {
			if st.Applied {
				t.Errorf("migration %d still applied after reset", st.Version)
			}
		}
		if left := schemaOf(t, s); len(left) != 0 {
			t.Errorf("tables left after down: %v", left)
		}
		if _, err := s.MigrateUp(ctx); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(before, schemaOf(t, s)); diff != "" {
			t.Errorf("schema after down+up differs:\n%s", diff)
		}
		for _, st := range mustStatuses(t, s) {
			if !st.Applied {
				t.Errorf("migration %d pending after up", st.Version)
			}
		}
		n, err := s.MigrateUp(ctx)
		if err != nil || n != 0 {
			t.Errorf("second up: applied %d, err %v; want 0, nil", n, err)
		}
	})
}

func mustStatuses(t *testing.T, s *store.Store) []store.MigrationStatus {
	t.Helper()
	st, err := s.MigrationStatuses(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// schemaOf lists the application's tables and their columns.
func schemaOf(t *testing.T, s *store.Store) []string {
	t.Helper()
	q := `SELECT table_name || '.' || column_name FROM information_schema.columns
	      WHERE table_schema = current_schema() AND table_name <> 'goose_db_version'
	      ORDER BY table_name, column_name`
	if s.Engine() == "sqlite" {
		q = `SELECT m.name || '.' || p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p
		     WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name <> 'goose_db_version'
		     ORDER BY m.name, p.name`
	}
	rows, err := s.DB().QueryContext(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(c, "goose") {
			out = append(out, c)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// Several instances starting at once all migrate; on PostgreSQL an
// advisory lock makes each migration run once, and every instance succeeds.
func TestConcurrentMigrateUpOnPostgres(t *testing.T) {
	var pg *storetest.Engine
	for _, e := range storetest.Engines(t) {
		if e.Name == "postgres" {
			pg = &e
		}
	}
	if pg == nil {
		t.Skip("no PostgreSQL: " + storetest.PostgresEnv + " is not set")
	}
	url := pg.NewURL(t)
	ctx := context.Background()
	const instances = 3
	stores := make([]*store.Store, instances)
	for i := range stores {
		s, err := store.Open(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		stores[i] = s
	}
	// An upgrade: goose's version table exists and migrations are
	// pending. (On a blank database goose's own retry while creating that
	// table happens to stagger the instances; an upgrade has no such luck.)
	if _, err := stores[0].MigrateUp(ctx); err != nil {
		t.Fatal(err)
	}
	if err := stores[0].MigrateReset(ctx); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	applied := make([]int, instances)
	errs := make([]error, instances)
	for i, s := range stores {
		wg.Go(func() { applied[i], errs[i] = s.MigrateUp(ctx) })
	}
	wg.Wait()
	total := 0
	for i := range stores {
		if errs[i] != nil {
			t.Errorf("instance %d: %v", i, errs[i])
		}
		total += applied[i]
	}
	want := len(mustStatuses(t, stores[0]))
	if total != want {
		t.Errorf("migrations applied %d times in all (%v), want %d: each exactly once", total, applied, want)
	}
	for _, st := range mustStatuses(t, stores[1]) {
		if !st.Applied {
			t.Errorf("migration %d pending", st.Version)
		}
	}
}
