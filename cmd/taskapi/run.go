package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"runtime/debug"
	"strings"

	"github.com/taskapi/taskapi/internal/config"
	"github.com/taskapi/taskapi/internal/httpapi"
)

// version is set at build time with -ldflags "-X main.version=…"; without
// it the module version or VCS revision from the build info is used.
var version = ""

// exitError carries the process exit code: 2 for a usage or configuration
// problem, 1 for a failure at run time.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

func usageError(format string, args ...any) error {
	return &exitError{code: 2, err: fmt.Errorf(format, args...)}
}

const usage = `Usage: taskapi [command] [flags]

Commands:
  serve              run the HTTP server (the default); applies pending migrations first unless --no-migrate
  migrate up         apply pending migrations
  migrate down       roll back the latest migration
  migrate status     list migrations and whether each is applied
  createsuperuser    --email E [--username U]: create or promote an administrator; the password
                     comes from $TASKAPI_ADMIN_PASSWORD or standard input, never from a flag
  healthcheck        exit 0 when the server at TASKAPI_ADDR (or --addr) answers /healthz with 200, else 1
  version            print the version
  openapi            print the OpenAPI document the server serves at /openapi.json

Every flag has an environment variable of the same meaning; run "taskapi serve -h" to list them.
`

// run is the whole program; main only calls it. It reads nothing global:
// arguments, environment and streams come in as parameters, so tests can
// run it in process.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	cmd := "serve"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve":
		cfg, err := loadConfig(getenv, args, stderr)
		if err != nil {
			return err
		}
		return serve(ctx, cfg, stderr)
	case "migrate":
		if len(args) == 0 || strings.HasPrefix(args[0], "-") {
			return usageError("migrate needs one of: up, down, status")
		}
		action := args[0]
		cfg, err := loadConfig(getenv, args[1:], stderr)
		if err != nil {
			return err
		}
		return migrate(ctx, cfg, action, stdout, stderr)
	case "createsuperuser":
		return createSuperuser(ctx, args, getenv, stdin, stdout, stderr)
	case "healthcheck":
		return healthcheck(ctx, args, getenv, stdout, stderr)
	case "version":
		fmt.Fprintln(stdout, buildVersion())
		return nil
	case "openapi":
		doc, err := httpapi.OpenAPI()
		if err != nil {
			return err
		}
		return writeIndentedJSON(stdout, doc)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return usageError("unknown command %q", cmd)
}

func writeIndentedJSON(w io.Writer, doc []byte) error {
	var buf bytes.Buffer
	if err := json.Indent(&buf, doc, "", "  "); err != nil {
		return fmt.Errorf("indent openapi: %w", err)
	}
	buf.WriteByte('\n')
	_, err := w.Write(buf.Bytes())
	return err
}

func loadConfig(getenv func(string) string, args []string, stderr io.Writer) (*config.Config, error) {
	cfg, err := config.Load(getenv, args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil, &exitError{code: 0, err: err}
	}
	if err != nil {
		return nil, &exitError{code: 2, err: err}
	}
	return cfg, nil
}

func buildVersion() string {
	if version != "" {
		return version
	}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "devel"
	}
	if v := info.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	for _, s := range info.Settings {
		if s.Key == "vcs.revision" && len(s.Value) >= 12 {
			return "devel-" + s.Value[:12]
		}
	}
	return "devel"
}

// newLogger builds the structured logger the configuration asks for.
func newLogger(cfg *config.Config, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.LogLevel))
	opts := &slog.HandlerOptions{Level: level}
	if cfg.LogFormat == "text" {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}
