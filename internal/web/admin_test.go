package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

func TestAdminPage(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		if _, _, err := e.Auth.EnsureSuperuser(context.Background(), "root@example.com", "root", "a calm purple otter 42"); err != nil {
			t.Fatal(err)
		}
		user := e.browser(t)
		user.signup("ada")
		want(t, user.get("/admin"), http.StatusNotFound)
		if strings.Contains(user.get("/today").Body, `href="/admin"`) {
			t.Error("a member sees the admin link")
		}

		root := e.browser(t)
		root.get("/login")
		want(t, root.follow(root.post("/login", url.Values{"username": {"root"}, "password": {"a calm purple otter 42"}})), http.StatusOK, `href="/admin"`)
		p := root.get("/admin?q=ada")
		want(t, p, http.StatusOK, "ada@example.com")
		if strings.Contains(p.Body, "root@example.com") {
			t.Error("the search did not filter")
		}
		id := regexp.MustCompile(`action="/admin/users/([0-9a-f-]{36})"`).FindStringSubmatch(p.Body)[1]
		// Disabling ends the person's session at once.
		want(t, root.follow(root.post("/admin/users/"+id, url.Values{"action": {"disable"}, "q": {"ada"}})), http.StatusOK, "Saved ada.", "disabled")
		if p := user.get("/today"); p.Status != http.StatusSeeOther {
			t.Errorf("a disabled account's session still works: %d", p.Status)
		}
		want(t, root.follow(root.post("/admin/users/"+id, url.Values{"action": {"enable"}})), http.StatusOK, "Saved ada.")
		// An administrator cannot disable themselves.
		self := regexp.MustCompile(`action="/admin/users/([0-9a-f-]{36})"`).FindStringSubmatch(root.get("/admin?q=root").Body)[1]
		p = root.follow(root.post("/admin/users/"+self, url.Values{"action": {"disable"}}))
		want(t, p, http.StatusOK, "root")
		if strings.Contains(p.Body, "Saved root.") {
			t.Error("an administrator disabled themselves")
		}
		want(t, root.follow(root.post("/admin/users/"+id+"/delete", nil)), http.StatusOK, "The account is deleted.")
		if strings.Contains(root.get("/admin").Body, "ada@example.com") {
			t.Error("the deleted account is still listed")
		}
	})
}

func TestOverviewPage(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		e.atNoon(mustZone(t, "Europe/Paris")) // "today" and "tomorrow" stay the same days throughout
		b := e.browser(t)
		b.signup("ada")
		b.post("/tasks", url.Values{"text": {"Ship it today !urgent"}})
		b.post("/tasks", url.Values{"text": {"Old thing yesterday"}})
		b.post("/tasks", url.Values{"text": {"Done thing"}})
		id := taskIDs(b.get("/all?q=Done"))[0]
		b.post("/tasks/"+id+"/toggle", url.Values{"done": {"1"}})
		p := b.get("/overview")
		want(t, p, http.StatusOK, "<h1>Overview</h1>", `role="img"`, "Tasks by priority", "Completed per day as a table (1 in 30 days)",
			`<th scope="row">Urgent</th><td class="tnum">1</td>`)
		if !regexp.MustCompile(`<span class="stat-value tnum">1</span><span class="stat-label">overdue</span>`).MatchString(p.Body) {
			t.Errorf("overdue count missing:\n%s", p.Body)
		}
	})
}
