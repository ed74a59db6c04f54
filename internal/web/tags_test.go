package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/google/uuid"
)

// Tags without JavaScript: the tags page (create, a refused duplicate,
// rename, recolour, delete), @name in quick add, the task detail's tags
// section (add an existing tag, make a new one, remove), chips on rows
// that filter the list, the sidebar, and undo bringing a task back with
// its tags.
func TestTagPages(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		b := e.browser(t)
		b.signup("tagada")
		want(t, b.get("/tags"), http.StatusOK, "Tags", "No tags yet.")
		p := b.follow(b.post("/tags", url.Values{"name": {"errand"}, "color": {"#0891B2"}}))
		want(t, p, http.StatusOK, "Created “errand”.", `href="/all?tag=`)
		want(t, b.post("/tags", url.Values{"name": {"ERRAND"}, "color": {"#0891B2"}}), http.StatusUnprocessableEntity,
			"You already have a tag with this name.")
		u, err := e.Store.GetUserByEmail(context.Background(), "tagada@example.com")
		if err != nil {
			t.Fatal(err)
		}

		// Quick add takes @errand; the row shows the chip, which filters.
		b.follow(b.post("/tasks", url.Values{"text": {"Buy stamps @errand"}, "back": {"/all"}}))
		b.follow(b.post("/tasks", url.Values{"text": {"Write report"}, "back": {"/all"}}))
		all := b.get("/all")
		tagID := regexpFind(t, all.Body, `href="/all\?tag=([0-9a-f-]{36})"`)
		want(t, all, http.StatusOK, "Buy stamps", "Write report", `class="chip tag-chip"`)
		filtered := b.get("/all?tag=" + tagID)
		want(t, filtered, http.StatusOK, "Buy stamps", "Tagged", "stop filtering by this tag")
		if strings.Contains(filtered.Body, "Write report") {
			t.Error("the tag filter kept an untagged task")
		}
		want(t, b.get("/all?tag="+tagID+"&q=nothing"), http.StatusOK, "No task matches these filters.")

		// The detail: add a new tag by name, then an existing one, remove one.
		ids := taskIDs(b.get("/all?tag=" + tagID))
		id := ids[0]
		want(t, b.get("/tasks/"+id), http.StatusOK, "Tags", "errand", `list="tag-options-`)
		p = b.follow(b.post("/tasks/"+id+"/tags", url.Values{"name": {"@Post office"}, "back": {"/all"}}))
		want(t, p, http.StatusOK, "Created the tag “Post office” and added it.")
		p = b.follow(b.post("/tasks/"+id+"/tags", url.Values{"name": {"post OFFICE"}}))
		want(t, p, http.StatusOK, "Tagged “post OFFICE”.")
		task, err := e.Store.GetTask(context.Background(), u.ID, uuid.MustParse(id))
		if err != nil || len(task.Tags) != 2 || task.Tags[0].Name != "errand" || task.Tags[1].Name != "Post office" {
			t.Fatalf("tags %+v, %v", task.Tags, err)
		}
		p = b.follow(b.post("/tasks/"+id+"/tags/"+tagID+"/remove", url.Values{"back": {"/all"}}))
		want(t, p, http.StatusOK, "Tag removed.")
		if task, _ = e.Store.GetTask(context.Background(), u.ID, uuid.MustParse(id)); len(task.Tags) != 1 {
			t.Fatalf("after remove: %+v", task.Tags)
		}
		b.follow(b.post("/tasks/"+id+"/tags", url.Values{"name": {"errand"}}))

		// The bulk bar tags the selected tasks.
		all = b.get("/all")
		p = b.follow(b.post("/tasks/bulk", url.Values{"ids": taskIDs(all)[:2], "action": {"tag"}, "tag_id": {tagID}, "back": {"/all"}}))
		want(t, p, http.StatusOK, "Tagged 2 tasks.")
		if n := len(taskIDs(b.get("/all?tag=" + tagID))); n != 2 {
			t.Errorf("%d tasks tagged after the bulk action, want 2", n)
		}

		// Rename and recolour on the tags page; the sidebar follows.
		p = b.follow(b.post("/tags/"+tagID, url.Values{"name": {"Errands"}, "color": {"#16A34A"}}))
		want(t, p, http.StatusOK, "Saved “Errands”.", `fill="#16A34A"`, `<span class="cat-name">Errands</span>`)

		// Undo of a delete brings the task back with its tags.
		b.post("/tasks/"+id+"/delete", url.Values{"back": {"/all"}})
		b.follow(b.post("/tasks/undo", url.Values{"back": {"/all"}}))
		want(t, b.get("/all?tag="+tagID), http.StatusOK, "Buy stamps")

		// Deleting the tag keeps its tasks, without it.
		p = b.follow(b.post("/tags/"+tagID+"/delete", nil))
		want(t, p, http.StatusOK, "Deleted “Errands”; its tasks are kept, without it.")
		p = b.get("/all")
		want(t, p, http.StatusOK, "Buy stamps", "Post office")
		if strings.Contains(p.Body, "Errands") {
			t.Error("a deleted tag still shows")
		}
		// A filter on a tag that is gone is no filter at all.
		want(t, b.get("/all?tag="+tagID), http.StatusOK, "Buy stamps", "Write report")
	})
}

// regexpFind returns the first group of pattern in s, failing t without.
func regexpFind(t *testing.T, s, pattern string) string {
	t.Helper()
	m := regexp.MustCompile(pattern).FindStringSubmatch(s)
	if m == nil {
		t.Fatalf("no %s in the page:\n%s", pattern, s)
	}
	return m[1]
}
