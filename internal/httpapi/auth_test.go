package httpapi_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/emersion/go-smtp"
	"github.com/google/go-cmp/cmp"
	"golang.org/x/crypto/bcrypt"

	"github.com/taskapi/taskapi"
	"github.com/taskapi/taskapi/internal/auth"
	"github.com/taskapi/taskapi/internal/config"
	"github.com/taskapi/taskapi/internal/store/storetest"
	"github.com/taskapi/taskapi/internal/testkit"
)

func TestRegisterVerifyAndLogin(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		r := e.post(t, "/api/v1/auth/register", "", map[string]any{
			"email": "  Ada@Example.COM ", "username": "ada", "password": strongPassword, "full_name": "Ada Lovelace",
		}).want(t, http.StatusCreated)
		var u userJSON
		r.decode(t, &u)
		want := userJSON{ID: u.ID, Email: "ada@example.com", Username: "ada", FullName: ptr("Ada Lovelace"), IsActive: true}
		if diff := cmp.Diff(want, u); diff != "" {
			t.Errorf("registered user (-want +got):\n%s", diff)
		}
		if strings.Contains(string(r.Body), "hash") || strings.Contains(string(r.Body), strongPassword) {
			t.Errorf("registration answer reveals a secret: %s", r.Body)
		}

		// The verification email went over SMTP, with the link in both parts.
		m := e.Mail.Wait(t, "ada@example.com", "Confirm your email", 0)
		token := m.Token(t)
		if !strings.Contains(m.Text, e.Config.BaseURL+"/verify-email?token="+token) {
			t.Errorf("link is not under the base URL:\n%s", m.Text)
		}
		if !strings.Contains(m.From, "no-reply@") {
			t.Errorf("from = %q", m.From)
		}

		// An unverified account may log in; the login may be the email in any case.
		tk := e.login(t, "ADA@example.com", strongPassword)
		e.wantLive(t, tk.AccessToken)

		r = e.post(t, "/api/v1/auth/verify-email", "", map[string]string{"token": token}).want(t, http.StatusOK)
		r.decode(t, &u)
		if !u.IsVerified {
			t.Errorf("after verification: %+v", u)
		}
		// A token works once.
		p := e.post(t, "/api/v1/auth/verify-email", "", map[string]string{"token": token}).wantProblem(t, http.StatusBadRequest)
		if !strings.Contains(p.Detail, "already used or expired") {
			t.Errorf("reused token: %+v", p)
		}
		e.post(t, "/api/v1/auth/verify-email", "", map[string]string{"token": "made-up"}).wantProblem(t, http.StatusBadRequest)
	})
}

func TestRegistrationRules(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		e.signUp(t, "taken", strongPassword)
		long := strings.Repeat("x", 129)
		tests := []struct {
			name   string
			body   map[string]any
			status int
			field  string
		}{
			{"bad email", map[string]any{"email": "not-an-email", "username": "bob", "password": strongPassword}, 422, "body.email"},
			{"short username", map[string]any{"email": "bob@example.com", "username": "bo", "password": strongPassword}, 422, "body.username"},
			{"username with space", map[string]any{"email": "bob@example.com", "username": "bo b", "password": strongPassword}, 422, "body.username"},
			{"short password", map[string]any{"email": "bob@example.com", "username": "bob", "password": "Ab1!xyz"}, 422, "body.password"},
			{"long password", map[string]any{"email": "bob@example.com", "username": "bob", "password": long}, 422, "body.password"},
			{"common password", map[string]any{"email": "bob@example.com", "username": "bob", "password": "password123"}, 422, "body.password"},
			{"keyboard walk", map[string]any{"email": "bob@example.com", "username": "bob", "password": "qwertyuiop"}, 422, "body.password"},
			{"built from the username", map[string]any{"email": "bob@example.com", "username": "robertson", "password": "robertson1"}, 422, "body.password"},
			{"built from the email", map[string]any{"email": "zanzibar@example.com", "username": "bob", "password": "zanzibar@example.com"}, 422, "body.password"},
			{"read-only field", map[string]any{"email": "bob@example.com", "username": "bob", "password": strongPassword, "is_superuser": true}, 422, "body.is_superuser"},
			{"duplicate email, other case", map[string]any{"email": "TAKEN@example.com", "username": "other", "password": strongPassword}, 409, ""},
			{"duplicate username, other case", map[string]any{"email": "other@example.com", "username": "Taken", "password": strongPassword}, 409, ""},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				p := e.post(t, "/api/v1/auth/register", "", tt.body).wantProblem(t, tt.status)
				if tt.field == "" {
					return
				}
				found := false
				for _, d := range p.Errors {
					found = found || d.Location == tt.field
					if d.Value != nil && strings.Contains(tt.field, "password") {
						t.Errorf("the password is echoed: %+v", d)
					}
				}
				if !found {
					t.Errorf("no error at %s: %+v", tt.field, p)
				}
			})
		}
		// Nothing was created by the refused attempts.
		e.post(t, "/api/v1/auth/login", "", map[string]any{"username": "bob", "password": strongPassword}).wantProblem(t, http.StatusUnauthorized)
	})
}

