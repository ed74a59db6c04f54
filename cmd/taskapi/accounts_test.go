package main

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/taskapi/taskapi"
	"github.com/taskapi/taskapi/internal/auth"
	"github.com/taskapi/taskapi/internal/mail/mailtest"
	"github.com/taskapi/taskapi/internal/store"
	"github.com/taskapi/taskapi/internal/store/storetest"
	"github.com/taskapi/taskapi/internal/testkit"
)

const adminPassword = "violet-Mango-42-ladder"

func TestCreateSuperuser(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(engine.Name, func(t *testing.T) {
			dbURL := engine.NewURL(t)
			env := map[string]string{"TASKAPI_DATABASE_URL": dbURL, "TASKAPI_BCRYPT_COST": "10"}
			cmd := func(stdin string, extraEnv map[string]string, args ...string) (string, error) {
				t.Helper()
				e := map[string]string{}
				for k, v := range env {
					e[k] = v
				}
				for k, v := range extraEnv {
					e[k] = v
				}
				var out, errb bytes.Buffer
				err := run(context.Background(), append([]string{"createsuperuser"}, args...), envOf(e), strings.NewReader(stdin), &out, &errb)
				return out.String(), err
			}
			wantUsage := func(err error, want string) {
				t.Helper()
				var ee *exitError
				if !errors.As(err, &ee) || ee.code != 2 || !strings.Contains(err.Error(), want) {
					t.Errorf("err = %v, want exit code 2 mentioning %q", err, want)
				}
			}
			_, err := cmd("", nil)
			wantUsage(err, "--email")
			_, err = cmd("", nil, "--email", "root@example.com", "--username", "root", "--password", adminPassword)
			wantUsage(err, "no --password")
			_, err = cmd("", nil, "--email", "root@example.com", "--username", "root")
			wantUsage(err, "password")
			_, err = cmd("password123\n", nil, "--email", "root@example.com", "--username", "root")
			wantUsage(err, "too easy to guess")

			// From standard input.
			out, err := cmd(adminPassword+"\n", nil, "--email=Root@Example.com", "--username=root")
			if err != nil || !strings.Contains(out, "created superuser root") {
				t.Fatalf("create: %q %v", out, err)
			}
			st := storetest.Open(t, dbURL)
			checkSuperuser(t, st, "root", adminPassword)

			// An existing account is promoted and keeps its password
			// unless one is given (here through the environment).
			ctx := context.Background()
			pw, _ := auth.NewPasswords(4)
			hash, _ := pw.Hash("granite-Otter-77-maple")
			u, err := st.CreateUser(ctx, taskapi.User{Email: "sam@example.com", Username: "sam", IsActive: false}, hash)
			if err != nil {
				t.Fatal(err)
			}
			out, err = cmd("", nil, "--email", "sam@example.com")
			if err != nil || !strings.Contains(out, "is now an active, verified superuser") {
				t.Fatalf("promote: %q %v", out, err)
			}
			checkSuperuser(t, st, "sam", "granite-Otter-77-maple")
			_, err = cmd("", map[string]string{adminPasswordEnv: adminPassword}, "--email", "sam@example.com", "--username", "other")
			wantUsage(err, "already has the username sam")
			if _, err = cmd("", map[string]string{adminPasswordEnv: adminPassword}, "--email", "sam@example.com"); err != nil {
				t.Fatal(err)
			}
			checkSuperuser(t, st, "sam", adminPassword)
			if got, _ := st.GetUser(ctx, u.ID); !got.IsActive || !got.IsVerified {
				t.Errorf("promoted user %+v", got)
			}
		})
	}
}

func checkSuperuser(t *testing.T, st *store.Store, username, password string) {
	t.Helper()
	c, err := st.Credentials(context.Background(), username)
	if err != nil {
		t.Fatal(err)
	}
	u, hash := c.User, c.PasswordHash
	pw, _ := auth.NewPasswords(4)
	if ok, _ := pw.Check(hash, password); !ok || !u.IsSuperuser || !u.IsActive || !u.IsVerified {
		t.Errorf("%s: superuser=%v active=%v verified=%v password ok=%v", username, u.IsSuperuser, u.IsActive, u.IsVerified, ok)
	}
}

func register(t *testing.T, url, username string) {
	t.Helper()
	body := `{"email":"` + username + `@example.com","username":"` + username + `","password":"` + adminPassword + `"}`
	res, err := http.Post(url+"/api/v1/auth/register", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("register: %d", res.StatusCode)
	}
}

// Without TASKAPI_SMTP_URL the server says so and writes emails to the log,
// so a developer can follow the links.
func TestServeLogsEmailsWithoutSMTP(t *testing.T) {
	url, logs, stop := startServe(t, map[string]string{
		"TASKAPI_DATABASE_URL": "sqlite:" + filepath.Join(t.TempDir(), "x.db"), "TASKAPI_BCRYPT_COST": "10",
		"TASKAPI_BASE_URL": "https://tasks.example.com",
	})
	register(t, url, "ada")
	testkit.WaitFor(t, "the verification link in the log", func() bool {
		return strings.Contains(logs.String(), "https://tasks.example.com/verify-email?token=")
	})
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(logs.String(), "TASKAPI_SMTP_URL is not set") {
		t.Errorf("no warning about emails in the log")
	}
}

// With TASKAPI_SMTP_URL the server's outbox worker sends over SMTP.
func TestServeSendsEmailOverSMTP(t *testing.T) {
	c := mailtest.Start(t, mailtest.Options{})
	url, logs, stop := startServe(t, map[string]string{
		"TASKAPI_DATABASE_URL": "sqlite:" + filepath.Join(t.TempDir(), "x.db"), "TASKAPI_BCRYPT_COST": "10",
		"TASKAPI_SMTP_URL": c.URL("", ""), "TASKAPI_MAIL_FROM": "Tasks <tasks@example.com>",
	})
	register(t, url, "bea")
	m := c.Wait(t, "bea@example.com", "Confirm your email", 0)
	m.Token(t)
	if m.From != "tasks@example.com" {
		t.Errorf("from = %q", m.From)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(logs.String(), "token=") {
		t.Errorf("a token reached the log:\n%s", logs.String())
	}
}
