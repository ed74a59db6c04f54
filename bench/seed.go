package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/taskapi/taskapi"
	"github.com/taskapi/taskapi/internal/auth"
	"github.com/taskapi/taskapi/internal/store"
)

// benchPassword is the password of every seeded user. Bench databases are
// throwaway; the password exists so the login workload can use it.
const benchPassword = "bench-Password-4821"

// taskColumns lists the columns the seeder writes, in the order
// taskGen.row returns their values. When the schema of tasks changes
// (internal/store/migrations/*/00001_init.sql), this, row and the store's
// own insert are what to compare; checkTaskColumns stops a run whose
// schema has a required column missing here.
func taskColumns() []string {
	return []string{"id", "user_id", "category_id", "title", "title_key", "description", "status", "priority",
		"due_date", "completed_at", "created_at", "updated_at"}
}

// checkTaskColumns checks the columns of tasks against taskColumns: each
// one written exists, and every column left out may be left out (it has a
// default, may be NULL, or is the row number). A schema the seeder does
// not know stops the run with a clear message instead of a failed insert.
func (s *seeder) checkTaskColumns(ctx context.Context) error {
	q := `SELECT name, "notnull" = 0 OR dflt_value IS NOT NULL OR (pk = 1 AND upper(type) = 'INTEGER')
		FROM pragma_table_info('tasks')`
	if s.st.Engine() == "postgres" {
		q = `SELECT column_name, is_nullable = 'YES' OR column_default IS NOT NULL OR is_identity = 'YES'
			FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'tasks'`
	}
	rows, err := s.st.DB().QueryContext(ctx, q)
	if err != nil {
		return fmt.Errorf("read the columns of tasks: %w", err)
	}
	defer rows.Close()
	have := map[string]bool{} // column → may be left out
	for rows.Next() {
		var name string
		var optional bool
		if err := rows.Scan(&name, &optional); err != nil {
			return fmt.Errorf("read the columns of tasks: %w", err)
		}
		have[name] = optional
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read the columns of tasks: %w", err)
	}
	written := taskColumns()
	for _, c := range written {
		if _, ok := have[c]; !ok {
			return fmt.Errorf("tasks has no column %s: the database was made by older migrations (start it again with --fresh), or adapt taskColumns in bench/seed.go", c)
		}
	}
	for name, optional := range have {
		if !optional && !slices.Contains(written, name) {
			return fmt.Errorf("tasks has a required column %s the seeder does not fill: adapt taskColumns in bench/seed.go", name)
		}
	}
	return nil
}

// seeder fills a database with bench users, categories and tasks, fast:
// multi-row INSERTs in big transactions on SQLite, COPY on PostgreSQL.
type seeder struct {
	st    *store.Store
	dbURL string
	hash  string // hash of benchPassword, computed once for every user
	now   time.Time
	rng   *rand.Rand
	// bulkRows: from this many rows, a load may drop and rebuild indexes.
	bulkRows int
}

// newSeeder hashes the bench password once, the way the account rules
// hash passwords, at the given bcrypt cost (the server's, so that a login
// never upgrades the hash).
func newSeeder(st *store.Store, dbURL string, bcryptCost int, now time.Time) (*seeder, error) {
	pw, err := auth.NewPasswords(bcryptCost)
	if err != nil {
		return nil, fmt.Errorf("hash bench password: %w", err)
	}
	h, err := pw.Hash(benchPassword)
	if err != nil {
		return nil, fmt.Errorf("hash bench password: %w", err)
	}
	return &seeder{st: st, dbURL: dbURL, hash: h, now: now.UTC(), bulkRows: bulkRows,
		rng: rand.New(rand.NewPCG(uint64(now.UnixNano()), 7))}, nil
}

