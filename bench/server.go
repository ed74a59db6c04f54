package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/taskapi/taskapi/internal/auth"
	"github.com/taskapi/taskapi/internal/config"
	"github.com/taskapi/taskapi/internal/events"
	"github.com/taskapi/taskapi/internal/httpapi"
	"github.com/taskapi/taskapi/internal/store"
	"github.com/taskapi/taskapi/internal/web"
)

// server is a running HTTP server the load is sent to.
type server struct {
	name string // "taskapi" or "floor"
	url  string
	rss  *rssProbe // nil when the process is not known
	stop func() error
}

// freeAddr returns a loopback address with a port that was free a moment
// ago. The server is given it on its command line, so the bench does not
// depend on its log level to learn where it listens.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("find a free port: %w", err)
	}
	addr := ln.Addr().String()
	return addr, ln.Close()
}

// buildTaskapi compiles cmd/taskapi into dir and returns the binary's path.
func buildTaskapi(ctx context.Context, dir string, stderr io.Writer) (string, error) {
	out, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("find the module: %w", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		return "", errors.New("run the bench from inside the taskapi module (go run ./bench)")
	}
	bin := filepath.Join(dir, "taskapi")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/taskapi")
	cmd.Dir = filepath.Dir(gomod)
	cmd.Stdout, cmd.Stderr = stderr, stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("build taskapi: %w", err)
	}
	return bin, nil
}

// processEnv is the environment of a server subprocess: ours without any
// TASKAPI_ variable (a setting left in the shell must not change what is
// measured), plus extra.
func processEnv(extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "TASKAPI_") {
			env = append(env, kv)
		}
	}
	return append(env, extra...)
}

// startProcess runs bin with args plus "--addr ADDR" and waits until it
// answers GET /healthz.
func startProcess(ctx context.Context, name, bin string, args, env []string, cpus string, logw io.Writer) (*server, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	bin, args, err = pinnedCommand(cpus, bin, append(args, "--addr", addr))
	if err != nil {
		return nil, err
	}
	logs := &logTail{name: name, w: logw, forward: 20}
	cmd := exec.Command(bin, args...)
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = logs, logs
	dieWithParent(cmd)
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	stop := func() error {
		defer func() {
			if n := logs.droppedLines(); n > 0 {
				fmt.Fprintf(logw, "%s: %d more log lines not shown\n", name, n)
			}
		}()
		select {
		case err := <-exited:
			return fmt.Errorf("%s had already exited: %v\n%s", name, err, logs.tail())
		default:
		}
		_ = cmd.Process.Signal(os.Interrupt)
		select {
		case err := <-exited:
			if err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
			return nil
		case <-time.After(30 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
			return fmt.Errorf("%s did not stop within 30 s of SIGINT; killed", name)
		}
	}
	url := "http://" + addr
	if err := waitHealthy(ctx, url, exited); err != nil {
		_ = cmd.Process.Kill()
		return nil, fmt.Errorf("%s: %w\n%s", name, err, logs.tail())
	}
	return &server{name: name, url: url, rss: &rssProbe{pid: cmd.Process.Pid}, stop: stop}, nil
}

// waitHealthy polls url/healthz until it answers 200, the process exits or
// a minute passes.
func waitHealthy(ctx context.Context, url string, exited <-chan error) error {
	client := &http.Client{Timeout: 2 * time.Second}
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) {
		res, err := client.Get(url + "/healthz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case err := <-exited:
			return fmt.Errorf("exited before answering: %v", err)
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
	return errors.New("did not answer GET /healthz within a minute")
}

// serveInProcess serves h on a loopback port of this process. Peak RSS is
// then this process's, load generator included.
func serveInProcess(name string, h http.Handler, closeFn func() error) (*server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("%s: listen: %w", name, err)
	}
	srv := newHTTPServer(h)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	stop := func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		err := srv.Shutdown(ctx)
		if serr := <-errc; serr != nil && !errors.Is(serr, http.ErrServerClosed) {
			err = errors.Join(err, serr)
		}
		return errors.Join(err, closeFn())
	}
	return &server{name: name, url: "http://" + ln.Addr().String(),
		rss: &rssProbe{pid: os.Getpid(), note: "in process: includes the load generator"}, stop: stop}, nil
}

// newHTTPServer is an http.Server with the timeouts cmd/taskapi sets.
func newHTTPServer(h http.Handler) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      20 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
	}
}

// startTaskapiInProcess wires the request path the way cmd/taskapi's serve
// does (keep the two in step when it grows), over a store of its own. The
// background work of serve (mail worker, purges, janitor) is left out: the
// subprocess, the default, is the faithful measurement.
func startTaskapiInProcess(ctx context.Context, cfg *config.Config, log *slog.Logger) (*server, error) {
	st, err := store.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return nil, err
	}
	authSvc, err := newAuthService(st, cfg.JWTSecret, cfg.AccessTokenTTL, cfg.RefreshTokenTTL, cfg.BcryptCost)
	if err != nil {
		st.Close()
		return nil, err
	}
	hub := events.New(st, events.Options{})
	closeAll := func() error { hub.Close(); return st.Close() }
	app, err := web.New(web.Deps{Config: cfg, Store: st, Auth: authSvc, Logger: log,
		ClientKey: httpapi.ClientKey, ClientIP: httpapi.ClientIP, EventsHub: hub})
	if err != nil {
		return nil, errors.Join(err, closeAll())
	}
	h := httpapi.NewServer(httpapi.Deps{Config: cfg, Store: st, Auth: authSvc, Logger: log, Version: "bench", Pages: app.Register,
		EventsHub: hub})
	srv, err := serveInProcess("taskapi", h, closeAll)
	if err != nil {
		return nil, errors.Join(err, closeAll())
	}
	return srv, nil
}

// startFloorInProcess serves a floor named name over a store of its own.
func startFloorInProcess(ctx context.Context, name, databaseURL, jwtSecret string, checkSession bool, log *slog.Logger) (*server, error) {
	st, err := store.Open(ctx, databaseURL)
	if err != nil {
		return nil, err
	}
	h := newFloorHandler(st, auth.NewTokens(jwtSecret, nil, time.Hour, time.Now), log, checkSession)
	srv, err := serveInProcess(name, h, st.Close)
	if err != nil {
		st.Close()
		return nil, err
	}
	return srv, nil
}

// logTail receives a server's output: it forwards the first lines (a
// failing start explains itself), counts the rest, and keeps the last ones
// for the error message should the server die.
type logTail struct {
	name    string
	w       io.Writer
	forward int

	mu      sync.Mutex
	partial []byte
	last    []string
	dropped int
}

const logTailLines = 40

func (l *logTail) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.partial = append(l.partial, p...)
	for {
		i := bytes.IndexByte(l.partial, '\n')
		if i < 0 {
			break
		}
		line := string(l.partial[:i])
		l.partial = l.partial[i+1:]
		if l.forward > 0 {
			l.forward--
			fmt.Fprintf(l.w, "%s: %s\n", l.name, line)
		} else {
			l.dropped++
		}
		if len(l.last) == logTailLines {
			l.last = l.last[1:]
		}
		l.last = append(l.last, line)
	}
	if len(l.partial) > 64<<10 { // a runaway line
		l.partial = l.partial[:0]
	}
	return len(p), nil
}

// tail returns the last lines the server wrote.
func (l *logTail) tail() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.last, "\n")
}

// droppedLines is how many lines were not forwarded.
func (l *logTail) droppedLines() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.dropped
}
