package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestBoard(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		b := e.browser(t)
		b.signup("ada")
		b.post("/tasks", url.Values{"text": {"Write tests !urgent"}})
		id := taskIDs(b.get("/all"))[0]
		p := b.get("/board")
		want(t, p, http.StatusOK, "<h1>Board</h1>", "Write tests", `value="IN_PROGRESS">→ In progress`)
		want(t, b.follow(b.post("/tasks/"+id+"/status", url.Values{"status": {"IN_PROGRESS"}, "back": {"/board"}})), http.StatusOK,
			"Moved “Write tests” to In progress.")
		p = b.get("/board")
		inProgress := p.Body[strings.Index(p.Body, `data-column="IN_PROGRESS"`):strings.Index(p.Body, `data-column="COMPLETED"`)]
		if !strings.Contains(inProgress, "Write tests") {
			t.Error("the card did not move")
		}
		want(t, b.post("/tasks/"+id+"/status", url.Values{"status": {"NOPE"}}), http.StatusUnprocessableEntity)
		other := e.browser(t)
		other.signup("eve")
		want(t, other.post("/tasks/"+id+"/status", url.Values{"status": {"COMPLETED"}}), http.StatusNotFound)
	})
}
