package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/taskapi/taskapi/internal/store"
)

var (
	subtaskRE = regexp.MustCompile(`id="subtask-([0-9a-f-]{36})"`)
	commentRE = regexp.MustCompile(`id="comment-([0-9a-f-]{36})"`)
)

// The subtasks of the task detail without JavaScript: add (the field
// focused again for the next), progress, complete, reorder, open one with
// its breadcrumb; lists show top-level tasks with their counts, and a
// search shows subtasks with their parent's title.
func TestSubtaskPages(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		e.atNoon(mustZone(t, "Europe/Paris")) // "today" and "tomorrow" stay the same days throughout
		b := e.browser(t)
		b.signup("ada")
		b.post("/tasks", url.Values{"text": {"Plan the trip"}})
		parent := taskIDs(b.get("/all"))[0]
		detail := "/tasks/" + parent + "?back=" + url.QueryEscape("/all?sort=title")
		want(t, b.get(detail), http.StatusOK, "Subtasks", `placeholder="Add a subtask"`)

		add := func(title string) page {
			t.Helper()
			p := b.post("/tasks/"+parent+"/subtasks", url.Values{"title": {title}, "back": {"/all?sort=title"}})
			if p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Location, "/tasks/"+parent+"?") || !strings.Contains(p.Location, "focus=add") {
				t.Fatalf("add %q: %d %s", title, p.Status, p.Location)
			}
			return b.follow(p)
		}
		add("Book flights")
		add("Pack")
		p := add("Buy sunscreen tomorrow !high")
		want(t, p, http.StatusOK, "Added subtask “Buy sunscreen”.", `autofocus`, "0/3", `max="3" value="0"`, "tomorrow")
		kids := subtaskRE.FindAllStringSubmatch(p.Body, -1)
		if len(kids) != 3 {
			t.Fatalf("checklist has %d subtasks", len(kids))
		}
		flights, pack, sunscreen := kids[0][1], kids[1][1], kids[2][1]
		// The back of the list is kept through each step.
		if !strings.Contains(p.Body, `href="/all?sort=title"`) {
			t.Error("the detail lost its way back to the list")
		}
		want(t, b.follow(b.post("/tasks/"+parent+"/subtasks", url.Values{"title": {"   "}})), http.StatusOK, "Not added:")

		// Complete one from the checklist: back on the parent, 1/3.
		self := "/tasks/" + parent + "?back=" + url.QueryEscape("/all?sort=title")
		p = b.follow(b.post("/tasks/"+pack+"/toggle", url.Values{"done": {"1"}, "back": {self + "&focus=subtask-check-" + pack}}))
		want(t, p, http.StatusOK, "Completed “Pack”.", "1/3", `max="3" value="1"`)

		// Reorder: sunscreen up, above Pack; flights down, below Pack.
		p = b.post("/tasks/"+sunscreen+"/move", url.Values{"dir": {"up"}, "back": {"/all"}})
		if !strings.HasPrefix(p.Location, "/tasks/"+parent+"?") {
			t.Fatalf("move: %d %s", p.Status, p.Location)
		}
		b.post("/tasks/"+flights+"/move", url.Values{"dir": {"down"}})
		order := func() []string {
			var ids []string
			for _, m := range subtaskRE.FindAllStringSubmatch(b.get("/tasks/"+parent).Body, -1) {
				ids = append(ids, m[1])
			}
			return ids
		}
		if got := order(); strings.Join(got, ",") != strings.Join([]string{sunscreen, flights, pack}, ",") {
			t.Fatalf("order after moves %v, want sunscreen, flights, pack", got)
		}
		// The first cannot go up: nothing changes.
		b.post("/tasks/"+sunscreen+"/move", url.Values{"dir": {"up"}})
		if got := order(); got[0] != sunscreen {
			t.Fatalf("order %v", got)
		}
		want(t, b.post("/tasks/"+parent+"/move", url.Values{"dir": {"up"}}), http.StatusUnprocessableEntity, "Only a subtask")

		// A subtask's detail: the breadcrumb back to its parent.
		want(t, b.get("/tasks/"+flights+"?back=/all"), http.StatusOK, `aria-label="Parent tasks"`,
			`href="/tasks/`+parent+`?back=%2fall">Plan the trip</a>`)

		// Lists show top-level tasks, with the progress badge.
		all := b.get("/all")
		if ids := taskIDs(all); len(ids) != 1 || ids[0] != parent {
			t.Fatalf("/all lists %v, want only the parent", ids)
		}
		want(t, all, http.StatusOK, `title="1 of 3 subtasks done"`, ">1/3<")
		// So does the board.
		board := b.get("/board")
		want(t, board, http.StatusOK, "Plan the trip", ">1/3<")
		if strings.Contains(board.Body, "Book flights") {
			t.Error("the board shows subtasks as cards of their own")
		}
		// A search finds subtasks too, each with its parent's title.
		want(t, b.get("/all?q=flights"), http.StatusOK, "Book flights", `<span class="task-parent">in Plan the trip</span>`)
		// Today shows a subtask due today, with its parent.
		add("Check in today")
		want(t, b.get("/today"), http.StatusOK, "Check in", "in Plan the trip")

		// Another user's task takes no subtask.
		other := e.browser(t)
		other.signup("bob")
		want(t, other.post("/tasks/"+parent+"/subtasks", url.Values{"title": {"mine"}}), http.StatusNotFound)
		want(t, other.post("/tasks/"+flights+"/move", url.Values{"dir": {"up"}}), http.StatusNotFound)
	})
}

