package main

import (
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"golang.org/x/crypto/bcrypt"

	"github.com/taskapi/taskapi"
	"github.com/taskapi/taskapi/internal/store"
)

// benchPassword is the password of every seeded user. Bench databases are
// throwaway; the password exists so the login workload can use it.
const benchPassword = "bench-Password-4821"

// taskColumns lists the columns the seeder writes, in the order
// taskGen.row returns their values; with titleKey, also title_key (the
// lower-cased title the title sort uses), which taskGen.row then appends.
// When the schema of tasks changes (internal/store/migrations/*/
// 00001_init.sql), this, row and checkTaskColumns are the places to adapt.
func taskColumns(titleKey bool) []string {
	cols := []string{"id", "user_id", "category_id", "title", "description", "status", "priority",
		"due_date", "completed_at", "created_at", "updated_at"}
	if titleKey {
		cols = append(cols, "title_key")
	}
	return cols
}

// checkTaskColumns reads the columns of tasks: whether it has title_key,
// and that every column the seeder leaves out may be left out (it has a
// default, may be NULL, or is the row number). A schema the seeder does
// not know stops the run with a clear message instead of a failed insert.
func (s *seeder) checkTaskColumns(ctx context.Context) (titleKey bool, err error) {
	q := `SELECT name, "notnull" = 0 OR dflt_value IS NOT NULL OR (pk = 1 AND upper(type) = 'INTEGER')
		FROM pragma_table_info('tasks')`
	if s.st.Engine() == "postgres" {
		q = `SELECT column_name, is_nullable = 'YES' OR column_default IS NOT NULL OR is_identity = 'YES'
			FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'tasks'`
	}
	rows, err := s.st.ReadDB().QueryContext(ctx, q)
	if err != nil {
		return false, fmt.Errorf("read the columns of tasks: %w", err)
	}
	defer rows.Close()
	have := map[string]bool{} // column → may be left out
	for rows.Next() {
		var name string
		var optional bool
		if err := rows.Scan(&name, &optional); err != nil {
			return false, fmt.Errorf("read the columns of tasks: %w", err)
		}
		have[name] = optional
	}
	if err := rows.Err(); err != nil {
		return false, fmt.Errorf("read the columns of tasks: %w", err)
	}
	_, titleKey = have["title_key"]
	written := taskColumns(titleKey)
	for _, c := range written {
		if _, ok := have[c]; !ok {
			return false, fmt.Errorf("tasks has no column %s: adapt taskColumns in bench/seed.go to the schema", c)
		}
	}
	for name, optional := range have {
		if !optional && !slices.Contains(written, name) {
			return false, fmt.Errorf("tasks has a required column %s the seeder does not fill: adapt taskColumns in bench/seed.go", name)
		}
	}
	return titleKey, nil
}

// seeder fills a database with bench users, categories and tasks, fast:
// multi-row INSERTs in big transactions on SQLite, COPY on PostgreSQL.
type seeder struct {
	st    *store.Store
	dbURL string
	hash  string // bcrypt of benchPassword, computed once for every user
	now   time.Time
	rng   *rand.Rand
	// bulkRows: from this many rows, a load may drop and rebuild indexes.
	bulkRows int
}

