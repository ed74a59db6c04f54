package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/taskapi/taskapi/internal/store"
	"github.com/taskapi/taskapi/internal/store/storetest"
	"github.com/taskapi/taskapi/internal/testkit"
)

func envOf(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

// startServe runs "taskapi serve" in process on port 0 and returns its
// base URL and a function that stops it and returns run's error.
func startServe(t *testing.T, env map[string]string, args ...string) (string, *testkit.Log, func() error) {
	t.Helper()
	return startServeTee(t, env, io.Discard, args...)
}

// startServeTee is startServe with the log also written to tee.
func startServeTee(t *testing.T, env map[string]string, tee io.Writer, args ...string) (string, *testkit.Log, func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	logs := &testkit.Log{}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...), envOf(env), strings.NewReader(""), &bytes.Buffer{}, io.MultiWriter(logs, tee))
	}()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		for _, line := range strings.Split(logs.String(), "\n") {
			var entry struct {
				Msg  string `json:"msg"`
				Addr string `json:"addr"`
			}
			if json.Unmarshal([]byte(line), &entry) == nil && entry.Msg == "listening" {
				stop := func() error {
					cancel()
					select {
					case err := <-done:
						return err
					case <-time.After(30 * time.Second):
						t.Fatal("serve did not stop")
						return nil
					}
				}
				return "http://" + entry.Addr, logs, stop
			}
		}
		select {
		case err := <-done:
			cancel()
			t.Fatalf("serve exited early: %v\n%s", err, logs.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	cancel()
	t.Fatalf("serve did not start:\n%s", logs.String())
	return "", nil, nil
}

func TestServeStartsAndDrains(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(engine.Name, func(t *testing.T) {
			url, logs, stop := startServe(t, map[string]string{"TASKAPI_DATABASE_URL": engine.NewURL(t)})
			for _, path := range []string{"/healthz", "/readyz"} {
				res, err := http.Get(url + path)
				if err != nil {
					t.Fatal(err)
				}
				res.Body.Close()
				if res.StatusCode != http.StatusOK {
					t.Errorf("%s = %d", path, res.StatusCode)
				}
			}
			if err := stop(); err != nil {
				t.Fatalf("serve returned %v after a signal, want nil", err)
			}
			out := logs.String()
			for _, want := range []string{`"msg":"migrations applied"`, `"msg":"stopped"`, "development key"} {
				if !strings.Contains(out, want) {
					t.Errorf("log lacks %s:\n%s", want, out)
				}
			}
		})
	}
}

func TestNoMigrate(t *testing.T) {
	dbURL := "sqlite:" + filepath.Join(t.TempDir(), "x.db")
	url, logs, stop := startServe(t, map[string]string{"TASKAPI_DATABASE_URL": dbURL}, "--no-migrate", "--log-format", "json")
	res, err := http.Get(url + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(logs.String(), "migrations applied") {
		t.Error("--no-migrate still migrated")
	}
	var out bytes.Buffer
	if err := run(context.Background(), []string{"migrate", "status"}, envOf(map[string]string{"TASKAPI_DATABASE_URL": dbURL}), nil, &out, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "pending") || strings.Contains(out.String(), "applied ") {
		t.Errorf("status after --no-migrate:\n%s", out.String())
	}
}

func TestMigrateCommands(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(engine.Name, func(t *testing.T) {
			env := envOf(map[string]string{"TASKAPI_DATABASE_URL": engine.NewURL(t)})
			step := func(want string, args ...string) {
				t.Helper()
				var out, errb bytes.Buffer
				if err := run(context.Background(), args, env, nil, &out, &errb); err != nil {
					t.Fatalf("%v: %v\n%s", args, err, errb.String())
				}
				if !strings.Contains(out.String(), want) {
					t.Errorf("%v printed %q, want %q", args, out.String(), want)
				}
			}
			step("pending", "migrate", "status")
			files, err := fs.Glob(store.MigrationsFS(), "migrations/"+engine.Name+"/*.sql")
			if err != nil || len(files) == 0 {
				t.Fatalf("migration files: %v %v", files, err)
			}
			step(fmt.Sprintf("applied %d migration", len(files)), "migrate", "up")
			step("applied", "migrate", "status")
			step("applied 0 migration", "migrate", "up")
			step("rolled back", "migrate", "down")
			step("pending", "migrate", "status")
		})
	}
}

func TestBadConfigurationExitsWith2(t *testing.T) {
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want string
	}{
		{"unknown scheme", []string{"serve"}, map[string]string{"TASKAPI_DATABASE_URL": "mysql://x"}, "TASKAPI_DATABASE_URL"},
		{"bad address", []string{"serve", "--addr", "nowhere"}, nil, "TASKAPI_ADDR"},
		{"unreadable path", []string{"migrate", "up"}, map[string]string{"TASKAPI_DATABASE_URL": "sqlite:/no/such/dir/db"}, "TASKAPI_DATABASE_URL"},
		{"unknown command", []string{"frobnicate"}, nil, "unknown command"},
		{"migrate without action", []string{"migrate"}, nil, "migrate needs"},
		{"migrate bad action", []string{"migrate", "sideways"}, map[string]string{"TASKAPI_DATABASE_URL": "sqlite:" + filepath.Join(t.TempDir(), "x.db")}, "migrate needs"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := run(context.Background(), tt.args, envOf(tt.env), nil, &bytes.Buffer{}, &bytes.Buffer{})
			var ee *exitError
			if !errors.As(err, &ee) || ee.code != 2 {
				t.Fatalf("err = %v, want exit code 2", err)
			}
			if !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "\n") {
				t.Errorf("message %q, want one line naming %q", err, tt.want)
			}
		})
	}
}

func TestVersionAndOpenAPI(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), []string{"version"}, envOf(nil), nil, &out, &bytes.Buffer{}); err != nil || strings.TrimSpace(out.String()) == "" {
		t.Fatalf("version: %q %v", out.String(), err)
	}
	out.Reset()
	if err := run(context.Background(), []string{"openapi"}, envOf(nil), nil, &out, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(out.Bytes(), &doc); err != nil || doc["openapi"] != "3.1.0" {
		t.Fatalf("openapi printed %.200s (%v)", out.String(), err)
	}
}
