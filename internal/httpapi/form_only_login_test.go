package httpapi_test

import (
	"net/http"
	"net/url"
	"testing"
)

// A form body is accepted by login only (OAuth2 clients); elsewhere it is
// 415, so no cross-site form can register, ask for a reset or resend a
// verification in a visitor's name.
func TestFormBodiesOnlyForLogin(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		e.postForm(t, "/api/v1/auth/register", url.Values{
			"email": {"form@example.com"}, "username": {"former"}, "password": {strongPassword},
		}).wantProblem(t, http.StatusUnsupportedMediaType)
		e.postForm(t, "/api/v1/auth/forgot-password", url.Values{"email": {"form@example.com"}}).
			wantProblem(t, http.StatusUnsupportedMediaType)
		e.postForm(t, "/api/v1/auth/resend-verification", url.Values{"email": {"form@example.com"}}).
			wantProblem(t, http.StatusUnsupportedMediaType)
		e.postForm(t, "/api/v1/auth/login", url.Values{"username": {"nobody"}, "password": {"wrong-wrong"}}).
			wantProblem(t, http.StatusUnauthorized)
	})
}
