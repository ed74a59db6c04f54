// Package config reads taskapi's settings from the environment and from
// command-line flags of the same meaning (a flag wins over its variable) and
// validates them, so that a bad setting stops the program before it starts.
package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/mail"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
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
	BcryptCost             int
	LogLevel               string
	LogFormat              string
	NoMigrate              bool

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

// lookupSecret reads a setting from its variable or, when that is unset,
// from the file its NAME_FILE variable names (as Docker and Kubernetes
// secrets are mounted), without the file's final line break.
func lookupSecret(getenv func(string) string, name string) (string, bool, error) {
	if v, ok := lookup(getenv, name); ok {
		return v, true, nil
	}
	path, ok := lookup(getenv, name+"_FILE")
	if !ok {
		return "", false, nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return "", false, fmt.Errorf("cannot read %q: %v", path, errors.Unwrap(err))
	}
	return strings.TrimRight(string(b), "\r\n"), true, nil
}

// loopback reports whether addr (host:port) listens on loopback only.
func loopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.IsLoopback()
}

// lookup treats an empty variable as unset, as shells and compose files
// often export empty values.
func lookup(getenv func(string) string, name string) (string, bool) {
	v := getenv(name)
	return v, v != ""
}

func applyAddr(c *Config, v string) error {
	host, port, err := net.SplitHostPort(v)
	if err != nil {
		return fmt.Errorf("%q is not host:port", v)
	}
	p, err := strconv.Atoi(port)
	if err != nil || p < 0 || p > 65535 {
		return fmt.Errorf("%q has no valid port", v)
	}
	if strings.ContainsAny(host, " /") {
		return fmt.Errorf("%q has no valid host", v)
	}
	c.Addr = v
	return nil
}

func applyDatabaseURL(c *Config, v string) error {
	c.DatabaseURL = v
	switch {
	case strings.HasPrefix(v, "sqlite:"):
		path := strings.TrimPrefix(strings.TrimPrefix(v, "sqlite:"), "//")
		if i := strings.IndexByte(path, '?'); i >= 0 {
			return fmt.Errorf("sqlite URL takes a path only, without options")
		}
		if path == "" {
			return fmt.Errorf("sqlite URL needs a path, as in sqlite:taskapi.db")
		}
		if path == ":memory:" {
			return fmt.Errorf("an in-memory database would lose every write on restart; give a file path")
		}
		if err := checkWritableDir(filepath.Dir(path)); err != nil {
			return err
		}
		c.Engine, c.SQLitePath = SQLite, path
	case strings.HasPrefix(v, "postgres://"), strings.HasPrefix(v, "postgresql://"):
		u, err := url.Parse(v)
		if err != nil {
			return fmt.Errorf("not a valid URL")
		}
		if u.Host == "" && u.Query().Get("host") == "" {
			return fmt.Errorf("postgres URL needs a host")
		}
		c.Engine = Postgres
	default:
		return fmt.Errorf("unknown scheme; use sqlite:PATH or postgres://user@host/db")
	}
	return nil
}

func checkWritableDir(dir string) error {
	st, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("folder %q is not readable: %v", dir, errors.Unwrap(err))
	}
	if !st.IsDir() {
		return fmt.Errorf("%q is not a folder", dir)
	}
	return nil
}

func applyJWTSecret(c *Config, v string) error {
	if v == "" {
		c.JWTSecret, c.JWTSecretIsDev = DevJWTSecret, true
		return nil
	}
	if len(v) < 32 {
		return fmt.Errorf("must be at least 32 bytes long")
	}
	c.JWTSecret = v
	return nil
}

func applySMTPURL(c *Config, v string) error {
	if v == "" {
		return nil
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "smtp" && u.Scheme != "smtps") || u.Hostname() == "" {
		return fmt.Errorf("must look like smtp://user:pass@host:port")
	}
	// STARTTLS is mandatory for smtp://; tls=none (plain text) is the one
	// option, for a local mail catcher, and never with credentials, which
	// would cross the network in the clear.
	switch u.RawQuery {
	case "":
	case "tls=none":
		if u.Scheme != "smtp" || u.User != nil {
			return fmt.Errorf("tls=none goes with smtp:// and no credentials only")
		}
	default:
		return fmt.Errorf("the only option is ?tls=none (plain text, for a local mail catcher)")
	}
	c.SMTPURL = v
	return nil
}

func applyMailFrom(c *Config, v string) error {
	if v == "" {
		return nil
	}
	if _, err := mail.ParseAddress(v); err != nil {
		return fmt.Errorf("%q is not an address such as taskapi <no-reply@example.com>", v)
	}
	c.MailFrom = v
	return nil
}

func applyBaseURL(c *Config, v string) error {
	if v == "" {
		return nil
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("must be an absolute http(s) URL")
	}
	c.BaseURL = strings.TrimRight(v, "/")
	return nil
}

func applyRedisURL(c *Config, v string) error {
	if v == "" {
		return nil
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "redis" && u.Scheme != "rediss") || u.Host == "" {
		return fmt.Errorf("must look like redis://host:6379/0")
	}
	c.RedisURL = v
	return nil
}

