package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

var versionRE = regexp.MustCompile(`name="version" value="(\d+)"`)

func TestTaskPages(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		e.atNoon(mustZone(t, "Europe/Paris")) // "today" and "tomorrow" stay the same days throughout
		b := e.browser(t)
		b.signup("ada")
		want(t, b.get("/today"), http.StatusOK, "Nothing due today.")

		// Categories: create, then quick add names one.
		b.get("/categories")
		want(t, b.follow(b.post("/categories", url.Values{"name": {"Home"}, "color": {"#16A34A"}})), http.StatusOK, "Created “Home”")
		want(t, b.post("/categories", url.Values{"name": {"home"}, "color": {"#16A34A"}}), http.StatusUnprocessableEntity,
			"You already have a category with this name.", `value="home"`)
		want(t, b.post("/categories", url.Values{"name": {"Bad"}, "color": {"custom"}, "custom": {"red"}}), http.StatusUnprocessableEntity, "#RRGGBB")

		p := b.post("/tasks", url.Values{"text": {"Pay rent tomorrow 9am !high #Home"}, "back": {"/upcoming"}})
		if p.Location != "/upcoming" {
			t.Fatalf("quick add: %d %s %s", p.Status, p.Location, p.Body)
		}
		up := b.get("/upcoming")
		want(t, up, http.StatusOK, "Pay rent", "tomorrow 09:00", "prio-high", "Home", "Added “Pay rent”.")
		ids := taskIDs(up)
		if len(ids) != 1 {
			t.Fatalf("upcoming lists %v", ids)
		}
		id := ids[0]
		// The API sees the same task, in UTC: 09:00 in Paris.
		b.post("/tasks", url.Values{"text": {"Water plants today"}})
		want(t, b.get("/today"), http.StatusOK, "Water plants", "today")
		want(t, b.get("/all"), http.StatusOK, "Pay rent", "Water plants")
		want(t, b.get("/all?q=rent"), http.StatusOK, "Pay rent")
		if strings.Contains(b.get("/all?q=rent").Body, "Water plants") {
			t.Error("search did not filter")
		}
		want(t, b.get("/all?sort=bogus"), http.StatusOK, "These filters are not valid")
		// An empty quick add says why.
		want(t, b.follow(b.post("/tasks", url.Values{"text": {"tomorrow !high"}, "back": {"/all"}})), http.StatusOK, "Not added: Title is empty")

		// Complete from the list; it shows under Completed; reopen.
		p = b.post("/tasks/"+id+"/toggle", url.Values{"done": {"1"}, "back": {"/upcoming"}})
		want(t, b.follow(p), http.StatusOK, "Completed “Pay rent”.")
		want(t, b.get("/completed"), http.StatusOK, "Pay rent", `class="task prio-high done"`)
		// A replayed post does not flip it back.
		b.post("/tasks/"+id+"/toggle", url.Values{"done": {"1"}})
		want(t, b.get("/completed"), http.StatusOK, "Pay rent")
		b.post("/tasks/"+id+"/toggle", url.Values{"done": {"0"}})
		if ids := taskIDs(b.get("/completed")); len(ids) != 0 {
			t.Errorf("reopened task still completed: %v", ids)
		}

		// Edit, with a conflict when the task changed since the form was read.
		detail := b.get("/tasks/" + id + "?back=/all")
		want(t, detail, http.StatusOK, `value="Pay rent"`, `type="datetime-local"`)
		v := versionRE.FindStringSubmatch(detail.Body)[1]
		form := url.Values{"title": {"Pay rent (March)"}, "description": {"See https://bank.example/pay?x=1 <b>now</b>"}, "status": {"IN_PROGRESS"},
			"priority": {"URGENT"}, "due": {"2026-12-24T18:30"}, "category_id": {""}, "version": {v}, "back": {"/all"}}
		want(t, b.follow(b.post("/tasks/"+id, form)), http.StatusOK, "Saved “Pay rent (March)”.")
		detail = b.get("/tasks/" + id)
		want(t, detail, http.StatusOK, `<a href="https://bank.example/pay?x=1"`, "&lt;b&gt;now&lt;/b&gt;", `value="2026-12-24T18:30"`)
		form.Set("title", "Stale edit")
		p = b.post("/tasks/"+id, form) // the version read before the save
		want(t, p, http.StatusConflict, "This task was changed elsewhere", `value="Stale edit"`)
		want(t, b.post("/tasks/"+id, url.Values{"title": {""}, "status": {"TODO"}, "priority": {"LOW"}, "version": {versionRE.FindStringSubmatch(p.Body)[1]}}),
			http.StatusUnprocessableEntity, "Must be 1 to 200 characters")

		// Another user's task is a 404 page, for reading and for writing.
		other := e.browser(t)
		other.signup("mallory")
		want(t, other.get("/tasks/"+id), http.StatusNotFound, "Not found")
		want(t, other.post("/tasks/"+id+"/toggle", url.Values{"done": {"1"}}), http.StatusNotFound)
		want(t, other.post("/tasks/"+id+"/delete", nil), http.StatusNotFound)
		want(t, other.get("/tasks/not-a-uuid"), http.StatusNotFound)

		// Delete.
		want(t, b.follow(b.post("/tasks/"+id+"/delete", url.Values{"back": {"/all"}})), http.StatusOK, "Deleted “Pay rent (March)”.")
		want(t, b.get("/tasks/"+id), http.StatusNotFound)

		// Deleting a category keeps its tasks.
		cats := b.get("/categories")
		catID := regexp.MustCompile(`action="/categories/([0-9a-f-]{36})/delete"`).FindStringSubmatch(cats.Body)[1]
		b.post("/tasks", url.Values{"text": {"Fix sink #Home"}})
		want(t, b.get("/categories/"+catID), http.StatusOK, "Fix sink")
		want(t, b.follow(b.post("/categories/"+catID, url.Values{"name": {"House"}, "color": {"#dc2626"}})), http.StatusOK, "Saved “House”")
		want(t, b.follow(b.post("/categories", url.Values{"name": {"Garden"}, "color": {"#16A34A"}})), http.StatusOK, "Created “Garden”")
		want(t, b.post("/categories/"+catID, url.Values{"name": {"garden"}}), http.StatusUnprocessableEntity,
			"You already have a category with this name.")
		want(t, b.post("/categories/"+catID, url.Values{"name": {""}}), http.StatusUnprocessableEntity, "not blank")
		want(t, b.follow(b.post("/categories/"+catID+"/delete", nil)), http.StatusOK, "its tasks are kept")
		want(t, b.get("/all"), http.StatusOK, "Fix sink")
	})
}

