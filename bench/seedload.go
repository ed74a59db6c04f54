package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

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
	if err := s.st.DB().QueryRowContext(ctx, `SELECT count(*) FROM tasks`).Scan(&existing); err != nil {
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
	rows, err := s.st.DB().QueryContext(ctx, q)
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
	cols := taskColumns()
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
	n, err := conn.CopyFrom(ctx, pgx.Identifier{"tasks"}, taskColumns(), src)
	if err != nil {
		return fmt.Errorf("seed tasks: copy: %w", err)
	}
	if int(n) != gen.n {
		return fmt.Errorf("seed tasks: copied %d rows, want %d", n, gen.n)
	}
	return nil
}
