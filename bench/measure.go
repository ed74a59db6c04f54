package main

// Starting the servers under test and measuring one workload against them.

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/taskapi/taskapi/internal/config"
)

// startTaskapi starts (or, with --url, names) the server under test.
func (b *bench) startTaskapi(ctx context.Context) (*server, error) {
	var srv *server
	var err error
	switch b.o.server {
	case "url":
		srv = &server{name: "taskapi", url: b.o.url, stop: func() error { return nil }}
		if b.o.pid > 0 {
			srv.rss = &rssProbe{pid: b.o.pid}
		}
	case "inprocess":
		var cfg *config.Config
		cfg, err = config.Load(func(name string) string {
			if name == "TASKAPI_JWT_SECRET" {
				return b.jwtSecret
			}
			return ""
		}, append(b.serveFlags(), "--addr", "127.0.0.1:0"), b.stderr)
		if err == nil {
			srv, err = startTaskapiInProcess(ctx, cfg, b.log)
		}
	default:
		if b.bin == "" && b.o.taskapiBin == "" {
			if b.binDir, err = os.MkdirTemp("", "taskapi-bench-bin-*"); err != nil {
				return nil, err
			}
			fmt.Fprintln(b.stderr, "building taskapi…")
			b.bin, err = buildTaskapi(ctx, b.binDir, b.stderr)
		} else if b.bin == "" {
			b.bin = b.o.taskapiBin
		}
		if err == nil {
			args := append([]string{"serve"}, b.serveFlags()...)
			if b.o.pprof != "" {
				args = append(args, "--pprof-addr", b.o.pprof)
			}
			srv, err = startProcess(ctx, "taskapi", b.bin, args, processEnv("TASKAPI_JWT_SECRET="+b.jwtSecret), b.o.serverCPUs, b.stderr)
		}
	}
	if err != nil {
		return nil, err
	}
	b.servers = append(b.servers, srv)
	return srv, nil
}

// serveFlags configure taskapi for measuring: no rate limit (the load
// comes from one address), warnings only in the log (one line per request
// would measure the log pipe), tokens that outlive the run.
func (b *bench) serveFlags() []string {
	flags := []string{"--database-url", b.dbURL, "--bcrypt-cost", strconv.Itoa(b.o.bcryptCost),
		"--rate-limit", "off", "--log-level", "warn", "--access-token-ttl", tokenTTL.String()}
	return append(flags, b.o.serverArgs...)
}

// The floors' names in the report: the one that checks sessions, as the
// contract demands, and the older one that does not.
const (
	floorName          = "floor"
	floorNoSessionName = "floor-nosession"
)

// startFloor starts a floor server on the same database.
func (b *bench) startFloor(ctx context.Context, checkSession bool) (*server, error) {
	var srv *server
	var err error
	name := floorName
	if !checkSession {
		name = floorNoSessionName
	}
	if b.o.server == "inprocess" {
		srv, err = startFloorInProcess(ctx, name, b.dbURL, b.jwtSecret, checkSession, b.log)
	} else {
		exe, xerr := os.Executable()
		if xerr != nil {
			return nil, fmt.Errorf("find the bench binary: %w", xerr)
		}
		args := []string{floorServeCommand, "--database-url", b.dbURL}
		if !checkSession {
			args = append(args, "--no-session-check")
		}
		srv, err = startProcess(ctx, name, exe, args, processEnv("TASKAPI_JWT_SECRET="+b.jwtSecret), b.o.serverCPUs, b.stderr)
	}
	if err != nil {
		return nil, err
	}
	b.servers = append(b.servers, srv)
	return srv, nil
}

// tokenSource gets tokens from srv, falling back to minting them with the
// JWT secret when it is known.
func (b *bench) tokenSource(srv *server) (*tokenSource, error) {
	if b.mint == nil && b.jwtSecret != "" {
		m, err := newAuthService(b.st, b.jwtSecret, tokenTTL, 30*24*time.Hour, b.o.bcryptCost)
		if err != nil {
			return nil, err
		}
		b.mint = m
	}
	return newTokenSource(b.client, srv.url, b.mint), nil
}

func (b *bench) loadOptions(rate float64) loadOptions {
	return loadOptions{Concurrency: b.o.concurrency, Warmup: b.o.warmup, Duration: b.o.duration,
		MaxRequests: b.o.maxRequests, Pages: b.o.pages, Rate: rate}
}

// measure runs one workload against srv, closed loop or, with rate > 0,
// open loop at that many requests per second, and watches the server's
// memory.
func (b *bench) measure(ctx context.Context, srv *server, users []*benchUser, pl *payloads, wl workload, rate float64) (Result, error) {
	loop := "closed loop"
	if rate > 0 {
		loop = fmt.Sprintf("open loop at %.0f/s", rate)
	}
	fmt.Fprintf(b.stderr, "%s/%s: %s, %s warm-up, %s measured…\n", wl.name, srv.name, loop, b.o.warmup, b.o.duration)
	stopRSS := srv.rss.watch(ctx)
	stopCPU := srv.rss.cpuWindow(b.o.warmup)
	raw, err := runLoad(ctx, b.client, &loadTarget{baseURL: srv.url, users: users, payloads: pl}, wl, b.loadOptions(rate))
	cpu := stopCPU()
	peak := stopRSS()
	if err != nil {
		return Result{}, fmt.Errorf("%s/%s: %w", wl.name, srv.name, err)
	}
	res := newResult(raw, wl, srv.name, b.st.Engine())
	res.Rate = rate
	res.PeakRSSBytes = peak
	if cpu > 0 && res.Requests > 0 {
		res.ServerCPUMS = float64(cpu.Microseconds()) / 1000 / float64(res.Requests)
	}
	if srv.rss != nil {
		res.RSSNote = srv.rss.note
	}
	fmt.Fprintf(b.stderr, "%s/%s: %.0f req/s, p99 %s, errors %s, late %d\n", wl.name, srv.name, res.RPS, msText(res.P99MS), errorsText(res.Errors), res.Late)
	// Let connections and the server settle between workloads.
	b.client.CloseIdleConnections()
	return res, nil
}

// startAuthorized starts taskapi, gives every user its tokens and builds
// the request payloads: what each mode does before it measures.
func (b *bench) startAuthorized(ctx context.Context, users []*benchUser) (*server, *tokenSource, *payloads, error) {
	srv, err := b.startTaskapi(ctx)
	if err != nil {
		return nil, nil, nil, err
	}
	ts, err := b.tokenSource(srv)
	if err != nil {
		return nil, nil, nil, err
	}
	if err := ts.authorize(ctx, users, b.o.sessions); err != nil {
		return nil, nil, nil, err
	}
	b.report.Tokens = ts.how
	pl, err := newPayloads(users, time.Now())
	if err != nil {
		return nil, nil, nil, err
	}
	return srv, ts, pl, nil
}
