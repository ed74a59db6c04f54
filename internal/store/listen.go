package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// changesChannel is the PostgreSQL notification channel of committed
// changes; each notification's payload is the user whose feed moved.
const changesChannel = "taskapi_changes"

// listenQuiet is how long a PostgreSQL listener waits for a notification
// before it checks that its connection still answers: a connection lost
// without a word (a network gone) would otherwise look like silence.
const listenQuiet = 30 * time.Second

// sqliteWatchEvery is how often a SQLite listener asks whether another
// connection committed: a question to its own connection, answered from
// the shared memory of the WAL without reading the file.
const sqliteWatchEvery = 25 * time.Millisecond

// ListenChanges calls changed whenever changes may have been committed,
// by this instance or any other: with the user whose change feed moved
// (PostgreSQL: the committing transaction's notification, heard on a
// connection of its own), or with uuid.Nil when it cannot tell whose
// (SQLite: another connection committed, seen on a connection of its
// own). It calls ready once it listens: every change committed from then
// on is told. It returns nil when ctx ends, or the error that broke its
// connection; the caller then listens again, and what was committed in
// between is not told.
func (s *Store) ListenChanges(ctx context.Context, ready func(), changed func(userID uuid.UUID)) error {
	var err error
	if s.d.name == postgresDialect.name {
		err = s.listenPostgres(ctx, ready, changed)
	} else {
		err = s.watchSQLite(ctx, ready, changed)
	}
	if ctx.Err() != nil {
		return nil
	}
	if err != nil {
		return fmt.Errorf("listen for changes: %w", err)
	}
	return nil
}

func (s *Store) listenPostgres(ctx context.Context, ready func(), changed func(uuid.UUID)) error {
	conn, err := pgx.Connect(ctx, s.dsn)
	if err != nil {
		return err
	}
	defer func() {
		cctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		_ = conn.Close(cctx)
	}()
	if _, err := conn.Exec(ctx, "LISTEN "+changesChannel); err != nil {
		return err
	}
	ready()
	for {
		wctx, cancel := context.WithTimeout(ctx, listenQuiet)
		n, err := conn.WaitForNotification(wctx)
		cancel()
		switch {
		case ctx.Err() != nil:
			return nil
		case pgconn.Timeout(err):
			if err := conn.Ping(ctx); err != nil {
				return err
			}
		case err != nil:
			return err
		default:
			id, err := uuid.Parse(n.Payload)
			if err != nil {
				id = uuid.Nil // not ours to read: look at every user
			}
			changed(id)
		}
	}
}

// watchSQLite asks SQLite's data_version, which moves whenever another
// connection (the writer of this instance, or another process) commits.
func (s *Store) watchSQLite(ctx context.Context, ready func(), changed func(uuid.UUID)) error {
	db, err := sql.Open("sqlite", s.dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	version := func() (int64, error) {
		var v int64
		err := conn.QueryRowContext(ctx, "PRAGMA data_version").Scan(&v)
		return v, err
	}
	last, err := version()
	if err != nil {
		return err
	}
	ready()
	tick := time.NewTicker(sqliteWatchEvery)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
		v, err := version()
		if err != nil {
			return err
		}
		if v != last {
			last = v
			changed(uuid.Nil)
		}
	}
}
