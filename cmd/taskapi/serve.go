package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/taskapi/taskapi/internal/config"
	"github.com/taskapi/taskapi/internal/events"
	"github.com/taskapi/taskapi/internal/httpapi"
	"github.com/taskapi/taskapi/internal/metrics"
	"github.com/taskapi/taskapi/internal/store"
	"github.com/taskapi/taskapi/internal/web"
)

// serve runs the HTTP server until ctx is done, then drains in-flight
// requests and closes the database.
func serve(ctx context.Context, cfg *config.Config, logw io.Writer) error {
	log := newLogger(cfg, logw)
	if cfg.JWTSecretIsDev {
		log.Warn("TASKAPI_JWT_SECRET is not set: using the public development key; anyone can forge tokens. Set it before exposing this server.")
	}
	st, err := openStore(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer st.Close()

	if !cfg.NoMigrate {
		n, err := st.MigrateUp(ctx)
		if err != nil {
			return err
		}
		log.Info("migrations applied", "count", n, "engine", st.Engine())
	}
	stopJanitor := startJanitor(ctx, st, log, cfg.ChangesRetention)
	defer stopJanitor()

	reg := metrics.New(buildVersion())
	reg.WatchOutbox(st)
	limiter, releaseLimiter, err := newLimiter(ctx, cfg, log, reg)
	if err != nil {
		return err
	}
	defer releaseLimiter()
	authSvc, stopAccounts, err := startAccounts(cfg, st, log, limiter)
	if err != nil {
		return err
	}
	// Runs last on every path out, so nothing uses the store once it closes.
	defer func() {
		sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
		defer cancel()
		if err := stopAccounts(sctx); err != nil {
			log.Warn("stopping background work", "err", err.Error())
		}
	}()
	hooks, stopWebhooks := startWebhooks(cfg, st, log)
	defer stopWebhooks()
	log.Info("rate limits", describeLimits(cfg)...)
	// The event streams' hub, one for the instance: the API's streams and
	// the web app's count against the same bounds. It closes when shutdown
	// begins, so open streams end instead of holding the shutdown until
	// its timeout.
	hub := events.New(st, events.Options{Logger: log})
	app, err := web.New(web.Deps{Config: cfg, Store: st, Auth: authSvc, Logger: log, Limiter: limiter,
		ClientKey: httpapi.ClientKey, ClientIP: httpapi.ClientIP, WebhooksQueued: hooks.Notify, EventsHub: hub})
	if err != nil {
		return err
	}
	handler := httpapi.NewServer(httpapi.Deps{Config: cfg, Store: st, Auth: authSvc, Logger: log, Version: buildVersion(),
		Limiter: limiter, Metrics: reg, Pages: app.Register, WebhooksQueued: hooks.Notify, EventsHub: hub})
	srv, _ := newHTTPServer(ctx, cfg, handler, log)
	srv.RegisterOnShutdown(hub.Close)
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return &exitError{code: 1, err: fmt.Errorf("listen on %s: %w", cfg.Addr, err)}
	}
	log.Info("listening", "addr", ln.Addr().String(), "engine", st.Engine(), "version", buildVersion(),
		"app", "http://"+ln.Addr().String()+"/", "docs", "http://"+ln.Addr().String()+"/docs/")

	if cfg.PprofAddr != "" {
		stopPprof, err := startPprof(cfg.PprofAddr, log)
		if err != nil {
			ln.Close()
			return err
		}
		defer stopPprof()
	}

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down: draining in-flight requests", "timeout", cfg.ShutdownTimeout.String())
	sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	// The streams run on connections taken from the server: they end on
	// their own once the hub closed, having said so to their clients.
	if err := hub.Wait(sctx); err != nil {
		log.Warn("shutdown", "err", err.Error())
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	log.Info("stopped")
	return nil
}

// newHTTPServer returns the server of handler with its timeouts and the
// cap on connections (connLimit, returned for tests) the configuration
// asks for.
func newHTTPServer(ctx context.Context, cfg *config.Config, handler http.Handler, log *slog.Logger) (*http.Server, *connLimit) {
	conns := newConnLimit(cfg.MaxConns)
	return &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		// Longer than the request deadline, so the handler answers first.
		WriteTimeout:   cfg.RequestTimeout + 5*time.Second,
		IdleTimeout:    cfg.IdleTimeout,
		ConnState:      conns.Watch,
		MaxHeaderBytes: 64 << 10,
		ErrorLog:       slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		BaseContext:    func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}, conns
}

// openStore connects to the database, retrying for a while: in a compose
// file or after a reboot the database may start after us.
func openStore(ctx context.Context, cfg *config.Config, log *slog.Logger) (*store.Store, error) {
	deadline := time.Now().Add(30 * time.Second)
	wait := 250 * time.Millisecond
	for {
		octx, cancel := context.WithTimeout(ctx, 5*time.Second)
		st, err := store.Open(octx, cfg.DatabaseURL, store.WithSearchTimeout(cfg.SearchTimeout),
			store.WithQuotas(store.Quotas{Tasks: cfg.MaxTasksPerUser, Categories: cfg.MaxCategoriesPerUser}))
		cancel()
		if err == nil {
			return st, nil
		}
		if cfg.Engine == config.SQLite || time.Now().After(deadline) || ctx.Err() != nil {
			return nil, err
		}
		log.Warn("database not reachable yet; retrying", "err", err.Error(), "in", wait.String())
		select {
		case <-time.After(wait):
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		wait = min(wait*2, 4*time.Second)
	}
}
