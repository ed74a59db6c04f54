// Package config reads taskapi's settings from the environment and from
// command-line flags of the same meaning (a flag wins over its variable) and
// validates them, so that a bad setting stops the program before it starts.
package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net/netip"
	"net/url"
	"strings"
	"time"

	"github.com/taskapi/taskapi/internal/ratelimit"
)

// Engine names a database engine.
type Engine string

// The supported engines.
const (
	SQLite   Engine = "sqlite"
	Postgres Engine = "postgres"
)

// DevJWTSecret signs tokens when no secret is configured. It is public, so
// the server warns loudly when it uses it.
const DevJWTSecret = "taskapi-development-key-do-not-use-in-production"

// Config is every setting of taskapi.
type Config struct {
	Addr           string
	DatabaseURL    string
	Engine         Engine
	SQLitePath     string // for Engine SQLite: the file
	JWTSecret      string
	JWTSecretIsDev bool
	// Dev allows the development JWT key on an address that is not
	// loopback.
	Dev       bool
	SMTPURL   string
	MailFrom  string
	BaseURL   string
	RedisURL  string
	RateLimit bool
	// The limits applied when RateLimit is on: per client IP on the
	// unauthenticated auth routes, failed logins per account, and per user
	// on every authenticated route.
	RateLimitAuth          ratelimit.Limit
	RateLimitLoginFailures ratelimit.Limit
	RateLimitAPI           ratelimit.Limit
	// RateLimitCalendar is per client IP on the calendar feed addresses,
	// which carry their own secret and no login.
	RateLimitCalendar ratelimit.Limit
	BcryptCost        int
	LogLevel          string
	LogFormat         string
	NoMigrate         bool

	AccessTokenTTL  time.Duration
	RefreshTokenTTL time.Duration
	// SessionMaxAge ends a session that long after login, however often
	// it was refreshed.
	SessionMaxAge  time.Duration
	VerifyTokenTTL time.Duration
	ResetTokenTTL  time.Duration

	RequestTimeout  time.Duration
	ShutdownTimeout time.Duration
	MaxBodyBytes    int64
	// MaxConns caps the client connections held open at once; at the cap
	// the connection idle the longest is closed to admit a new one.
	MaxConns int
	// IdleTimeout closes a keep-alive connection that long idle.
	IdleTimeout time.Duration

	TrustedProxies []netip.Prefix
	HSTS           bool
	CORSOrigins    []string
	// MetricsToken, when set, is the bearer token GET /metrics requires.
	MetricsToken string

	// SearchTimeout bounds the statements of one task search;
	// SearchesPerUser is how many searches one user may run at once.
	SearchTimeout   time.Duration
	SearchesPerUser int
	// MaxTasksPerUser and MaxCategoriesPerUser are the per-user quotas.
	MaxTasksPerUser, MaxCategoriesPerUser int

	// WebhookAllowHTTP admits http endpoint URLs; WebhookAllowPrivate
	// lets deliveries reach loopback and private addresses. Both are off:
	// on only for receivers on a trusted network, and for tests.
	WebhookAllowHTTP, WebhookAllowPrivate bool

	// ChangesRetention is how long the change feed keeps its records: a
	// sync cursor older than that gets 410, and a task's activity reaches
	// back that far.
	ChangesRetention time.Duration

	// PprofAddr, when set, serves net/http/pprof on this loopback address
	// (for profiling under load); empty turns it off.
	PprofAddr string
}

// Error is a configuration problem: it names the setting and what is wrong.
type Error struct {
	Setting string // e.g. "TASKAPI_ADDR (--addr)"
	Problem string
}

func (e *Error) Error() string { return e.Setting + ": " + e.Problem }

// setting is one configuration value: its variable, its flag and how to
// apply its text to the Config.
type setting struct {
	env, flag, def, usage string
	apply                 func(c *Config, v string) error
}