// bcrypt alone reads only 72 bytes; every character of a long password
// must still count.
func TestEveryPasswordCharacterCounts(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		pw := strings.Repeat("ünïcödé-", 12) + "tail-A" // 104 characters, > 72 bytes before the tail
		e.signUp(t, "longpw", pw)
		e.login(t, "longpw", pw)
		e.post(t, "/api/v1/auth/login", "", map[string]any{"username": "longpw", "password": pw[:len(pw)-1] + "B"}).
			wantProblem(t, http.StatusUnauthorized)
	})
}

func TestLoginFailuresLookAlike(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		e.signUp(t, "carol", strongPassword)
		unknown := e.post(t, "/api/v1/auth/login", "", map[string]any{"username": "nobody", "password": strongPassword}).
			wantProblem(t, http.StatusUnauthorized)
		wrong := e.post(t, "/api/v1/auth/login", "", map[string]any{"username": "carol", "password": strongPassword + "x"}).
			wantProblem(t, http.StatusUnauthorized)
		if diff := cmp.Diff(wrong, unknown); diff != "" {
			t.Errorf("unknown user differs from wrong password (-wrong +unknown):\n%s", diff)
		}
		// A disabled account: 403, but only for the right password.
		root := e.newAdmin(t, "root")
		cred, err := e.Store.Credentials(context.Background(), "carol")
		if err != nil {
			t.Fatal(err)
		}
		carol := cred.User
		e.do(t, request{Method: http.MethodPatch, Path: "/api/v1/admin/users/" + carol.ID.String(), Token: root.Token,
			Body: map[string]any{"is_active": false}}).want(t, http.StatusOK)
		e.post(t, "/api/v1/auth/login", "", map[string]any{"username": "carol", "password": strongPassword}).wantProblem(t, http.StatusForbidden)
		e.post(t, "/api/v1/auth/login", "", map[string]any{"username": "carol", "password": "wrong-password-1"}).wantProblem(t, http.StatusUnauthorized)
	})
}

func TestLoginWithOAuth2Form(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		e.signUp(t, "dave", strongPassword)
		r := e.postForm(t, "/api/v1/auth/login", url.Values{
			"grant_type": {"password"}, "username": {"dave@example.com"}, "password": {strongPassword},
			"scope": {""}, "client_id": {"swagger"}, "client_secret": {"ignored"},
		}).want(t, http.StatusOK)
		var tk tokens
		r.decode(t, &tk)
		want := tokens{AccessToken: tk.AccessToken, RefreshToken: tk.RefreshToken, TokenType: "bearer", ExpiresIn: int(e.Config.AccessTokenTTL.Seconds())}
		if diff := cmp.Diff(want, tk); diff != "" || tk.AccessToken == "" || tk.RefreshToken == "" {
			t.Errorf("form login answer %s (-want +got):\n%s", r.Body, diff)
		}
		cache := map[string]string{"Cache-Control": r.Header.Get("Cache-Control"), "Pragma": r.Header.Get("Pragma")}
		if diff := cmp.Diff(map[string]string{"Cache-Control": "no-store", "Pragma": "no-cache"}, cache); diff != "" {
			t.Errorf("token answer may be cached (-want +got):\n%s", diff)
		}
		e.wantLive(t, tk.AccessToken)
		e.postForm(t, "/api/v1/auth/login", url.Values{"username": {"dave"}, "password": {"nope-nope-nope"}}).wantProblem(t, http.StatusUnauthorized)
		e.postForm(t, "/api/v1/auth/login", url.Values{"grant_type": {"client_credentials"}, "username": {"dave"}, "password": {strongPassword}}).
			wantProblem(t, http.StatusUnprocessableEntity)
	})
}

