package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"os"
	"time"

	"github.com/taskapi/taskapi/internal/auth"
	"github.com/taskapi/taskapi/internal/store"
)

// floorServeCommand is the hidden command the bench runs itself with to
// serve the floor in a process of its own, as taskapi runs in its own: so
// neither shares its CPU time, heap or garbage collector with the load
// generator, and the floor's RSS can be read apart.
const floorServeCommand = "floor-serve"

// floorServe serves the floor until ctx is done. The JWT secret comes from
// TASKAPI_JWT_SECRET, never from the command line (visible to every user
// of the machine).
func floorServe(ctx context.Context, args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet(floorServeCommand, flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:0", "loopback address to listen on")
	dbURL := fs.String("database-url", "", "sqlite:PATH or postgres://…")
	noSession := fs.Bool("no-session-check", false, "trust a token until it expires: the older reference line")
	if err := fs.Parse(args); err != nil {
		return err
	}
	host, _, err := net.SplitHostPort(*addr)
	if err != nil {
		return fmt.Errorf("--addr: %w", err)
	}
	if a, err := netip.ParseAddr(host); err != nil || !a.IsLoopback() {
		return errors.New("--addr must be a loopback address")
	}
	secret := os.Getenv("TASKAPI_JWT_SECRET")
	if len(secret) < 32 {
		return errors.New("TASKAPI_JWT_SECRET must hold the server's JWT secret (32 bytes or more)")
	}
	log := slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	octx, cancel := context.WithTimeout(ctx, 30*time.Second)
	st, err := store.Open(octx, *dbURL)
	cancel()
	if err != nil {
		return err
	}
	defer st.Close()
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	srv := newHTTPServer(newFloorHandler(st, auth.NewTokens(secret, nil, time.Hour, time.Now), log, !*noSession))
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
