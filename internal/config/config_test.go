package config

import (
	"errors"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/taskapi/taskapi/internal/ratelimit"
)

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestLoadDefaults(t *testing.T) {
	c, err := Load(env(nil), nil, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	want := Config{
		Addr: "localhost:8080", DatabaseURL: "sqlite:taskapi.db", Engine: SQLite, SQLitePath: "taskapi.db",
		JWTSecret: DevJWTSecret, JWTSecretIsDev: true,
		MailFrom: "taskapi <no-reply@localhost>", BaseURL: "http://localhost:8080",
		RateLimit:              true,
		RateLimitAuth:          ratelimit.Limit{Burst: 20, Period: time.Minute},
		RateLimitLoginFailures: ratelimit.Limit{Burst: 10, Period: 15 * time.Minute},
		RateLimitAPI:           ratelimit.Limit{Burst: 600, Period: time.Minute},
		RateLimitCalendar:      ratelimit.Limit{Burst: 60, Period: time.Minute},
		BcryptCost:             12, LogLevel: "info", LogFormat: "json",
		AccessTokenTTL: 15 * time.Minute, RefreshTokenTTL: 30 * 24 * time.Hour, SessionMaxAge: 90 * 24 * time.Hour,
		VerifyTokenTTL: 24 * time.Hour, ResetTokenTTL: time.Hour,
		RequestTimeout: 15 * time.Second, ShutdownTimeout: 20 * time.Second, MaxBodyBytes: 1 << 20,
		MaxConns: 2000, IdleTimeout: 30 * time.Second,
		SearchTimeout: 2 * time.Second, SearchesPerUser: 2, MaxTasksPerUser: 50_000, MaxCategoriesPerUser: 1_000,
		ChangesRetention: 30 * 24 * time.Hour,
	}
	if diff := cmp.Diff(want, *c); diff != "" {
		t.Errorf("defaults (-want +got):\n%s", diff)
	}
}

func TestFlagWinsOverEnv(t *testing.T) {
	c, err := Load(env(map[string]string{"TASKAPI_ADDR": "127.0.0.1:9000", "TASKAPI_RATE_LIMIT": "off"}),
		[]string{"--addr", "127.0.0.1:9001"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:9001" {
		t.Errorf("addr = %q, want the flag's", c.Addr)
	}
	if c.RateLimit {
		t.Error("TASKAPI_RATE_LIMIT=off ignored")
	}
}

func TestLoadPostgres(t *testing.T) {
	c, err := Load(env(map[string]string{"TASKAPI_DATABASE_URL": "postgres://u@db:5432/taskapi?sslmode=disable"}), nil, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.Engine != Postgres {
		t.Errorf("engine = %q", c.Engine)
	}
}

func TestLoadRejects(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		args    []string
		setting string
	}{
		{"unknown scheme", map[string]string{"TASKAPI_DATABASE_URL": "mysql://x"}, nil, "TASKAPI_DATABASE_URL"},
		{"memory sqlite", nil, []string{"--database-url", "sqlite::memory:"}, "TASKAPI_DATABASE_URL"},
		{"missing folder", map[string]string{"TASKAPI_DATABASE_URL": "sqlite:/nonexistent/dir/x.db"}, nil, "TASKAPI_DATABASE_URL"},
		{"bad addr", map[string]string{"TASKAPI_ADDR": "localhost"}, nil, "TASKAPI_ADDR"},
		{"bad port", nil, []string{"--addr", "localhost:99999"}, "TASKAPI_ADDR"},
		{"short secret", map[string]string{"TASKAPI_JWT_SECRET": "short"}, nil, "TASKAPI_JWT_SECRET"},
		{"bad smtp", map[string]string{"TASKAPI_SMTP_URL": "http://mail"}, nil, "TASKAPI_SMTP_URL"},
		{"smtp option", map[string]string{"TASKAPI_SMTP_URL": "smtp://mail:25?tls=opportunistic"}, nil, "TASKAPI_SMTP_URL"},
		{"plain smtp with password", map[string]string{"TASKAPI_SMTP_URL": "smtp://u:p@mail:25?tls=none"}, nil, "TASKAPI_SMTP_URL"},
		{"low bcrypt", map[string]string{"TASKAPI_BCRYPT_COST": "8"}, nil, "TASKAPI_BCRYPT_COST"},
		{"test bcrypt", map[string]string{"TASKAPI_BCRYPT_COST": "4"}, nil, "TASKAPI_BCRYPT_COST"},
		{"huge bcrypt", nil, []string{"--bcrypt-cost", "32"}, "TASKAPI_BCRYPT_COST"},
		{"bad level", map[string]string{"TASKAPI_LOG_LEVEL": "loud"}, nil, "TASKAPI_LOG_LEVEL"},
		{"bad bool", map[string]string{"TASKAPI_RATE_LIMIT": "maybe"}, nil, "TASKAPI_RATE_LIMIT"},
		{"bad cidr", map[string]string{"TASKAPI_TRUSTED_PROXIES": "10.0.0.0/99"}, nil, "TASKAPI_TRUSTED_PROXIES"},
		{"bad origin", map[string]string{"TASKAPI_CORS_ORIGINS": "app.example.com"}, nil, "TASKAPI_CORS_ORIGINS"},
		{"bad limit", map[string]string{"TASKAPI_RATE_LIMIT_AUTH": "20 per minute"}, nil, "TASKAPI_RATE_LIMIT_AUTH"},
		{"zero limit", nil, []string{"--rate-limit-api", "0/min"}, "TASKAPI_RATE_LIMIT_API"},
		{"bad limit period", map[string]string{"TASKAPI_RATE_LIMIT_LOGIN_FAILURES": "10/1ms"}, nil, "TASKAPI_RATE_LIMIT_LOGIN_FAILURES"},
		{"bad duration", map[string]string{"TASKAPI_ACCESS_TOKEN_TTL": "-1m"}, nil, "TASKAPI_ACCESS_TOKEN_TTL"},
		{"pprof not loopback", map[string]string{"TASKAPI_PPROF_ADDR": "0.0.0.0:6060"}, nil, "TASKAPI_PPROF_ADDR"},
		{"pprof no port", nil, []string{"--pprof-addr", "127.0.0.1"}, "TASKAPI_PPROF_ADDR"},
		{"unknown flag", nil, []string{"--nope"}, "command line"},
		{"stray argument", nil, []string{"extra"}, "command line"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(env(tt.env), tt.args, io.Discard)
			var ce *Error
			if !errors.As(err, &ce) {
				t.Fatalf("err = %v, want *config.Error", err)
			}
			if !strings.HasPrefix(ce.Setting, tt.setting) {
				t.Errorf("setting = %q, want %q", ce.Setting, tt.setting)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("message spans lines: %q", err)
			}
		})
	}
}

func TestSecretNeverInError(t *testing.T) {
	_, err := Load(env(map[string]string{"TASKAPI_JWT_SECRET": "tiny-secret"}), nil, io.Discard)
	if err == nil || strings.Contains(err.Error(), "tiny-secret") {
		t.Fatalf("err = %v", err)
	}
}

func TestPprofAddr(t *testing.T) {
	c, err := Load(env(nil), nil, io.Discard)
	if err != nil || c.PprofAddr != "" {
		t.Fatalf("pprof must be off by default: %q %v", c.PprofAddr, err)
	}
	for _, addr := range []string{"127.0.0.1:6060", "localhost:0", "[::1]:6060"} {
		c, err := Load(env(map[string]string{"TASKAPI_PPROF_ADDR": addr}), nil, io.Discard)
		if err != nil || c.PprofAddr != addr {
			t.Errorf("%s: got %q, %v", addr, c.PprofAddr, err)
		}
	}
}

func TestMailFrom(t *testing.T) {
	c, err := Load(env(nil), nil, io.Discard)
	if err != nil || c.MailFrom != "taskapi <no-reply@localhost>" {
		t.Errorf("default sender %q, %v", c.MailFrom, err)
	}
	c, err = Load(env(map[string]string{"TASKAPI_BASE_URL": "https://tasks.example.com/"}), nil, io.Discard)
	if err != nil || c.MailFrom != "taskapi <no-reply@tasks.example.com>" {
		t.Errorf("sender from the base URL %q, %v", c.MailFrom, err)
	}
	c, err = Load(env(map[string]string{"TASKAPI_MAIL_FROM": "Tasks <tasks@example.org>"}), nil, io.Discard)
	if err != nil || c.MailFrom != "Tasks <tasks@example.org>" {
		t.Errorf("configured sender %q, %v", c.MailFrom, err)
	}
	var ce *Error
	if _, err := Load(env(map[string]string{"TASKAPI_MAIL_FROM": "not an address"}), nil, io.Discard); !errors.As(err, &ce) ||
		!strings.HasPrefix(ce.Setting, "TASKAPI_MAIL_FROM") {
		t.Errorf("bad sender: %v", err)
	}
}

func TestRateLimitSettings(t *testing.T) {
	c, err := Load(env(nil), nil, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	want := []ratelimit.Limit{{Burst: 20, Period: time.Minute}, {Burst: 10, Period: 15 * time.Minute}, {Burst: 600, Period: time.Minute}}
	if got := []ratelimit.Limit{c.RateLimitAuth, c.RateLimitLoginFailures, c.RateLimitAPI}; !slices.Equal(got, want) {
		t.Errorf("default limits = %v, want %v", got, want)
	}
	c, err = Load(env(map[string]string{"TASKAPI_RATE_LIMIT_AUTH": "5/s", "TASKAPI_RATE_LIMIT_API": "100/h"}),
		[]string{"--rate-limit-login-failures", "3/1h"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	want = []ratelimit.Limit{{Burst: 5, Period: time.Second}, {Burst: 3, Period: time.Hour}, {Burst: 100, Period: time.Hour}}
	if got := []ratelimit.Limit{c.RateLimitAuth, c.RateLimitLoginFailures, c.RateLimitAPI}; !slices.Equal(got, want) {
		t.Errorf("configured limits = %v, want %v", got, want)
	}
}

func TestMetricsToken(t *testing.T) {
	c, err := Load(env(nil), nil, io.Discard)
	if err != nil || c.MetricsToken != "" {
		t.Fatalf("default metrics token %q, %v", c.MetricsToken, err)
	}
	const token = "0123456789abcdef-scrape"
	c, err = Load(env(map[string]string{"TASKAPI_METRICS_TOKEN": token}), nil, io.Discard)
	if err != nil || c.MetricsToken != token {
		t.Fatalf("metrics token %q, %v", c.MetricsToken, err)
	}
	for _, bad := range []string{"too-short", "has a space in it, sadly", "tab\tinside-the-token-value", strings.Repeat("x", 513)} {
		var ce *Error
		_, err := Load(env(map[string]string{"TASKAPI_METRICS_TOKEN": bad}), nil, io.Discard)
		if !errors.As(err, &ce) || !strings.HasPrefix(ce.Setting, "TASKAPI_METRICS_TOKEN") || strings.Contains(err.Error(), bad) {
			t.Errorf("token %q: %v", bad, err)
		}
	}
}
