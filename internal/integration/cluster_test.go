package integration

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/taskapi/taskapi/internal/auth/authtest"
	"github.com/taskapi/taskapi/internal/ratelimit/redistest"
	"github.com/taskapi/taskapi/internal/store/storetest"
	"github.com/taskapi/taskapi/internal/testkit"
)

// jwtSecret is shared by every instance, as in a real deployment, and by
// the test, which mints tokens for users it creates in the database.
const jwtSecret = "integration-secret-that-is-long-enough-0123"

// cluster is several `taskapi serve` processes on one PostgreSQL database
// and one Redis database.
type cluster struct {
	Bin         string // the built binary
	DatabaseURL string
	RedisURL    string
	Instances   []*instance
}

// instance is one running process.
type instance struct {
	URL  string
	Logs *testkit.Log
}

// clusterEnv is the environment every instance gets; extra settings are
// added per cluster.
func clusterEnv(dbURL, redisURL string, extra map[string]string) []string {
	env := []string{
		"TASKAPI_ADDR=127.0.0.1:0",
		"TASKAPI_DATABASE_URL=" + dbURL,
		"TASKAPI_REDIS_URL=" + redisURL,
		"TASKAPI_JWT_SECRET=" + jwtSecret,
		"TASKAPI_BCRYPT_COST=10", // the lowest accepted; a handful of hashes
		"TASKAPI_LOG_FORMAT=json",
	}
	for k, v := range extra {
		env = append(env, k+"="+v)
	}
	return env
}

// startCluster builds the binary and starts n instances at once (so they
// also race to migrate the fresh database), waiting until each listens.
func startCluster(t *testing.T, n int, extra map[string]string) *cluster {
	t.Helper()
	requirePostgres(t)
	c := &cluster{DatabaseURL: storetest.PostgresURL(t), RedisURL: redistest.URL(t)}
	c.Bin = buildBinary(t)
	env := clusterEnv(c.DatabaseURL, c.RedisURL, extra)
	var wg sync.WaitGroup
	c.Instances = make([]*instance, n)
	for i := range n {
		wg.Go(func() { c.Instances[i] = startInstance(t, c.Bin, env) })
	}
	wg.Wait()
	for i, in := range c.Instances {
		if in == nil {
			t.Fatalf("instance %d did not start", i)
		}
	}
	return c
}

// requirePostgres skips t without a PostgreSQL URL, except in CI, where the
// multi-instance test must run.
func requirePostgres(t *testing.T) {
	t.Helper()
	if os.Getenv(storetest.PostgresEnv) == "" {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is not set: in CI the multi-instance test must run", storetest.PostgresEnv)
		}
		t.Skipf("%s is not set", storetest.PostgresEnv)
	}
}

// buildBinary compiles cmd/taskapi into the test's temporary folder.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "taskapi")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, "go", "build", "-o", bin, "github.com/taskapi/taskapi/cmd/taskapi").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// startInstance runs `taskapi serve` and waits for its "listening" log
// line, which names the address it got. The process gets SIGTERM when the
// test ends and must stop cleanly. It reports failures with t.Error, as it
// runs in its own goroutine.
func startInstance(t *testing.T, bin string, env []string) *instance {
	logs := &testkit.Log{}
	cmd := exec.Command(bin, "serve")
	cmd.Env = env
	cmd.Stdout = io.Discard
	cmd.Stderr = logs
	if err := cmd.Start(); err != nil {
		t.Errorf("start %s: %v", bin, err)
		return nil
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case err := <-exited:
			if err != nil {
				t.Errorf("instance exited with %v after SIGTERM:\n%s", err, logs.String())
			}
		case <-time.After(30 * time.Second):
			_ = cmd.Process.Kill()
			t.Errorf("instance did not stop within 30s of SIGTERM")
		}
	})
	deadline := time.After(60 * time.Second)
	for {
		if addr := listeningAddr(logs.String()); addr != "" {
			return &instance{URL: "http://" + addr, Logs: logs}
		}
		select {
		case err := <-exited:
			exited <- err
			t.Errorf("instance exited before listening (%v):\n%s", err, logs.String())
			return nil
		case <-deadline:
			t.Errorf("instance did not listen within 60s:\n%s", logs.String())
			return nil
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func listeningAddr(logs string) string {
	sc := bufio.NewScanner(strings.NewReader(logs))
	for sc.Scan() {
		var line struct {
			Msg  string `json:"msg"`
			Addr string `json:"addr"`
		}
		if json.Unmarshal(sc.Bytes(), &line) == nil && line.Msg == "listening" {
			return line.Addr
		}
	}
	return ""
}

// newUser creates a verified user straight in the shared database and
// returns an access token of a new session, signed with the instances'
// secret: registration and login are exercised by their own tests.
func (c *cluster) newUser(t *testing.T, username string) string {
	t.Helper()
	return authtest.UserToken(t, c.DatabaseURL, jwtSecret, username)
}

// response is a finished exchange.
type response struct {
	Status int
	Header http.Header
	Body   string
}

// do sends one request to an instance.
func (in *instance) do(t *testing.T, method, path, token string, body any) response {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, in.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(res.Body, 4<<20))
	return response{Status: res.StatusCode, Header: res.Header, Body: string(b)}
}

// want fails t unless the status is the expected one.
func (r response) want(t *testing.T, status int) response {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d: %s", r.Status, status, r.Body)
	}
	return r
}

// decode unmarshals the JSON body into v.
func (r response) decode(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(r.Body), v); err != nil {
		t.Fatalf("decode %q: %v", r.Body, err)
	}
}
