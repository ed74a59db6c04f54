// Package configtest gives tests the configuration a test server runs with.
package configtest

import (
	"io"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"github.com/taskapi/taskapi/internal/config"
)

// JWTSecret signs the access tokens of test servers.
const JWTSecret = "test-secret-that-is-long-enough-0123456789"

// Load is the defaults with JWTSecret, rate limits off and the cheapest
// bcrypt cost. The cost is set on the struct because no setting accepts a
// cost below 10.
func Load(t testing.TB) *config.Config {
	t.Helper()
	cfg, err := config.Load(func(name string) string {
		if name == "TASKAPI_JWT_SECRET" {
			return JWTSecret
		}
		return ""
	}, []string{"--rate-limit", "off"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	cfg.BcryptCost = bcrypt.MinCost
	return cfg
}
