// Package store keeps taskapi's data in PostgreSQL or SQLite through one
// set of queries over database/sql. Every method that touches a user's data
// takes the acting user's ID and filters on it.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
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
	// reads runs every read (s.query, s.queryRow): s.read itself on
	// PostgreSQL, through prepared statements on SQLite.
	reads querier
	// readStmts is the cache behind reads on SQLite; nil on PostgreSQL.
	readStmts *stmtCache
	// dsn opens a connection of its own (ListenChanges): PostgreSQL's
	// URL, or SQLite's reader data source.
	dsn string
	d   dialect
	now func() time.Time
	// search tunes how a search on SQLite chooses between walking the
	// list and the full-text index.
	search SearchPlan
	// mail is the mail budget (see mailSlot).
	mail MailBudget
	// quotas bound what one user may keep (see checkQuota).
	quotas Quotas
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
	s := &Store{now: time.Now, search: DefaultSearchPlan(), mail: DefaultMailBudget(), quotas: DefaultQuotas()}
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
