package store

import (
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// Unavailable reports whether err says the database did not answer (no
// connection, a connection lost, the server shutting down or refusing
// connections, SQLite's file still locked after the busy timeout) rather
// than that the query or the data was wrong: the request may succeed if
// tried again later.
func Unavailable(err error) bool {
	if err == nil {
		return false
	}
	var (
		connectErr *pgconn.ConnectError
		pgErr      *pgconn.PgError
		netErr     net.Error
		sqliteErr  *sqlite.Error
	)
	switch {
	case errors.As(err, &connectErr), errors.As(err, &netErr), errors.Is(err, driver.ErrBadConn),
		// pgx reports a connection lost mid-query as a bare unexpected EOF.
		errors.Is(err, io.ErrUnexpectedEOF):
		return true
	case errors.As(err, &pgErr):
		// Class 08: connection exception; 57P01–57P03: shutting down or
		// not accepting connections yet; 53300: too many connections.
		return strings.HasPrefix(pgErr.Code, "08") || pgErr.Code == "57P01" || pgErr.Code == "57P02" ||
			pgErr.Code == "57P03" || pgErr.Code == "53300"
	case errors.As(err, &sqliteErr):
		return sqliteErr.Code()&0xff == sqlite3.SQLITE_BUSY
	}
	// pgx reports a connection it closed after a failure in text only.
	return strings.Contains(err.Error(), "conn closed")
}
