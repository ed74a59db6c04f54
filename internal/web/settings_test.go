package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/taskapi/taskapi/internal/config"
	"github.com/taskapi/taskapi/internal/ratelimit"
	"github.com/taskapi/taskapi/internal/store/storetest"
)

func TestSettingsPages(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		b := e.browser(t)
		b.signup("ada")
		phone := e.browser(t)
		phone.get("/login")
		phone.post("/login", url.Values{"username": {"ada"}, "password": {"a calm purple otter 42"}})
		want(t, b.get("/settings"), http.StatusOK, "This device", "Sign out everywhere", `value="Europe/Paris"`)

		// Profile: a bad zone is a field error that keeps what was typed.
		want(t, b.post("/settings/profile", url.Values{"username": {"ada"}, "email": {"ada@example.com"}, "timezone": {"Mars/Olympus"}}),
			http.StatusUnprocessableEntity, "IANA time zone", `value="Mars/Olympus"`)
		want(t, b.follow(b.post("/settings/profile", url.Values{"username": {"ada"}, "full_name": {"Ada L."}, "email": {"ada@example.com"},
			"timezone": {"America/New_York"}})), http.StatusOK, "Profile saved.", `value="America/New_York"`, `value="Ada L."`)
		// A new email needs the password.
		want(t, b.post("/settings/profile", url.Values{"username": {"ada"}, "email": {"ada2@example.com"}, "timezone": {"UTC"}}),
			http.StatusUnprocessableEntity, "Is required to change the email")

		// Password: a wrong current one is a field error; a change ends the
		// other sessions and keeps this one.
		want(t, b.post("/settings/password", url.Values{"current_password": {"nope nope nope"}, "new_password": {"another quiet green heron 7"}}),
			http.StatusUnprocessableEntity, "This password is wrong.")
		want(t, b.follow(b.post("/settings/password", url.Values{"current_password": {"a calm purple otter 42"}, "new_password": {"another quiet green heron 7"}})),
			http.StatusOK, "Password changed.")
		if p := phone.get("/today"); p.Status != http.StatusSeeOther {
			t.Errorf("the other session survived a password change: %d", p.Status)
		}
		want(t, b.get("/today"), http.StatusOK)

		// Sign out one device, then everywhere.
		phone.get("/login")
		phone.post("/login", url.Values{"username": {"ada"}, "password": {"another quiet green heron 7"}})
		p := b.get("/settings")
		ids := regexp.MustCompile(`action="/settings/sessions/([0-9a-f-]{36})/end"`).FindAllStringSubmatch(p.Body, -1)
		if len(ids) != 2 {
			t.Fatalf("%d sessions listed", len(ids))
		}
		for _, m := range ids {
			if !strings.Contains(p.Body[strings.Index(p.Body, m[1])-400:strings.Index(p.Body, m[1])], "This device") {
				want(t, b.follow(b.post("/settings/sessions/"+m[1]+"/end", nil)), http.StatusOK, "That device is signed out.")
			}
		}
		if p := phone.get("/today"); p.Status != http.StatusSeeOther {
			t.Errorf("the signed-out device still works: %d", p.Status)
		}
		want(t, b.follow(b.post("/settings/sessions/end-all", nil)), http.StatusOK, "You are signed out everywhere.")
		if p := b.get("/today"); p.Status != http.StatusSeeOther {
			t.Errorf("signed out everywhere, still in: %d", p.Status)
		}

		// Delete the account: the password is checked.
		b.get("/login")
		b.follow(b.post("/login", url.Values{"username": {"ada"}, "password": {"another quiet green heron 7"}}))
		b.get("/settings")
		want(t, b.post("/settings/delete", url.Values{"password": {"wrong wrong wrong"}}), http.StatusUnprocessableEntity, "This password is wrong.")
		want(t, b.follow(b.post("/settings/delete", url.Values{"password": {"another quiet green heron 7"}})), http.StatusOK, "Your account and its tasks are deleted")
	})
}

func TestRateLimitPage(t *testing.T) {
	for _, engine := range storetest.Engines(t)[:1] {
		e := newEnv(t, engine, func(c *config.Config) {
			c.RateLimit = true
			c.RateLimitAuth = ratelimit.Limit{Burst: 2, Period: time.Hour}
			c.RateLimitLoginFailures = ratelimit.Limit{Burst: 100, Period: time.Hour}
		})
		b := e.browser(t)
		b.get("/login")
		for range 2 {
			want(t, b.post("/login", url.Values{"username": {"x"}, "password": {"wrong password"}}), http.StatusUnauthorized)
		}
		p := b.post("/login", url.Values{"username": {"x"}, "password": {"wrong password"}})
		want(t, p, http.StatusTooManyRequests, "Too many attempts", "Please wait")
		if p.Header.Get("Retry-After") == "" {
			t.Error("no Retry-After")
		}
		// The web pages and the API share the budget of the address.
		res, err := http.Post(e.URL+"/api/v1/auth/login", "application/json", strings.NewReader(`{"username":"x","password":"wrong password"}`))
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusTooManyRequests {
			t.Errorf("API login after the web budget is spent: %d", res.StatusCode)
		}
	}
}
