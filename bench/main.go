// Command bench measures taskapi: it starts the server on SQLite or
// PostgreSQL, seeds users and tasks, sends workloads with real tokens from
// a fixed number of keep-alive connections, and reports throughput,
// latency percentiles, errors by status and the server's peak RSS, against
// a bare net/http "floor" and across data sizes. See bench/README.md.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/pprof"
	"strings"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil && !errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

const usage = `Usage: go run ./bench [load|scale|seed] [flags]

  load   (default) seed, then run each workload against taskapi and, for
         the read workloads, against the floor; print the table
  scale  the list workloads with one user owning --small then --large
         tasks, side by side
  seed   only seed (users and tasks) and report how long it took
  queues webhook deliveries to a local receiver and reminders coming due,
         each queue emptied by two instances; lost and duplicated counted
  events open --streams live-update streams (5 per user) and time one
         change per user from its commit to each of its streams
  start  time taskapi serve from exec to its first 200 from /readyz,
         10 times, on the seeded database

Flags:
`

// options are the command-line settings.
type options struct {
	mode        string
	engine      string
	databaseURL string
	server      string
	url         string
	pid         int
	taskapiBin  string
	serverArgs  []string
	jwtSecret   string
	pprof       string
	serverCPUs  string
	loadCPUs    string
	fresh       bool
	keep        bool

	bcryptCost  int
	users       int
	tasks       int
	sessions    int
	sample      int
	feedTasks   string
	small       int
	large       int
	workloads   string
	floor       bool
	openLoop    bool
	deliveries  int
	streams     int
	reminders   int
	rate        float64
	concurrency int
	warmup      time.Duration
	duration    time.Duration
	timeout     time.Duration
	maxRequests uint64
	pages       int
	jsonPath    string
	markdown    bool
	cpuProfile  string
}

// defaultPostgresURL is the database --engine postgres uses by default.
const defaultPostgresURL = "postgres://postgres@127.0.0.1:5432/taskapi_bench?sslmode=disable"

