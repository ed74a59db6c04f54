package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// rows is what a read walks: *sql.Rows when the reads run one after
// another, pgx.Rows when they are pipelined.
type rows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
}

// read is one query of a read made of several, and what to do with its
// rows, so that the same queries run one after another on a querier
// (runReads) or all in one round trip to PostgreSQL (pipeline). A scan
// that returns an error stops the reads after it.
type read struct {
	what string // names the read in errors
	sql  string
	args []any
	scan func(rows) error
}

// one makes the scan of a read that must find exactly one row: none is
// sql.ErrNoRows (ErrNotFound once mapped), as QueryRow says.
func one(scan func(rowScanner) error) func(rows) error {
	return func(r rows) error {
		if !r.Next() {
			if err := r.Err(); err != nil {
				return err
			}
			return sql.ErrNoRows
		}
		return scan(r)
	}
}

// runReads runs reads one after another on q, stopping at the first
// error.
func (s *Store) runReads(ctx context.Context, q querier, reads ...read) error {
	for _, r := range reads {
		rs, err := q.QueryContext(ctx, r.sql, r.args...)
		if err != nil {
			return fmt.Errorf("%s: %w", r.what, s.mapErr(err))
		}
		err = r.scan(rs)
		if err == nil {
			err = rs.Err()
		}
		if cerr := rs.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("%s: %w", r.what, s.mapErr(err))
		}
	}
	return nil
}

// pipeline runs reads that do not depend on each other's results as one
// pgx batch on PostgreSQL: sent together, answered together, one round
// trip whatever their number; their rows are then scanned in order. On
// SQLite, in process, they run one after another on the readers.
func (s *Store) pipeline(ctx context.Context, reads ...read) error {
	if len(reads) == 0 {
		return nil
	}
	if s.d.name != postgresDialect.name {
		return s.runReads(ctx, s.reader(), reads...)
	}
	conn, err := s.read.Conn(ctx)
	if err != nil {
		return fmt.Errorf("%s: %w", reads[0].what, s.mapErr(err))
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		c, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("pipeline: the driver's connection is a %T", dc)
		}
		var b pgx.Batch
		for _, r := range reads {
			b.Queue(r.sql, r.args...)
		}
		br := c.Conn().SendBatch(ctx, &b)
		for _, r := range reads {
			if err := scanBatched(br, r); err != nil {
				err = fmt.Errorf("%s: %w", r.what, s.mapErr(err))
				if cerr := closeBatch(br); cerr != nil {
					err = errors.Join(err, cerr)
				}
				return err
			}
		}
		return closeBatch(br)
	})
}

// scanBatched scans the next result of br with r.
func scanBatched(br pgx.BatchResults, r read) error {
	rs, err := br.Query()
	if err != nil {
		return err
	}
	err = r.scan(rs)
	rs.Close()
	if err == nil {
		err = rs.Err()
	}
	return err
}

// closeBatch reads what is left of a batch, so the connection goes back
// to the pool ready for the next query.
func closeBatch(br pgx.BatchResults) error {
	if err := br.Close(); err != nil {
		return fmt.Errorf("pipeline: %w", err)
	}
	return nil
}
