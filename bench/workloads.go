package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
)

// kind is one sort of request a workload sends.
type kind int

// The request kinds. The list kinds are the ones whose cost must not grow
// with the data (scale mode) and that follow next_cursor when --pages > 1.
const (
	kindList     kind = iota // GET /tasks?limit=50 (default sort, -created_at)
	kindFiltered             // GET /tasks?status=TODO,IN_PROGRESS&sort=-priority
	kindPriority             // GET /tasks?sort=-priority
	kindDue                  // GET /tasks?sort=due_date
	kindSearch               // GET /tasks?q=WORD
	kindGet                  // GET /tasks/{id}
	kindCreate               // POST /tasks
	kindUpdate               // PATCH /tasks/{id}
	kindLogin                // POST /auth/login
	kindQuick                // POST /tasks/quick
	kindSubtasks             // GET /tasks/{id}/subtasks
	kindWebList              // GET /all, the web app's list page
	kindChanges              // GET /changes from a cursor feedChanges behind
	kindTagged               // GET /tasks?tag=ID, a tag on a third of the tasks
	kindTagRare              // GET /tasks?tag=ID, a tag on about 20 tasks
	kindTagAll               // GET /tasks?tag=COMMON,RARE (tasks having both)
	kindTagAny               // GET /tasks?any_tag=RARE,RARE2
	kindTagDue               // GET /tasks?tag=COMMON&sort=due_date
	numKinds
)

var kindNames = [numKinds]string{"list", "filtered", "priority", "due", "search", "get", "create", "update", "login",
	"quick", "subtasks", "web-list", "changes", "tag", "tag-rare", "tag-all", "tag-any", "tag-due"}

func (k kind) String() string { return kindNames[k] }

// isList reports whether k reads a page of the task list.
func (k kind) isList() bool { return k <= kindSearch || k.isTag() }

// isTag reports whether k reads a page of the task list filtered by tag.
func (k kind) isTag() bool { return k >= kindTagged && k <= kindTagDue }

// pageSize is the page every list workload asks for.
const pageSize = 50

// listQuery is the query string of a list kind (without cursor); tags
// are the user's, for the tag kinds.
func listQuery(k kind, term string, tags benchTags) string {
	switch k {
	case kindTagged:
		return "tag=" + tags.Common.String() + "&limit=50"
	case kindTagRare:
		return "tag=" + tags.Rare.String() + "&limit=50"
	case kindTagAll:
		return "tag=" + tags.Common.String() + "," + tags.Rare.String() + "&limit=50"
	case kindTagAny:
		return "any_tag=" + tags.Rare.String() + "," + tags.Rare2.String() + "&limit=50"
	case kindTagDue:
		return "tag=" + tags.Common.String() + "&sort=due_date&limit=50"
	case kindFiltered:
		return "status=TODO,IN_PROGRESS&sort=-priority&limit=50"
	case kindPriority:
		return "sort=-priority&limit=50"
	case kindDue:
		return "sort=due_date&limit=50"
	case kindSearch:
		return "q=" + url.QueryEscape(term) + "&limit=50"
	}
	return "limit=50"
}

// weighted is one kind of request with its share of a workload.
type weighted struct {
	kind   kind
	weight int
}

// workload is a named traffic pattern.
type workload struct {
	name  string
	parts []weighted
	// floor: the floor server answers every kind of this workload, so the
	// workload is run against it too and printed as a ratio.
	floor bool
}

// workloads lists every workload by name. The mix is 80 % reads and 20 %
// writes; within the reads, the shares follow what a task app's clients do
// most: open the list, open one task, filter, search.
func workloads() []workload {
	one := func(name string, k kind, floor bool) workload {
		return workload{name: name, parts: []weighted{{k, 1}}, floor: floor}
	}
	return []workload{
		one("list", kindList, true),
		one("filtered", kindFiltered, true),
		one("priority", kindPriority, true),
		one("due", kindDue, true),
		one("search", kindSearch, true),
		one("get", kindGet, true),
		one("create", kindCreate, true),
		one("update", kindUpdate, true),
		one("login", kindLogin, false),
		one("quick", kindQuick, false),
		one("subtasks", kindSubtasks, false),
		one("web-list", kindWebList, false),
		one("changes", kindChanges, false),
		one("tag", kindTagged, false),
		one("tag-rare", kindTagRare, false),
		one("tag-all", kindTagAll, false),
		one("tag-any", kindTagAny, false),
		one("tag-due", kindTagDue, false),
		{name: "mix", parts: []weighted{
			{kindList, 30}, {kindFiltered, 15}, {kindSearch, 10}, {kindGet, 25},
			{kindCreate, 10}, {kindUpdate, 10},
		}},
	}
}

// defaultLoadWorkloads are what "load" runs unless told otherwise: the
// issue's list. priority and due are for scale mode, but may be named.
const defaultLoadWorkloads = "list,filtered,search,get,create,update,login,mix"

