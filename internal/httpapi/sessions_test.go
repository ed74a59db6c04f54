package httpapi_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/taskapi/taskapi/internal/auth"
	"github.com/taskapi/taskapi/internal/httpapi"
	"github.com/taskapi/taskapi/internal/store/storetest"
)

// forge signs claims with method and key, with the given kid header.
func forge(t testing.TB, method jwt.SigningMethod, key any, kid string, claims jwt.MapClaims) string {
	t.Helper()
	tok := jwt.NewWithClaims(method, claims)
	if kid != "" {
		tok.Header["kid"] = kid
	}
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// kidOf reads the kid header of a token without checking anything.
func kidOf(t testing.TB, token string) string {
	t.Helper()
	tok, _, err := jwt.NewParser().ParseUnverified(token, jwt.MapClaims{})
	if err != nil {
		t.Fatal(err)
	}
	kid, _ := tok.Header["kid"].(string)
	return kid
}

func TestForgedAndExpiredAccessTokensRefused(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		e.signUp(t, "gina", strongPassword)
		tk := e.login(t, "gina", strongPassword)
		claims, err := auth.NewTokens(e.Config.JWTSecret, nil, time.Minute, time.Now).Verify(tk.AccessToken)
		if err != nil {
			t.Fatal(err)
		}
		secret := []byte(e.Config.JWTSecret)
		kid := kidOf(t, tk.AccessToken)
		now := time.Now()
		valid := func() jwt.MapClaims {
			return jwt.MapClaims{"iss": "taskapi", "aud": "taskapi-api", "sub": claims.UserID.String(),
				"sid": claims.SessionID.String(), "iat": now.Unix(), "exp": now.Add(time.Minute).Unix()}
		}
		with := func(k string, v any) jwt.MapClaims { c := valid(); c[k] = v; return c }
		without := func(k string) jwt.MapClaims { c := valid(); delete(c, k); return c }

		// The forging itself is right: the same claims with the real key pass.
		e.wantLive(t, forge(t, jwt.SigningMethodHS256, secret, kid, valid()))

		unsigned, err := jwt.NewWithClaims(jwt.SigningMethodNone, valid()).SignedString(jwt.UnsafeAllowNoneSignatureType)
		if err != nil {
			t.Fatal(err)
		}
		headerNone := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"JWT","kid":"` + kid + `"}`))
		parts := strings.Split(forge(t, jwt.SigningMethodHS256, secret, kid, valid()), ".")
		// alg=none with the real signature left on, and HS256 keyed with
		// the key ID instead of the key.
		otherKey := []byte("another-secret-that-is-long-enough-0123456789")
		mac := hmac.New(sha256.New, []byte(kid))
		mac.Write([]byte(parts[0] + "." + parts[1]))
		for name, token := range map[string]string{
			"alg none":                 unsigned,
			"alg none, kid kept":       headerNone + "." + parts[1] + ".",
			"alg none, signature kept": headerNone + "." + parts[1] + "." + parts[2],
			"another key, our kid":     forge(t, jwt.SigningMethodHS256, otherKey, kid, valid()),
			"another key, no kid":      forge(t, jwt.SigningMethodHS256, otherKey, "", valid()),
			"keyed with the kid":       parts[0] + "." + parts[1] + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil)),
			"HS512 with our key":       forge(t, jwt.SigningMethodHS512, secret, kid, valid()),
			"HS384 with our key":       forge(t, jwt.SigningMethodHS384, secret, kid, valid()),
			"expired":                  forge(t, jwt.SigningMethodHS256, secret, kid, with("exp", now.Add(-time.Minute).Unix())),
			"no expiry":                forge(t, jwt.SigningMethodHS256, secret, kid, without("exp")),
			"issued in the future":     forge(t, jwt.SigningMethodHS256, secret, kid, with("iat", now.Add(time.Hour).Unix())),
			"other issuer":             forge(t, jwt.SigningMethodHS256, secret, kid, with("iss", "someone-else")),
			"other audience":           forge(t, jwt.SigningMethodHS256, secret, kid, with("aud", "another-api")),
			"other user, same session": forge(t, jwt.SigningMethodHS256, secret, kid, with("sub", "0190b8e0-0000-7000-8000-000000000000")),
			"unknown session":          forge(t, jwt.SigningMethodHS256, secret, kid, with("sid", "0190b8e0-0000-7000-8000-000000000000")),
			"no session":               forge(t, jwt.SigningMethodHS256, secret, kid, without("sid")),
			"truncated":                tk.AccessToken[:len(tk.AccessToken)-5],
			"huge":                     strings.Repeat("a", 5000),
			"expired by our own code":  expiredToken(t, e, claims),
		} {
			t.Run(name, func(t *testing.T) { e.wantDead(t, token) })
		}
		// A key rotated out but still listed verifies; rotation keeps
		// tokens working until they expire.
		rotated := auth.NewTokens("a-brand-new-signing-key-that-is-long-enough", []string{e.Config.JWTSecret}, time.Minute, time.Now)
		if _, err := rotated.Verify(tk.AccessToken); err != nil {
			t.Errorf("token signed with the previous key refused after rotation: %v", err)
		}
	})
}

// expiredToken is a token minted by our own code with a clock an hour
// behind, so it expired 45 minutes ago.
func expiredToken(t testing.TB, e *env, claims auth.Claims) string {
	t.Helper()
	past := auth.NewTokens(e.Config.JWTSecret, nil, 15*time.Minute, func() time.Time { return time.Now().Add(-time.Hour) })
	tok, _, err := past.Issue(claims.UserID, claims.SessionID)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func TestRefreshRotatesAndReplayEndsSession(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		e.signUp(t, "hank", strongPassword)
		first := e.login(t, "hank", strongPassword)
		r := e.post(t, "/api/v1/auth/refresh", "", map[string]string{"refresh_token": first.RefreshToken}).want(t, http.StatusOK)
		if r.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("refresh answer may be cached")
		}
		var second tokens
		r.decode(t, &second)
		if second.RefreshToken == first.RefreshToken || second.AccessToken == "" {
			t.Fatalf("refresh did not rotate: %s", r.Body)
		}
		e.wantLive(t, second.AccessToken)

		// The spent token again: someone has a copy. The session ends,
		// including the pair the legitimate refresh produced.
		p := e.post(t, "/api/v1/auth/refresh", "", map[string]string{"refresh_token": first.RefreshToken}).wantProblem(t, http.StatusUnauthorized)
		if !strings.Contains(p.Detail, "already used") {
			t.Errorf("replay answer: %+v", p)
		}
		e.wantDead(t, second.AccessToken)
		e.wantDead(t, first.AccessToken)
		e.post(t, "/api/v1/auth/refresh", "", map[string]string{"refresh_token": second.RefreshToken}).wantProblem(t, http.StatusUnauthorized)
		e.post(t, "/api/v1/auth/refresh", "", map[string]string{"refresh_token": "not-a-token"}).wantProblem(t, http.StatusUnauthorized)

		// Another session of the same user is untouched.
		other := e.login(t, "hank", strongPassword)
		e.wantLive(t, other.AccessToken)
	})
}

func TestLogoutEndsTheSession(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		e.signUp(t, "ivy", strongPassword)
		a := e.login(t, "ivy", strongPassword)
		b := e.login(t, "ivy", strongPassword)
		e.post(t, "/api/v1/auth/logout", "", map[string]string{"refresh_token": a.RefreshToken}).want(t, http.StatusNoContent)
		e.wantDead(t, a.AccessToken)
		e.post(t, "/api/v1/auth/refresh", "", map[string]string{"refresh_token": a.RefreshToken}).wantProblem(t, http.StatusUnauthorized)
		e.wantLive(t, b.AccessToken)
		// Logging out twice is fine; an unknown token is not.
		e.post(t, "/api/v1/auth/logout", "", map[string]string{"refresh_token": a.RefreshToken}).want(t, http.StatusNoContent)
		e.post(t, "/api/v1/auth/logout", "", map[string]string{"refresh_token": "unknown"}).wantProblem(t, http.StatusUnauthorized)
	})
}

func TestLogoutAllEndsEverySession(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		e.signUp(t, "jack", strongPassword)
		a := e.login(t, "jack", strongPassword)
		b := e.login(t, "jack", strongPassword)
		bystander := e.newUser(t, "bystander")
		e.post(t, "/api/v1/auth/logout-all", "", nil).wantProblem(t, http.StatusUnauthorized)
		e.post(t, "/api/v1/auth/logout-all", a.AccessToken, nil).want(t, http.StatusNoContent)
		for _, tk := range []tokens{a, b} {
			e.wantDead(t, tk.AccessToken)
			e.post(t, "/api/v1/auth/refresh", "", map[string]string{"refresh_token": tk.RefreshToken}).wantProblem(t, http.StatusUnauthorized)
		}
		e.wantLive(t, bystander.Token)
		e.wantLive(t, e.login(t, "jack", strongPassword).AccessToken)
	})
}

type sessionJSON struct {
	ID         string    `json:"id"`
	UserAgent  string    `json:"user_agent"`
	IP         string    `json:"ip"`
	CreatedAt  time.Time `json:"created_at"`
	LastUsedAt time.Time `json:"last_used_at"`
	Current    bool      `json:"current"`
}

type sessionPage struct {
	Items      []sessionJSON `json:"items"`
	NextCursor *string       `json:"next_cursor"`
}

func TestSessionsListedAndEnded(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		e.signUp(t, "kate", strongPassword)
		laptop := e.loginAs(t, "kate", strongPassword, "Laptop/1.0")
		phone := e.loginAs(t, "kate", strongPassword, "Phone/2.0")
		mallory := e.newUser(t, "mallory")

		var page sessionPage
		e.get(t, "/api/v1/users/me/sessions", laptop.AccessToken).want(t, http.StatusOK).decode(t, &page)
		if len(page.Items) != 2 || page.NextCursor != nil {
			t.Fatalf("sessions = %+v", page)
		}
		// Newest first; the caller's own is marked.
		want := []sessionJSON{
			{UserAgent: "Phone/2.0", IP: "127.0.0.1"},
			{UserAgent: "Laptop/1.0", IP: "127.0.0.1", Current: true},
		}
		if diff := cmp.Diff(want, page.Items, cmpopts.IgnoreFields(sessionJSON{}, "ID", "CreatedAt", "LastUsedAt")); diff != "" {
			t.Errorf("sessions (-want +got):\n%s", diff)
		}
		for _, s := range page.Items {
			if s.ID == "" || s.CreatedAt.IsZero() || s.LastUsedAt.IsZero() {
				t.Errorf("session without ID or times: %+v", s)
			}
		}
		// Paginated with the standard cursor.
		var first, second sessionPage
		e.get(t, "/api/v1/users/me/sessions?limit=1", laptop.AccessToken).want(t, http.StatusOK).decode(t, &first)
		if len(first.Items) != 1 || first.NextCursor == nil {
			t.Fatalf("first page = %+v", first)
		}
		e.get(t, "/api/v1/users/me/sessions?limit=1&cursor="+*first.NextCursor, laptop.AccessToken).want(t, http.StatusOK).decode(t, &second)
		if len(second.Items) != 1 || second.NextCursor != nil || second.Items[0].ID == first.Items[0].ID {
			t.Errorf("second page = %+v", second)
		}
		e.get(t, "/api/v1/users/me/sessions?cursor=bogus", laptop.AccessToken).wantProblem(t, http.StatusBadRequest)
		e.get(t, "/api/v1/users/me/sessions?limit=0", laptop.AccessToken).wantProblem(t, http.StatusUnprocessableEntity)

		phoneID := page.Items[0].ID
		// Another user cannot end it, nor learn that it exists.
		e.do(t, request{Method: http.MethodDelete, Path: "/api/v1/users/me/sessions/" + phoneID, Token: mallory.Token}).wantProblem(t, http.StatusNotFound)
		e.wantLive(t, phone.AccessToken)
		e.do(t, request{Method: http.MethodDelete, Path: "/api/v1/users/me/sessions/" + phoneID, Token: laptop.AccessToken}).want(t, http.StatusNoContent)
		e.wantDead(t, phone.AccessToken)
		e.wantLive(t, laptop.AccessToken)
		e.do(t, request{Method: http.MethodDelete, Path: "/api/v1/users/me/sessions/" + phoneID, Token: laptop.AccessToken}).wantProblem(t, http.StatusNotFound)
		e.get(t, "/api/v1/users/me/sessions", laptop.AccessToken).want(t, http.StatusOK).decode(t, &page)
		if len(page.Items) != 1 || !page.Items[0].Current {
			t.Errorf("after ending the phone's session: %+v", page.Items)
		}
	})
}

// A second instance on the same database sees a session end at once: the
// check is made against the database on every request, not a local cache.
func TestRevocationSeenByEveryInstance(t *testing.T) {
	eachEngine(t, func(t *testing.T, a *env) {
		st := storetest.Open(t, a.DatabaseURL)
		svc, err := auth.NewService(st, auth.NewTokens(a.Config.JWTSecret, nil, a.Config.AccessTokenTTL, time.Now),
			auth.Options{BcryptCost: a.Config.BcryptCost}, nil)
		if err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(httpapi.NewServer(httpapi.Deps{Config: a.Config, Store: st, Auth: svc}))
		t.Cleanup(srv.Close)
		b := *a
		b.URL = srv.URL

		a.signUp(t, "una", strongPassword)
		first := a.login(t, "una", strongPassword)
		second := b.login(t, "una", strongPassword)
		b.wantLive(t, first.AccessToken)
		a.wantLive(t, second.AccessToken)
		a.post(t, "/api/v1/auth/logout-all", first.AccessToken, nil).want(t, http.StatusNoContent)
		b.wantDead(t, first.AccessToken)
		b.wantDead(t, second.AccessToken)
		b.post(t, "/api/v1/auth/refresh", "", map[string]string{"refresh_token": second.RefreshToken}).wantProblem(t, http.StatusUnauthorized)
	})
}
