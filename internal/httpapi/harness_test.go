package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/taskapi/taskapi"
	"github.com/taskapi/taskapi/internal/auth"
	"github.com/taskapi/taskapi/internal/config"
	"github.com/taskapi/taskapi/internal/config/configtest"
	"github.com/taskapi/taskapi/internal/httpapi"
	"github.com/taskapi/taskapi/internal/mail"
	"github.com/taskapi/taskapi/internal/mail/mailtest"
	"github.com/taskapi/taskapi/internal/ratelimit"
	"github.com/taskapi/taskapi/internal/store"
	"github.com/taskapi/taskapi/internal/store/storetest"
	"github.com/taskapi/taskapi/internal/testkit"
)

// env is one running server on a real database, driven over real HTTP.
type env struct {
	URL    string
	Store  *store.Store
	Auth   *auth.Service
	Config *config.Config
	Logs   *logBuffer
	client *http.Client

	// Accounts: the SMTP server the server's email goes to, and the
	// database URL, to start a second instance on the same data.
	Mail        *mailtest.Catcher
	DatabaseURL string
	// Clock is the time of the store and the account rules: real time,
	// moved on by tests that need a lifetime to run out.
	Clock *testkit.Clock
	// worker sends the outbox; newEnv runs it, newIdleEnv leaves that to
	// the test (runWorker).
	worker *mail.Worker
}

// testConfig is the configuration tests run with: defaults, the cheapest
// bcrypt cost, no rate limits. The cost is set on the struct: no setting
// accepts a cost below 10.
func testConfig(t testing.TB) *config.Config {
	t.Helper()
	return configtest.Load(t)
}

// newEnv starts a server on a fresh database of the given engine.
func newEnv(t testing.TB, engine storetest.Engine, tweak ...func(*config.Config)) *env {
	t.Helper()
	e := newIdleEnv(t, engine, tweak...)
	e.runWorker(t)
	return e
}

// runWorker runs the outbox worker until t ends.
func (e *env) runWorker(t testing.TB) {
	wctx, stopWorker := context.WithCancel(context.Background())
	workerDone := make(chan struct{})
	go func() { e.worker.Run(wctx); close(workerDone) }()
	t.Cleanup(func() {
		stopWorker()
		<-workerDone
	})
}