// defaultScaleWorkloads are the list workloads compared at two data sizes.
const defaultScaleWorkloads = "list,priority,due,filtered,search,tag,tag-rare,tag-all,tag-any,tag-due"

// findWorkloads resolves a comma-separated list of names.
func findWorkloads(names string) ([]workload, error) {
	all := workloads()
	var out []workload
	for _, n := range strings.Split(names, ",") {
		n = strings.TrimSpace(n)
		if n == "" {
			continue
		}
		i := slices.IndexFunc(all, func(w workload) bool { return w.name == n })
		if i < 0 {
			known := make([]string, len(all))
			for j, w := range all {
				known[j] = w.name
			}
			return nil, fmt.Errorf("unknown workload %q; known: %s", n, strings.Join(known, ", "))
		}
		out = append(out, all[i])
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no workload named")
	}
	return out, nil
}

// benchUser is a seeded user the load is sent as.
type benchUser struct {
	ID       uuid.UUID
	Username string
	Password string
	// Auth holds "Bearer …" header values, one per session.
	Auth []string
	// TaskIDs is a sample of the user's tasks, for get and update.
	TaskIDs []uuid.UUID
	// TreeID is a task with subtasks, for the subtasks workload.
	TreeID uuid.UUID
	// Tags are the tags the tag workloads filter by.
	Tags benchTags
	// FeedCursor is a change-feed cursor feedChanges changes behind the
	// head, for the changes workload.
	FeedCursor string
	// WebCookie is the web app's session cookie ("name=value"), for the
	// web-list workload.
	WebCookie string
}

// benchTags are a user's tags for the tag workloads: one common, two rare.
type benchTags struct {
	// Common is on every third task (by creation).
	Common uuid.UUID
	// Rare and Rare2 are each on about rareTagged tasks spread over the
	// user's history, whatever its size.
	Rare, Rare2 uuid.UUID
}

// searchTerms are what the search workload looks for, lower case while the
// seeded titles are capitalised, so the search must ignore case: a common
// word, a middling one and a rare one (see seedWords).
func searchTerms() []string { return []string{"report", "invoice", "zeppelin"} }

// payloads are request bodies built once, before the load starts, so the
// load generator spends its CPU on requests, not on encoding.
type payloads struct {
	quick  [][]byte
	create [][]byte
	update [][]byte
	login  [][]byte // one per user
}

func newPayloads(users []*benchUser, now time.Time) (*payloads, error) {
	p := &payloads{}
	rng := rand.New(rand.NewPCG(1, 2))
	words := seedWords()
	prios := []string{"LOW", "MEDIUM", "HIGH", "URGENT"}
	for i := range 64 {
		body := map[string]any{
			"title":    fmt.Sprintf("Bench %s %s %d", seedWord(rng, words), seedWord(rng, words), i),
			"priority": prios[rng.IntN(len(prios))],
		}
		if i%2 == 0 {
			body["description"] = "Created by the load generator: " + seedWord(rng, words) + " " + seedWord(rng, words)
		}
		if i%3 != 0 {
			body["due_date"] = now.Add(time.Duration(rng.IntN(60*24)) * time.Hour).UTC().Format(time.RFC3339)
		}
		b, err := json.Marshal(body)
		if err != nil {
			return nil, err
		}
		p.create = append(p.create, b)
	}
	for _, line := range []string{"Pay rent tomorrow 9am !high", "Call the plumber friday", "Read the report in 3 days p2",
		"Book flights next monday 17:00 !urgent", "Water the plants", "Review the invoice dec 24 !low"} {
		b, err := json.Marshal(map[string]string{"text": line})
		if err != nil {
			return nil, err
		}
		p.quick = append(p.quick, b)
	}
	statuses := []string{"TODO", "IN_PROGRESS", "COMPLETED"}
	for i := range 24 {
		b, err := json.Marshal(map[string]any{"status": statuses[i%3], "priority": prios[i%4]})
		if err != nil {
			return nil, err
		}
		p.update = append(p.update, b)
	}
	for _, u := range users {
		b, err := json.Marshal(map[string]string{"username": u.Username, "password": u.Password})
		if err != nil {
			return nil, err
		}
		p.login = append(p.login, b)
	}
	return p, nil
}

// request is one request to send and the status that counts as success.
type request struct {
	kind   kind
	method string
	url    string
	auth   string
	cookie string
	body   []byte
	want   int
}

// httpRequest turns r into an *http.Request.
func (r *request) httpRequest(ctx context.Context) (*http.Request, error) {
	var body io.Reader
	if r.body != nil {
		body = bytes.NewReader(r.body)
	}
	req, err := http.NewRequestWithContext(ctx, r.method, r.url, body)
	if err != nil {
		return nil, err
	}
	if r.auth != "" {
		req.Header.Set("Authorization", r.auth)
	}
	if r.cookie != "" {
		req.Header.Set("Cookie", r.cookie)
		req.Header.Set("Accept", "text/html")
		return req, nil
	}
	if r.body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	return req, nil
}
