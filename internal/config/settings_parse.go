// Parsing and checking of each setting's value, one apply function per setting.
package config

import (
	"errors"
	"fmt"
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
