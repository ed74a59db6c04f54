package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/taskapi/taskapi/internal/auth"
	"github.com/taskapi/taskapi/internal/store"
)

// bench is one run of the tool: the database, the servers it started and
// the report being filled.
type bench struct {
	o              *options
	stdout, stderr io.Writer
	log            *slog.Logger
	tmpDir         string // holds the temporary database
	binDir         string // holds the taskapi binary built
	dbURL          string
	st             *store.Store
	seed           *seeder
	jwtSecret      string
	bin            string
	client         *http.Client
	servers        []*server
	mint           *auth.Service // opens sessions when the server has no login
	report         *Report
}

// tokenTTL is the lifetime of the access tokens the server hands out during
// a run: longer than any run, so no token expires mid-measurement.
const tokenTTL = 24 * time.Hour

// newBench prepares the database (migrated, optionally emptied) and the
// report.
func newBench(ctx context.Context, o *options, stdout, stderr io.Writer) (*bench, error) {
	b := &bench{o: o, stdout: stdout, stderr: stderr, dbURL: o.databaseURL,
		log:    slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn})),
		client: newHTTPClient(o.concurrency, o.timeout)}
	if b.dbURL == "" {
		dir, err := os.MkdirTemp("", "taskapi-bench-*")
		if err != nil {
			return nil, err
		}
		b.tmpDir = dir
		b.dbURL = "sqlite:" + filepath.Join(dir, "taskapi.db")
	}
	b.jwtSecret = o.jwtSecret
	if b.jwtSecret == "" && o.server != "url" {
		var k [32]byte
		if _, err := rand.Read(k[:]); err != nil {
			return nil, errors.Join(err, b.close())
		}
		b.jwtSecret = hex.EncodeToString(k[:])
	}
	if o.fresh && strings.HasPrefix(b.dbURL, "sqlite:") {
		path := strings.TrimPrefix(strings.TrimPrefix(b.dbURL, "sqlite:"), "//")
		for _, suffix := range []string{"", "-wal", "-shm"} {
			if err := os.Remove(path + suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
				return nil, errors.Join(err, b.close())
			}
		}
	}
	octx, cancel := context.WithTimeout(ctx, 30*time.Second)
	st, err := store.Open(octx, b.dbURL)
	cancel()
	if err != nil {
		return nil, errors.Join(err, b.close())
	}
	b.st = st
	if o.fresh && st.Engine() == "postgres" {
		if err := recreateSchema(ctx, st); err != nil {
			return nil, errors.Join(err, b.close())
		}
	}
	if _, err := st.MigrateUp(ctx); err != nil {
		return nil, errors.Join(err, b.close())
	}
	if b.seed, err = newSeeder(st, b.dbURL, o.bcryptCost, time.Now()); err != nil {
		return nil, errors.Join(err, b.close())
	}
	if err := b.seed.checkTaskColumns(ctx); err != nil {
		return nil, errors.Join(err, b.close())
	}
	b.report = &Report{Mode: o.mode, Date: time.Now().UTC(), Commit: commit(ctx), Machine: machineInfo(), Engine: st.Engine(),
		Server: o.server, ServerCPUs: o.serverCPUs, LoadCPUs: o.loadCPUs, Concurrency: o.concurrency, WarmupSeconds: o.warmup.Seconds(),
		DurationSeconds: o.duration.Seconds(), Pages: o.pages, BcryptCost: o.bcryptCost}
	return b, nil
}

// recreateSchema empties a PostgreSQL database for --fresh: its current
// schema is dropped with everything in it and made anew, whatever
// migrations made it (down migrations assume the schema they undo).
func recreateSchema(ctx context.Context, st *store.Store) error {
	var schema string
	if err := st.DB().QueryRowContext(ctx, `SELECT current_schema()`).Scan(&schema); err != nil {
		return fmt.Errorf("fresh: %w", err)
	}
	name := pgx.Identifier{schema}.Sanitize()
	if _, err := st.DB().ExecContext(ctx, `DROP SCHEMA `+name+` CASCADE`); err != nil {
		return fmt.Errorf("fresh: %w", err)
	}
	if _, err := st.DB().ExecContext(ctx, `CREATE SCHEMA `+name); err != nil {
		return fmt.Errorf("fresh: %w", err)
	}
	return nil
}