// ensureUser returns the user named username, creating it when missing.
func (s *seeder) ensureUser(ctx context.Context, username string) (*benchUser, error) {
	u, err := s.st.CreateUser(ctx, taskapi.User{
		Email: strings.ToLower(username) + "@bench.example.com", Username: username,
		IsActive: true, IsVerified: true,
	}, s.hash)
	if err == nil {
		return &benchUser{ID: u.ID, Username: username, Password: benchPassword}, nil
	}
	if !errors.Is(err, taskapi.ErrConflict) {
		return nil, fmt.Errorf("seed user %s: %w", username, err)
	}
	var id uuid.UUID
	if err := s.st.DB().QueryRowContext(ctx, `SELECT id FROM users WHERE lower(username) = lower($1)`, username).Scan(&id); err != nil {
		return nil, fmt.Errorf("find user %s: %w", username, err)
	}
	// An earlier run may have used another bcrypt cost: the login workload
	// must measure the cost asked for now.
	if _, err := s.st.DB().ExecContext(ctx, `UPDATE users SET password_hash = $1, is_active = $2 WHERE id = $3`, s.hash, true, id); err != nil {
		return nil, fmt.Errorf("reset user %s: %w", username, err)
	}
	return &benchUser{ID: id, Username: username, Password: benchPassword}, nil
}

// deleteUser removes a user and, by cascade, everything it owns.
func (s *seeder) deleteUser(ctx context.Context, username string) error {
	if _, err := s.st.DB().ExecContext(ctx, `DELETE FROM users WHERE lower(username) = lower($1)`, username); err != nil {
		return fmt.Errorf("delete user %s: %w", username, err)
	}
	return nil
}