// Existing hashes of a lower cost are replaced at the next login.
func TestBcryptCostUpgradedOnLogin(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(engine.Name, func(t *testing.T) {
			e := newEnv(t, engine, func(c *config.Config) { c.BcryptCost = 5 })
			old, err := auth.NewPasswords(4)
			if err != nil {
				t.Fatal(err)
			}
			hash, err := old.Hash(strongPassword)
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			u, err := e.Store.CreateUser(ctx, taskapi.User{Email: "erin@example.com", Username: "erin", IsActive: true}, hash)
			if err != nil {
				t.Fatal(err)
			}
			e.login(t, "erin", strongPassword)
			got, err := e.Store.PasswordHash(ctx, u.ID)
			if err != nil {
				t.Fatal(err)
			}
			if cost, _ := bcrypt.Cost([]byte(got)); cost != 5 {
				t.Errorf("cost after login = %d, want 5", cost)
			}
			e.login(t, "erin", strongPassword)
		})
	}
}

// Email survives an SMTP outage: the worker retries with backoff.
func TestEmailRetriedThroughSMTPOutage(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		e.Mail.Fail(2, &smtp.SMTPError{Code: 451, Message: "try again later"})
		e.signUp(t, "frank", strongPassword)
		m := e.Mail.Wait(t, "frank@example.com", "Confirm your email", 0)
		m.Token(t)
		if e.Mail.Attempts() < 3 {
			t.Errorf("attempts = %d, want at least 3", e.Mail.Attempts())
		}
		testkit.WaitFor(t, "the outbox to record three attempts and the delivery", func() bool {
			st, err := e.Store.OutboxStatus(context.Background(), 10)
			return err == nil && len(st) == 1 && st[0].Sent && st[0].Attempts == 3
		})
	})
}

// Failed password checks are counted per account: past the limit even the
// right password is not tried, and a success clears the count. A locked
// login answers exactly as a wrong password does, so the lock-out tells
// neither that an account exists nor which email goes with a username.
func TestFailedPasswordChecksAreLimitedPerAccount(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(engine.Name, func(t *testing.T) {
			e := newEnv(t, engine, failureLimit(3))
			e.signUp(t, "wendy", strongPassword)
			e.signUp(t, "xavier", strongPassword)
			wrong := map[string]any{"username": "wendy", "password": "not-her-password"}
			e.post(t, "/api/v1/auth/login", "", wrong).wantProblem(t, http.StatusUnauthorized)
			e.login(t, "wendy", strongPassword) // a success clears the count
			for range 3 {
				e.post(t, "/api/v1/auth/login", "", wrong).wantProblem(t, http.StatusUnauthorized)
			}
			// Username or email, the same account, locked: the answer is a
			// wrong password's, as for a name nobody has.
			e.wantWrongPassword(t, "Wendy@example.com", strongPassword)
			e.wantWrongPassword(t, "wendy", strongPassword)
			for range 4 {
				e.wantWrongPassword(t, "nobody", "not-her-password")
			}
			e.wantWrongPassword(t, "nobody@example.com", "not-her-password")
			// Another account is not affected.
			x := e.login(t, "xavier", strongPassword)
			// The current password of change-password counts the same way,
			// against the same budget as logins.
			e.post(t, "/api/v1/auth/login", "", map[string]any{"username": "xavier", "password": "nope-nope-nope"}).
				wantProblem(t, http.StatusUnauthorized)
			for range 2 {
				e.post(t, "/api/v1/auth/change-password", x.AccessToken,
					map[string]string{"current_password": "guess-guess-guess", "new_password": "granite-Otter-77-maple"}).
					wantProblem(t, http.StatusForbidden)
			}
			e.post(t, "/api/v1/auth/change-password", x.AccessToken,
				map[string]string{"current_password": strongPassword, "new_password": "granite-Otter-77-maple"}).
				wantProblem(t, http.StatusTooManyRequests)
		})
	}
}
