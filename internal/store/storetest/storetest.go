// Package storetest gives tests real databases: a fresh SQLite file always,
// and a fresh PostgreSQL schema whenever TASKAPI_TEST_POSTGRES_URL is set.
// In CI (CI=true) the PostgreSQL URL is required: a suite that silently
// skipped PostgreSQL would prove nothing about it.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/taskapi/taskapi/internal/store"

	_ "github.com/jackc/pgx/v5/stdlib"
)

// PostgresEnv names the variable holding the PostgreSQL URL for tests.
const PostgresEnv = "TASKAPI_TEST_POSTGRES_URL"

// Engine is a database to run a test against.
type Engine struct {
	Name string
	// NewURL returns the URL of a new, empty database for t, removed when
	// t ends.
	NewURL func(t testing.TB) string
}

// Engines lists the engines to test: SQLite, and PostgreSQL when its URL is
// given. It fails t in CI when the PostgreSQL URL is missing.
func Engines(t testing.TB) []Engine {
	t.Helper()
	engines := []Engine{{Name: "sqlite", NewURL: SQLiteURL}}
	if os.Getenv(PostgresEnv) != "" {
		engines = append(engines, Engine{Name: "postgres", NewURL: PostgresURL})
	} else if os.Getenv("CI") != "" {
		t.Fatalf("%s is not set: in CI the PostgreSQL tests must run", PostgresEnv)
	}
	return engines
}

// Each runs fn as a subtest once per engine with a fresh, migrated store.
func Each(t *testing.T, fn func(t *testing.T, s *store.Store)) {
	t.Helper()
	for _, e := range Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			fn(t, Open(t, e.NewURL(t)))
		})
	}
}

// Open opens and migrates the store at databaseURL and closes it when t ends.
func Open(t testing.TB, databaseURL string, opts ...store.Option) *store.Store {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	s, err := store.Open(ctx, databaseURL, opts...)
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	if _, err := s.MigrateUp(ctx); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return s
}

// SQLiteURL returns the URL of a new SQLite file in t's temporary folder.
func SQLiteURL(t testing.TB) string {
	t.Helper()
	return "sqlite:" + filepath.Join(t.TempDir(), "taskapi.db")
}

// PostgresURL creates a schema of its own for t in the database named by
// TASKAPI_TEST_POSTGRES_URL and returns a URL whose search_path points at it
// (public stays on the path for the pg_trgm extension). The schema is
// dropped when t ends. It fails t when PostgreSQL cannot be reached.
func PostgresURL(t testing.TB) string {
	t.Helper()
	base := os.Getenv(PostgresEnv)
	if base == "" {
		t.Fatalf("%s is not set", PostgresEnv)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	db, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("postgres: %v", err)
	}
	defer db.Close()
	if err := db.PingContext(ctx); err != nil {
		t.Fatalf("postgres at %s does not answer: %v", PostgresEnv, err)
	}
	ensureExtensions(ctx, t, db)
	var b [6]byte
	_, _ = rand.Read(b[:])
	schema := "t_" + hex.EncodeToString(b[:])
	if _, err := db.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		db, err := sql.Open("pgx", base)
		if err != nil {
			return
		}
		defer db.Close()
		if _, err := db.ExecContext(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Logf("drop schema %s: %v", schema, err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("parse %s: %v", PostgresEnv, err)
	}
	q := u.Query()
	q.Set("search_path", schema+",public")
	u.RawQuery = q.Encode()
	return u.String()
}

// ensureExtensions creates the extensions the migrations use in public,
// once, under a lock: parallel test packages would otherwise race on
// CREATE EXTENSION.
func ensureExtensions(ctx context.Context, t testing.TB, db *sql.DB) {
	t.Helper()
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatalf("postgres: %v", err)
	}
	defer conn.Close()
	const lockID = 7710342
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock($1)", lockID); err != nil {
		t.Fatalf("postgres lock: %v", err)
	}
	defer conn.ExecContext(context.Background(), "SELECT pg_advisory_unlock($1)", lockID)
	if _, err := conn.ExecContext(ctx, "CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public"); err != nil {
		t.Fatalf("create extension pg_trgm: %v", err)
	}
}
