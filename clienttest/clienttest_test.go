package clienttest_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/taskapi/taskapi/internal/auth"
	"github.com/taskapi/taskapi/internal/config/configtest"
	"github.com/taskapi/taskapi/internal/httpapi"
	"github.com/taskapi/taskapi/internal/store/storetest"
)

// The served document lints clean, and a client generated from it runs the
// user journey against a real server, type-checked without a cast.
func TestGeneratedClient(t *testing.T) {
	if _, err := os.Stat(filepath.Join("node_modules", ".bin", "openapi-typescript")); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("node_modules missing in CI (.ci/run runs npm ci in clienttest): %v", err)
		}
		t.Skip("run `npm ci` in clienttest/ first (needs Node.js and npm)")
	}
	cfg := configtest.Load(t)
	st := storetest.Open(t, storetest.SQLiteURL(t))
	svc, err := auth.NewService(st, auth.NewTokens(cfg.JWTSecret, nil, cfg.AccessTokenTTL, time.Now),
		auth.Options{BcryptCost: cfg.BcryptCost}, nil)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(httpapi.NewServer(httpapi.Deps{Config: cfg, Store: st, Auth: svc, Version: "test"}))
	t.Cleanup(srv.Close)

	if err := os.MkdirAll(".gen", 0o755); err != nil {
		t.Fatal(err)
	}
	res, err := http.Get(srv.URL + "/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	doc, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("GET /openapi.json: %d %v", res.StatusCode, err)
	}
	if err := os.WriteFile(filepath.Join(".gen", "openapi.json"), doc, 0o644); err != nil {
		t.Fatal(err)
	}
	run := func(name string, args ...string) {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, filepath.Join("node_modules", ".bin", name), args...)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s %v: %v\n%s", name, args, err, out)
		}
	}
	t.Run("lint", func(t *testing.T) {
		run("redocly", "lint", "--config", "redocly.yaml", "--format", "stylish", ".gen/openapi.json")
	})
	t.Run("journey", func(t *testing.T) {
		run("openapi-typescript", ".gen/openapi.json", "-o", ".gen/schema.d.ts")
		run("tsc", "-p", ".")
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, "node", filepath.Join(".gen", "out", "journey.js"))
		cmd.Env = append(os.Environ(), "BASE_URL="+srv.URL)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("journey: %v\n%s", err, out)
		}
	})
}
