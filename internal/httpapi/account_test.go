package httpapi_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"

	"github.com/taskapi/taskapi"
	"github.com/taskapi/taskapi/internal/store/storetest"
)

func TestUpdateMe(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		u := e.signUp(t, "paula", strongPassword)
		oldToken := e.Mail.Wait(t, "paula@example.com", "Confirm your email", 0).Token(t)
		tk := e.login(t, "paula", strongPassword)
		e.newUser(t, "quentin")
		patch := func(body any) *response {
			return e.do(t, request{Method: http.MethodPatch, Path: "/api/v1/users/me", Token: tk.AccessToken, Body: body})
		}
		var got userJSON
		patch(map[string]any{"full_name": "  Paula Prentiss "}).want(t, http.StatusOK).decode(t, &got)
		want := u
		want.FullName = ptr("Paula Prentiss")
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("after setting the name (-want +got):\n%s", diff)
		}
		// Omitted fields stay; null clears.
		patch(map[string]any{"username": "Paula_P"}).want(t, http.StatusOK).decode(t, &got)
		want.Username = "Paula_P"
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("after renaming (-want +got):\n%s", diff)
		}
		patch(map[string]any{"full_name": nil}).want(t, http.StatusOK).decode(t, &got)
		if got.FullName != nil {
			t.Errorf("null did not clear the name: %+v", got)
		}
		patch(map[string]any{"username": "QUENTIN"}).wantProblem(t, http.StatusConflict)
		patch(map[string]any{"username": nil}).wantProblem(t, http.StatusUnprocessableEntity)
		patch(map[string]any{"username": "x"}).wantProblem(t, http.StatusUnprocessableEntity)
		for _, field := range []string{"is_superuser", "is_verified", "id", "password"} {
			patch(map[string]any{field: true}).wantProblem(t, http.StatusUnprocessableEntity)
		}
		patch(map[string]any{"email": "quentin@example.com", "current_password": strongPassword}).wantProblem(t, http.StatusConflict)

		// A new email is unverified until its own link is followed; the
		// old address is told, and its links stop working.
		patch(map[string]any{"email": "Paula.New@Example.com", "current_password": strongPassword}).want(t, http.StatusOK).decode(t, &got)
		want.FullName, want.Email = nil, "paula.new@example.com"
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("after the email change (-want +got):\n%s", diff)
		}
		e.Mail.Wait(t, "paula@example.com", "email address was changed", 0)
		newToken := e.Mail.Wait(t, "paula.new@example.com", "Confirm your email", 0).Token(t)
		e.post(t, "/api/v1/auth/verify-email", "", map[string]string{"token": oldToken}).wantProblem(t, http.StatusBadRequest)
		e.post(t, "/api/v1/auth/verify-email", "", map[string]string{"token": newToken}).want(t, http.StatusOK).decode(t, &got)
		if !got.IsVerified || got.Email != "paula.new@example.com" {
			t.Errorf("after verifying the new address: %+v", got)
		}
		e.login(t, "paula.new@example.com", strongPassword)
		e.post(t, "/api/v1/auth/login", "", map[string]any{"username": "paula@example.com", "password": strongPassword}).
			wantProblem(t, http.StatusUnauthorized)
		// The same email again changes nothing and sends nothing.
		patch(map[string]any{"email": "paula.new@example.com"}).want(t, http.StatusOK).decode(t, &got)
		if !got.IsVerified {
			t.Errorf("re-setting the same email unverified it")
		}
	})
}