// close stops every server started and removes the temporary database.
func (b *bench) close() error {
	var err error
	for i := len(b.servers) - 1; i >= 0; i-- {
		err = errors.Join(err, b.servers[i].stop())
	}
	b.servers = nil
	b.mint = nil
	if b.st != nil {
		err = errors.Join(err, b.st.Close())
		b.st = nil
	}
	if b.tmpDir != "" {
		if b.o.keep {
			fmt.Fprintf(b.stderr, "kept the database: --database-url %s\n", b.dbURL)
		} else {
			err = errors.Join(err, os.RemoveAll(b.tmpDir))
		}
		b.tmpDir = ""
	}
	if b.binDir != "" {
		err = errors.Join(err, os.RemoveAll(b.binDir))
		b.binDir = ""
	}
	return err
}

func (b *bench) run(ctx context.Context) error {
	switch b.o.mode {
	case "seed":
		if _, err := b.seedUsers(ctx); err != nil {
			return err
		}
		writeHeader(b.stdout, b.report)
		return b.writeJSON()
	case "scale":
		return b.scale(ctx)
	case "events":
		return b.eventsFanOut(ctx, b.o.streams/streamsPerUser*streamsPerUser)
	case "queues":
		return b.queues(ctx)
	case "start":
		if _, err := b.seedUsers(ctx); err != nil {
			return err
		}
		return b.start(ctx)
	}
	return b.load(ctx)
}

// timed runs fn and records it as a seeding step of rows rows (rows comes
// from fn).
func (b *bench) timed(what string, fn func() (int, error)) error {
	fmt.Fprintf(b.stderr, "seeding %s…\n", what)
	start := time.Now()
	rows, err := fn()
	if err != nil {
		return err
	}
	secs := time.Since(start).Seconds()
	step := SeedStep{What: what, Rows: rows, Seconds: secs, RowsPerSecond: ratio(float64(rows), secs)}
	b.report.Seeding = append(b.report.Seeding, step)
	fmt.Fprintf(b.stderr, "seeded %s: %d rows in %.1fs\n", what, rows, secs)
	return nil
}

// seedUsers makes --users users with --tasks tasks each.
func (b *bench) seedUsers(ctx context.Context) ([]*benchUser, error) {
	users := make([]*benchUser, 0, b.o.users)
	err := b.timed(strconv.Itoa(b.o.users)+" users", func() (int, error) {
		for i := range b.o.users {
			u, err := b.seed.ensureUser(ctx, fmt.Sprintf("bench_u%04d", i+1))
			if err != nil {
				return 0, err
			}
			users = append(users, u)
		}
		return len(users), nil
	})
	if err != nil {
		return nil, err
	}
	err = b.timed(fmt.Sprintf("tasks (%d per user)", b.o.tasks), func() (int, error) {
		total := 0
		for _, u := range users {
			n, err := b.seed.topUp(ctx, u, b.o.tasks, b.o.sample)
			if err != nil {
				return 0, err
			}
			total += n
		}
		return total, nil
	})
	if err != nil {
		return nil, err
	}
	return users, b.analyze(ctx)
}

// analyze refreshes PostgreSQL's statistics after a bulk load, as a
// seeding step of its own.
func (b *bench) analyze(ctx context.Context) error {
	if b.st.Engine() != "postgres" {
		return nil
	}
	return b.timed("vacuum analyze", func() (int, error) { return 0, b.seed.analyze(ctx) })
}

func (b *bench) writeJSON() error {
	if b.o.jsonPath == "" {
		return nil
	}
	return writeJSONFile(b.o.jsonPath, b.report)
}
