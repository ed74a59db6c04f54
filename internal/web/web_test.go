package web_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/taskapi/taskapi/internal/mail/mailtest"
)

func TestAccountPages(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		b := e.browser(t)
		want(t, b.follow(b.get("/")), http.StatusOK, "Log in")

		// Field errors keep what was typed.
		b.get("/signup")
		p := b.post("/signup", url.Values{"email": {"ada@example.com"}, "username": {"a"}, "password": {"a calm purple otter 42"}})
		want(t, p, http.StatusUnprocessableEntity, `value="ada@example.com"`, "Must be 3 to 50 characters.", `aria-invalid="true"`)

		today := b.signup("ada")
		want(t, today, http.StatusOK, "<h1>Today</h1>", "Please verify", "ada@example.com", "Welcome!")
		// The session is one of the account's sessions, as the API lists them.
		me := apiGet(t, e, b, "/api/v1/users/me")
		if me["timezone"] != "Europe/Paris" {
			t.Errorf("timezone %v, want the one sent at sign-up", me["timezone"])
		}

		// The emailed link works logged in.
		msg := e.Mail.Wait(t, "ada@example.com", "Confirm your email", 0)
		want(t, b.get("/verify-email?token="+msg.Token(t)), http.StatusOK, "Email verified")
		if strings.Contains(b.get("/today").Body, "Please verify") {
			t.Error("the banner stays after verification")
		}
		want(t, b.get("/verify-email?token="+msg.Token(t)), http.StatusBadRequest, "invalid, already used or expired")

		// Log out, then a wrong password, then the right one back to where
		// the person was going.
		want(t, b.follow(b.post("/logout", nil)), http.StatusOK, "You are logged out.")
		p = b.get("/completed")
		if p.Status != http.StatusSeeOther || p.Location != "/login?next=%2Fcompleted" {
			t.Fatalf("logged out /completed: %d %s", p.Status, p.Location)
		}
		b.get(p.Location)
		want(t, b.post("/login", url.Values{"username": {"ada"}, "password": {"wrong password"}, "next": {"/completed"}}),
			http.StatusUnauthorized, "That username or password is wrong.", `value="ada"`)
		p = b.post("/login", url.Values{"username": {"ADA@example.com"}, "password": {"a calm purple otter 42"}, "next": {"/completed"}})
		if p.Status != http.StatusSeeOther || p.Location != "/completed" {
			t.Fatalf("login: %d %s\n%s", p.Status, p.Location, p.Body)
		}
		// An open redirect is not followed.
		for _, next := range []string{"//evil.example/x", "/\t/evil.example", "/\\evil.example", "/\n/evil.example", "https://evil.example/"} {
			b2 := e.browser(t)
			b2.get("/login")
			p = b2.post("/login", url.Values{"username": {"ada"}, "password": {"a calm purple otter 42"}, "next": {next}})
			if p.Location != "/today" {
				t.Errorf("next=%q: redirected to %q", next, p.Location)
			}
		}

		// Forgot password → the emailed link → a new password; every
		// session ends, this browser's included.
		anon := e.browser(t)
		anon.get("/forgot-password")
		want(t, anon.post("/forgot-password", url.Values{"email": {"ada@example.com"}}), http.StatusOK, "we sent it a link")
		reset := e.Mail.Wait(t, "ada@example.com", "Reset your taskapi password", 0)
		want(t, anon.get("/reset-password?token="+reset.Token(t)), http.StatusOK, "Choose a new password")
		want(t, anon.post("/reset-password", url.Values{"token": {reset.Token(t)}, "new_password": {"short"}}),
			http.StatusUnprocessableEntity, "Must be 8 to 128 characters")
		p = anon.post("/reset-password", url.Values{"token": {reset.Token(t)}, "new_password": {"another quiet green heron 7"}})
		want(t, anon.follow(p), http.StatusOK, "Your password is changed")
		if p := b.get("/today"); p.Status != http.StatusSeeOther {
			t.Errorf("a session survived the reset: %d", p.Status)
		}
		anon.get("/login")
		p = anon.post("/login", url.Values{"username": {"ada"}, "password": {"another quiet green heron 7"}})
		want(t, anon.follow(p), http.StatusOK, "<h1>Today</h1>")
	})
}

// apiGet calls the JSON API with a token from a login of the same user,
// to check what the web app did through the API's eyes.
func apiGet(t *testing.T, e *env, b *browser, path string) map[string]any {
	t.Helper()
	res, err := http.Post(e.URL+"/api/v1/auth/login", "application/json", strings.NewReader(`{"username":"ada","password":"a calm purple otter 42"}`))
	if err != nil {
		t.Fatal(err)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	_ = json.NewDecoder(res.Body).Decode(&tok)
	res.Body.Close()
	req, _ := http.NewRequest(http.MethodGet, e.URL+path, nil)
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	res, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestCrossSiteAndCSRF(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		b := e.browser(t)
		b.signup("grace")
		// A form posted from another site is refused before anything happens.
		form := url.Values{"text": {"evil task"}, "csrf": {b.csrf}}
		req, _ := http.NewRequest(http.MethodPost, e.URL+"/tasks", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		want(t, b.do(req), http.StatusForbidden, "sent from another site")
		req, _ = http.NewRequest(http.MethodPost, e.URL+"/tasks", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", "https://evil.example")
		want(t, b.do(req), http.StatusForbidden)
		// A browser that sends neither header needs the token.
		want(t, b.post("/tasks", url.Values{"text": {"evil task"}, "csrf": {"forged"}}), http.StatusForbidden, "This form has expired")
		if ids := taskIDs(b.get("/all")); len(ids) != 0 {
			t.Errorf("a refused post created tasks: %v", ids)
		}
		// The token of one session is worth nothing in another.
		other := e.browser(t)
		other.signup("linus")
		want(t, other.post("/tasks", url.Values{"text": {"x"}, "csrf": {b.csrf}}), http.StatusForbidden)
	})
}

func TestEveryPageHasCSP(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		b := e.browser(t)
		for _, path := range []string{"/login", "/signup", "/forgot-password", "/resend-verification", "/verify-email?token=x", "/reset-password?token=x"} {
			p := b.get(path)
			if p.Status != http.StatusOK && p.Status != http.StatusBadRequest {
				t.Errorf("%s: %d", path, p.Status)
			}
			if csp := p.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") {
				t.Errorf("%s: CSP %q", path, csp)
			}
			if strings.Contains(p.Body, "<script>") || strings.Contains(p.Body, "style=") {
				t.Errorf("%s: inline script or style", path)
			}
		}
		b.signup("margaret")
		for _, path := range []string{"/today", "/upcoming", "/all", "/completed", "/categories", "/settings", "/tasks/0190c0de-0000-7000-8000-000000000000"} {
			p := b.get(path)
			if p.Header.Get("Content-Security-Policy") == "" || strings.Contains(p.Body, "<script>") || strings.Contains(p.Body, "style=") {
				t.Errorf("%s: CSP %q or inline script/style", path, p.Header.Get("Content-Security-Policy"))
			}
		}
		// Assets are long-cached under hashed names.
		p := b.get("/today")
		i := strings.Index(p.Body, "/assets/app.")
		asset := p.Body[i : i+strings.Index(p.Body[i:], `"`)]
		a := b.get(asset)
		if a.Status != http.StatusOK || !strings.Contains(a.Header.Get("Cache-Control"), "immutable") {
			t.Errorf("%s: %d %q", asset, a.Status, a.Header.Get("Cache-Control"))
		}
	})
}

var _ = mailtest.Message{}