func boolSetting(set func(*Config, bool)) func(*Config, string) error {
	return func(c *Config, v string) error {
		switch strings.ToLower(v) {
		case "on", "true", "1", "yes":
			set(c, true)
		case "off", "false", "0", "no":
			set(c, false)
		default:
			return fmt.Errorf("%q is neither on nor off", v)
		}
		return nil
	}
}

func limitSetting(set func(*Config, ratelimit.Limit)) func(*Config, string) error {
	return func(c *Config, v string) error {
		l, err := ratelimit.ParseLimit(v)
		if err != nil {
			return err
		}
		set(c, l)
		return nil
	}
}

func durationSetting(set func(*Config, time.Duration)) func(*Config, string) error {
	return func(c *Config, v string) error {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return fmt.Errorf("%q is not a positive duration such as 15m or 24h", v)
		}
		set(c, d)
		return nil
	}
}

func intSetting(lo, hi int, set func(*Config, int)) func(*Config, string) error {
	return func(c *Config, v string) error {
		n, err := strconv.Atoi(v)
		if err != nil || n < lo || n > hi {
			return fmt.Errorf("%q must be a whole number from %d to %d", v, lo, hi)
		}
		set(c, n)
		return nil
	}
}

// MinBcryptCost is the lowest bcrypt cost a configuration accepts. There
// is no exception for tests: a setting that tests may lower is a setting
// production may lower by mistake. Tests that build a server in process set
// Config.BcryptCost directly; those that start a process use this cost.
const MinBcryptCost = 10

func applyBcryptCost(c *Config, v string) error {
	n, err := strconv.Atoi(v)
	if err != nil || n < MinBcryptCost || n > 31 {
		return fmt.Errorf("%q must be a whole number from 10 to 31", v)
	}
	c.BcryptCost = n
	return nil
}

func applyLogLevel(c *Config, v string) error {
	switch strings.ToLower(v) {
	case "debug", "info", "warn", "error":
		c.LogLevel = strings.ToLower(v)
		return nil
	}
	return fmt.Errorf("%q is not one of debug, info, warn, error", v)
}

func applyLogFormat(c *Config, v string) error {
	switch strings.ToLower(v) {
	case "json", "text":
		c.LogFormat = strings.ToLower(v)
		return nil
	}
	return fmt.Errorf("%q is not one of json, text", v)
}

func applyMaxBody(c *Config, v string) error {
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 1024 || n > 64<<20 {
		return fmt.Errorf("%q must be a byte count from 1024 to 67108864", v)
	}
	c.MaxBodyBytes = n
	return nil
}

func applyMaxConns(c *Config, v string) error {
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 1_000_000 {
		return fmt.Errorf("%q must be a whole number from 1 to 1000000", v)
	}
	c.MaxConns = n
	return nil
}

func applyTrustedProxies(c *Config, v string) error {
	for _, part := range splitList(v) {
		p, err := netip.ParsePrefix(part)
		if err != nil {
			a, aerr := netip.ParseAddr(part)
			if aerr != nil {
				return fmt.Errorf("%q is not a CIDR such as 10.0.0.0/8", part)
			}
			p = netip.PrefixFrom(a, a.BitLen())
		}
		c.TrustedProxies = append(c.TrustedProxies, p.Masked())
	}
	return nil
}

func applyCORSOrigins(c *Config, v string) error {
	for _, part := range splitList(v) {
		if part == "*" {
			c.CORSOrigins = append(c.CORSOrigins, part)
			continue
		}
		u, err := url.Parse(part)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") {
			return fmt.Errorf("%q is not an origin such as https://app.example.com", part)
		}
		c.CORSOrigins = append(c.CORSOrigins, strings.TrimRight(part, "/"))
	}
	return nil
}

// MinMetricsTokenLen is the shortest metrics token accepted.
const MinMetricsTokenLen = 16

func applyMetricsToken(c *Config, v string) error {
	if v == "" {
		return nil
	}
	if len(v) < MinMetricsTokenLen || len(v) > 512 {
		return fmt.Errorf("must be %d to 512 characters long, e.g. from openssl rand -hex 32", MinMetricsTokenLen)
	}
	for i := 0; i < len(v); i++ {
		// It travels in a header: visible ASCII only, no spaces.
		if v[i] < 0x21 || v[i] > 0x7e {
			return fmt.Errorf("must be visible ASCII characters without spaces")
		}
	}
	c.MetricsToken = v
	return nil
}

// applyPprofAddr accepts only a loopback address: profiles reveal memory
// contents and the profiler costs CPU, so they must never be reachable from
// another machine.
func applyPprofAddr(c *Config, v string) error {
	if v == "" {
		return nil
	}
	host, port, err := net.SplitHostPort(v)
	if err != nil {
		return fmt.Errorf("%q is not host:port", v)
	}
	if p, err := strconv.Atoi(port); err != nil || p < 0 || p > 65535 {
		return fmt.Errorf("%q has no valid port", v)
	}
	if host != "localhost" {
		a, err := netip.ParseAddr(host)
		if err != nil || !a.IsLoopback() {
			return fmt.Errorf("%q must be a loopback address such as 127.0.0.1:6060", v)
		}
	}
	c.PprofAddr = v
	return nil
}

func splitList(v string) []string {
	var out []string
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