func parseOptions(args []string, stderr io.Writer) (*options, error) {
	o := &options{mode: "load"}
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		o.mode, args = args[0], args[1:]
	}
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, usage)
		fs.PrintDefaults()
	}
	fs.StringVar(&o.engine, "engine", "", "sqlite or postgres (default: from --database-url, else sqlite)")
	fs.StringVar(&o.databaseURL, "database-url", "", "database to seed and serve: sqlite:PATH or postgres://… (default: a temporary SQLite file, or "+defaultPostgresURL+")")
	fs.StringVar(&o.server, "server", "subprocess", "how to run taskapi: subprocess (built from ./cmd/taskapi), inprocess, or url (with --url)")
	fs.StringVar(&o.url, "url", "", "measure an already running server at this base URL (implies --server url; give --database-url of its database)")
	fs.IntVar(&o.pid, "pid", 0, "with --url: the server's process ID, to report its peak RSS")
	fs.StringVar(&o.taskapiBin, "taskapi-bin", "", "subprocess: use this taskapi binary instead of building one")
	fs.Func("server-arg", "extra flag for taskapi serve (repeatable), e.g. --server-arg=--redis-url=redis://127.0.0.1:6379/4", func(v string) error {
		o.serverArgs = append(o.serverArgs, v)
		return nil
	})
	fs.StringVar(&o.jwtSecret, "jwt-secret", "", "with --url: the server's JWT secret, for the floor and for tokens when there is no login route")
	fs.StringVar(&o.pprof, "pprof", "", "subprocess: serve pprof from taskapi on this loopback address, e.g. 127.0.0.1:6060")
	fs.StringVar(&o.serverCPUs, "server-cpus", "", "subprocess: run taskapi and the floors on these CPUs only (a taskset list, e.g. 0); with --load-cpus, the generator cannot take the servers' CPU time")
	fs.StringVar(&o.loadCPUs, "load-cpus", "", "run the load generator on these CPUs only (e.g. 1)")
	fs.BoolVar(&o.fresh, "fresh", false, "start from an empty database: delete the SQLite file, or drop and recreate the PostgreSQL schema (destroys its data)")
	fs.BoolVar(&o.keep, "keep", false, "keep the temporary SQLite database and print its path")
	fs.IntVar(&o.bcryptCost, "bcrypt-cost", 10, "bcrypt cost of the seeded passwords and of the server (10–31)")
	fs.IntVar(&o.users, "users", 8, "load: users to seed and send load as")
	fs.IntVar(&o.tasks, "tasks", 10_000, "load: tasks each user owns (topped up when the database already has some)")
	fs.IntVar(&o.sessions, "sessions", 2, "sessions (tokens) per user")
	fs.IntVar(&o.sample, "sample", 1000, "task IDs per user that get and update pick from")
	fs.StringVar(&o.feedTasks, "feed-tasks", "spread", "changes: the tasks the caught-up changes update: spread (the --sample IDs, over the user's whole history) or recent (the user's newest tasks)")
	fs.IntVar(&o.small, "small", 1000, "scale: tasks of the user in the first measurement")
	fs.IntVar(&o.large, "large", 1_000_000, "scale: tasks of the user in the second measurement")
	fs.StringVar(&o.workloads, "workloads", "", "comma-separated workloads (load default: "+defaultLoadWorkloads+"; scale default: "+defaultScaleWorkloads+")")
	fs.BoolVar(&o.floor, "floor", true, "load: also run the read workloads against the floor server and print taskapi/floor")
	fs.IntVar(&o.streams, "streams", 1000, "events: live-update streams to open, 5 per user (5 to 1000)")
	fs.IntVar(&o.deliveries, "deliveries", 5000, "queues: webhook deliveries to send (0: none)")
	fs.IntVar(&o.reminders, "reminders", 10_000, "queues: reminders coming due at once (0: none)")
	fs.BoolVar(&o.openLoop, "open-loop", false, "load: after the closed-loop runs, each workload with a floor again at a fixed arrival rate of half the floor's closed-loop throughput, against taskapi and the floor")
	fs.Float64Var(&o.rate, "rate", 0, "load: the open-loop arrival rate in requests/s (instead of half the floor's throughput)")
	fs.IntVar(&o.concurrency, "concurrency", 32, "connections (workers), each sending one request at a time")
	fs.DurationVar(&o.warmup, "warmup", 5*time.Second, "warm-up before each measurement (not recorded)")
	fs.DurationVar(&o.duration, "duration", 15*time.Second, "measured time of each workload")
	fs.DurationVar(&o.timeout, "timeout", 30*time.Second, "deadline of one request")
	fs.Uint64Var(&o.maxRequests, "max-requests", 10_000_000, "upper bound on the requests of one workload run, warm-up included")
	fs.IntVar(&o.pages, "pages", 1, "list workloads follow next_cursor for this many pages, then start over")
	fs.StringVar(&o.jsonPath, "json", "", "also write the report as JSON to this file")
	fs.BoolVar(&o.markdown, "markdown", false, "print the table as Markdown")
	fs.StringVar(&o.cpuProfile, "cpuprofile", "", "write a CPU profile of the bench process itself (seeder, load generator) to this file")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	return o, o.validate()
}