func TestLoadMore(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		b := e.browser(t)
		b.signup("ada")
		for i := 0; i < 55; i++ {
			b.post("/tasks", url.Values{"text": {"task " + string(rune('a'+i%26)) + strings.Repeat("x", i/26)}})
		}
		p := b.get("/all?sort=title")
		first := taskIDs(p)
		if len(first) != 50 {
			t.Fatalf("first page has %d tasks", len(first))
		}
		m := regexp.MustCompile(`href="(/all\?[^"]*cursor=[^"]+)"`).FindStringSubmatch(p.Body)
		if m == nil {
			t.Fatal("no Load more link")
		}
		next := b.get(strings.ReplaceAll(m[1], "&amp;", "&"))
		second := taskIDs(next)
		if len(second) != 5 {
			t.Fatalf("second page has %d tasks", len(second))
		}
		// A cursor of another sort, or a tampered one, is refused politely.
		want(t, b.get(strings.Replace(strings.ReplaceAll(m[1], "&amp;", "&"), "sort=title", "sort=-title", 1)), http.StatusOK, "not valid")
	})
}

// getPanel asks for the task detail as the script's side panel does.
func (b *browser) getPanel(path string) page {
	b.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, b.e.URL+path, nil)
	req.Header.Set("X-Panel", "1")
	return b.do(req)
}

