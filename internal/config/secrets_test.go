package config

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Without TASKAPI_JWT_SECRET the server starts only on loopback or with
// TASKAPI_DEV=on: the development key is public.
func TestDevKeyOnlyOnLoopbackOrDev(t *testing.T) {
	for _, tc := range []struct {
		env     map[string]string
		wantErr bool
	}{
		{map[string]string{}, false}, // localhost:8080, as go run ./cmd/taskapi
		{map[string]string{"TASKAPI_ADDR": "127.0.0.1:9000"}, false},
		{map[string]string{"TASKAPI_ADDR": "[::1]:9000"}, false},
		{map[string]string{"TASKAPI_ADDR": "0.0.0.0:8080"}, true},
		{map[string]string{"TASKAPI_ADDR": ":8080"}, true},
		{map[string]string{"TASKAPI_ADDR": "0.0.0.0:8080", "TASKAPI_DEV": "on"}, false},
		{map[string]string{"TASKAPI_ADDR": "0.0.0.0:8080", "TASKAPI_JWT_SECRET": strings.Repeat("k", 32)}, false},
	} {
		c, err := Load(env(tc.env), nil, io.Discard)
		if (err != nil) != tc.wantErr {
			t.Errorf("%v: err %v, want error %v", tc.env, err, tc.wantErr)
		}
		if err != nil && !strings.Contains(err.Error(), "TASKAPI_JWT_SECRET") {
			t.Errorf("%v: %v does not name the setting", tc.env, err)
		}
		if err == nil && tc.env["TASKAPI_JWT_SECRET"] == "" && !c.JWTSecretIsDev {
			t.Errorf("%v: not the development key", tc.env)
		}
	}
}

// Secrets come from the environment or from a file named by NAME_FILE,
// never from a flag (ps shows flags to everyone on the machine).
func TestSecretsFromEnvOrFile(t *testing.T) {
	dir := t.TempDir()
	secret := filepath.Join(dir, "jwt")
	if err := os.WriteFile(secret, []byte(strings.Repeat("s", 40)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := Load(env(map[string]string{"TASKAPI_JWT_SECRET_FILE": secret}), nil, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.JWTSecret != strings.Repeat("s", 40) || c.JWTSecretIsDev {
		t.Errorf("secret from file: %q", c.JWTSecret)
	}
	if _, err := Load(env(map[string]string{"TASKAPI_JWT_SECRET_FILE": filepath.Join(dir, "missing")}), nil, io.Discard); err == nil ||
		!strings.Contains(err.Error(), "TASKAPI_JWT_SECRET_FILE") {
		t.Errorf("missing file: %v", err)
	}
	for _, flag := range []string{"--jwt-secret", "--smtp-url", "--redis-url", "--metrics-token"} {
		if _, err := Load(env(nil), []string{flag, "x"}, io.Discard); err == nil {
			t.Errorf("%s is accepted as a flag", flag)
		}
	}
}

// --database-url stays a flag for SQLite paths and password-less URLs, but
// a password on the command line is refused; the variable may carry one.
func TestDatabaseURLFlagWithoutPassword(t *testing.T) {
	for _, tc := range []struct {
		url     string
		wantErr bool
	}{
		{"sqlite:" + filepath.Join(t.TempDir(), "t.db"), false},
		{"postgres://app@db:5432/taskapi?sslmode=disable", false},
		{"postgres://app:hunter2@db:5432/taskapi", true},
		{"postgres://app@db:5432/taskapi?password=hunter2", true},
	} {
		_, err := Load(env(nil), []string{"--database-url", tc.url}, io.Discard)
		if (err != nil) != tc.wantErr {
			t.Errorf("--database-url %s: err %v, want error %v", tc.url, err, tc.wantErr)
		}
		if err != nil && strings.Contains(err.Error(), "hunter2") {
			t.Errorf("the error repeats the password: %v", err)
		}
	}
	c, err := Load(env(map[string]string{"TASKAPI_DATABASE_URL": "postgres://app:hunter2@db:5432/taskapi"}), nil, io.Discard)
	if err != nil || c.DatabaseURL != "postgres://app:hunter2@db:5432/taskapi" {
		t.Errorf("from the variable: %v", err)
	}
}
