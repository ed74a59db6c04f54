package store

// The engine seam: the pools, the statement cache, the transaction and its
// clock, and time scanning. Queries say what they do (s.query, s.queryRow,
// s.exec, s.tx); these methods pick the handle for the engine.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"runtime"
	"strconv"
	"sync"
	"time"
)

// query runs a read: on SQLite on the reader pool, through the statement
// cache; on PostgreSQL on the pool.
func (s *Store) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return s.reads.QueryContext(ctx, query, args...)
}

// queryRow runs a read of one row (see query).
func (s *Store) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	return s.reads.QueryRowContext(ctx, query, args...)
}

// exec runs one statement that changes data, on the writer, outside any
// transaction.
func (s *Store) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return s.write.ExecContext(ctx, query, args...)
}

// execRow runs one statement that changes data and returns a row
// (RETURNING), on the writer.
func (s *Store) execRow(ctx context.Context, query string, args ...any) *sql.Row {
	return s.write.QueryRowContext(ctx, query, args...)
}

// reader is the handle of reads, for helpers that also run inside a
// transaction (they take a querier).
func (s *Store) reader() querier { return s.reads }

// writer is the handle of single writes, for helpers that also run inside
// a transaction.
func (s *Store) writer() querier { return s.write }

// tx runs fn in a write transaction and runs it again, a few times,
// when PostgreSQL aborted it to break a deadlock: moving tasks between
// categories locks two counters, and concurrent requests of one user may
// take them in opposite orders. fn must not have effects outside tx.
func (s *Store) tx(ctx context.Context, fn func(tx querier) error) error {
	const attempts = 4
	var err error
	for i := 0; i < attempts; i++ {
		if err = s.inTx(ctx, fn); err == nil || !s.d.isRetryable(err) || ctx.Err() != nil {
			return err
		}
	}
	return err
}

func (s *Store) openSQLite(path string) error {
	// Pragmas run on every new connection. synchronous=NORMAL is durable
	// in WAL mode except against power loss of the last commits.
	// cache_size bounds each connection's page cache (SQLite's own memory,
	// outside Go's heap), since the operating system caches the file anyway.
	base := "file:" + (&url.URL{Path: path}).EscapedPath() +
		"?_pragma=foreign_keys(1)&_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)" +
		"&_pragma=synchronous(NORMAL)&_pragma=cache_size(" + strconv.Itoa(-sqliteCacheKiB) + ")" +
		"&_time_format=sqlite&_timezone=UTC"
	w, err := sql.Open("sqlite", base+"&_txlock=immediate")
	if err != nil {
		return err
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxIdleTime(0)
	w.SetConnMaxLifetime(0)
	r, err := sql.Open("sqlite", base+"&_pragma=query_only(1)")
	if err != nil {
		w.Close()
		return err
	}
	readers := sqliteReaders()
	r.SetMaxOpenConns(readers)
	r.SetMaxIdleConns(readers)
	s.read, s.write = r, w
	s.dsn = base + "&_pragma=query_only(1)"
	s.readStmts = newStmtCache(r)
	s.reads = s.readStmts
	// The writer is opened first and alone, so the switch to WAL happens
	// before any reader connection exists.
	return w.Ping()
}

// sqliteCacheKiB is the page cache of one SQLite connection, in KiB: small,
// because a page missing here is read from the operating system's cache,
// not from disk (measured in bench/RESULTS.md).
const sqliteCacheKiB = 512

// sqliteReaders sizes the SQLite reader pool: one connection per CPU the
// Go scheduler uses, at least 2 and at most 8. A reader holds a CPU for
// its whole query (the driver is pure Go, and the file is in the
// operating system's cache), so more readers only add memory (measured in
// bench/RESULTS.md).
func sqliteReaders() int {
	return min(max(runtime.GOMAXPROCS(0), 2), 8)
}

// postgresConns sizes the PostgreSQL pool: three connections per CPU the
// Go scheduler uses, from 4 to 20. A request holds a connection only for
// its queries' round trips, so a few per CPU keep the CPUs busy; more only
// add PostgreSQL backends competing for the same cores (measured in
// bench/RESULTS.md).
func postgresConns() int {
	return min(max(3*runtime.GOMAXPROCS(0), 4), 20)
}

func (s *Store) openPostgres(databaseURL string) error {
	db, err := sql.Open("pgx", databaseURL)
	if err != nil {
		return err
	}
	conns := postgresConns()
	db.SetMaxOpenConns(conns)
	db.SetMaxIdleConns(conns)
	db.SetConnMaxIdleTime(5 * time.Minute)
	db.SetConnMaxLifetime(time.Hour)
	s.read, s.write = db, db
	s.reads = db
	s.dsn = databaseURL
	return nil
}

// Engine names the engine: "postgres" or "sqlite".
func (s *Store) Engine() string { return s.d.name }

// DB returns the pool that changes data (for migrations and tools).
func (s *Store) DB() *sql.DB { return s.write }

// Stats returns the pool statistics of the read and write pools (the same
// pool on PostgreSQL).
func (s *Store) Stats() (read, write sql.DBStats) { return s.read.Stats(), s.write.Stats() }

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.write.PingContext(ctx); err != nil {
		return fmt.Errorf("ping: %w", err)
	}
	if s.read != s.write {
		if err := s.read.PingContext(ctx); err != nil {
			return fmt.Errorf("ping: %w", err)
		}
	}
	return nil
}