func settings() []setting {
	return []setting{
		{"TASKAPI_ADDR", "addr", "localhost:8080", "listen address host:port", applyAddr},
		{"TASKAPI_DATABASE_URL", "database-url", "sqlite:taskapi.db", "postgres://… or sqlite:PATH", applyDatabaseURL},
		{"TASKAPI_JWT_SECRET", "", "", "key that signs access tokens (at least 32 bytes)", applyJWTSecret},
		{"TASKAPI_SMTP_URL", "", "", "smtp://user:pass@host:port (STARTTLS required; smtp://host:port?tls=none for a local catcher) or smtps://; empty writes emails to the log", applySMTPURL},
		{"TASKAPI_MAIL_FROM", "mail-from", "", "sender of emails, e.g. taskapi <no-reply@example.com> (default no-reply@ the base URL's host)", applyMailFrom},
		{"TASKAPI_BASE_URL", "base-url", "", "public URL used in email links (default http://ADDR)", applyBaseURL},
		{"TASKAPI_REDIS_URL", "", "", "redis://… to share rate limits and revocations between instances", applyRedisURL},
		{"TASKAPI_RATE_LIMIT", "rate-limit", "on", "on or off", boolSetting(func(c *Config, b bool) { c.RateLimit = b })},
		{"TASKAPI_RATE_LIMIT_AUTH", "rate-limit-auth", "20/min", "requests per client IP to the unauthenticated auth routes (N/period)", limitSetting(func(c *Config, l ratelimit.Limit) { c.RateLimitAuth = l })},
		{"TASKAPI_RATE_LIMIT_LOGIN_FAILURES", "rate-limit-login-failures", "10/15m", "failed logins per account (N/period)", limitSetting(func(c *Config, l ratelimit.Limit) { c.RateLimitLoginFailures = l })},
		{"TASKAPI_RATE_LIMIT_CALENDAR", "rate-limit-calendar", "60/min", "requests per client IP to the calendar feed addresses (N/period)", limitSetting(func(c *Config, l ratelimit.Limit) { c.RateLimitCalendar = l })},
		{"TASKAPI_RATE_LIMIT_API", "rate-limit-api", "600/min", "requests per user to authenticated routes (N/period)", limitSetting(func(c *Config, l ratelimit.Limit) { c.RateLimitAPI = l })},
		{"TASKAPI_BCRYPT_COST", "bcrypt-cost", "12", "bcrypt work factor (10–31)", applyBcryptCost},
		{"TASKAPI_LOG_LEVEL", "log-level", "info", "debug, info, warn or error", applyLogLevel},
		{"TASKAPI_LOG_FORMAT", "log-format", "json", "json or text", applyLogFormat},
		{"TASKAPI_ACCESS_TOKEN_TTL", "access-token-ttl", "15m", "lifetime of access tokens", durationSetting(func(c *Config, d time.Duration) { c.AccessTokenTTL = d })},
		{"TASKAPI_REFRESH_TOKEN_TTL", "refresh-token-ttl", "720h", "lifetime of a session's refresh token", durationSetting(func(c *Config, d time.Duration) { c.RefreshTokenTTL = d })},
		{"TASKAPI_SESSION_MAX_AGE", "session-max-age", "2160h", "a session ends this long after login, however often refreshed", durationSetting(func(c *Config, d time.Duration) { c.SessionMaxAge = d })},
		{"TASKAPI_VERIFY_TOKEN_TTL", "verify-token-ttl", "24h", "lifetime of email verification tokens", durationSetting(func(c *Config, d time.Duration) { c.VerifyTokenTTL = d })},
		{"TASKAPI_RESET_TOKEN_TTL", "reset-token-ttl", "1h", "lifetime of password reset tokens", durationSetting(func(c *Config, d time.Duration) { c.ResetTokenTTL = d })},
		{"TASKAPI_REQUEST_TIMEOUT", "request-timeout", "15s", "deadline of one request", durationSetting(func(c *Config, d time.Duration) { c.RequestTimeout = d })},
		{"TASKAPI_SHUTDOWN_TIMEOUT", "shutdown-timeout", "20s", "how long in-flight requests may drain on shutdown", durationSetting(func(c *Config, d time.Duration) { c.ShutdownTimeout = d })},
		{"TASKAPI_MAX_BODY_BYTES", "max-body-bytes", "1048576", "largest request body accepted", applyMaxBody},
		{"TASKAPI_MAX_CONNS", "max-conns", "2000", "client connections held at once; at the cap the longest idle one is closed for a new one", applyMaxConns},
		{"TASKAPI_IDLE_TIMEOUT", "idle-timeout", "30s", "how long an idle keep-alive connection is kept", durationSetting(func(c *Config, d time.Duration) { c.IdleTimeout = d })},
		{"TASKAPI_TRUSTED_PROXIES", "trusted-proxies", "", "comma-separated CIDRs whose X-Forwarded-For is believed", applyTrustedProxies},
		{"TASKAPI_HSTS", "hsts", "off", "on to send Strict-Transport-Security", boolSetting(func(c *Config, b bool) { c.HSTS = b })},
		{"TASKAPI_CORS_ORIGINS", "cors-origins", "", "comma-separated origins allowed by CORS (empty: CORS off)", applyCORSOrigins},
		{"TASKAPI_METRICS_TOKEN", "", "", "bearer token that GET /metrics requires (empty: /metrics is open)", applyMetricsToken},
		{"TASKAPI_SEARCH_TIMEOUT", "search-timeout", "2s", "longest a task search may run before it is stopped", durationSetting(func(c *Config, d time.Duration) { c.SearchTimeout = d })},
		{"TASKAPI_SEARCHES_PER_USER", "searches-per-user", "2", "task searches one user may run at once (per instance)", intSetting(1, 1000, func(c *Config, n int) { c.SearchesPerUser = n })},
		{"TASKAPI_MAX_TASKS_PER_USER", "max-tasks-per-user", "50000", "tasks one account may keep (403 beyond)", intSetting(1, 100_000_000, func(c *Config, n int) { c.MaxTasksPerUser = n })},
		{"TASKAPI_MAX_CATEGORIES_PER_USER", "max-categories-per-user", "1000", "categories one account may keep (403 beyond)", intSetting(1, 1_000_000, func(c *Config, n int) { c.MaxCategoriesPerUser = n })},
		{"TASKAPI_WEBHOOK_ALLOW_HTTP", "webhook-allow-http", "off", "on to accept http:// webhook URLs (https only otherwise)", boolSetting(func(c *Config, b bool) { c.WebhookAllowHTTP = b })},
		{"TASKAPI_WEBHOOK_ALLOW_PRIVATE", "webhook-allow-private", "off", "on to let webhooks reach loopback and private addresses (receivers on your own network)", boolSetting(func(c *Config, b bool) { c.WebhookAllowPrivate = b })},
		{"TASKAPI_CHANGES_RETENTION", "changes-retention", "720h", "how long the change feed (sync, activity) keeps its records; an older sync cursor gets 410", durationSetting(func(c *Config, d time.Duration) { c.ChangesRetention = d })},
		{"TASKAPI_DEV", "dev", "off", "on to allow the public development JWT key on an address that is not loopback (never in production)", boolSetting(func(c *Config, b bool) { c.Dev = b })},
		{"TASKAPI_PPROF_ADDR", "pprof-addr", "", "loopback host:port serving net/http/pprof for profiling (empty: off)", applyPprofAddr},
	}
}

