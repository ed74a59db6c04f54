package store

import (
	"errors"
	"io/fs"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/pressly/goose/v3"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	// The pgx database/sql driver, registered as "pgx".
	_ "github.com/jackc/pgx/v5/stdlib"
)

// dialect holds only what differs between the engines; every query that
// can be written once is written once.
type dialect struct {
	name                  string
	goose                 goose.Dialect
	migrations            string // folder inside migrationsFS
	isUniqueViolation     func(error) bool
	isForeignKeyViolation func(error) bool
	// forUpdateSkipLocked is appended to a SELECT that claims rows for one
	// worker; SQLite has a single writer, so it needs nothing.
	forUpdateSkipLocked string
	// forNoKeyUpdate is forUpdate for a row whose key stays: it does not
	// hold back the insert of rows that refer to it.
	forNoKeyUpdate string
	// forUpdate is appended to a SELECT that reads a row to change it in the
	// same transaction (read-check-write); SQLite's writer is alone.
	forUpdate string
	// isRetryable reports an error after which the whole transaction may
	// simply run again (a deadlock PostgreSQL broke by aborting us).
	isRetryable func(error) bool
	// isQueryCanceled reports a statement the server stopped, as
	// statement_timeout does.
	isQueryCanceled func(error) bool
	// taskSearch returns the condition "title or description contains q,
	// ignoring case", binding its arguments through arg. On SQLite it is
	// taskMatch: the search planner (taskLister.scanSection) decides when
	// the full-text index narrows it.
	taskSearch func(q string, arg func(any) string) string
	// taskMatch, on SQLite only, matches tasks one by one as a list walks
	// them or among the full-text index's candidates, when searchIndexed
	// says the index could serve q (see taskLister.scanSection); both nil
	// where the planner needs no help.
	taskMatch     func(q string, arg func(any) string) string
	searchIndexed func(q string) bool
	// insertBatchRows is how many rows one multi-row INSERT carries. SQLite
	// looks up each $N parameter by name in a list, so a statement with
	// thousands of parameters costs quadratic time to prepare.
	insertBatchRows int
	// indexedBy pins a query to an index where the planner could be misled
	// by statistics (SQLite's INDEXED BY); PostgreSQL plans well on its own.
	indexedBy func(index string) string
	// bumpChangeHead takes $2 numbers from the change feed head of user $1
	// and returns the last. On PostgreSQL the same statement also notifies
	// the instances listening for changes (ListenChanges), at no extra
	// round trip: $1 is bound as text for pg_notify and cast for the
	// column. A notification is delivered at commit, so only committed
	// changes wake anyone.
	bumpChangeHead string
}

var postgresDialect = dialect{
	name:       "postgres",
	goose:      goose.DialectPostgres,
	migrations: "migrations/postgres",
	isUniqueViolation: func(err error) bool {
		var pe *pgconn.PgError
		return errors.As(err, &pe) && pe.Code == "23505"
	},
	isForeignKeyViolation: func(err error) bool {
		var pe *pgconn.PgError
		return errors.As(err, &pe) && pe.Code == "23503"
	},
	forUpdateSkipLocked: " FOR UPDATE SKIP LOCKED",
	forUpdate:           " FOR UPDATE",
	forNoKeyUpdate:      " FOR NO KEY UPDATE",
	isRetryable: func(err error) bool {
		var pe *pgconn.PgError
		// deadlock_detected, serialization_failure
		return errors.As(err, &pe) && (pe.Code == "40P01" || pe.Code == "40001")
	},
	isQueryCanceled: func(err error) bool {
		var pe *pgconn.PgError
		return errors.As(err, &pe) && pe.Code == "57014" // query_canceled
	},
	taskSearch:      postgresTaskSearch,
	insertBatchRows: 500,
	indexedBy:       func(string) string { return "" },
	bumpChangeHead: `INSERT INTO change_heads (user_id, seq) SELECT CAST($1 AS uuid), $2 FROM pg_notify('` + changesChannel + `', $1)
		ON CONFLICT (user_id) DO UPDATE SET seq = change_heads.seq + $2 RETURNING seq`,
}

var sqliteDialect = dialect{
	name:       "sqlite",
	goose:      goose.DialectSQLite3,
	migrations: "migrations/sqlite",
	isUniqueViolation: func(err error) bool {
		var se *sqlite.Error
		return errors.As(err, &se) && (se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || se.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY)
	},
	isForeignKeyViolation: func(err error) bool {
		var se *sqlite.Error
		return errors.As(err, &se) && se.Code() == sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY
	},
	isRetryable: func(error) bool { return false },
	isQueryCanceled: func(err error) bool {
		var se *sqlite.Error
		return errors.As(err, &se) && se.Code() == sqlite3.SQLITE_INTERRUPT
	},
	taskSearch:      sqliteTaskMatch,
	taskMatch:       sqliteTaskMatch,
	searchIndexed:   sqliteSearchIndexed,
	insertBatchRows: 25,
	indexedBy:       func(index string) string { return " INDEXED BY " + index },
	bumpChangeHead: `INSERT INTO change_heads (user_id, seq) VALUES ($1, $2)
		ON CONFLICT (user_id) DO UPDATE SET seq = change_heads.seq + $2 RETURNING seq`,
}

func (d dialect) migrationsFS() (fs.FS, error) { return fs.Sub(migrationsFS, d.migrations) }
