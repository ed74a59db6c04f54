package httpapi_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/taskapi/taskapi"
	"github.com/taskapi/taskapi/internal/auth"
	"github.com/taskapi/taskapi/internal/httpapi"
)

// tokenJSON is a personal access token as the API shows it; Token only in
// the create answer.
type tokenJSON struct {
	ID         string     `json:"id"`
	Name       string     `json:"name"`
	Prefix     string     `json:"prefix"`
	Scopes     []string   `json:"scopes"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
	ExpiresAt  *time.Time `json:"expires_at"`
	Expired    bool       `json:"expired"`
	Token      string     `json:"token"`
}

// newToken makes a token of u's through the API.
func (e *env) newToken(t testing.TB, session, name string, scopes ...taskapi.Scope) tokenJSON {
	t.Helper()
	r := e.post(t, "/api/v1/tokens", session, map[string]any{"name": name, "scopes": scopes}).want(t, http.StatusCreated)
	var tok tokenJSON
	r.decode(t, &tok)
	if !strings.HasPrefix(tok.Token, "tapi_") || len(tok.Token) != 48 || !strings.HasPrefix(tok.Token, tok.Prefix) {
		t.Fatalf("create answer %s", r.Body)
	}
	if loc := r.Header.Get("Location"); loc != "/api/v1/tokens/"+tok.ID || r.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("Location = %q, Cache-Control = %q", loc, r.Header.Get("Cache-Control"))
	}
	return tok
}

var pathParam = regexp.MustCompile(`\{[^}]+\}`)

// Every user route of the route table, driven with a token of each scope:
// a route's scope (or the write scope that includes it) gets what a
// session gets; any other gets 403 insufficient_scope naming the scope.
// Session-only and superuser routes refuse every token. The table is read
// from the server itself, so routes added later are covered unedited.
func TestTokenScopesEveryRoute(t *testing.T) {
	routes := httpapi.RouteTable()
	var checked int
	for _, r := range routes {
		if r.User && !r.SessionOnly && r.Scope == "" {
			t.Errorf("route %s declares no scope and is not session-only", r.ID)
		}
	}
	eachEngine(t, func(t *testing.T, e *env) {
		owner := e.newUser(t, "owner")
		admin := e.newAdmin(t, "root")
		byScope := map[taskapi.Scope]string{}
		for _, sc := range taskapi.Scopes {
			byScope[sc] = e.newToken(t, owner.Token, "only "+string(sc), sc).Token
		}
		all := e.newToken(t, admin.Token, "everything", taskapi.Scopes...).Token
		const someID = "0190b8e0-0000-7000-8000-000000000000"
		for _, r := range routes {
			if !r.User && !r.Superuser {
				continue
			}
			req := request{Method: r.Method, Path: pathParam.ReplaceAllString(r.Path, someID)}
			if r.ID == "events" {
				// A stream would stay open: a bad cursor answers once its
				// caller and scope have been checked.
				req.Path += "?cursor=probe"
			}
			if r.Method == http.MethodPost || r.Method == http.MethodPatch || r.Method == http.MethodPut {
				req.Body = map[string]any{}
			}
			with := func(token string) *response {
				rq := req
				rq.Token = token
				return e.do(t, rq)
			}
			name := r.Method + " " + r.Path
			if r.Superuser || r.SessionOnly {
				for sc, tok := range byScope {
					if p := with(tok).wantProblem(t, http.StatusForbidden); strings.Contains(p.Detail, "scope") {
						t.Errorf("%s with %s: %q, want the session-only refusal", name, sc, p.Detail)
					}
				}
				// Even an administrator's token with every scope.
				with(all).wantProblem(t, http.StatusForbidden)
				checked++
				continue
			}
			session := with(owner.Token).Status
			if session == http.StatusUnauthorized || session == http.StatusForbidden {
				t.Fatalf("%s: a session gets %d; the probe proves nothing", name, session)
			}
			for sc, tok := range byScope {
				res := with(tok)
				if taskapi.Grants([]taskapi.Scope{sc}, r.Scope) {
					if res.Status != session {
						t.Errorf("%s with %s: %d, want %d as a session; body %s", name, sc, res.Status, session, res.Body)
					}
					continue
				}
				res.wantProblem(t, http.StatusForbidden)
				www := res.Header.Get("WWW-Authenticate")
				if !strings.Contains(www, `error="insufficient_scope"`) || !strings.Contains(www, fmt.Sprintf(`scope="%s"`, r.Scope)) {
					t.Errorf("%s with %s: WWW-Authenticate %q", name, sc, www)
				}
			}
			if res := with(all); res.Status != session {
				t.Errorf("%s with every scope: %d, want %d", name, res.Status, session)
			}
			checked++
		}
		if checked < 20 {
			t.Errorf("only %d routes checked", checked)
		}
	})
}

// A token is made by a session, shown once, listed without its secret,
// stored only as a hash, works until revoked, and never reaches the logs.
func TestTokenLifecycle(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		u := e.newUser(t, "maker")
		other := e.newUser(t, "other")
		tok := e.newToken(t, u.Token, "  my script  ", taskapi.ScopeTasksWrite, taskapi.ScopeTasksRead, taskapi.ScopeTasksWrite)
		if tok.Name != "my script" || fmt.Sprint(tok.Scopes) != "[tasks:read tasks:write]" || tok.LastUsedAt != nil || tok.ExpiresAt != nil || tok.Expired {
			t.Errorf("created %+v", tok)
		}

		// The token works where its scope allows, as its owner.
		e.post(t, "/api/v1/tasks", tok.Token, map[string]any{"title": "from a script"}).want(t, http.StatusCreated)
		var page struct {
			Items []struct{ Title string } `json:"items"`
		}
		e.get(t, "/api/v1/tasks", u.Token).want(t, http.StatusOK).decode(t, &page)
		if len(page.Items) != 1 || page.Items[0].Title != "from a script" {
			t.Errorf("owner sees %+v", page.Items)
		}

		// Listed and read without the secret, only by its owner.
		list := e.get(t, "/api/v1/tokens", u.Token).want(t, http.StatusOK)
		one := e.get(t, "/api/v1/tokens/"+tok.ID, u.Token).want(t, http.StatusOK)
		for _, r := range []*response{list, one} {
			if strings.Contains(string(r.Body), tok.Token) || strings.Contains(string(r.Body), `"token"`) {
				t.Errorf("the secret is listed: %s", r.Body)
			}
		}
		var got tokenJSON
		one.decode(t, &got)
		if got.ID != tok.ID || got.Prefix != tok.Prefix || got.LastUsedAt == nil {
			t.Errorf("get = %+v", got)
		}
		e.get(t, "/api/v1/tokens/"+tok.ID, other.Token).wantProblem(t, http.StatusNotFound)
		e.do(t, request{Method: http.MethodDelete, Path: "/api/v1/tokens/" + tok.ID, Token: other.Token}).wantProblem(t, http.StatusNotFound)
		e.get(t, "/api/v1/tokens/not-a-uuid", u.Token).wantProblem(t, http.StatusUnprocessableEntity)

		// Stored as its SHA-256 only: no column holds the secret.
		rows, err := e.Store.DB().QueryContext(context.Background(), `SELECT * FROM access_tokens`)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		var n int
		for rows.Next() {
			n++
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			row := fmt.Sprint(vals...)
			for i, c := range cols {
				row += fmt.Sprintf(" %s=%s", c, vals[i])
			}
			sum := sha256.Sum256([]byte(tok.Token))
			if strings.Contains(row, tok.Token[5:]) || !strings.Contains(row, "token_hash="+hex.EncodeToString(sum[:])) {
				t.Errorf("stored row %s", row)
			}
		}
		rows.Close()
		if n != 1 {
			t.Errorf("%d rows", n)
		}

		// Nothing of the token in the logs: not the access line of a
		// request made with it, not an unknown one's.
		e.do(t, request{Method: http.MethodGet, Path: "/api/v1/tasks", Token: tok.Token,
			Header: http.Header{"X-Request-ID": {"token-request-1"}}}).want(t, http.StatusOK)
		unknown := "tapi_" + strings.Repeat("Z", 43)
		bad := e.do(t, request{Method: http.MethodGet, Path: "/api/v1/tasks", Token: unknown,
			Header: http.Header{"X-Request-ID": {"token-request-2"}}})
		bad.wantProblem(t, http.StatusUnauthorized)
		if strings.Contains(string(bad.Body), unknown) || !strings.HasPrefix(bad.Header.Get("WWW-Authenticate"), "Bearer") {
			t.Errorf("401 answer %s %v", bad.Body, bad.Header)
		}
		logs := e.Logs.String()
		for _, id := range []string{"token-request-1", "token-request-2"} {
			if !strings.Contains(logs, `"request_id":"`+id+`"`) {
				t.Errorf("no access line for %s", id)
			}
		}
		for _, secret := range []string{tok.Token[5:], unknown[5:], auth.HashSecret(tok.Token)} {
			if strings.Contains(logs, secret) {
				t.Errorf("the logs hold %s", secret)
			}
		}
		metrics := e.get(t, "/metrics", "").want(t, http.StatusOK)
		if strings.Contains(string(metrics.Body), tok.Token[5:]) {
			t.Error("a metric holds the token")
		}

		// A token cannot manage tokens, nor the account.
		e.get(t, "/api/v1/tokens", tok.Token).wantProblem(t, http.StatusForbidden)
		e.post(t, "/api/v1/tokens", tok.Token, map[string]any{"name": "child", "scopes": []string{"tasks:read"}}).wantProblem(t, http.StatusForbidden)
		e.do(t, request{Method: http.MethodDelete, Path: "/api/v1/tokens/" + tok.ID, Token: tok.Token}).wantProblem(t, http.StatusForbidden)

		// Revoked: refused at once; revoking again is 404.
		e.do(t, request{Method: http.MethodDelete, Path: "/api/v1/tokens/" + tok.ID, Token: u.Token}).want(t, http.StatusNoContent)
		e.get(t, "/api/v1/tasks", tok.Token).wantProblem(t, http.StatusUnauthorized)
		e.do(t, request{Method: http.MethodDelete, Path: "/api/v1/tokens/" + tok.ID, Token: u.Token}).wantProblem(t, http.StatusNotFound)
		e.get(t, "/api/v1/tokens/"+tok.ID, u.Token).wantProblem(t, http.StatusNotFound)
		// A malformed token is refused like an unknown one.
		for _, bad := range []string{"tapi_", "tapi_short", "tapi_" + strings.Repeat("-", 43), tok.Token + "x"} {
			e.get(t, "/api/v1/tasks", bad).wantProblem(t, http.StatusUnauthorized)
		}
	})
}

// What a create is checked against, and the list's keyset pages.
func TestTokenCreateRulesAndPages(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		u := e.newUser(t, "rules")
		create := func(body map[string]any, header http.Header) *response {
			return e.do(t, request{Method: http.MethodPost, Path: "/api/v1/tokens", Token: u.Token, Body: body, Header: header})
		}
		now := e.Clock.Now()
		for _, c := range []struct {
			body map[string]any
			loc  string
		}{
			{map[string]any{"name": "", "scopes": []string{"tasks:read"}}, "body.name"},
			{map[string]any{"name": "   ", "scopes": []string{"tasks:read"}}, "body.name"},
			{map[string]any{"name": strings.Repeat("n", 101), "scopes": []string{"tasks:read"}}, "body.name"},
			{map[string]any{"name": "x", "scopes": []string{}}, "body.scopes"},
			{map[string]any{"name": "x"}, "body.scopes"},
			{map[string]any{"name": "x", "scopes": []string{"tasks:admin"}}, "body.scopes[0]"},
			{map[string]any{"name": "x", "scopes": []string{"tasks:read"}, "expires_at": now.Add(-time.Minute)}, "body.expires_at"},
			{map[string]any{"name": "x", "scopes": []string{"tasks:read"}, "expires_at": now.Add(367 * 24 * time.Hour)}, "body.expires_at"},
			{map[string]any{"name": "x", "scopes": []string{"tasks:read"}, "token": "tapi_mine"}, "body.token"},
		} {
			p := create(c.body, nil).wantProblem(t, http.StatusUnprocessableEntity)
			if len(p.Errors) == 0 || p.Errors[0].Location != c.loc {
				t.Errorf("%v: errors %+v, want %s", c.body, p.Errors, c.loc)
			}
		}
		// No Idempotency-Key: a replay would have to show the secret again.
		create(map[string]any{"name": "x", "scopes": []string{"tasks:read"}}, http.Header{"Idempotency-Key": {"k1"}}).
			wantProblem(t, http.StatusUnprocessableEntity)

		exp := now.Add(30 * 24 * time.Hour).Truncate(time.Second).UTC()
		var dated tokenJSON
		create(map[string]any{"name": "dated", "scopes": []string{"account:read"}, "expires_at": exp}, nil).
			want(t, http.StatusCreated).decode(t, &dated)
		if dated.ExpiresAt == nil || !dated.ExpiresAt.Equal(exp) {
			t.Errorf("expires_at = %v, want %v", dated.ExpiresAt, exp)
		}

		// Keyset pages, newest first, each token once.
		made := []string{dated.ID}
		for i := range taskapi.MaxAccessTokens - 1 {
			made = append(made, e.newToken(t, u.Token, fmt.Sprintf("t%02d", i), taskapi.ScopeTasksRead).ID)
		}
		var seen []string
		cursor := ""
		for pages := 0; ; pages++ {
			var page struct {
				Items      []tokenJSON `json:"items"`
				NextCursor *string     `json:"next_cursor"`
			}
			e.get(t, "/api/v1/tokens?limit=7"+cursor, u.Token).want(t, http.StatusOK).decode(t, &page)
			for _, it := range page.Items {
				seen = append(seen, it.ID)
			}
			if page.NextCursor == nil {
				break
			}
			cursor = "&cursor=" + *page.NextCursor
		}
		if len(seen) != len(made) {
			t.Fatalf("listed %d tokens, made %d", len(seen), len(made))
		}
		for i := range made {
			if seen[i] != made[len(made)-1-i] {
				t.Fatalf("list order %v, want newest first of %v", seen, made)
			}
		}
		// At the cap, one more is refused; an expired token does not count.
		p := create(map[string]any{"name": "one too many", "scopes": []string{"tasks:read"}}, nil).wantProblem(t, http.StatusForbidden)
		if !strings.Contains(p.Detail, "revoke") {
			t.Errorf("cap problem %q", p.Detail)
		}
		e.do(t, request{Method: http.MethodDelete, Path: "/api/v1/tokens/" + made[5], Token: u.Token}).want(t, http.StatusNoContent)
		e.newToken(t, u.Token, "room again", taskapi.ScopeTasksRead)
	})
}

// A token dies when it expires, when the password is reset, when the
// account is disabled or deleted; a password change keeps it.
func TestTokenEnds(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		u := e.newUser(t, "expiring")
		soon := e.post(t, "/api/v1/tokens", u.Token, map[string]any{"name": "soon", "scopes": []string{"account:read"},
			"expires_at": e.Clock.Now().Add(time.Hour)}).want(t, http.StatusCreated)
		var tok tokenJSON
		soon.decode(t, &tok)
		e.wantLive(t, tok.Token)
		e.Clock.Advance(time.Hour + time.Second)
		e.wantDead(t, tok.Token)
		fresh, err := e.Auth.StartSession(ctx, u.User.ID, auth.ClientInfo{})
		if err != nil {
			t.Fatal(err)
		}
		var got tokenJSON
		e.get(t, "/api/v1/tokens/"+tok.ID, fresh.AccessToken).want(t, http.StatusOK).decode(t, &got)
		if !got.Expired {
			t.Errorf("an expired token reads %+v", got)
		}

		// A password change keeps tokens; a reset ends them.
		e.signUp(t, "resetter", strongPassword)
		s := e.login(t, "resetter", strongPassword)
		kept := e.newToken(t, s.AccessToken, "kept", taskapi.ScopeAccountRead)
		const changed = "granite-Otter-77-maple"
		e.post(t, "/api/v1/auth/change-password", s.AccessToken, map[string]string{"current_password": strongPassword, "new_password": changed}).
			want(t, http.StatusNoContent)
		e.wantLive(t, kept.Token)
		e.post(t, "/api/v1/auth/forgot-password", "", map[string]string{"email": "resetter@example.com"}).want(t, http.StatusAccepted)
		reset := e.Mail.Wait(t, "resetter@example.com", resetSubject, 0).Token(t)
		e.post(t, "/api/v1/auth/reset-password", "", map[string]string{"token": reset, "new_password": "another-Quiet-88-river"}).
			want(t, http.StatusNoContent)
		e.wantDead(t, kept.Token)

		// Disabled by an administrator: refused at once, and for good.
		root := e.newAdmin(t, "root")
		victim := e.newUser(t, "victim")
		vt := e.newToken(t, victim.Token, "v", taskapi.ScopeAccountRead)
		path := "/api/v1/admin/users/" + victim.User.ID.String()
		e.do(t, request{Method: http.MethodPatch, Path: path, Token: root.Token, Body: map[string]any{"is_active": false}}).want(t, http.StatusOK)
		e.wantDead(t, vt.Token)
		e.do(t, request{Method: http.MethodPatch, Path: path, Token: root.Token, Body: map[string]any{"is_active": true}}).want(t, http.StatusOK)
		e.wantDead(t, vt.Token)

		// Deleted with the account.
		e.signUp(t, "leaver", strongPassword)
		l := e.login(t, "leaver", strongPassword)
		lt := e.newToken(t, l.AccessToken, "l", taskapi.ScopeAccountRead)
		e.wantLive(t, lt.Token)
		e.do(t, request{Method: http.MethodDelete, Path: "/api/v1/users/me", Token: l.AccessToken, Body: map[string]string{"password": strongPassword}}).
			want(t, http.StatusNoContent)
		e.wantDead(t, lt.Token)
	})
}

// last_used_at is written at most once a minute per token, however often
// it is used: reads stay reads.
func TestTokenLastUsedThrottled(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		u := e.newUser(t, "busy")
		tok := e.newToken(t, u.Token, "busy", taskapi.ScopeAccountRead)
		lastUsed := func() time.Time {
			t.Helper()
			var got tokenJSON
			e.get(t, "/api/v1/tokens/"+tok.ID, u.Token).want(t, http.StatusOK).decode(t, &got)
			if got.LastUsedAt == nil {
				t.Fatal("last_used_at is null after a use")
			}
			return *got.LastUsedAt
		}
		e.wantLive(t, tok.Token)
		first := lastUsed()
		e.wantLive(t, tok.Token)
		e.Clock.Advance(30 * time.Second)
		e.wantLive(t, tok.Token)
		if got := lastUsed(); !got.Equal(first) {
			t.Errorf("last_used_at moved within a minute: %v → %v", first, got)
		}
		e.Clock.Advance(31 * time.Second)
		e.wantLive(t, tok.Token)
		if got := lastUsed(); !got.After(first.Add(time.Minute)) {
			t.Errorf("last_used_at %v a minute after %v", got, first)
		}
	})
}