func (b *browser) postPanel(path string, form url.Values) page {
	b.t.Helper()
	form.Set("csrf", b.csrf)
	req, _ := http.NewRequest(http.MethodPost, b.e.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	req.Header.Set("X-Panel", "1")
	return b.do(req)
}

func TestTaskPanel(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		e.atNoon(mustZone(t, "Europe/Paris")) // "today" and "tomorrow" stay the same days throughout
		b := e.browser(t)
		b.signup("ada")
		b.post("/tasks", url.Values{"text": {"Pay rent today !high"}})
		id := taskIDs(b.get("/today"))[0]

		// The panel gets the detail alone, with the task's list row; the
		// page gets it inside the layout.
		p := b.getPanel("/tasks/" + id + "?back=/today")
		want(t, p, http.StatusOK, `data-task-detail`, `value="Pay rent"`, `data-panel-close`, `<template data-panel-row>`,
			`class="task prio-high"`, `href="/tasks/`+id+`?back=%2ftoday"`)
		if strings.Contains(p.Body, "<html") || strings.Contains(p.Body, `class="sidebar"`) {
			t.Errorf("the panel got the whole page:\n%s", p.Body)
		}
		if !strings.Contains(strings.Join(p.Header.Values("Vary"), ","), "X-Panel") {
			t.Errorf("Vary = %q", p.Header.Values("Vary"))
		}
		page := b.get("/tasks/" + id + "?back=/today")
		want(t, page, http.StatusOK, "<html", `class="sidebar"`, `data-task-detail`, "← Back")
		if strings.Contains(page.Body, "data-panel-row") {
			t.Error("the page carries the panel's row")
		}

		// A save in the panel answers the detail again, as saved, with the
		// new row; a stale one the conflict; an invalid one its field error.
		v := versionRE.FindStringSubmatch(p.Body)[1]
		form := url.Values{"title": {"Pay the rent"}, "status": {"TODO"}, "priority": {"URGENT"}, "due": {""}, "version": {v}, "back": {"/today"}}
		saved := b.postPanel("/tasks/"+id, form)
		want(t, saved, http.StatusOK, `data-saved="Saved “Pay the rent”."`, `value="Pay the rent"`, `class="task prio-urgent"`)
		if versionRE.FindStringSubmatch(saved.Body)[1] == v {
			t.Error("the saved detail kept the old version")
		}
		form.Set("title", "Stale")
		want(t, b.postPanel("/tasks/"+id, form), http.StatusConflict, "This task was changed elsewhere", `value="Stale"`, "data-panel-close")
		form.Set("title", "")
		form.Set("version", versionRE.FindStringSubmatch(saved.Body)[1])
		want(t, b.postPanel("/tasks/"+id, form), http.StatusUnprocessableEntity, "Must be 1 to 200 characters", "data-panel-close")

		// Another user's task is not found in the panel either.
		other := e.browser(t)
		other.signup("mallory")
		want(t, other.getPanel("/tasks/"+id), http.StatusNotFound, "Not found")
	})
}

func TestQuickAddDeclined(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		e.atNoon(mustZone(t, "Europe/Paris")) // "today" and "tomorrow" stay the same days throughout
		b := e.browser(t)
		b.signup("ada")
		// The preview and the add honour the parts declined, in UTF-16 code
		// units as the script counts them (the emoji is two).
		req, _ := http.NewRequest(http.MethodPost, e.URL+"/tasks/quick-preview",
			strings.NewReader(url.Values{"text": {"🙂 Tomorrow by Sam !high"}, "declined": {"3-11,bogus,40-50"}, "csrf": {b.csrf}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Accept", "application/json")
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		p := b.do(req)
		want(t, p, http.StatusOK, `"title":"🙂 Tomorrow by Sam"`, `"priority":"High"`, `"kind":"priority"`)
		if strings.Contains(p.Body, `"due"`) {
			t.Errorf("the declined day was recognised: %s", p.Body)
		}
		// Inside the emoji: ignored, so the day is recognised.
		p = b.post("/tasks", url.Values{"text": {"🙂 Tomorrow by Sam !high"}, "declined": {"1-11"}, "back": {"/all"}})
		want(t, b.follow(p), http.StatusOK, "Added “🙂 by Sam”.", "tomorrow")
		p = b.post("/tasks", url.Values{"text": {"Read Tomorrow by Sam !high"}, "declined": {"5-13"}, "back": {"/all"}})
		all := b.follow(p)
		want(t, all, http.StatusOK, "Added “Read Tomorrow by Sam”.")
		if n := strings.Count(all.Body, "<time"); n != 1 {
			t.Errorf("%d due dates, want 1 (the first task's)", n)
		}
	})
}
