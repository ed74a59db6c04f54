package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// The Access tokens page: a token made by the form is shown once, works
// on the API, is listed without its secret and revoked by the form; a
// form without a scope or a name keeps what was typed and says why.
func TestTokensPage(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		b := e.browser(t)
		b.signup("tokia")
		want(t, b.get("/settings"), http.StatusOK, "Access tokens", `href="/settings/tokens"`, "Access tokens keep working")
		want(t, b.get("/settings/tokens"), http.StatusOK, "No tokens yet", "See your tasks", `value="tasks:read"`, `value="30" checked`)

		// Refused forms keep what was typed.
		want(t, b.post("/settings/tokens", url.Values{"name": {"backup"}, "expires": {"7"}}), http.StatusUnprocessableEntity,
			"Choose at least one thing the token may do.", `value="backup"`, `value="7" checked`)
		want(t, b.post("/settings/tokens", url.Values{"name": {"  "}, "scopes": {"tasks:read"}}), http.StatusUnprocessableEntity,
			"Must be 1 to 100 characters", `value="tasks:read" checked`)
		want(t, b.post("/settings/tokens", url.Values{"name": {"x"}, "scopes": {"tasks:read"}, "expires": {"1000"}}), http.StatusUnprocessableEntity,
			"Choose when the token expires.")

		made := b.post("/settings/tokens", url.Values{"name": {"backup"}, "scopes": {"tasks:read", "tasks:write"}, "expires": {"never"}})
		want(t, made, http.StatusOK, "Copy your new token now", "You won’t be able to see it again.", "It never expires.")
		if cc := made.Header.Get("Cache-Control"); cc != "no-store" {
			t.Errorf("Cache-Control %q on the page with the secret", cc)
		}
		secret := regexp.MustCompile(`tapi_[0-9A-Za-z]{43}`).FindString(made.Body)
		if secret == "" {
			t.Fatalf("no secret on the page:\n%s", made.Body)
		}
		req, _ := http.NewRequest(http.MethodGet, e.URL+"/api/v1/tasks", nil)
		req.Header.Set("Authorization", "Bearer "+secret)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			t.Fatalf("the token made on the page gets %d", res.StatusCode)
		}

		list := b.get("/settings/tokens")
		want(t, list, http.StatusOK, "backup", "tasks:read, tasks:write", "Never expires", "Last used")
		if strings.Contains(list.Body, secret) || strings.Contains(list.Body, secret[5+8:]) {
			t.Error("the secret is shown again")
		}
		id := regexp.MustCompile(`action="/settings/tokens/([0-9a-f-]{36})/revoke"`).FindStringSubmatch(list.Body)
		if id == nil {
			t.Fatal("no revoke form")
		}
		// Another account cannot revoke it.
		other := e.browser(t)
		other.signup("mallory")
		want(t, other.post("/settings/tokens/"+id[1]+"/revoke", nil), http.StatusNotFound)
		want(t, b.follow(b.post("/settings/tokens/"+id[1]+"/revoke", nil)), http.StatusOK, "Token “backup” revoked.", "No tokens yet")
		res, err = http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusUnauthorized {
			t.Errorf("a revoked token gets %d", res.StatusCode)
		}
	})
}
