package httpapi_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
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
		want := me
		want.ID, want.Username, want.Email, want.PasswordHash = alice.User.ID.String(), "alice", "alice@example.com", nil
		if diff := cmp.Diff(want, me); diff != "" {
			t.Errorf("me (-want +got):\n%s", diff)
		}
		if strings.Contains(string(r.Body), "hash") {
			t.Errorf("user body mentions a hash: %s", r.Body)
		}
	})
}