// An access token alone cannot move the account to another address (and
// so have its reset links sent there): the email change asks for the
// password, and failures count like other password checks.
func TestEmailChangeNeedsThePassword(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		e.signUp(t, "sven", strongPassword)
		tk := e.login(t, "sven", strongPassword)
		patch := func(body any) *response {
			return e.do(t, request{Method: http.MethodPatch, Path: "/api/v1/users/me", Token: tk.AccessToken, Body: body})
		}
		p := patch(map[string]any{"email": "thief@example.com"}).wantProblem(t, http.StatusUnprocessableEntity)
		if !strings.Contains(string(patch(map[string]any{"email": "thief@example.com"}).Body), "current_password") {
			t.Errorf("the problem does not name current_password: %+v", p)
		}
		patch(map[string]any{"email": "thief@example.com", "current_password": "not-the-password"}).wantProblem(t, http.StatusForbidden)
		var got userJSON
		e.get(t, "/api/v1/users/me", tk.AccessToken).want(t, http.StatusOK).decode(t, &got)
		if got.Email != "sven@example.com" {
			t.Fatalf("the email moved without the password: %+v", got)
		}
		// The reset link still goes to the owner's address only.
		e.post(t, "/api/v1/auth/forgot-password", "", map[string]string{"email": "thief@example.com"}).want(t, http.StatusAccepted)
		// Other fields, and the same address, need no password.
		patch(map[string]any{"full_name": "Sven", "email": "SVEN@example.com"}).want(t, http.StatusOK)
		patch(map[string]any{"email": "sven.new@example.com", "current_password": strongPassword}).want(t, http.StatusOK).decode(t, &got)
		if got.Email != "sven.new@example.com" {
			t.Errorf("after the change: %+v", got)
		}
		if n := messagesTo(e.waitOutboxDone(t), "thief@example.com"); n != 0 {
			t.Errorf("%d emails to the attacker's address in the outbox", n)
		}
	})
}

// Wrong passwords given to change the email count towards the account's
// lock-out like failed logins.
func TestEmailChangePasswordFailuresCount(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(engine.Name, func(t *testing.T) {
			e := newEnv(t, engine, failureLimit(3))
			e.signUp(t, "tove", strongPassword)
			tk := e.login(t, "tove", strongPassword)
			patch := func(body any) *response {
				return e.do(t, request{Method: http.MethodPatch, Path: "/api/v1/users/me", Token: tk.AccessToken, Body: body})
			}
			for range 3 {
				patch(map[string]any{"email": "x@example.com", "current_password": "wrong-guess-123"}).wantProblem(t, http.StatusForbidden)
				// Edits that check no password do not clear the count.
				patch(map[string]any{"full_name": "Tove"}).want(t, http.StatusOK)
			}
			patch(map[string]any{"email": "x@example.com", "current_password": strongPassword}).wantProblem(t, http.StatusTooManyRequests)
			// A locked login looks like a wrong password.
			e.wantWrongPassword(t, "tove", strongPassword)
		})
	}
}

func TestDeleteMeTakesTheDataAlong(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		u := e.signUp(t, "rita", strongPassword)
		tk := e.login(t, "rita", strongPassword)
		other := e.login(t, "rita", strongPassword)
		id := uuid.MustParse(u.ID)
		ctx := context.Background()
		// Some data of hers, made through the API.
		var cat struct {
			ID string `json:"id"`
		}
		e.post(t, "/api/v1/categories", tk.AccessToken, map[string]any{"name": "Home"}).want(t, http.StatusCreated).decode(t, &cat)
		e.post(t, "/api/v1/tasks", tk.AccessToken, map[string]any{"title": "Water the plants", "category_id": cat.ID}).
			want(t, http.StatusCreated)
		del := func(token string, body any) *response {
			return e.do(t, request{Method: http.MethodDelete, Path: "/api/v1/users/me", Token: token, Body: body})
		}
		del(tk.AccessToken, map[string]string{"password": "not-her-password"}).wantProblem(t, http.StatusForbidden)
		del(tk.AccessToken, map[string]string{}).wantProblem(t, http.StatusUnprocessableEntity)
		e.wantLive(t, tk.AccessToken)
		del(tk.AccessToken, map[string]string{"password": strongPassword}).want(t, http.StatusNoContent)

		e.wantDead(t, tk.AccessToken)
		e.wantDead(t, other.AccessToken)
		e.post(t, "/api/v1/auth/refresh", "", map[string]string{"refresh_token": other.RefreshToken}).wantProblem(t, http.StatusUnauthorized)
		e.post(t, "/api/v1/auth/login", "", map[string]any{"username": "rita", "password": strongPassword}).wantProblem(t, http.StatusUnauthorized)
		if _, err := e.Store.GetUser(ctx, id); !errors.Is(err, taskapi.ErrNotFound) {
			t.Errorf("user still there: %v", err)
		}
		for _, table := range []string{"sessions", "categories", "tasks", "email_tokens", "outbox"} {
			var n int
			if err := e.Store.DB().QueryRowContext(ctx, `SELECT count(*) FROM `+table+` WHERE user_id = $1`, id).Scan(&n); err != nil {
				t.Fatal(err)
			}
			if n != 0 {
				t.Errorf("%d rows of hers left in %s", n, table)
			}
		}
		// The name is free again.
		e.signUp(t, "rita", strongPassword)
	})
}