// newSeeder hashes the bench password once at the given bcrypt cost.
func newSeeder(st *store.Store, dbURL string, bcryptCost int, now time.Time) (*seeder, error) {
	h, err := bcrypt.GenerateFromPassword([]byte(benchPassword), bcryptCost)
	if err != nil {
		return nil, fmt.Errorf("hash bench password: %w", err)
	}
	return &seeder{st: st, dbURL: dbURL, hash: string(h), now: now.UTC(), bulkRows: bulkRows,
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
	if err := s.st.ReadDB().QueryRowContext(ctx, `SELECT id FROM users WHERE lower(username) = lower($1)`, username).Scan(&id); err != nil {
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
	rows, err := s.st.ReadDB().QueryContext(ctx, `SELECT id FROM categories WHERE user_id = $1 ORDER BY name_key LIMIT 100`, userID)
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
	if err := s.st.ReadDB().QueryRowContext(ctx, `SELECT count(*) FROM tasks WHERE user_id = $1`, userID).Scan(&n); err != nil {
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
		titleKey, err := s.checkTaskColumns(ctx)
		if err != nil {
			return 0, err
		}
		gen := &taskGen{userID: u.ID, cats: cats, n: add, now: s.now, words: seedWords(), titleKey: titleKey,
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
		err := s.st.ReadDB().QueryRowContext(ctx, `SELECT id FROM tasks WHERE user_id = $1 AND created_at >= $2
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
	rows, err := s.st.ReadDB().QueryContext(ctx, `SELECT id FROM tasks WHERE user_id = $1 LIMIT $2`, userID, 4*n)
	if err != nil {
		return nil, fmt.Errorf("sample tasks: %w", err)
	}
	defer rows.Close()
	var ids []uuid.UUID
	for rows.Next() {
		var id uuid.UUID
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("sample tasks: %w", err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sample tasks: %w", err)
	}
	s.rng.Shuffle(len(ids), func(i, j int) { ids[i], ids[j] = ids[j], ids[i] })
	return ids[:min(n, len(ids))], nil
}

// bulkRows is the size of a load from which the seeder drops the secondary
// indexes of tasks and builds them again afterwards, when the load is also
// larger than the rows already there: building an index from sorted data
// is many times faster than maintaining seven indexes (two of them
// trigram GIN indexes on PostgreSQL) row by row.
const bulkRows = 50_000

// bulk runs load, which adds n tasks, without the secondary indexes of
// tasks when that is faster. The indexes are read from the catalogue, so
// whatever the migrations define is rebuilt as it was, and they are
// rebuilt even when load fails.
func (s *seeder) bulk(ctx context.Context, n int, load func() error) (err error) {
	if n < s.bulkRows {
		return load()
	}
	var existing int
	if err := s.st.ReadDB().QueryRowContext(ctx, `SELECT count(*) FROM tasks`).Scan(&existing); err != nil {
		return fmt.Errorf("count tasks: %w", err)
	}
	if existing > n {
		return load()
	}
	names, defs, err := s.secondaryIndexes(ctx)
	if err != nil {
		return err
	}
	db := s.st.DB()
	for _, name := range names {
		if _, err := db.ExecContext(ctx, `DROP INDEX `+name); err != nil {
			return errors.Join(fmt.Errorf("drop index %s: %w", name, err), s.createIndexes(defs))
		}
	}
	return errors.Join(load(), s.createIndexes(defs))
}

// createIndexes runs the CREATE INDEX statements, with a context of its
// own: they must run even when the load was interrupted. PostgreSQL builds
// two at a time (one per core of the target machine), each sorting in
// memory; SQLite has one writer.
func (s *seeder) createIndexes(defs []string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	workers, setup := 1, ""
	if s.st.Engine() == "postgres" {
		workers, setup = 2, `SET maintenance_work_mem = '256MB'`
	}
	next := make(chan string, len(defs))
	for _, d := range defs {
		next <- d
	}
	close(next)
	errs := make(chan error, workers)
	for range workers {
		go func() { errs <- s.buildIndexes(ctx, setup, next) }()
	}
	var err error
	for range workers {
		err = errors.Join(err, <-errs)
	}
	return err
}

// buildIndexes runs statements from next on a connection of its own.
func (s *seeder) buildIndexes(ctx context.Context, setup string, next <-chan string) error {
	conn, err := s.st.DB().Conn(ctx)
	if err != nil {
		return fmt.Errorf("rebuild indexes: %w", err)
	}
	// The connection goes back to the pool: undo the session setting.
	defer conn.Close()
	if setup != "" {
		if _, err := conn.ExecContext(ctx, setup); err != nil {
			return fmt.Errorf("rebuild indexes: %w", err)
		}
		defer conn.ExecContext(context.Background(), `RESET ALL`)
	}
	for def := range next {
		if _, err := conn.ExecContext(ctx, def); err != nil && !strings.Contains(err.Error(), "already exists") {
			return fmt.Errorf("rebuild index: %s: %w", def, err)
		}
	}
	return nil
}

// secondaryIndexes lists the indexes of tasks that no constraint needs:
// their names and their CREATE statements.
func (s *seeder) secondaryIndexes(ctx context.Context) (names, defs []string, err error) {
	q := `SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'tasks' AND sql IS NOT NULL ORDER BY name`
	if s.st.Engine() == "postgres" {
		q = `SELECT i.indexname, i.indexdef FROM pg_indexes i
			WHERE i.schemaname = current_schema() AND i.tablename = 'tasks'
			AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conrelid = 'tasks'::regclass AND c.conname = i.indexname)
			ORDER BY i.indexname`
	}
	rows, err := s.st.ReadDB().QueryContext(ctx, q)
	if err != nil {
		return nil, nil, fmt.Errorf("list indexes: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var name, def string
		if err := rows.Scan(&name, &def); err != nil {
			return nil, nil, fmt.Errorf("list indexes: %w", err)
		}
		names, defs = append(names, name), append(defs, def)
	}
	return names, defs, rows.Err()
}

// sqliteBatchRows is the rows of one INSERT statement (11 parameters each,
// well under SQLite's limit of 32,766); sqliteTxRows the rows of one
// transaction.
const (
	sqliteBatchRows = 500
	sqliteTxRows    = 50_000
)

// insertSQLite writes the rows with multi-row INSERTs through the store's
// own writer connection, so time values are formatted exactly as the store
// writes them (the driver's "sqlite" format, UTC), in transactions of
// sqliteTxRows rows. The placeholders are
// anonymous (?): the driver looks each numbered one ($n) up by name, which
// costs quadratic time in a statement of thousands of parameters.
func (s *seeder) insertSQLite(ctx context.Context, gen *taskGen) error {
	cols := taskColumns(gen.titleKey)
	stmtFor := func(rows int) string {
		var b strings.Builder
		b.WriteString("INSERT OR ROLLBACK INTO tasks (" + strings.Join(cols, ", ") + ") VALUES ")
		row := "(" + strings.Repeat("?,", len(cols)-1) + "?)"
		for r := range rows {
			if r > 0 {
				b.WriteByte(',')
			}
			b.WriteString(row)
		}
		return b.String()
	}
	// The rows land all over seven indexes; a page cache large enough to
	// hold them saves re-reading and re-writing pages. This is the bench's
	// own writer connection, not the server's.
	if _, err := s.st.DB().ExecContext(ctx, `PRAGMA cache_size = -262144`); err != nil {
		return fmt.Errorf("seed tasks: %w", err)
	}
	full := stmtFor(sqliteBatchRows)
	args := make([]any, 0, sqliteBatchRows*len(cols))
	for done := 0; done < gen.n; {
		txRows := min(sqliteTxRows, gen.n-done)
		tx, err := s.st.DB().BeginTx(ctx, nil)
		if err != nil {
			return fmt.Errorf("seed tasks: %w", err)
		}
		// Foreign keys checked at commit (the setting ends with the
		// transaction), and OR ROLLBACK: then no statement can fail
		// half-done, and SQLite keeps no statement journal, which would
		// copy every index page each statement touches.
		if _, err := tx.ExecContext(ctx, `PRAGMA defer_foreign_keys = ON`); err != nil {
			_ = tx.Rollback()
			return fmt.Errorf("seed tasks: %w", err)
		}
		stmt, err := tx.PrepareContext(ctx, full)
		if err != nil {
			_ = tx.Rollback()
			return fmt.Errorf("seed tasks: %w", err)
		}
		for left := txRows; left > 0; {
			n := min(sqliteBatchRows, left)
			args = args[:0]
			for range n {
				args = append(args, gen.row()...)
			}
			if n == sqliteBatchRows {
				_, err = stmt.ExecContext(ctx, args...)
			} else {
				_, err = tx.ExecContext(ctx, stmtFor(n), args...)
			}
			if err != nil {
				_ = stmt.Close()
				_ = tx.Rollback()
				return fmt.Errorf("seed tasks: %w", err)
			}
			left -= n
		}
		_ = stmt.Close()
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("seed tasks: commit: %w", err)
		}
		done += txRows
	}
	// Fold the write-ahead log into the database so the runs that follow
	// do not read through a large WAL.
	if _, err := s.st.DB().ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		return fmt.Errorf("seed tasks: checkpoint: %w", err)
	}
	return nil
}

// copyPostgres streams the rows with COPY over a pgx connection of its own.
func (s *seeder) copyPostgres(ctx context.Context, gen *taskGen) error {
	conn, err := pgx.Connect(ctx, s.dbURL)
	if err != nil {
		return fmt.Errorf("seed tasks: connect: %w", err)
	}
	defer conn.Close(context.Background())
	left := gen.n
	src := pgx.CopyFromFunc(func() ([]any, error) {
		if left == 0 {
			return nil, nil
		}
		left--
		row := gen.row()
		// UUIDs as plain arrays: pgx encodes those directly, where
		// uuid.UUID would take the slower driver.Valuer path.
		for i, v := range row {
			switch x := v.(type) {
			case uuid.UUID:
				row[i] = [16]byte(x)
			case *uuid.UUID:
				if x == nil {
					row[i] = nil
				} else {
					row[i] = [16]byte(*x)
				}
			}
		}
		return row, nil
	})
	n, err := conn.CopyFrom(ctx, pgx.Identifier{"tasks"}, taskColumns(gen.titleKey), src)
	if err != nil {
		return fmt.Errorf("seed tasks: copy: %w", err)
	}
	if int(n) != gen.n {
		return fmt.Errorf("seed tasks: copied %d rows, want %d", n, gen.n)
	}
	return nil
}

// analyze refreshes the planner's statistics after a bulk load, as
// PostgreSQL's autovacuum would soon do by itself (VACUUM also sets the
// visibility map that index-only scans rely on). SQLite gathers no
// statistics unless asked, so it is left as the application leaves it.
func (s *seeder) analyze(ctx context.Context) error {
	if s.st.Engine() != "postgres" {
		return nil
	}
	for _, table := range []string{"users", "sessions", "categories", "tasks"} {
		if _, err := s.st.DB().ExecContext(ctx, "VACUUM ANALYZE "+table); err != nil {
			return fmt.Errorf("vacuum analyze %s: %w", table, err)
		}
	}
	return nil
}

// categorizedTasks bounds how many of a user's tasks the seeder files in
// categories. A user with a million tasks has not filed them all; and a
// category's task count may be kept by a trigger, one UPDATE of the same
// few rows per task, which within one bulk transaction grows slower with
// every row.
const categorizedTasks = 20_000

// taskGen makes realistic task rows for one user: 40 % TODO, 20 %
// IN_PROGRESS, 30 % COMPLETED, 10 % ARCHIVED; priorities weighted towards
// MEDIUM; 30 % without a due date; half with a description; 60 % of the
// first `categorized` in a category; created over the past year in order,
// with time-ordered IDs.
type taskGen struct {
	userID      uuid.UUID
	cats        []uuid.UUID
	n           int
	i           int
	categorized int
	titleKey    bool
	now         time.Time
	words       []string
	rng         *rand.Rand
}

const seedSpan = 365 * 24 * time.Hour

// row returns the next row's values in taskColumns order.
func (g *taskGen) row() []any {
	r := g.rng
	// Spread creation times evenly over the past year, in order.
	created := g.now.Add(-seedSpan + time.Duration(float64(seedSpan)*float64(g.i)/float64(max(g.n, 1)))).
		Add(time.Duration(r.IntN(1000)) * time.Microsecond).Truncate(time.Microsecond)
	g.i++
	updated := created.Add(time.Duration(r.Int64N(int64(30 * 24 * time.Hour)))).Truncate(time.Microsecond)
	if updated.After(g.now) {
		updated = g.now
	}
	var status string
	switch p := r.IntN(100); {
	case p < 40:
		status = "TODO"
	case p < 60:
		status = "IN_PROGRESS"
	case p < 90:
		status = "COMPLETED"
	default:
		status = "ARCHIVED"
	}
	priority := int16(2) // MEDIUM
	switch p := r.IntN(100); {
	case p < 25:
		priority = 1
	case p < 65:
		priority = 2
	case p < 90:
		priority = 3
	default:
		priority = 4
	}
	var due, completed *time.Time
	if r.IntN(100) >= 30 {
		d := created.Add(time.Duration(r.Int64N(int64(70*24*time.Hour))) - 10*24*time.Hour).Truncate(time.Second)
		due = &d
	}
	if status == "COMPLETED" {
		c := updated
		completed = &c
	}
	var desc *string
	if r.IntN(2) == 0 {
		d := sentence(r, g.words, 8+r.IntN(13))
		desc = &d
	}
	var cat *uuid.UUID
	if len(g.cats) > 0 && g.i <= g.categorized && r.IntN(100) < 60 {
		c := g.cats[r.IntN(len(g.cats))]
		cat = &c
	}
	title := sentence(r, g.words, 3+r.IntN(4))
	if r.IntN(2000) == 0 {
		title += " zeppelin"
	}
	row := []any{uuidV7At(created, r), g.userID, cat, title, desc, status, priority, due, completed, created, updated}
	if g.titleKey {
		row = append(row, strings.ToLower(title)) // taskapi.TitleSortKey
	}
	return row
}

// uuidV7At makes a version 7 UUID for time t: IDs sort like creation times,
// as the IDs the store makes do.
func uuidV7At(t time.Time, r *rand.Rand) uuid.UUID {
	var u uuid.UUID
	binary.BigEndian.PutUint64(u[8:], r.Uint64())
	ms := uint64(t.UnixMilli())
	u[0], u[1], u[2], u[3], u[4], u[5] = byte(ms>>40), byte(ms>>32), byte(ms>>24), byte(ms>>16), byte(ms>>8), byte(ms)
	rb := r.Uint32()
	u[6] = 0x70 | byte(rb>>8)&0x0f
	u[7] = byte(rb)
	u[8] = 0x80 | u[8]&0x3f
	return u
}

// seedWords is the vocabulary of titles and descriptions. Words early in
// the list are drawn far more often (see seedWord), so searches can ask for
// a common word ("report"), a middling one ("invoice") and a rare one
// ("zeppelin", added to one title in 2,000).
func seedWords() []string {
	return strings.Fields(`report review update plan call email meeting fix write check prepare
	send order book clean draft team budget client design test deploy release notes backlog
	schedule follow agenda summary invoice contract payment renew insurance doctor dentist groceries
	laundry garden repair car bike train flight hotel visa passport tax return receipt refund
	quarterly weekly monthly annual project roadmap feature bug ticket review server database
	backup migration upgrade license vendor supplier inventory shipping warehouse training workshop
	slides presentation proposal estimate forecast metrics dashboard survey feedback interview
	onboarding offboarding policy handbook audit compliance security password rotation certificate
	domain website newsletter campaign social photos album birthday gift party dinner recipe
	library books course homework exam gym yoga running marathon vacation packing moving furniture`)
}

// seedWord draws a word; the square skews the draw towards the start of
// the list (the first word is in about a third of titles).
func seedWord(r *rand.Rand, words []string) string {
	u := r.Float64()
	return words[int(u*u*float64(len(words)))]
}

// sentence makes n words, the first capitalised.
func sentence(r *rand.Rand, words []string, n int) string {
	var b strings.Builder
	for i := range n {
		w := seedWord(r, words)
		if i == 0 {
			w = strings.ToUpper(w[:1]) + w[1:]
		} else {
			b.WriteByte(' ')
		}
		b.WriteString(w)
	}
	return b.String()
}
