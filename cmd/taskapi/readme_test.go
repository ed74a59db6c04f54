package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestReadmeFirstSession runs the README's first session as written, with
// bash and curl, against a real server whose log is the file the session
// reads its verification link from, so the README cannot drift from the API.
func TestReadmeFirstSession(t *testing.T) {
	bash, bashErr := exec.LookPath("bash")
	curl, curlErr := exec.LookPath("curl")
	if bashErr != nil || curlErr != nil {
		msg := fmt.Sprintf("the README's first session needs bash and curl on PATH (bash: %v, curl: %v)", bashErr, curlErr)
		if os.Getenv("CI") != "" {
			t.Fatal(msg + ": in CI it must run")
		}
		t.Skip(msg)
	}
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	server, session := firstSession(t, string(readme))
	if !strings.Contains(server, "taskapi.log") {
		t.Fatalf("the README's server command does not write taskapi.log, which the session reads:\n%s", server)
	}

	dir := t.TempDir()
	logFile, err := os.Create(filepath.Join(dir, "taskapi.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer logFile.Close()
	url, logs, stop := startServeTee(t, map[string]string{
		"TASKAPI_DATABASE_URL": "sqlite:" + filepath.Join(dir, "taskapi.db"),
		"TASKAPI_BCRYPT_COST":  "10",
	}, logFile)
	defer func() {
		if err := stop(); err != nil {
			t.Errorf("serve: %v", err)
		}
	}()

	// The README talks to the default address; this server listens on a free port.
	script := strings.ReplaceAll(session, "http://localhost:8080", url)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bash, "-e", "-o", "pipefail", "-c", script)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "PATH="+filepath.Dir(curl)+string(os.PathListSeparator)+os.Getenv("PATH"))
	cmd.WaitDelay = 5 * time.Second
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("the first session failed: %v\n--- output\n%s\n--- server log\n%s", err, out, logs.String())
	}
	if m := regexp.MustCompile(`"status":\s*[45]\d\d`).Find(out); m != nil {
		t.Fatalf("the first session got an error answer (%s):\n%s", m, out)
	}

	// Its last answer is the list, holding the task it created in its category.
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	var list struct {
		Items []struct {
			Title      string  `json:"title"`
			Priority   string  `json:"priority"`
			Status     string  `json:"status"`
			CategoryID *string `json:"category_id"`
		} `json:"items"`
	}
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &list); err != nil {
		t.Fatalf("the last answer is not a task list: %v\n%s", err, out)
	}
	if len(list.Items) != 1 || list.Items[0].CategoryID == nil {
		t.Fatalf("want one task in a category, got:\n%s", out)
	}
	type task struct{ Title, Priority, Status string }
	got := task{list.Items[0].Title, list.Items[0].Priority, list.Items[0].Status}
	if diff := cmp.Diff(task{"Write the report", "HIGH", "TODO"}, got); diff != "" {
		t.Errorf("listed task (-want +got):\n%s", diff)
	}
	if !strings.Contains(string(out), `"is_verified":true`) {
		t.Errorf("the account was not verified:\n%s", out)
	}
}

// firstSession returns the shell blocks of the README's "A first session":
// the one that starts the server, and the others joined, in order.
func firstSession(t *testing.T, readme string) (server, session string) {
	t.Helper()
	_, section, ok := strings.Cut(readme, "\n## A first session\n")
	if !ok {
		t.Fatal(`README.md has no "## A first session" section`)
	}
	if end := strings.Index(section, "\n## "); end >= 0 {
		section = section[:end]
	}
	var sessions []string
	for _, m := range regexp.MustCompile("(?s)```sh\n(.*?)```").FindAllStringSubmatch(section, -1) {
		if strings.Contains(m[1], "go run ./cmd/taskapi") {
			server = m[1]
		} else {
			sessions = append(sessions, m[1])
		}
	}
	if server == "" || len(sessions) == 0 {
		t.Fatalf("the first session needs a block that starts the server and one that uses it:\n%s", section)
	}
	return server, strings.Join(sessions, "\n")
}
