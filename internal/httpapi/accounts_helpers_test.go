package httpapi_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"github.com/taskapi/taskapi/internal/store"
)

// strongPassword passes the password policy and is unrelated to any test
// user's name.
const strongPassword = "violet-Mango-42-ladder"

// tokens is a login or refresh answer.
type tokens struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int    `json:"expires_in"`
}

// userJSON is a user as the API shows it.
type userJSON struct {
	ID          string  `json:"id"`
	Email       string  `json:"email"`
	Username    string  `json:"username"`
	FullName    *string `json:"full_name"`
	IsActive    bool    `json:"is_active"`
	IsVerified  bool    `json:"is_verified"`
	IsSuperuser bool    `json:"is_superuser"`
}

// signUp registers username (email username@example.com) through the API
// and returns the new user.
func (e *env) signUp(t testing.TB, username, password string) userJSON {
	t.Helper()
	r := e.do(t, request{Method: http.MethodPost, Path: "/api/v1/auth/register", Body: map[string]any{
		"email": username + "@example.com", "username": username, "password": password,
	}}).want(t, http.StatusCreated)
	var u userJSON
	r.decode(t, &u)
	return u
}

// newAdmin makes a superuser with a live session, straight in the store.
func (e *env) newAdmin(t testing.TB, username string) testUser {
	t.Helper()
	u := e.newUser(t, username)
	yes := true
	var err error
	if u.User, err = e.Store.UpdateUser(context.Background(), u.User.ID, store.UserChanges{IsSuperuser: &yes}, nil); err != nil {
		t.Fatal(err)
	}
	return u
}

// login logs in with JSON and returns the pair.
func (e *env) login(t testing.TB, login, password string) tokens {
	t.Helper()
	return e.loginAs(t, login, password, "test-agent")
}

// loginAs logs in from a device with the given User-Agent.
func (e *env) loginAs(t testing.TB, login, password, userAgent string) tokens {
	t.Helper()
	r := e.do(t, request{Method: http.MethodPost, Path: "/api/v1/auth/login",
		Body:   map[string]any{"username": login, "password": password},
		Header: http.Header{"User-Agent": {userAgent}}}).want(t, http.StatusOK)
	var tk tokens
	r.decode(t, &tk)
	if tk.AccessToken == "" || tk.RefreshToken == "" || tk.TokenType != "bearer" || tk.ExpiresIn <= 0 {
		t.Fatalf("login answer %s", r.Body)
	}
	return tk
}

// post sends a JSON POST with an optional access token.
func (e *env) post(t testing.TB, path, token string, body any) *response {
	t.Helper()
	return e.do(t, request{Method: http.MethodPost, Path: path, Token: token, Body: body})
}

// postForm sends a URL-encoded form.
func (e *env) postForm(t testing.TB, path string, form url.Values) *response {
	t.Helper()
	return e.do(t, request{Method: http.MethodPost, Path: path, Body: form.Encode(),
		Header: http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}})
}

// wantLive checks that an access token is honoured, wantDead that it is
// refused.
func (e *env) wantLive(t testing.TB, token string) {
	t.Helper()
	e.get(t, "/api/v1/users/me", token).want(t, http.StatusOK)
}

func (e *env) wantDead(t testing.TB, token string) {
	t.Helper()
	e.get(t, "/api/v1/users/me", token).wantProblem(t, http.StatusUnauthorized)
}
