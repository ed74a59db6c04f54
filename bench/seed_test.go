package main

import (
	"context"
	"math/rand/v2"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/taskapi/taskapi"
	"github.com/taskapi/taskapi/internal/store"
	"github.com/taskapi/taskapi/internal/store/storetest"
)

// eachEngine runs fn on a fresh, migrated database of each engine.
func eachEngine(t *testing.T, fn func(t *testing.T, st *store.Store, dbURL string)) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			url := e.NewURL(t)
			fn(t, storetest.Open(t, url), url)
		})
	}
}

func TestSeederWritesSaneRows(t *testing.T) {
	eachEngine(t, func(t *testing.T, st *store.Store, dbURL string) {
		ctx := context.Background()
		now := time.Now()
		sd, err := newSeeder(st, dbURL, 10, now)
		if err != nil {
			t.Fatal(err)
		}
		u, err := sd.ensureUser(ctx, "bench_u0001")
		if err != nil {
			t.Fatal(err)
		}
		added, err := sd.topUp(ctx, u, 400, 50)
		if err != nil {
			t.Fatal(err)
		}
		if added != 400 || len(u.TaskIDs) != 50 {
			t.Fatalf("added %d, sampled %d; want 400, 50", added, len(u.TaskIDs))
		}
		// Topping up is idempotent and adds only the difference.
		if added, err = sd.topUp(ctx, u, 400, 50); err != nil || added != 0 {
			t.Fatalf("second top-up added %d (%v)", added, err)
		}
		if added, err = sd.topUp(ctx, u, 450, 50); err != nil || added != 50 {
			t.Fatalf("top-up to 450 added %d (%v)", added, err)
		}
		// The same user again: found, not duplicated.
		again, err := sd.ensureUser(ctx, "bench_u0001")
		if err != nil || again.ID != u.ID {
			t.Fatalf("ensureUser again: %v %v", again, err)
		}

		rows, err := st.DB().QueryContext(ctx, `SELECT id, status, priority, due_date, completed_at, created_at, updated_at,
			title, category_id FROM tasks WHERE user_id = $1 ORDER BY created_at, id`, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		statuses := map[string]int{}
		priorities := map[int]int{}
		var n, noDue, inCategory int
		for rows.Next() {
			var id uuid.UUID
			var cat uuid.NullUUID
			var status, title string
			var priority int
			var due, done *time.Time
			var created, updated time.Time
			if err := rows.Scan(&id, &status, &priority, &due, &done, &created, &updated, &title, &cat); err != nil {
				t.Fatal(err)
			}
			n++
			statuses[status]++
			priorities[priority]++
			if due == nil {
				noDue++
			}
			if cat.Valid {
				inCategory++
			}
			if id.Version() != 7 {
				t.Fatalf("id %s is not a UUID v7", id)
			}
			if sec, nsec := id.Time().UnixTime(); time.Unix(sec, nsec).UnixMilli() != created.UnixMilli() {
				t.Fatalf("id %s does not carry its creation time %v", id, created)
			}
			if created.Before(now.Add(-seedSpan-time.Hour)) || created.After(now.Add(time.Second)) || updated.Before(created) {
				t.Fatalf("times out of range: created %v updated %v", created, updated)
			}
			if (status == "COMPLETED") != (done != nil) {
				t.Fatalf("status %s with completed_at %v", status, done)
			}
			if err := taskapi.ValidateTitle(title); err != nil {
				t.Fatalf("title %q: %v", title, err)
			}
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		if n != 450 {
			t.Fatalf("%d rows, want 450", n)
		}
		for _, s := range taskapi.Statuses() {
			if statuses[string(s)] == 0 {
				t.Errorf("no %s task among %v", s, statuses)
			}
		}
		for rank := 1; rank <= 4; rank++ {
			if priorities[rank] == 0 {
				t.Errorf("no priority %d among %v", rank, priorities)
			}
		}
		if noDue < n/10 || noDue > n/2 {
			t.Errorf("%d of %d tasks without a due date, want about 30 %%", noDue, n)
		}
		if inCategory < n/3 || inCategory > n*5/6 {
			t.Errorf("%d of %d tasks in a category, want about 60 %%", inCategory, n)
		}
		if st.Engine() == "sqlite" {
			checkSQLiteTimeFormat(t, st)
		}
	})
}

// checkSQLiteTimeFormat compares the stored text of the seeded times with
// what the store itself writes (users.created_at): the same format, so
// that they compare and sort as the store's own values do.
func checkSQLiteTimeFormat(t *testing.T, st *store.Store) {
	t.Helper()
	var userTime, taskTime, dueTime string
	if err := st.DB().QueryRow(`SELECT CAST(created_at AS TEXT) FROM users LIMIT 1`).Scan(&userTime); err != nil {
		t.Fatal(err)
	}
	if err := st.DB().QueryRow(`SELECT CAST(created_at AS TEXT), CAST(due_date AS TEXT) FROM tasks WHERE due_date IS NOT NULL LIMIT 1`).Scan(&taskTime, &dueTime); err != nil {
		t.Fatal(err)
	}
	format := regexp.MustCompile(`^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)?\+00:00$`)
	for _, v := range []string{userTime, taskTime, dueTime} {
		if !format.MatchString(v) {
			t.Errorf("stored time %q is not in the store's format (the user's is %q)", v, userTime)
		}
	}
}

func TestSeederBulkPathRebuildsIndexes(t *testing.T) {
	eachEngine(t, func(t *testing.T, st *store.Store, dbURL string) {
		ctx := context.Background()
		sd, err := newSeeder(st, dbURL, 10, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		sd.bulkRows = 100 // take the drop-and-rebuild path with a small load
		before, _, err := sd.secondaryIndexes(ctx)
		if err != nil || len(before) < 5 {
			t.Fatalf("indexes before: %v %v", before, err)
		}
		u, err := sd.ensureUser(ctx, "bench_scale")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := sd.topUp(ctx, u, 300, 10); err != nil {
			t.Fatal(err)
		}
		after, _, err := sd.secondaryIndexes(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(before, after) {
			t.Errorf("indexes after a bulk load %v, want %v", after, before)
		}
		if n, err := sd.countTasks(ctx, u.ID); err != nil || n != 300 {
			t.Fatalf("count %d %v", n, err)
		}
		if err := sd.analyze(ctx); err != nil {
			t.Fatal(err)
		}
		if err := sd.deleteUser(ctx, "bench_scale"); err != nil {
			t.Fatal(err)
		}
		if n, err := sd.countTasks(ctx, u.ID); err != nil || n != 0 {
			t.Errorf("after deleting the user %d tasks remain (%v)", n, err)
		}
	})
}

func TestUUIDv7At(t *testing.T) {
	at := time.Date(2025, 3, 4, 5, 6, 7, 891_000_000, time.UTC)
	u := uuidV7At(at, newTestRand())
	if u.Version() != 7 || u.Variant() != uuid.RFC4122 {
		t.Fatalf("%s: version %d variant %v", u, u.Version(), u.Variant())
	}
	sec, nsec := u.Time().UnixTime()
	if got := time.Unix(sec, nsec).UTC(); !got.Equal(at) {
		t.Errorf("time in the UUID = %v, want %v", got, at)
	}
}

func newTestRand() *rand.Rand { return rand.New(rand.NewPCG(1, 2)) }

func TestSeederRefusesAnUnknownSchema(t *testing.T) {
	eachEngine(t, func(t *testing.T, st *store.Store, dbURL string) {
		ctx := context.Background()
		sd, err := newSeeder(st, dbURL, 10, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if err := sd.checkTaskColumns(ctx); err != nil {
			t.Fatalf("the current schema: %v", err)
		}
		if _, err := st.DB().Exec(`ALTER TABLE tasks RENAME COLUMN description TO details`); err != nil {
			t.Fatal(err)
		}
		if err := sd.checkTaskColumns(ctx); err == nil || !strings.Contains(err.Error(), "--fresh") {
			t.Errorf("err = %v, want a message suggesting --fresh", err)
		}
	})
}
