package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/taskapi/taskapi"
)

// treeTitle names the task whose subtasks the subtasks workload reads.
const treeTitle = "Bench tree"

// treeChildren is how many subtasks that task has.
const treeChildren = 20

// ensureTree gives u a task with treeChildren subtasks, made through the
// store as the API makes them (positions, counts), once per database.
func (s *seeder) ensureTree(ctx context.Context, u *benchUser) error {
	err := s.st.DB().QueryRowContext(ctx, `SELECT id FROM tasks WHERE user_id = $1 AND title = $2 AND parent_id IS NULL`, u.ID, treeTitle).Scan(&u.TreeID)
	if err == nil {
		return nil
	}
	parent, _, err := s.st.CreateTask(ctx, u.ID, taskapi.Task{Title: treeTitle, Priority: taskapi.PriorityMedium, Status: taskapi.StatusTodo}, nil)
	if err != nil {
		return fmt.Errorf("seed the tree of %s: %w", u.Username, err)
	}
	for i := range treeChildren {
		child := taskapi.Task{Title: fmt.Sprintf("Step %d", i+1), Priority: taskapi.PriorityMedium, Status: taskapi.StatusTodo, ParentID: &parent.ID}
		if _, _, err := s.st.CreateTask(ctx, u.ID, child, nil); err != nil {
			return fmt.Errorf("seed the tree of %s: %w", u.Username, err)
		}
	}
	u.TreeID = parent.ID
	return nil
}

// The tags the tag workloads filter by.
const (
	tagName      = "Bench tag"
	rareTagName  = "Bench rare"
	rareTag2Name = "Bench rare 2"
)

// rareTagged is how many tasks each rare tag is on, whatever the user's
// size: at a million tasks, one in 50,000.
const rareTagged = 20

// needsTags reports whether wl filters by the seeded tags.
func needsTags(wl workload) bool {
	return slices.ContainsFunc(wl.parts, func(p weighted) bool { return p.kind.isTag() })
}

// ensureTags gives u its tags (made once per database) and puts them on
// its tasks as they are now: the common tag on every third task by
// creation (tasks tagged before keep it), each rare tag on rareTagged
// tasks spread evenly over the user's history (retagged from scratch, the
// second one offset from the first). The rows go in by SQL, as the
// seeder's tasks do; the store's triggers keep what depends on them.
func (s *seeder) ensureTags(ctx context.Context, u *benchUser) error {
	ids := make([]uuid.UUID, 3)
	for i, name := range []string{tagName, rareTagName, rareTag2Name} {
		err := s.st.DB().QueryRowContext(ctx, `SELECT id FROM tags WHERE user_id = $1 AND name = $2`, u.ID, name).Scan(&ids[i])
		if errors.Is(err, sql.ErrNoRows) {
			var tag taskapi.Tag
			tag, _, err = s.st.CreateTag(ctx, u.ID, taskapi.Tag{Name: name}, nil)
			ids[i] = tag.ID
		}
		if err != nil {
			return fmt.Errorf("seed the tags of %s: %w", u.Username, err)
		}
	}
	total, err := s.countTasks(ctx, u.ID)
	if err != nil {
		return err
	}
	step := max(total/rareTagged, 1)
	first, second := 1%step, (step/2+1)%step
	tx, err := s.st.DB().BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	// The tasks numbered in creation order, as the seeder made them.
	const numbered = `(SELECT id, row_number() OVER (ORDER BY created_at, id) AS n FROM tasks WHERE user_id = $1) t`
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{`INSERT INTO task_tags (task_id, tag_id) SELECT id, $2 FROM ` + numbered + ` WHERE n % 3 = 0
			ON CONFLICT (task_id, tag_id) DO NOTHING`, []any{u.ID, ids[0]}},
		{`DELETE FROM task_tags WHERE tag_id IN ($1, $2)`, []any{ids[1], ids[2]}},
		{`INSERT INTO task_tags (task_id, tag_id) SELECT id, $2 FROM ` + numbered + ` WHERE n % $3 = $4`, []any{u.ID, ids[1], step, first}},
		{`INSERT INTO task_tags (task_id, tag_id) SELECT id, $2 FROM ` + numbered + ` WHERE n % $3 = $4`, []any{u.ID, ids[2], step, second}},
	} {
		if _, err := tx.ExecContext(ctx, q.sql, q.args...); err != nil {
			return fmt.Errorf("tag the tasks of %s: %w", u.Username, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	u.Tags = benchTags{Common: ids[0], Rare: ids[1], Rare2: ids[2]}
	return nil
}

// csrfField finds the CSRF token in the web app's login form.
var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// webLogin logs u in to the web app as a browser does (the login page for
// its CSRF token and visitor cookie, then the form) and keeps the session
// cookie for the web-list workload.
func (ts *tokenSource) webLogin(ctx context.Context, u *benchUser) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, ts.baseURL+"/login", nil)
	if err != nil {
		return err
	}
	res, err := ts.client.Do(req)
	if err != nil {
		return fmt.Errorf("web login page: %w", err)
	}
	page, err := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	res.Body.Close()
	if err != nil {
		return fmt.Errorf("web login page: %w", err)
	}
	m := csrfField.FindSubmatch(page)
	if res.StatusCode != http.StatusOK || m == nil {
		return fmt.Errorf("web login page: status %d without a CSRF token", res.StatusCode)
	}
	var cookies []string
	for _, c := range res.Cookies() {
		cookies = append(cookies, c.Name+"="+c.Value)
	}
	form := url.Values{"csrf": {string(m[1])}, "username": {u.Username}, "password": {u.Password}}
	req, err = http.NewRequestWithContext(ctx, http.MethodPost, ts.baseURL+"/login", strings.NewReader(form.Encode()))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Cookie", strings.Join(cookies, "; "))
	res, err = ts.client.Do(req)
	if err != nil {
		return fmt.Errorf("web login as %s: %w", u.Username, err)
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 1<<20))
	res.Body.Close()
	for _, c := range res.Cookies() {
		if strings.HasSuffix(c.Name, "taskapi_session") && c.Value != "" {
			u.WebCookie = c.Name + "=" + c.Value
			return nil
		}
	}
	return fmt.Errorf("web login as %s: status %d and no session cookie", u.Username, res.StatusCode)
}
