// Package store keeps taskapi's data in PostgreSQL or SQLite through one
// set of queries over database/sql. Every method that touches a user's data
// takes the acting user's ID and filters on it.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/taskapi/taskapi"
)

// Store is the data layer. It is safe for concurrent use.
type Store struct {
	// read serves queries; write serves statements that change data. On
	// PostgreSQL they are one pool. On SQLite the writer is a single
	// connection, so writers queue in Go instead of failing with
	// "database is locked", while readers run in parallel thanks to WAL.
	read  *sql.DB
	write *sql.DB
	// reads runs the hot read queries (sessions, get, lists): s.read
	// itself on PostgreSQL, through prepared statements on SQLite.
	reads querier
	// readStmts is the cache behind reads on SQLite; nil on PostgreSQL.
	readStmts *stmtCache
	d         dialect
	now       func() time.Time
	// search tunes how a search on SQLite chooses between walking the
	// list and the full-text index.
	search SearchPlan
	// mail is the mail budget (see mailSlot).
	mail MailBudget
	// searchSlots bounds the searches running at once (see searchSlot).
	searchSlots chan struct{}
	// afterSearchWalk, when set (by tests only), runs between a search's
	// walk and the read of its hits; searchTrace gets what a walk spent,
	// searchProbe how many tasks the index listed when asked.
	afterSearchWalk func()
	searchTrace     func(walked int, spent float64)
	searchProbe     func(found int)
}

// Option changes how Open builds the Store.
type Option func(*Store)

// WithClock makes the store read the time from now; tests use it to control
// timestamps. Every timestamp the store writes comes from this clock.
func WithClock(now func() time.Time) Option {
	return func(s *Store) { s.now = now }
}

// Open connects to the database named by url: "postgres://…" or
// "sqlite:PATH". It checks that the database answers.
func Open(ctx context.Context, databaseURL string, opts ...Option) (*Store, error) {
	s := &Store{now: time.Now, search: DefaultSearchPlan(), mail: DefaultMailBudget()}
	for _, o := range opts {
		o(s)
	}
	var err error
	switch {
	case strings.HasPrefix(databaseURL, "sqlite:"):
		s.d = sqliteDialect
		err = s.openSQLite(strings.TrimPrefix(strings.TrimPrefix(databaseURL, "sqlite:"), "//"))
	case strings.HasPrefix(databaseURL, "postgres://"), strings.HasPrefix(databaseURL, "postgresql://"):
		s.d = postgresDialect
		err = s.openPostgres(databaseURL)
	default:
		return nil, fmt.Errorf("open store: unknown database URL scheme")
	}
	if err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	// Searches may hold all connections but one: the rest of the API
	// always finds one free.
	s.searchSlots = make(chan struct{}, max(1, s.read.Stats().MaxOpenConnections-1))
	if err := s.Ping(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("open store: %w", err)
	}
	return s, nil
}

func (s *Store) openSQLite(path string) error {
	// Pragmas run on every new connection. synchronous=NORMAL is durable
	// in WAL mode except against power loss of the last commits.
	// cache_size bounds each connection's page cache (SQLite's own memory,
	// outside Go's heap): the operating system caches the file anyway, and
	// at the default 2 MiB per connection the caches alone were a third of
	// the server's resident memory (see the README's Performance section).
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
	s.readStmts = newStmtCache(r)
	s.reads = s.readStmts
	// The writer is opened first and alone, so the switch to WAL happens
	// before any reader connection exists.
	return w.Ping()
}

// sqliteCacheKiB is the page cache of one SQLite connection, in KiB. The
// operating system caches the file too, so a page missing here costs a
// read from memory, not from disk: 512 KiB instead of 1 MiB gave the same
// throughput in every workload of the bench, for 2.7 MiB less resident
// memory during the mix.
const sqliteCacheKiB = 512

// sqliteReaders sizes the SQLite reader pool: one connection per CPU the
// Go scheduler uses, at least 2 and at most 8. A reader holds a CPU for
// its whole query (the driver is pure Go, and the file is in the
// operating system's cache), so more readers only add page caches,
// prepared statements and the driver's allocations: on 2 CPUs, 2 readers
// instead of 4 gave the same throughput in every workload and 5.7 MiB
// less resident memory during the mix.
func sqliteReaders() int {
	return min(max(runtime.GOMAXPROCS(0), 2), 8)
}

// postgresConns sizes the PostgreSQL pool: three connections per CPU the
// Go scheduler uses, from 4 to 20. A request holds a connection only for
// its queries' round trips, so a few per CPU keep the CPUs busy; more only
// add PostgreSQL backends competing for the same cores (on 2 cores, 6
// connections instead of 20 gave 1.2x the throughput of get).
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

// inTx runs fn in a write transaction, committing when fn returns nil.
func (s *Store) inTx(ctx context.Context, fn func(tx querier) error) error {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", s.mapErr(err))
	}
	return nil
}

// mapErr turns driver errors that mean something to the domain into domain
// errors; the driver's text never reaches a client.
func (s *Store) mapErr(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, sql.ErrNoRows):
		return taskapi.ErrNotFound
	case s.d.isUniqueViolation(err):
		return fmt.Errorf("%w: %w", taskapi.ErrConflict, err)
	case s.d.isForeignKeyViolation(err):
		return fmt.Errorf("%w: %w", taskapi.ErrNotFound, err)
	}
	return err
}

// utc converts an optional time for writing: the driver must see UTC.
func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC().Truncate(time.Microsecond)
	return &u
}
