package store_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"

	"github.com/taskapi/taskapi"
	"github.com/taskapi/taskapi/internal/store"
	"github.com/taskapi/taskapi/internal/store/storetest"
	"github.com/taskapi/taskapi/internal/testkit"
)

// checkTagRows fails t unless every row of task_tags carries its task's
// sort keys and every tag's task_count is its number of rows.
func checkTagRows(t *testing.T, s *store.Store, when string) {
	t.Helper()
	ctx := context.Background()
	var stale, miscounted int
	if err := s.DB().QueryRowContext(ctx, `SELECT count(*) FROM task_tags w JOIN tasks t ON t.id = w.task_id
		WHERE w.task_created_at IS DISTINCT FROM t.created_at OR w.task_updated_at IS DISTINCT FROM t.updated_at
		   OR w.task_due_date IS DISTINCT FROM t.due_date OR w.task_priority IS DISTINCT FROM t.priority
		   OR w.task_title_key IS DISTINCT FROM t.title_key`).Scan(&stale); err != nil {
		t.Fatal(err)
	}
	if err := s.DB().QueryRowContext(ctx, `SELECT count(*) FROM tags g
		WHERE task_count <> (SELECT count(*) FROM task_tags w WHERE w.tag_id = g.id)`).Scan(&miscounted); err != nil {
		t.Fatal(err)
	}
	if stale != 0 || miscounted != 0 {
		t.Errorf("%s: %d rows of task_tags with keys other than their task's, %d tags miscounted", when, stale, miscounted)
	}
}

