package httpapi_test

import (
	"net/http"
	"strings"
	"testing"
)

func TestAccessTokenGuardsSecuredRoutes(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		alice := e.newUser(t, "alice")
		for name, token := range map[string]string{
			"no token":      "",
			"garbage token": "not-a-jwt",
			"tampered":      alice.Token[:len(alice.Token)-2] + "xx",
		} {
			t.Run(name, func(t *testing.T) {
				r := e.get(t, "/api/v1/users/me", token)
				r.wantProblem(t, http.StatusUnauthorized)
				if !strings.HasPrefix(r.Header.Get("WWW-Authenticate"), "Bearer") {
					t.Errorf("WWW-Authenticate = %q", r.Header.Get("WWW-Authenticate"))
				}
			})
		}
		r := e.get(t, "/api/v1/users/me", alice.Token).want(t, http.StatusOK)
		var me struct {
			ID, Username, Email string
			PasswordHash        *string `json:"password_hash"`
		}
		r.decode(t, &me)
		if me.ID != alice.User.ID.String() || me.Username != "alice" || me.Email != "alice@example.com" {
			t.Errorf("me = %+v", me)
		}
		if strings.Contains(string(r.Body), "hash") {
			t.Errorf("user body mentions a hash: %s", r.Body)
		}
	})
}
