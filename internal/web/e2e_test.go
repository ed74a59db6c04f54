package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/taskapi/taskapi/internal/store/storetest"
)

// TestBrowserJourney runs the browser tests (every e2e/*.test.mjs, which
// share e2e/lib.mjs) against the whole server on each engine. It skips when Node.js, the e2e
// folder's node_modules (npm ci) or Chromium are missing, except in CI,
// where it fails instead: .ci/run installs them.
func TestBrowserJourney(t *testing.T) {
	if testing.Short() {
		t.Skip("browser tests skipped in -short mode")
	}
	chromium := os.Getenv("TASKAPI_CHROMIUM")
	if chromium == "" {
		chromium = "/usr/bin/chromium"
	}
	node, err := exec.LookPath("node")
	missing := ""
	switch {
	case err != nil:
		missing = "node"
	case !exists(filepath.Join("e2e", "node_modules", "playwright-core")):
		missing = "e2e/node_modules (run npm ci in internal/web/e2e)"
	case !exists(chromium):
		missing = chromium + " (apt-get install -y chromium)"
	}
	if missing != "" {
		if os.Getenv("CI") != "" {
			t.Fatalf("browser tests need %s; in CI they must run", missing)
		}
		t.Skipf("browser tests need %s", missing)
	}
	files, err := filepath.Glob(filepath.Join("e2e", "*.test.mjs"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no browser test files in e2e: %v", err)
	}
	// TASKAPI_E2E=name runs only the files whose name contains it, while
	// working on one part of the app.
	only := os.Getenv("TASKAPI_E2E")
	picked := files[:0]
	for _, f := range files {
		if f = filepath.Base(f); strings.Contains(f, only) {
			picked = append(picked, f)
		}
	}
	files = picked
	for _, engine := range storetest.Engines(t) {
		t.Run(engine.Name, func(t *testing.T) {
			e := newEnv(t, engine)
			if _, _, err := e.Auth.EnsureSuperuser(context.Background(), "root@example.com", "root", "a calm purple otter 42"); err != nil {
				t.Fatal(err)
			}
			// The emails the server sent, for the script to follow their links.
			mailSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				skip, _ := strconv.Atoi(r.URL.Query().Get("skip"))
				m := e.Mail.Wait(t, r.URL.Query().Get("to"), r.URL.Query().Get("subject"), skip)
				w.Header().Set("Content-Type", "application/json")
				_ = json.NewEncoder(w).Encode(map[string]string{"link": e.URL + linkPath(m.Text)})
			}))
			defer mailSrv.Close()
			shots, _ := filepath.Abs(filepath.Join("e2e", "screenshots", engine.Name))
			cmd := exec.Command(node, append([]string{"--test", "--test-reporter=spec"}, files...)...)
			cmd.Dir = "e2e"
			cmd.Env = append(os.Environ(), "BASE_URL="+e.URL, "MAIL_URL="+mailSrv.URL, "SCREENSHOTS="+shots, "CHROMIUM="+chromium)
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("browser tests failed: %v\n%s", err, out)
			}
			t.Logf("browser tests passed; screenshots in %s\n%s", shots, out)
		})
	}
}

func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}