// newIdleEnv is newEnv without the outbox worker: what is queued stays.
func newIdleEnv(t testing.TB, engine storetest.Engine, tweak ...func(*config.Config)) *env {
	t.Helper()
	cfg := testConfig(t)
	for _, f := range tweak {
		f(cfg)
	}
	dbURL := engine.NewURL(t)
	clock := testkit.NewRealClock()
	st := storetest.Open(t, dbURL, store.WithClock(clock.Now))
	logs := &logBuffer{}
	logger := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	// Email goes over real SMTP to a catcher the test reads from.
	catcher := mailtest.Start(t, mailtest.Options{})
	sender, err := mail.NewSMTPSender(catcher.URL("", ""), cfg.MailFrom, mail.SMTPOptions{Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	var worker *mail.Worker
	var guard auth.Guard
	if cfg.RateLimit {
		mem := ratelimit.NewMemory(context.Background(), ratelimit.MemoryOptions{SweepInterval: -1})
		t.Cleanup(func() { mem.Close() })
		guard = ratelimit.NewFailureGuard(mem, cfg.RateLimitLoginFailures, "login_account")
	}
	authSvc, err := auth.NewService(st, auth.NewTokens(cfg.JWTSecret, nil, cfg.AccessTokenTTL, clock.Now), auth.Options{
		RefreshTTL: cfg.RefreshTokenTTL, SessionMaxAge: cfg.SessionMaxAge, VerifyTTL: cfg.VerifyTokenTTL, ResetTTL: cfg.ResetTokenTTL,
		BcryptCost: cfg.BcryptCost, BaseURL: cfg.BaseURL, MailQueued: func() { worker.Notify() }, Logger: logger, Guard: guard,
	}, clock.Now)
	if err != nil {
		t.Fatal(err)
	}
	worker = mail.NewWorker(st, sender, logger, mail.WorkerOptions{Poll: 100 * time.Millisecond, Backoff: 50 * time.Millisecond,
		Resolve: authSvc.ResolveEmailRequest})
	h := httpapi.NewServer(httpapi.Deps{
		Config: cfg, Store: st, Auth: authSvc, Version: "test", Now: clock.Now,
		Logger: logger,
	})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &env{URL: srv.URL, Clock: clock, DatabaseURL: dbURL, Store: st, Auth: authSvc, Config: cfg, Logs: logs, Mail: catcher, worker: worker, client: &http.Client{
		Timeout:       30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// eachEngine runs fn once per engine, each with a server of its own.
func eachEngine(t *testing.T, fn func(t *testing.T, e *env)) {
	t.Helper()
	for _, engine := range storetest.Engines(t) {
		t.Run(engine.Name, func(t *testing.T) { fn(t, newEnv(t, engine)) })
	}
}

// response is a finished HTTP exchange.
type response struct {
	Status int
	Header http.Header
	Body   []byte
}

// decode unmarshals the body into v, failing t when it is not JSON.
func (r *response) decode(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decode %q: %v", r.Body, err)
	}
}

// problem is the RFC 9457 body of an error.
type problem struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail"`
	Errors []struct {
		Location string `json:"location"`
		Message  string `json:"message"`
		Value    any    `json:"value"`
	} `json:"errors"`
}

// wantProblem checks that r is a problem+json answer with status.
func (r *response) wantProblem(t testing.TB, status int) problem {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status = %d, want %d; body %s", r.Status, status, r.Body)
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
		t.Fatalf("Content-Type = %q, want application/problem+json; body %s", ct, r.Body)
	}
	var p problem
	r.decode(t, &p)
	if p.Status != status || p.Title == "" || p.Detail == "" {
		t.Fatalf("problem lacks status/title/detail: %s", r.Body)
	}
	return p
}

// want checks the status code.
func (r *response) want(t testing.TB, status int) *response {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status = %d, want %d; body %s", r.Status, status, r.Body)
	}
	return r
}

// request is one call to make; body is JSON-encoded unless it is a string
// or []byte, which are sent as they are.
type request struct {
	Method string
	Path   string
	Body   any
	Token  string
	Header http.Header
}

func (e *env) do(t testing.TB, req request) *response {
	t.Helper()
	var body io.Reader
	switch b := req.Body.(type) {
	case nil:
	case string:
		body = strings.NewReader(b)
	case []byte:
		body = bytes.NewReader(b)
	default:
		data, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		body = bytes.NewReader(data)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	hr, err := http.NewRequestWithContext(ctx, req.Method, e.URL+req.Path, body)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		hr.Header.Set("Content-Type", "application/json")
	}
	for k, vs := range req.Header {
		hr.Header[k] = vs
	}
	if req.Token != "" {
		hr.Header.Set("Authorization", "Bearer "+req.Token)
	}
	res, err := e.client.Do(hr)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.Path, err)
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return &response{Status: res.StatusCode, Header: res.Header, Body: data}
}

// get is a shorthand for an authenticated GET.
func (e *env) get(t testing.TB, path, token string) *response {
	t.Helper()
	return e.do(t, request{Method: http.MethodGet, Path: path, Token: token})
}

// logBuffer collects the server's log lines so tests can check what is, and
// is not, logged.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// testUser is a user made directly in the store, with a live session.
type testUser struct {
	User  taskapi.User
	Token string // access token
}

// newUser creates a verified user straight in the store and opens a
// session for it, skipping the (slow, bcrypt-bound) register and login.
func (e *env) newUser(t testing.TB, username string) testUser {
	t.Helper()
	ctx := context.Background()
	u, err := e.Store.CreateUser(ctx, taskapi.User{
		Email: strings.ToLower(username) + "@example.com", Username: username, IsActive: true, IsVerified: true,
	}, "not-a-real-hash")
	if err != nil {
		t.Fatalf("create user %s: %v", username, err)
	}
	pair, err := e.Auth.StartSession(ctx, u.ID, auth.ClientInfo{UserAgent: "test", IP: "127.0.0.1"})
	if err != nil {
		t.Fatalf("start session: %v", err)
	}
	return testUser{User: u, Token: pair.AccessToken}
}
