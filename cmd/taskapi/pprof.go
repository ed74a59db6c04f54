package main

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"time"
)

// startPprof serves the runtime profiles on addr (a loopback address, as
// config checks) on a server of its own, so the API's middleware and routes
// never see them. The command line is not served: it may hold settings
// given as flags. It returns a function that stops it at once: a profile
// being taken is of no use once the server stops.
func startPprof(addr string, log *slog.Logger) (func() error, error) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /debug/pprof/", pprof.Index)
	mux.Handle("GET /debug/pprof/cmdline", http.NotFoundHandler())
	mux.HandleFunc("GET /debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("GET /debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("GET /debug/pprof/trace", pprof.Trace)
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, &exitError{code: 1, err: fmt.Errorf("pprof: listen on %s: %w", addr, err)}
	}
	srv := &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: 5 * time.Second,
		// A CPU profile or trace streams for as long as it was asked to run.
		WriteTimeout: 10 * time.Minute,
		ErrorLog:     slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	log.Warn("pprof profiling endpoints enabled", "addr", ln.Addr().String(), "path", "/debug/pprof/")
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("pprof server stopped", "err", err.Error())
		}
	}()
	return srv.Close, nil
}