// Users carry an ETag; PATCH and DELETE honour If-Match.
func TestUserETagAndIfMatch(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		root := e.newAdmin(t, "root")
		e.signUp(t, "vera", strongPassword)
		tk := e.login(t, "vera", strongPassword)
		me := e.get(t, "/api/v1/users/me", tk.AccessToken).want(t, http.StatusOK)
		tag := me.Header.Get("ETag")
		if len(tag) < 10 || tag[0] != '"' {
			t.Fatalf("ETag = %q", tag)
		}
		if again := e.get(t, "/api/v1/users/me", tk.AccessToken).Header.Get("ETag"); again != tag {
			t.Errorf("ETag changed without a change: %q then %q", tag, again)
		}
		patch := func(ifMatch string, body any) *response {
			return e.do(t, request{Method: http.MethodPatch, Path: "/api/v1/users/me", Token: tk.AccessToken, Body: body,
				Header: http.Header{"If-Match": {ifMatch}}})
		}
		r := patch(tag, map[string]any{"full_name": "Vera"}).want(t, http.StatusOK)
		newTag := r.Header.Get("ETag")
		if newTag == "" || newTag == tag {
			t.Fatalf("ETag after a change: %q (was %q)", newTag, tag)
		}
		// The old version is gone: a write based on it is refused.
		patch(tag, map[string]any{"full_name": "Stale"}).wantProblem(t, http.StatusPreconditionFailed)
		patch("W/"+newTag, map[string]any{"full_name": "Weak"}).wantProblem(t, http.StatusPreconditionFailed)
		patch(`"other", `+newTag, map[string]any{"full_name": "Vera V"}).want(t, http.StatusOK)
		var got userJSON
		e.get(t, "/api/v1/users/me", tk.AccessToken).want(t, http.StatusOK).decode(t, &got)
		if diff := cmp.Diff(ptr("Vera V"), got.FullName); diff != "" {
			t.Errorf("full name after the conditional updates (-want +got):\n%s", diff)
		}
		current := e.get(t, "/api/v1/users/me", tk.AccessToken).Header.Get("ETag")

		// An administrator's change makes the user's copy stale, and the
		// other way round.
		adminPath := "/api/v1/admin/users/" + got.ID
		adminTag := e.get(t, adminPath, root.Token).want(t, http.StatusOK).Header.Get("ETag")
		if adminTag != current {
			t.Errorf("admin sees ETag %q, the user %q", adminTag, current)
		}
		e.do(t, request{Method: http.MethodPatch, Path: adminPath, Token: root.Token, Body: map[string]any{"is_verified": true},
			Header: http.Header{"If-Match": {adminTag}}}).want(t, http.StatusOK)
		patch(current, map[string]any{"full_name": "Late"}).wantProblem(t, http.StatusPreconditionFailed)
		e.do(t, request{Method: http.MethodDelete, Path: "/api/v1/users/me", Token: tk.AccessToken,
			Body: map[string]string{"password": strongPassword}, Header: http.Header{"If-Match": {current}}}).wantProblem(t, http.StatusPreconditionFailed)
		e.do(t, request{Method: http.MethodDelete, Path: adminPath, Token: root.Token,
			Header: http.Header{"If-Match": {adminTag}}}).wantProblem(t, http.StatusPreconditionFailed)
		fresh := e.get(t, adminPath, root.Token).Header.Get("ETag")
		e.do(t, request{Method: http.MethodDelete, Path: adminPath, Token: root.Token,
			Header: http.Header{"If-Match": {fresh}}}).want(t, http.StatusNoContent)
	})
}