// Comments on the task detail without JavaScript: add (line breaks kept,
// markup escaped), relative times with the exact one as a title, edit,
// delete, the latest page with "Show earlier", and the counts on the row.
func TestCommentPages(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		// Noon: the comment's day is the same two hours on.
		noon := e.atNoon(mustZone(t, "Europe/Paris"))
		b := e.browser(t)
		b.signup("ada")
		b.post("/tasks", url.Values{"text": {"Renovate"}})
		id := taskIDs(b.get("/all"))[0]
		want(t, b.get("/tasks/"+id), http.StatusOK, "No comments yet.", "Ctrl+Enter to send")

		p := b.post("/tasks/"+id+"/comments", url.Values{"body": {"Line one\r\n<b>line</b> two"}, "back": {"/all"}})
		if !strings.Contains(p.Location, "focus=comment") {
			t.Fatalf("add: %d %s", p.Status, p.Location)
		}
		p = b.follow(p)
		want(t, p, http.StatusOK, "Comment added.", "Line one\n&lt;b&gt;line&lt;/b&gt; two", "just now", `href="/all"`)
		cid := commentRE.FindStringSubmatch(p.Body)[1]
		want(t, b.follow(b.post("/tasks/"+id+"/comments", url.Values{"body": {" \n "}})), http.StatusOK,
			"Not added: a comment is 1 to 10000 characters, not blank.")

		// Two hours on: "2 h ago", the exact time in the title.
		e.Clock.Advance(2*time.Hour + time.Minute)
		want(t, b.get("/tasks/"+id), http.StatusOK, "2 h ago", `title="`+noon.Format("Monday 2 January 2006"))

		// Edit, then delete.
		want(t, b.follow(b.post("/tasks/"+id+"/comments/"+cid, url.Values{"body": {"Edited"}})), http.StatusOK,
			"Comment saved.", "Edited", "· edited")
		want(t, b.get("/all"), http.StatusOK, `title="1 comment"`)
		want(t, b.follow(b.post("/tasks/"+id+"/comments/"+cid+"/remove", nil)), http.StatusOK, "Comment deleted.", "No comments yet.")
		// Twice is no error: what was asked holds.
		want(t, b.follow(b.post("/tasks/"+id+"/comments/"+cid+"/remove", nil)), http.StatusOK, "Comment deleted.")

		// A long thread: the latest 20, oldest first; "Show earlier" pages back.
		for i := range 25 {
			b.post("/tasks/"+id+"/comments", url.Values{"body": {"note " + strconv.Itoa(i)}})
		}
		p = b.get("/tasks/" + id)
		shown := bodiesOf(p)
		if len(shown) != 20 || shown[0] != "note 5" || shown[19] != "note 24" {
			t.Fatalf("latest page shows %v", shown)
		}
		m := regexp.MustCompile(`href="(/tasks/[^"]*comments=[^"#]*)`).FindStringSubmatch(p.Body)
		if m == nil {
			t.Fatal("no Show earlier link")
		}
		earlier := strings.ReplaceAll(m[1], "&amp;", "&")
		p = b.get(earlier)
		want(t, p, http.StatusOK, "Back to the latest comments")
		if got := bodiesOf(p); strings.Join(got, ",") != "note 0,note 1,note 2,note 3,note 4" {
			t.Fatalf("earlier page shows %v", got)
		}
		// A tampered cursor, or one of another task, is refused.
		want(t, b.get(earlier+"x"), http.StatusBadRequest)
		b.post("/tasks", url.Values{"text": {"Other"}})
		var other string
		for _, x := range taskIDs(b.get("/all")) {
			if x != id {
				other = x
			}
		}
		want(t, b.get(strings.Replace(earlier, id, other, 1)), http.StatusBadRequest)

		// Someone else cannot read, add, edit or delete.
		eve := e.browser(t)
		eve.signup("eve")
		want(t, eve.get("/tasks/"+id), http.StatusNotFound)
		want(t, eve.post("/tasks/"+id+"/comments", url.Values{"body": {"hi"}}), http.StatusNotFound)
		u, err := e.Store.GetUserByEmail(context.Background(), "ada@example.com")
		if err != nil {
			t.Fatal(err)
		}
		list, _, err := e.Store.ListComments(context.Background(), u.ID, uuid.MustParse(id), store.Page{Limit: 1})
		if err != nil || len(list) != 1 {
			t.Fatalf("comments %v, %v", list, err)
		}
		want(t, eve.post("/tasks/"+id+"/comments/"+list[0].ID.String(), url.Values{"body": {"mine"}}), http.StatusNotFound)
		want(t, eve.post("/tasks/"+id+"/comments/"+list[0].ID.String()+"/remove", nil), http.StatusNotFound)
	})
}

var commentBodyRE = regexp.MustCompile(`<div class="comment-body">([^<]*)</div>`)

// bodiesOf lists the comment bodies a page shows, in order.
func bodiesOf(p page) []string {
	var out []string
	for _, m := range commentBodyRE.FindAllStringSubmatch(p.Body, -1) {
		out = append(out, m[1])
	}
	return out
}