// validate checks the options and fills in what follows from others.
func (o *options) validate() error {
	switch o.mode {
	case "load", "scale", "seed", "start", "queues", "events":
	default:
		return fmt.Errorf("unknown mode %q: use load, scale, seed, start, queues or events", o.mode)
	}
	if o.url != "" {
		o.server = "url"
	}
	switch o.server {
	case "subprocess", "inprocess":
	case "url":
		if o.url == "" || o.databaseURL == "" {
			return errors.New("--server url needs --url and the --database-url of the server's database (to seed it)")
		}
		o.url = strings.TrimRight(o.url, "/")
	default:
		return fmt.Errorf("--server must be subprocess, inprocess or url, not %q", o.server)
	}
	switch {
	case o.databaseURL == "" && o.engine == "postgres":
		o.databaseURL = defaultPostgresURL
	case o.databaseURL == "" && (o.engine == "" || o.engine == "sqlite"):
		o.engine = "sqlite" // a temporary file, made later
	case strings.HasPrefix(o.databaseURL, "sqlite:") && (o.engine == "" || o.engine == "sqlite"):
		o.engine = "sqlite"
	case (strings.HasPrefix(o.databaseURL, "postgres://") || strings.HasPrefix(o.databaseURL, "postgresql://")) && (o.engine == "" || o.engine == "postgres"):
		o.engine = "postgres"
	default:
		return fmt.Errorf("--engine %q and --database-url do not agree (sqlite:PATH or postgres://…)", o.engine)
	}
	if o.mode == "seed" && o.databaseURL == "" {
		return errors.New("seed needs --database-url: a temporary database would be removed at once")
	}
	if o.bcryptCost < 10 || o.bcryptCost > 31 {
		return errors.New("--bcrypt-cost must be 10 to 31")
	}
	if o.concurrency < 1 || o.concurrency > 4096 {
		return errors.New("--concurrency must be 1 to 4096")
	}
	if o.users < 1 || o.users > 10_000 || o.sessions < 1 || o.sessions > 100 {
		return errors.New("--users must be 1 to 10000 and --sessions 1 to 100")
	}
	if o.tasks < 0 || o.small < 1 || o.large < o.small || o.large > 100_000_000 || o.sample < 1 || o.sample > 100_000 {
		return errors.New("need 0 ≤ --tasks, 1 ≤ --small ≤ --large ≤ 100000000 and 1 ≤ --sample ≤ 100000")
	}
	if o.feedTasks != "spread" && o.feedTasks != "recent" {
		return errors.New("--feed-tasks must be spread or recent")
	}
	if o.duration <= 0 || o.warmup < 0 || o.timeout <= 0 || o.maxRequests == 0 || o.pages < 1 || o.pages > 10_000 {
		return errors.New("need --duration > 0, --warmup ≥ 0, --timeout > 0, --max-requests > 0 and 1 ≤ --pages ≤ 10000")
	}
	if o.deliveries < 0 || o.deliveries > 1_000_000 || o.reminders < 0 || o.reminders > 1_000_000 {
		return errors.New("--deliveries and --reminders must be 0 to 1000000")
	}
	if o.streams < streamsPerUser || o.streams > 1000 {
		return errors.New("--streams must be 5 to 1000")
	}
	if o.rate < 0 || o.rate > 1_000_000 {
		return errors.New("--rate must be 0 to 1000000 requests/s")
	}
	if o.pprof != "" && o.server != "subprocess" {
		return errors.New("--pprof applies to the subprocess server")
	}
	if o.serverCPUs != "" && o.server != "subprocess" {
		return errors.New("--server-cpus applies to the subprocess servers")
	}
	for _, l := range []string{o.serverCPUs, o.loadCPUs} {
		if l == "" {
			continue
		}
		if _, err := parseCPUs(l); err != nil {
			return err
		}
	}
	if o.workloads == "" {
		o.workloads = defaultLoadWorkloads
		if o.mode == "scale" {
			o.workloads = defaultScaleWorkloads
		}
	}
	_, err := findWorkloads(o.workloads)
	return err
}

// run is the whole program; main only calls it.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == floorServeCommand {
		return floorServe(ctx, args[1:], stderr)
	}
	if len(args) > 0 && (args[0] == "help" || args[0] == "-h" || args[0] == "--help") {
		_, err := parseOptions([]string{"-h"}, stdout)
		return err
	}
	o, err := parseOptions(args, stderr)
	if err != nil {
		return err
	}
	if o.loadCPUs != "" {
		cpus, _ := parseCPUs(o.loadCPUs) // checked by parseOptions
		if err := pinProcess(cpus); err != nil {
			return err
		}
	}
	if o.cpuProfile != "" {
		f, err := os.Create(o.cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	b, err := newBench(ctx, o, stdout, stderr)
	if err != nil {
		return err
	}
	err = b.run(ctx)
	return errors.Join(err, b.close())
}