// tagCount is a tag's task_count.
func tagCount(t *testing.T, s *store.Store, tag uuid.UUID) int {
	t.Helper()
	var n int
	if err := s.DB().QueryRowContext(context.Background(), `SELECT task_count FROM tags WHERE id = $1`, tag).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// Every write that changes a task's sort keys or its tags, through any
// path, leaves task_tags and the tags' counts exact, and the lists by tag
// follow: patches, bulk changes, tagging in bulk, a recurring task moving
// to its next occurrence, deletes of tasks (with subtasks), a delete
// undone, and deletes of tags.
func TestTagRowsFollowEveryWrite(t *testing.T) {
	eachWithClock(t, func(t *testing.T, s *store.Store, c *testkit.Clock) {
		ctx := context.Background()
		u := newUser(t, s, "writer")
		var tags []uuid.UUID
		for _, name := range []string{"a", "b", "c"} {
			tag, _, err := s.CreateTag(ctx, u, taskapi.Tag{Name: name}, nil)
			if err != nil {
				t.Fatal(err)
			}
			tags = append(tags, tag.ID)
		}
		a, b, cc := tags[0], tags[1], tags[2]
		tagged := func(ids ...uuid.UUID) []taskapi.TaskTag {
			out := make([]taskapi.TaskTag, len(ids))
			for i, id := range ids {
				out[i] = taskapi.TaskTag{ID: id}
			}
			return out
		}
		var tasks []taskapi.Task
		for i := range 6 {
			c.Advance(time.Minute)
			due := c.Now().Add(time.Duration(i) * time.Hour)
			task, _, err := s.CreateTask(ctx, u, taskapi.Task{Title: fmt.Sprintf("Task %d", i), DueDate: &due, Tags: tagged(a, b)}, nil)
			if err != nil {
				t.Fatal(err)
			}
			tasks = append(tasks, task)
		}
		checkTagRows(t, s, "create")
		if n := tagCount(t, s, a); n != 6 {
			t.Errorf("tag a on %d tasks, want 6", n)
		}
		byDue := func() []uuid.UUID {
			return readAll(t, s, u, store.TaskQuery{Filter: taskapi.TaskFilter{AllTags: []uuid.UUID{a}}, Sort: taskapi.TaskSort{Key: taskapi.SortDueDate}, Limit: 2})
		}

		// A patch of every sort key moves the task in the tag's list.
		c.Advance(time.Minute)
		late := c.Now().Add(100 * time.Hour)
		title, urgent := "Zebra", taskapi.PriorityUrgent
		if _, err := s.UpdateTask(ctx, u, tasks[0].ID, taskapi.TaskPatch{Title: &title, Priority: &urgent, DueDate: taskapi.SetTo(late)}, nil); err != nil {
			t.Fatal(err)
		}
		checkTagRows(t, s, "patch")
		want := []uuid.UUID{tasks[1].ID, tasks[2].ID, tasks[3].ID, tasks[4].ID, tasks[5].ID, tasks[0].ID}
		if diff := cmp.Diff(want, byDue()); diff != "" {
			t.Errorf("by due date after a patch (-want +got):\n%s", diff)
		}
		// Clearing the due date moves it to the section without one.
		if _, err := s.UpdateTask(ctx, u, tasks[1].ID, taskapi.TaskPatch{DueDate: taskapi.Clear[time.Time]()}, nil); err != nil {
			t.Fatal(err)
		}
		checkTagRows(t, s, "clear the due date")
		want = []uuid.UUID{tasks[2].ID, tasks[3].ID, tasks[4].ID, tasks[5].ID, tasks[0].ID, tasks[1].ID}
		if diff := cmp.Diff(want, byDue()); diff != "" {
			t.Errorf("by due date after clearing one (-want +got):\n%s", diff)
		}
		// Replacing the set of tags, and tagging and untagging in bulk.
		if _, err := s.UpdateTask(ctx, u, tasks[2].ID, taskapi.TaskPatch{TagIDs: &[]uuid.UUID{b, cc}}, nil); err != nil {
			t.Fatal(err)
		}
		checkTagRows(t, s, "replace the tags")
		if _, _, err := s.BulkTasks(ctx, u, taskapi.TaskBulk{Action: taskapi.BulkAddTags, IDs: []uuid.UUID{tasks[3].ID, tasks[4].ID}, TagIDs: []uuid.UUID{cc}}, nil); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.BulkTasks(ctx, u, taskapi.TaskBulk{Action: taskapi.BulkRemoveTags, IDs: []uuid.UUID{tasks[4].ID, tasks[5].ID}, TagIDs: []uuid.UUID{a}}, nil); err != nil {
			t.Fatal(err)
		}
		low := taskapi.PriorityLow
		if _, _, err := s.BulkTasks(ctx, u, taskapi.TaskBulk{Action: taskapi.BulkUpdate, IDs: []uuid.UUID{tasks[0].ID, tasks[3].ID}, Changes: taskapi.TaskPatch{Priority: &low}}, nil); err != nil {
			t.Fatal(err)
		}
		checkTagRows(t, s, "bulk")
		if diff := cmp.Diff(map[uuid.UUID]int{a: 3, b: 6, cc: 3}, map[uuid.UUID]int{a: tagCount(t, s, a), b: tagCount(t, s, b), cc: tagCount(t, s, cc)}); diff != "" {
			t.Errorf("counts after bulk (-want +got):\n%s", diff)
		}
		// A recurring task completed moves to its next due date.
		due := c.Now().Add(2 * time.Hour).Truncate(time.Second)
		rec, _, err := s.CreateTask(ctx, u, taskapi.Task{Title: "Water plants", DueDate: &due, Tags: tagged(a),
			Recurrence: &taskapi.Recurrence{Rule: "FREQ=DAILY", From: taskapi.RepeatFromDue, Occurrence: 1}}, nil)
		if err != nil {
			t.Fatal(err)
		}
		done := taskapi.StatusCompleted
		if _, err := s.UpdateTask(ctx, u, rec.ID, taskapi.TaskPatch{Status: &done}, nil); err != nil {
			t.Fatal(err)
		}
		if _, err := s.SkipTask(ctx, u, rec.ID, nil, nil); err != nil {
			t.Fatal(err)
		}
		checkTagRows(t, s, "recurrence")
		// A parent deleted takes its tagged subtasks along.
		kid, _, err := s.CreateTask(ctx, u, taskapi.Task{Title: "Kid", ParentID: &tasks[3].ID, Tags: tagged(a, cc)}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteTask(ctx, u, tasks[3].ID, nil); err != nil {
			t.Fatal(err)
		}
		if _, err := s.GetTask(ctx, u, kid.ID); !errors.Is(err, taskapi.ErrNotFound) {
			t.Fatalf("subtask after its parent's delete: %v", err)
		}
		checkTagRows(t, s, "delete a task")
		if diff := cmp.Diff(map[uuid.UUID]int{a: 3, b: 5, cc: 2}, map[uuid.UUID]int{a: tagCount(t, s, a), b: tagCount(t, s, b), cc: tagCount(t, s, cc)}); diff != "" {
			t.Errorf("counts after the delete (-want +got):\n%s", diff)
		}
		// A delete undone puts the rows back, keys taken from the task again.
		if err := s.DeleteTaskUndoable(ctx, u, tasks[0].ID, nil); err != nil {
			t.Fatal(err)
		}
		checkTagRows(t, s, "undoable delete")
		if _, err := s.RestoreTask(ctx, u, tasks[0].ID, c.Now().Add(-time.Minute)); err != nil {
			t.Fatal(err)
		}
		checkTagRows(t, s, "restore")
		if diff := cmp.Diff(map[uuid.UUID]int{a: 3, b: 5, cc: 2}, map[uuid.UUID]int{a: tagCount(t, s, a), b: tagCount(t, s, b), cc: tagCount(t, s, cc)}); diff != "" {
			t.Errorf("counts after the restore (-want +got):\n%s", diff)
		}
		if err := s.DeleteTag(ctx, u, b, nil); err != nil {
			t.Fatal(err)
		}
		checkTagRows(t, s, "delete a tag")
		var left int
		if err := s.DB().QueryRowContext(ctx, `SELECT count(*) FROM task_tags WHERE tag_id = $1`, b).Scan(&left); err != nil || left != 0 {
			t.Errorf("%d rows of a deleted tag left (%v)", left, err)
		}
		want = []uuid.UUID{rec.ID, tasks[0].ID, tasks[1].ID}
		if diff := cmp.Diff(want, byDue()); diff != "" {
			t.Errorf("by due date at the end (-want +got):\n%s", diff)
		}
	})
}

// Which tag a list of tasks having several walks follows the tags'
// counts; when it changes between two pages, the pages still join up:
// every sort is the same order with the same positions whatever is
// walked.
func TestTagWalkSwitchesBetweenPages(t *testing.T) {
	eachWithClock(t, func(t *testing.T, s *store.Store, c *testkit.Clock) {
		ctx := context.Background()
		f := newTagFixture(t, s, 120)
		// "common" is on 40 tasks, "rare" on 3, of which 1 is common.
		filter := taskapi.TaskFilter{AllTags: f.ids("common", "rare")}
		var others []uuid.UUID // tasks without "common" nor "rare"
		for k, task := range f.tasks {
			if !tagShares["common"](k) && !tagShares["rare"](k) && len(others) < 60 {
				others = append(others, task.ID)
			}
		}
		retag := func(action taskapi.BulkAction) {
			for start := 0; start < len(others); start += taskapi.BulkMaxIDs {
				ids := others[start:min(start+taskapi.BulkMaxIDs, len(others))]
				if _, _, err := s.BulkTasks(ctx, f.user, taskapi.TaskBulk{Action: action, IDs: ids, TagIDs: f.ids("rare")}, nil); err != nil {
					t.Fatal(err)
				}
			}
		}
		// A few more, so that the set spans several pages.
		for _, k := range []int{12, 24, 36} {
			if _, _, err := s.BulkTasks(ctx, f.user, taskapi.TaskBulk{Action: taskapi.BulkAddTags, IDs: []uuid.UUID{f.tasks[k].ID}, TagIDs: f.ids("rare")}, nil); err != nil {
				t.Fatal(err)
			}
		}
		for _, key := range taskapi.TaskSortKeys() {
			for _, desc := range []bool{false, true} {
				sort := taskapi.TaskSort{Key: key, Desc: desc}
				q := store.TaskQuery{Filter: filter, Sort: sort, Limit: 1}
				want := readAll(t, s, f.user, store.TaskQuery{Filter: filter, Sort: sort, Limit: 100})
				if len(want) < 3 {
					t.Fatalf("%d tasks with both tags, want 3 at least", len(want))
				}
				var got []uuid.UUID
				added := false
				for page := 0; ; page++ {
					// Every other page, "rare" grows past "common" or shrinks back:
					// the walk switches from one tag to the other.
					walks := f.ids("rare")
					if page%2 == 1 {
						retag(taskapi.BulkAddTags)
						walks = f.ids("common")
					} else if page > 0 {
						retag(taskapi.BulkRemoveTags)
					}
					added = page%2 == 1
					if diff := cmp.Diff(walks, store.TagWalkOf(t, s, f.user, filter)); diff != "" {
						t.Fatalf("page %d walks (-want +got):\n%s", page, diff)
					}
					items, next, err := s.ListTasks(ctx, f.user, q)
					if err != nil {
						t.Fatal(err)
					}
					for _, it := range items {
						got = append(got, it.ID)
					}
					if next == "" {
						break
					}
					q.After = next
				}
				if added {
					retag(taskapi.BulkRemoveTags)
				}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("sort %s (-whole +paged):\n%s", sort, diff)
				}
			}
		}
		checkTagRows(t, s, "after switching")
	})
}

// While other tasks are written concurrently (their keys changed, the tag
// added and removed, created with it, deleted), a list by tag pages
// through the tasks nobody touches exactly once each, in their order; and
// afterwards every copied key and count is exact. On PostgreSQL the
// writes really run side by side (deadlocks on the counters are retried).
func TestTagListsUnderConcurrentWrites(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		u := newUser(t, s, "busy")
		tag, _, err := s.CreateTag(ctx, u, taskapi.Tag{Name: "watched"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		other, _, err := s.CreateTag(ctx, u, taskapi.Tag{Name: "other"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		base := time.Now().UTC().Add(-time.Hour)
		var seed []taskapi.Task
		for k := range 150 {
			d := base.Add(time.Duration(k%13) * time.Hour)
			seed = append(seed, taskapi.Task{Title: fmt.Sprintf("T%d", k%7), Priority: taskapi.Priorities()[k%4], DueDate: &d,
				CreatedAt: base.Add(time.Duration(k/2) * time.Second)})
		}
		tasks, err := s.InsertTasks(ctx, u, seed)
		if err != nil {
			t.Fatal(err)
		}
		stable := map[uuid.UUID]bool{}
		var churn []uuid.UUID
		for k, task := range tasks {
			if k%3 == 0 {
				stable[task.ID] = true
				if err := store.Exec(s, `INSERT INTO task_tags (task_id, tag_id) VALUES ($1, $2)`, task.ID, tag.ID); err != nil {
					t.Fatal(err)
				}
			} else {
				churn = append(churn, task.ID)
			}
		}
		// The stable tasks in each order, read once before any write.
		wantOrder := map[taskapi.TaskSort][]uuid.UUID{}
		var sorts []taskapi.TaskSort
		for _, key := range taskapi.TaskSortKeys() {
			for _, desc := range []bool{false, true} {
				sort := taskapi.TaskSort{Key: key, Desc: desc}
				sorts = append(sorts, sort)
				wantOrder[sort] = readAll(t, s, u, store.TaskQuery{Filter: taskapi.TaskFilter{AllTags: []uuid.UUID{tag.ID}}, Sort: sort, Limit: 1000})
			}
		}

		ctx, cancel := context.WithCancel(ctx)
		var (
			wg     sync.WaitGroup
			writes atomic.Int64
		)
		errs := make(chan error, 8)
		for w := range 3 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				rng := rand.New(rand.NewPCG(uint64(w), 9))
				for i := 0; ctx.Err() == nil && i < 80; i++ {
					if err := churnOnce(ctx, s, u, rng, churn, tag.ID, other.ID); err != nil && ctx.Err() == nil {
						errs <- fmt.Errorf("writer %d, write %d: %w", w, i, err)
						return
					}
					writes.Add(1)
				}
			}()
		}
		writing := make(chan struct{})
		go func() {
			wg.Wait()
			close(writing)
		}()
		// Read until the writers are done, and at least twice in each order.
		reads := 0
	read:
		for ; ; reads++ {
			select {
			case <-writing:
				if reads >= 2*len(sorts) {
					break read
				}
			default:
			}
			sort := sorts[reads%len(sorts)]
			var got []uuid.UUID
			for _, id := range readAll(t, s, u, store.TaskQuery{Filter: taskapi.TaskFilter{AllTags: []uuid.UUID{tag.ID}}, Sort: sort, Limit: 5}) {
				if stable[id] {
					got = append(got, id)
				}
			}
			if diff := cmp.Diff(wantOrder[sort], got); diff != "" {
				t.Errorf("read %d, sort %s, the untouched tasks (-want +got):\n%s", reads, sort, diff)
				break
			}
		}
		cancel()
		<-writing
		close(errs)
		t.Logf("%d writes during %d reads", writes.Load(), reads)
		for err := range errs {
			t.Error(err)
		}
		checkTagRows(t, s, "after the concurrent writes")
	})
}

// churnOnce makes one random write to the churn tasks.
func churnOnce(ctx context.Context, s *store.Store, u uuid.UUID, rng *rand.Rand, churn []uuid.UUID, tag, other uuid.UUID) error {
	id := churn[rng.IntN(len(churn))]
	var err error
	switch rng.IntN(6) {
	case 0:
		d := time.Now().UTC().Add(time.Duration(rng.IntN(100)-50) * time.Hour)
		p := taskapi.Priorities()[rng.IntN(4)]
		title := fmt.Sprintf("T%d", rng.IntN(7))
		_, err = s.UpdateTask(ctx, u, id, taskapi.TaskPatch{DueDate: taskapi.SetTo(d), Priority: &p, Title: &title}, nil)
	case 1:
		ids := []uuid.UUID{id, churn[rng.IntN(len(churn))]}
		_, _, err = s.BulkTasks(ctx, u, taskapi.TaskBulk{Action: taskapi.BulkAddTags, IDs: ids, TagIDs: []uuid.UUID{other, tag}}, nil)
	case 2:
		ids := []uuid.UUID{churn[rng.IntN(len(churn))], id}
		_, _, err = s.BulkTasks(ctx, u, taskapi.TaskBulk{Action: taskapi.BulkRemoveTags, IDs: ids, TagIDs: []uuid.UUID{tag, other}}, nil)
	case 3:
		set := []uuid.UUID{tag}
		if rng.IntN(2) == 0 {
			set = []uuid.UUID{other, tag}
		}
		_, err = s.UpdateTask(ctx, u, id, taskapi.TaskPatch{TagIDs: &set}, nil)
	case 4:
		var t taskapi.Task
		t, _, err = s.CreateTask(ctx, u, taskapi.Task{Title: "New", Tags: []taskapi.TaskTag{{ID: tag}, {ID: other}}}, nil)
		if err == nil {
			err = s.DeleteTask(ctx, u, t.ID, nil)
		}
	case 5:
		p := taskapi.Priorities()[rng.IntN(4)]
		_, _, err = s.BulkTasks(ctx, u, taskapi.TaskBulk{Action: taskapi.BulkUpdate, IDs: []uuid.UUID{id}, Changes: taskapi.TaskPatch{Priority: &p}}, nil)
	}
	return err
}

// A page of a list by one tag is one walk of the tag's index in the
// list's order, from the cursor on: no sort of the tag's tasks, whatever
// the sort. On PostgreSQL, with sorts and sequential scans priced out,
// the plan shows that the index can serve the order.
func TestTagListPlans(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		u := newUser(t, s, "planner")
		tag, _, err := s.CreateTag(ctx, u, taskapi.Tag{Name: "t"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		task, _, err := s.CreateTask(ctx, u, taskapi.Task{Title: "x", Tags: []taskapi.TaskTag{{ID: tag.ID}}}, nil)
		if err != nil {
			t.Fatal(err)
		}
		index := map[taskapi.TaskSortKey]string{taskapi.SortCreatedAt: "task_tags_created_idx", taskapi.SortUpdatedAt: "task_tags_updated_idx",
			taskapi.SortDueDate: "task_tags_due_idx", taskapi.SortPriority: "task_tags_priority_idx", taskapi.SortTitle: "task_tags_title_idx"}
		for _, key := range taskapi.TaskSortKeys() {
			for _, desc := range []bool{false, true} {
				sort := taskapi.TaskSort{Key: key, Desc: desc}
				for _, after := range []store.Position{"", store.TaskPosition(task, key)} {
					q := store.TaskQuery{Filter: taskapi.TaskFilter{AllTags: []uuid.UUID{tag.ID}}, Sort: sort, Limit: 50, After: after}
					query, args := store.TaskSectionSQL(t, s, u, q)
					plan := explainOrdered(t, ctx, s, query, args)
					if !strings.Contains(plan, index[key]) || strings.Contains(plan, "TEMP B-TREE") || strings.Contains(plan, "Sort") {
						t.Errorf("sort %s, after %q: plan\n%s\nwant a walk of %s without a sort", sort, after, plan, index[key])
					}
				}
			}
		}
	})
}

// explainOrdered returns the plan of query; on PostgreSQL with sequential
// scans and sorts priced out, so that the plan says whether an index can
// serve the query in order (on a table this small it would rightly take
// neither).
func explainOrdered(t *testing.T, ctx context.Context, s *store.Store, query string, args []any) string {
	t.Helper()
	tx, err := s.DB().BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	prefix := "EXPLAIN QUERY PLAN "
	if s.Engine() == "postgres" {
		for _, set := range []string{"SET LOCAL enable_seqscan = off", "SET LOCAL enable_sort = off", "SET LOCAL enable_bitmapscan = off"} {
			if _, err := tx.ExecContext(ctx, set); err != nil {
				t.Fatal(err)
			}
		}
		prefix = "EXPLAIN "
	}
	rows, err := tx.QueryContext(ctx, prefix+query, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		for _, v := range vals {
			switch v := v.(type) {
			case string:
				b.WriteString(v + " ")
			case []byte:
				b.WriteString(string(v) + " ")
			}
		}
		b.WriteString("\n")
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}
