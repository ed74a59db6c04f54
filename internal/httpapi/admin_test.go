package httpapi_test

import (
	"fmt"
	"net/http"
	"testing"
)

type userPage struct {
	Items      []userJSON `json:"items"`
	NextCursor *string    `json:"next_cursor"`
}

func TestAdminRoutesNeedASuperuser(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		plain := e.newUser(t, "plain")
		id := plain.User.ID.String()
		for _, r := range []request{
			{Method: http.MethodGet, Path: "/api/v1/admin/users"},
			{Method: http.MethodGet, Path: "/api/v1/admin/users/" + id},
			{Method: http.MethodPatch, Path: "/api/v1/admin/users/" + id, Body: map[string]any{"is_superuser": true}},
			{Method: http.MethodDelete, Path: "/api/v1/admin/users/" + id},
		} {
			t.Run(r.Method+" "+r.Path, func(t *testing.T) {
				e.do(t, r).wantProblem(t, http.StatusUnauthorized)
				r.Token = plain.Token
				e.do(t, r).wantProblem(t, http.StatusForbidden)
			})
		}
		var me userJSON
		e.get(t, "/api/v1/users/me", plain.Token).want(t, http.StatusOK).decode(t, &me)
		if me.IsSuperuser {
			t.Error("a user made themselves a superuser")
		}
	})
}

func TestAdminManagesUsers(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		root := e.newAdmin(t, "root")
		for i := range 5 {
			e.newUser(t, fmt.Sprintf("member%d", i))
		}
		e.signUp(t, "target", strongPassword)
		target := e.login(t, "target", strongPassword)
		var me userJSON
		e.get(t, "/api/v1/users/me", target.AccessToken).want(t, http.StatusOK).decode(t, &me)

		// Every user once, in pages, in creation order.
		seen := map[string]bool{}
		cursor := ""
		for pages := 0; ; pages++ {
			if pages > 10 {
				t.Fatal("pagination does not end")
			}
			var page userPage
			e.get(t, "/api/v1/admin/users?limit=3"+cursor, root.Token).want(t, http.StatusOK).decode(t, &page)
			for _, u := range page.Items {
				if seen[u.ID] {
					t.Errorf("user %s on two pages", u.Username)
				}
				seen[u.ID] = true
			}
			if page.NextCursor == nil {
				break
			}
			cursor = "&cursor=" + *page.NextCursor
		}
		if len(seen) != 7 {
			t.Errorf("listed %d users, want 7", len(seen))
		}
		var found userPage
		e.get(t, "/api/v1/admin/users?q=MEMBER", root.Token).want(t, http.StatusOK).decode(t, &found)
		if len(found.Items) != 5 || found.NextCursor != nil {
			t.Errorf("q=MEMBER found %d", len(found.Items))
		}
		e.get(t, "/api/v1/admin/users?q=%25", root.Token).want(t, http.StatusOK).decode(t, &found)
		if len(found.Items) != 0 {
			t.Errorf("q=%% is a wildcard: %d found", len(found.Items))
		}
		e.get(t, "/api/v1/admin/users?limit=101", root.Token).wantProblem(t, http.StatusUnprocessableEntity)
		e.get(t, "/api/v1/admin/users?cursor=AAAA", root.Token).wantProblem(t, http.StatusBadRequest)

		path := "/api/v1/admin/users/" + me.ID
		var got userJSON
		e.get(t, path, root.Token).want(t, http.StatusOK).decode(t, &got)
		if got.Username != "target" {
			t.Errorf("admin get = %+v", got)
		}
		e.get(t, "/api/v1/admin/users/0190b8e0-0000-7000-8000-000000000000", root.Token).wantProblem(t, http.StatusNotFound)

		patch := func(path string, body any) *response {
			return e.do(t, request{Method: http.MethodPatch, Path: path, Token: root.Token, Body: body})
		}
		patch(path, map[string]any{"is_verified": true, "is_superuser": true}).want(t, http.StatusOK).decode(t, &got)
		if !got.IsVerified || !got.IsSuperuser || !got.IsActive {
			t.Errorf("after promotion: %+v", got)
		}
		patch(path, map[string]any{"email": "x@example.com"}).wantProblem(t, http.StatusUnprocessableEntity)
		// Disabling ends the sessions at once; the password then gets 403.
		patch(path, map[string]any{"is_active": false, "is_superuser": false}).want(t, http.StatusOK).decode(t, &got)
		if got.IsActive || got.IsSuperuser {
			t.Errorf("after disabling: %+v", got)
		}
		e.wantDead(t, target.AccessToken)
		e.post(t, "/api/v1/auth/refresh", "", map[string]string{"refresh_token": target.RefreshToken}).wantProblem(t, http.StatusUnauthorized)
		e.post(t, "/api/v1/auth/login", "", map[string]any{"username": "target", "password": strongPassword}).wantProblem(t, http.StatusForbidden)
		patch(path, map[string]any{"is_active": true}).want(t, http.StatusOK)
		e.login(t, "target", strongPassword)

		// No slip locks the administrator out.
		self := "/api/v1/admin/users/" + root.User.ID.String()
		patch(self, map[string]any{"is_superuser": false}).wantProblem(t, http.StatusForbidden)
		patch(self, map[string]any{"is_active": false}).wantProblem(t, http.StatusForbidden)
		e.do(t, request{Method: http.MethodDelete, Path: self, Token: root.Token}).wantProblem(t, http.StatusForbidden)
		e.wantLive(t, root.Token)

		e.do(t, request{Method: http.MethodDelete, Path: path, Token: root.Token}).want(t, http.StatusNoContent)
		e.get(t, path, root.Token).wantProblem(t, http.StatusNotFound)
		e.do(t, request{Method: http.MethodDelete, Path: path, Token: root.Token}).wantProblem(t, http.StatusNotFound)
		e.post(t, "/api/v1/auth/login", "", map[string]any{"username": "target", "password": strongPassword}).wantProblem(t, http.StatusUnauthorized)
	})
}