// Close closes the pools.
func (s *Store) Close() error {
	var err error
	if s.readStmts != nil {
		err = s.readStmts.Close()
	}
	err = errors.Join(err, s.write.Close())
	if s.read != s.write {
		err = errors.Join(err, s.read.Close())
	}
	return err
}

// Now returns the store's current time in UTC, truncated to microseconds
// (what PostgreSQL keeps), so that a value read back equals the one written.
func (s *Store) Now() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

// querier is what both *sql.DB and *sql.Tx offer.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// inTx runs fn in a write transaction, committing when fn returns nil,
// with the changes fn recorded appended last (see flushChanges).
func (s *Store) inTx(ctx context.Context, fn func(tx querier) error) error {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	w := &writeTx{Tx: tx}
	if err := fn(w); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := s.flushChanges(ctx, w); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", s.mapErr(err))
	}
	return nil
}

// dbTime is the one scanner of timestamps, which may be NULL: a time.Time,
// as both drivers give a timestamp column, or text, as SQLite gives an
// expression over one (max(next_attempt_at) has no declared type).
type dbTime struct {
	Time  time.Time
	Valid bool
}

// Scan implements sql.Scanner.
func (d *dbTime) Scan(v any) error {
	switch x := v.(type) {
	case nil:
		*d = dbTime{}
		return nil
	case time.Time:
		*d = dbTime{Time: x.UTC(), Valid: true}
		return nil
	case string:
		t, err := parseSQLiteTime(x)
		if err != nil {
			return err
		}
		*d = dbTime{Time: t, Valid: true}
		return nil
	case []byte:
		return d.Scan(string(x))
	}
	return fmt.Errorf("timestamp: cannot scan %T", v)
}

// maxCachedStmts bounds a stmtCache. The queries it sees are the store's
// own texts (values are always arguments), so the set is finite; the
// bound only keeps an unexpected variety of list filters from growing it
// without end: past it, queries run unprepared.
const maxCachedStmts = 256

// stmtCache runs queries on a pool through prepared statements kept by
// their SQL text. The SQLite driver prepares every query anew, and on a
// primary-key lookup parsing and planning cost about a third of the
// query; a prepared *sql.Stmt is prepared once per connection and then
// only bound and stepped. (pgx caches statements on PostgreSQL by
// itself, so this is used on SQLite only.) Safe for concurrent use.
type stmtCache struct {
	db *sql.DB
	mu sync.RWMutex
	m  map[string]*sql.Stmt
}

func newStmtCache(db *sql.DB) *stmtCache {
	return &stmtCache{db: db, m: make(map[string]*sql.Stmt)}
}

// stmt returns the prepared statement of query, preparing it the first
// time; nil when the cache is full or the statement cannot be prepared
// (the caller then runs the query unprepared, which reports the error).
func (c *stmtCache) stmt(ctx context.Context, query string) *sql.Stmt {
	c.mu.RLock()
	st, ok := c.m[query]
	c.mu.RUnlock()
	if ok {
		return st
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if st, ok := c.m[query]; ok {
		return st
	}
	if len(c.m) >= maxCachedStmts {
		return nil
	}
	// Preparing under the lock keeps one statement per text; it happens
	// once per distinct query.
	st, err := c.db.PrepareContext(ctx, query)
	if err != nil {
		return nil
	}
	c.m[query] = st
	return st
}

// QueryContext implements querier.
func (c *stmtCache) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := c.stmt(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return c.db.QueryContext(ctx, query, args...)
}

// QueryRowContext implements querier.
func (c *stmtCache) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st := c.stmt(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return c.db.QueryRowContext(ctx, query, args...)
}

// ExecContext implements querier.
func (c *stmtCache) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st := c.stmt(ctx, query); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return c.db.ExecContext(ctx, query, args...)
}

// Close closes the prepared statements; later queries run unprepared.
func (c *stmtCache) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	var err error
	for q, st := range c.m {
		err = errors.Join(err, st.Close())
		delete(c.m, q)
	}
	return err
}

// collect reads every row of a query with scan, and closes the rows.
func collect[T any](rows *sql.Rows, scan func(rowScanner) (T, error)) ([]T, error) {
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
