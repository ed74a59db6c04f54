package store

import (
	"context"
	"embed"
	"fmt"
	"hash/fnv"
	"io"
	"io/fs"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

//go:embed migrations/postgres/*.sql migrations/sqlite/*.sql
var migrationsFS embed.FS

// MigrationStatus is the state of one migration.
type MigrationStatus struct {
	Version int64
	Name    string
	Applied bool
}

// migrator returns goose's provider. On PostgreSQL it holds a session
// advisory lock while it works, so that several instances starting at once
// (docker compose up --scale api=3) apply each migration once: the others
// wait, then find nothing pending. SQLite has one writer and needs none.
func (s *Store) migrator(ctx context.Context) (*goose.Provider, error) {
	fsys, err := s.d.migrationsFS()
	if err != nil {
		return nil, fmt.Errorf("migrations: %w", err)
	}
	var opts []goose.ProviderOption
	if s.d.name == "postgres" {
		locker, err := s.migrationLocker(ctx)
		if err != nil {
			return nil, fmt.Errorf("migrations: %w", err)
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	p, err := goose.NewProvider(s.d.goose, s.write, fsys, opts...)
	if err != nil {
		return nil, fmt.Errorf("migrations: %w", err)
	}
	return p, nil
}

// migrationLocker returns a PostgreSQL advisory lock whose ID is derived
// from the database and schema the migrations go to: instances of one
// deployment share it, while deployments (or test schemas) that share a
// server do not wait for each other. A waiter checks every second for up
// to five minutes.
func (s *Store) migrationLocker(ctx context.Context) (lock.SessionLocker, error) {
	var where string
	if err := s.write.QueryRowContext(ctx, `SELECT current_database() || '.' || current_schema()`).Scan(&where); err != nil {
		return nil, fmt.Errorf("find schema: %w", err)
	}
	h := fnv.New64a()
	h.Write([]byte("taskapi migrations " + where))
	return lock.NewPostgresSessionLocker(lock.WithLockID(int64(h.Sum64())), lock.WithLockTimeout(1, 300))
}

// MigrateUp applies every pending migration and returns how many ran.
func (s *Store) MigrateUp(ctx context.Context) (int, error) {
	p, err := s.migrator(ctx)
	if err != nil {
		return 0, err
	}
	res, err := p.Up(ctx)
	if err != nil {
		return len(res), fmt.Errorf("migrate up: %w", err)
	}
	return len(res), nil
}

// MigrateDown rolls back the most recent migration.
func (s *Store) MigrateDown(ctx context.Context) error {
	p, err := s.migrator(ctx)
	if err != nil {
		return err
	}
	if _, err := p.Down(ctx); err != nil {
		return fmt.Errorf("migrate down: %w", err)
	}
	return nil
}

// MigrateReset rolls back every migration.
func (s *Store) MigrateReset(ctx context.Context) error {
	p, err := s.migrator(ctx)
	if err != nil {
		return err
	}
	if _, err := p.DownTo(ctx, 0); err != nil {
		return fmt.Errorf("migrate reset: %w", err)
	}
	return nil
}

// MigrationStatuses lists every known migration and whether it is applied.
func (s *Store) MigrationStatuses(ctx context.Context) ([]MigrationStatus, error) {
	p, err := s.migrator(ctx)
	if err != nil {
		return nil, err
	}
	st, err := p.Status(ctx)
	if err != nil {
		return nil, fmt.Errorf("migrate status: %w", err)
	}
	out := make([]MigrationStatus, 0, len(st))
	for _, m := range st {
		out = append(out, MigrationStatus{Version: m.Source.Version, Name: m.Source.Path, Applied: m.State == goose.StateApplied})
	}
	return out, nil
}

// WriteMigrationStatus prints the statuses one per line.
func WriteMigrationStatus(w io.Writer, st []MigrationStatus) {
	for _, m := range st {
		state := "pending"
		if m.Applied {
			state = "applied"
		}
		fmt.Fprintf(w, "%05d  %-8s %s\n", m.Version, state, m.Name)
	}
}

// MigrationsFS exposes the embedded migration trees (for tests and tools).
func MigrationsFS() fs.FS { return migrationsFS }