// ensureCategories gives the user a few categories and returns their IDs.
func (s *seeder) ensureCategories(ctx context.Context, userID uuid.UUID) ([]uuid.UUID, error) {
	names := []string{"Work", "Home", "Errands", "Health", "Projects"}
	colors := []string{"#2563EB", "#16A34A", "#F59E0B", "#DC2626", "#6B7280"}
	for i, name := range names {
		id, err := uuid.NewV7()
		if err != nil {
			return nil, err
		}
		if _, err := s.st.DB().ExecContext(ctx, `INSERT INTO categories (id, user_id, name, name_key, color, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (user_id, name_key) DO NOTHING`,
			id, userID, name, strings.ToLower(name), colors[i], s.now, s.now); err != nil {
			return nil, fmt.Errorf("seed categories: %w", err)
		}
	}
	rows, err := s.st.DB().QueryContext(ctx, `SELECT id FROM categories WHERE user_id = $1 ORDER BY name_key LIMIT 100`, userID)
	if err != nil {
		return nil, fmt.Errorf("list categories: %w", err)
	}
	defer rows.Close()
	var ids []uuid.UUID
	for rows.Next() {
		var id uuid.UUID
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// countTasks returns how many tasks the user owns.
func (s *seeder) countTasks(ctx context.Context, userID uuid.UUID) (int, error) {
	var n int
	if err := s.st.DB().QueryRowContext(ctx, `SELECT count(*) FROM tasks WHERE user_id = $1`, userID).Scan(&n); err != nil {
		return 0, fmt.Errorf("count tasks: %w", err)
	}
	return n, nil
}

// topUp seeds tasks for the user until it owns at least want, and returns
// how many it added; it sets u.TaskIDs to a sample of up to sampleSize of
// the user's tasks.
func (s *seeder) topUp(ctx context.Context, u *benchUser, want, sampleSize int) (int, error) {
	have, err := s.countTasks(ctx, u.ID)
	if err != nil {
		return 0, err
	}
	add := max(want-have, 0)
	if add > 0 {
		cats, err := s.ensureCategories(ctx, u.ID)
		if err != nil {
			return 0, err
		}
		gen := &taskGen{userID: u.ID, cats: cats, n: add, now: s.now, words: seedWords(),
			categorized: max(categorizedTasks-have, 0),
			rng:         rand.New(rand.NewPCG(s.rng.Uint64(), s.rng.Uint64()))}
		load := s.insertSQLite
		if s.st.Engine() == "postgres" {
			load = s.copyPostgres
		}
		if err := s.bulk(ctx, add, func() error { return load(ctx, gen) }); err != nil {
			return 0, err
		}
	}
	u.TaskIDs, err = s.sampleIDs(ctx, u.ID, have+add, sampleSize)
	return add, err
}

// sampleIDs picks up to n of the user's task IDs (it owns about total)
// spread over its whole history, so get and update touch old tasks as well
// as new ones. A small set is read whole; in a large one each probe takes
// the first task created at or after a random instant of the seeded year
// (one index seek).
func (s *seeder) sampleIDs(ctx context.Context, userID uuid.UUID, total, n int) ([]uuid.UUID, error) {
	if total <= 4*n {
		return s.allIDs(ctx, userID, n)
	}
	ids := make([]uuid.UUID, 0, n)
	seen := make(map[uuid.UUID]bool, n)
	for probe := 0; probe < 3*n && len(ids) < n; probe++ {
		at := s.now.Add(-seedSpan + time.Duration(s.rng.Int64N(int64(seedSpan))))
		if probe%8 == 7 {
			at = s.now.Add(-seedSpan) // now and then the oldest
		}
		var id uuid.UUID
		err := s.st.DB().QueryRowContext(ctx, `SELECT id FROM tasks WHERE user_id = $1 AND created_at >= $2
			ORDER BY created_at, id LIMIT 1`, userID, at).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("sample tasks: %w", err)
		}
		if !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	return ids, nil
}

// allIDs reads up to 4n of the user's task IDs and keeps n at random.
func (s *seeder) allIDs(ctx context.Context, userID uuid.UUID, n int) ([]uuid.UUID, error) {
	ids, err := s.taskIDs(ctx, "sample tasks", `SELECT id FROM tasks WHERE user_id = $1 LIMIT $2`, userID, 4*n)
	if err != nil {
		return nil, err
	}
	s.rng.Shuffle(len(ids), func(i, j int) { ids[i], ids[j] = ids[j], ids[i] })
	return ids[:min(n, len(ids))], nil
}

// newestIDs returns the IDs of the user's n most recently created tasks,
// newest first: the tasks a user is working on.
func (s *seeder) newestIDs(ctx context.Context, userID uuid.UUID, n int) ([]uuid.UUID, error) {
	ids, err := s.taskIDs(ctx, "newest tasks", `SELECT id FROM tasks WHERE user_id = $1
		ORDER BY created_at DESC, id DESC LIMIT $2`, userID, n)
	if err != nil {
		return nil, err
	}
	if len(ids) == 0 {
		return nil, errors.New("newest tasks: none")
	}
	return ids, nil
}

// taskIDs runs a query that selects task IDs and reads them all; what
// names the query in its errors.
func (s *seeder) taskIDs(ctx context.Context, what, query string, args ...any) ([]uuid.UUID, error) {
	rows, err := s.st.DB().QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	defer rows.Close()
	var ids []uuid.UUID
	for rows.Next() {
		var id uuid.UUID
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return ids, nil
}

// analyze refreshes the planner's statistics after a bulk load, as
// PostgreSQL's autovacuum would soon do by itself (VACUUM also sets the
// visibility map that index-only scans rely on). SQLite gathers no
// statistics unless asked, so it is left as the application leaves it.
func (s *seeder) analyze(ctx context.Context) error {
	if s.st.Engine() != "postgres" {
		return nil
	}
	for _, table := range []string{"users", "sessions", "categories", "tasks", "tags", "task_tags"} {
		if _, err := s.st.DB().ExecContext(ctx, "VACUUM ANALYZE "+table); err != nil {
			return fmt.Errorf("vacuum analyze %s: %w", table, err)
		}
	}
	return nil
}
