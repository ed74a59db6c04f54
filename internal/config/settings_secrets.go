// Secrets among the settings: read from the environment or a mounted file,
// never from a flag, and checked for strength.
package config

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
)

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

// carriesPassword reports whether a database URL holds a password, in
// its user information or as a password parameter.
func carriesPassword(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil {
		return strings.Contains(raw, "@")
	}
	_, set := u.User.Password()
	return set || u.Query().Has("password")
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