// Load reads the settings from getenv and args (flags only; the subcommand
// has already been taken off). Flags win over variables. A problem is
// returned as *Error; flag.ErrHelp when -h was asked for.
func Load(getenv func(string) string, args []string, output io.Writer) (*Config, error) {
	fs := flag.NewFlagSet("taskapi", flag.ContinueOnError)
	fs.SetOutput(output)
	all := settings()
	values := make([]*string, len(all))
	for i, s := range all {
		def := s.def
		v, ok, err := lookupSecret(getenv, s.env)
		if err != nil {
			return nil, &Error{Setting: s.env + "_FILE", Problem: err.Error()}
		}
		if ok {
			def = v
		}
		if s.flag == "" {
			// A secret: from the environment or a file only, never a
			// flag, which anyone on the machine reads in ps.
			values[i] = &def
			continue
		}
		values[i] = fs.String(s.flag, def, s.usage+" ($"+s.env+")")
	}
	noMigrate := fs.Bool("no-migrate", false, "serve: do not apply pending migrations first")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, err
		}
		return nil, &Error{Setting: "command line", Problem: err.Error()}
	}
	if fs.NArg() > 0 {
		return nil, &Error{Setting: "command line", Problem: fmt.Sprintf("unexpected argument %q", fs.Arg(0))}
	}
	var flagErr error
	fs.Visit(func(f *flag.Flag) {
		if f.Name == "database-url" && carriesPassword(f.Value.String()) {
			flagErr = &Error{Setting: "--database-url", Problem: "a URL with a password shows in ps and /proc: " +
				"give it in TASKAPI_DATABASE_URL or TASKAPI_DATABASE_URL_FILE instead"}
		}
	})
	if flagErr != nil {
		return nil, flagErr
	}
	c := &Config{NoMigrate: *noMigrate}
	for i, s := range all {
		if err := s.apply(c, strings.TrimSpace(*values[i])); err != nil {
			name := s.env
			if s.flag != "" {
				name += " (--" + s.flag + ")"
			}
			return nil, &Error{Setting: name, Problem: err.Error()}
		}
	}
	if c.JWTSecretIsDev && !c.Dev && !loopback(c.Addr) {
		return nil, &Error{Setting: "TASKAPI_JWT_SECRET", Problem: "not set, and " + c.Addr + " is not a loopback address: " +
			"anyone could sign tokens with the public development key. Set it (32 bytes or more), or TASKAPI_DEV=on for a development server"}
	}
	if c.BaseURL == "" {
		c.BaseURL = "http://" + c.Addr
	}
	if c.MailFrom == "" {
		host := "localhost"
		if u, err := url.Parse(c.BaseURL); err == nil && u.Hostname() != "" && strings.Contains(u.Hostname(), ".") {
			host = u.Hostname()
		}
		c.MailFrom = "taskapi <no-reply@" + host + ">"
	}
	return c, nil
}
