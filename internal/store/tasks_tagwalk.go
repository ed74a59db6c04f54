package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/google/uuid"

	"github.com/taskapi/taskapi"
)

// A list filtered by tag walks task_tags rather than the user's tasks:
// each row of task_tags carries its task's sort keys (kept equal by
// triggers, see migration 00017), and task_tags_*_idx orders a tag's rows
// as tasks_user_*_idx orders a user's tasks, tie-break on the task's ID
// included. So the walk reads only tasks that have the tag, from the
// cursor on, in the list's own order: a page of a tag on twenty tasks of a
// million costs what a page of a tag on a third of them does, and the
// position of a page is the same (key, ID) as the unfiltered list's, so
// paging keeps its guarantees (no skip, no repeat).

// tagWalk is how a list filtered by tag is read.
type tagWalk struct {
	// tags are the tags whose rows are walked: one, or several whose walks
	// are merged (any_tag). None: the list walks the tasks' own index.
	tags []uuid.UUID
	// allTags and anyTags are the tag conditions left to check on each
	// task walked.
	allTags, anyTags []uuid.UUID
}

// planTagWalk checks that the tags a list filters on are the user's (a
// filter on another user's tag is ErrNotFound, as one on another user's
// category is) and chooses the smallest set of rows to walk, by the tags'
// task counts: the rarest of the tags a task must all have, or the rows of
// every tag of which it must have one, whichever are fewer. Whatever is
// chosen, pages come in the same order with the same positions, so a
// choice that changes between two pages (counts move) skips and repeats
// nothing.
func (s *Store) planTagWalk(ctx context.Context, userID uuid.UUID, f taskapi.TaskFilter) (tagWalk, error) {
	all, _ := taskapi.TagIDs("", f.AllTags, len(f.AllTags))
	anyOf, _ := taskapi.TagIDs("", f.AnyTags, len(f.AnyTags))
	if len(all) == 0 && len(anyOf) == 0 {
		return tagWalk{}, nil
	}
	a := args{userID}
	rows, err := s.reader().QueryContext(ctx, `SELECT id, task_count FROM tags WHERE user_id = $1 AND id IN `+
		list(&a, append(append([]uuid.UUID{}, all...), anyOf...)), a...)
	if err != nil {
		return tagWalk{}, fmt.Errorf("tag filter: %w", s.mapErr(err))
	}
	counts := map[uuid.UUID]int64{}
	for rows.Next() {
		var id uuid.UUID
		var n int64
		if err := rows.Scan(&id, &n); err != nil {
			rows.Close()
			return tagWalk{}, fmt.Errorf("tag filter: %w", err)
		}
		counts[id] = n
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return tagWalk{}, fmt.Errorf("tag filter: %w", err)
	}
	for _, ids := range [][]uuid.UUID{all, anyOf} {
		for _, id := range ids {
			if _, ok := counts[id]; !ok {
				return tagWalk{}, fmt.Errorf("tag filter: %w", taskapi.NewProblem(taskapi.ErrNotFound, "no tag with one of the IDs filtered on"))
			}
		}
	}
	best := tagWalk{tags: anyOf, allTags: all}
	size := int64(-1)
	if len(anyOf) > 0 {
		size = 0
		for _, id := range anyOf {
			size += counts[id]
		}
	}
	for i, id := range all {
		if size < 0 || counts[id] < size || counts[id] == size && len(best.tags) > 1 {
			rest := append(append([]uuid.UUID{}, all[:i]...), all[i+1:]...)
			best, size = tagWalk{tags: []uuid.UUID{id}, allTags: rest, anyTags: anyOf}, counts[id]
		}
	}
	if f.ParentID != nil || f.Query != "" {
		// A task's children are few: the list walks them, checking tags.
		// A search has its own plan (see SearchPlan), which may leave the
		// walk for the full-text index.
		return tagWalk{allTags: all, anyTags: anyOf}, nil
	}
	return best, nil
}

// tagWalkSQL is sectionSQL for a list that walks task_tags (see tagWalk):
// one ordered walk of a tag's rows, or, for several tags, the first n
// rows of each tag's walk merged in order (a task with two of them comes
// once), each walk stopping at n. The cost is n rows per tag walked,
// whatever the user's size, as long as the rest of the filter keeps a
// fair share of the tasks, as for the unfiltered list.
func (l *taskLister) tagWalkSQL(a *args, keyed bool, after *position, n int, cols string, f taskapi.TaskFilter) string {
	f.AllTags, f.AnyTags = l.tags.allTags, l.tags.anyTags
	if len(l.tags.tags) == 1 {
		return `SELECT ` + cols + ` FROM ` + l.tagBranchSQL(a, l.tags.tags[0], keyed, after, f) +
			` ORDER BY ` + l.sort.orderOn("w."+l.walkColumn(), "w.task_id", l.q.Sort.Desc) + ` LIMIT ` + a.add(n)
	}
	branches := make([]string, len(l.tags.tags))
	for i, tag := range l.tags.tags {
		branches[i] = `SELECT * FROM (SELECT w.` + l.walkColumn() + ` AS k, w.task_id AS i FROM ` +
			l.tagBranchSQL(a, tag, keyed, after, f) + ` ORDER BY ` + l.sort.orderOn("w."+l.walkColumn(), "w.task_id", l.q.Sort.Desc) +
			` LIMIT ` + a.add(n) + `) AS b` + fmt.Sprint(i)
	}
	return `SELECT ` + cols + ` FROM (` + strings.Join(branches, ` UNION `) + `) AS u CROSS JOIN ` + l.s.tasksByID() +
		` WHERE id = u.i ORDER BY ` + l.sort.orderOn("u.k", "u.i", l.q.Sort.Desc) + ` LIMIT ` + a.add(n)
}

// walkColumn is the column of task_tags holding the task's sort key.
func (l *taskLister) walkColumn() string { return "task_" + l.col }

// tagBranchSQL is the FROM and WHERE of one tag's walk: its rows of
// task_tags (w) in the sort's index from the cursor on, each joined to
// its task, which must be the user's and pass f. SQLite is held to that
// join order and those indexes; PostgreSQL finds them by itself.
func (l *taskLister) tagBranchSQL(a *args, tag uuid.UUID, keyed bool, after *position, f taskapi.TaskFilter) string {
	col := "w." + l.walkColumn()
	where := "w.tag_id = " + a.add(tag)
	if !keyed {
		where += " AND " + col + " IS NULL"
	}
	if after != nil {
		where += " AND " + l.sort.afterOn(a, after, col, "w.task_id", l.q.Sort.Desc)
	}
	if keyed && l.sort.nullsLast {
		where += " AND " + col + " IS NOT NULL"
	}
	// The filter's bounds on the sort key, on the walked copy too, so that
	// they bound the index range instead of filtering it.
	switch l.q.Sort.Key {
	case taskapi.SortDueDate:
		if f.DueAfter != nil {
			where += " AND " + col + " >= " + a.add(utc(f.DueAfter))
		}
		if f.DueBefore != nil {
			where += " AND " + col + " < " + a.add(utc(f.DueBefore))
		}
		if f.Overdue {
			where += " AND " + col + " < " + a.add(taskapi.NewOverdueCut(l.now, l.q.Loc).Now)
		}
	case taskapi.SortPriority:
		if len(f.Priorities) > 0 {
			ranks := make([]int, len(f.Priorities))
			for i, p := range f.Priorities {
				ranks[i] = p.Rank()
			}
			where += " AND " + col + " IN " + list(a, ranks)
		}
	}
	where += " AND id = w.task_id AND user_id = " + a.add(l.userID)
	if filter := l.s.taskFilterSQL(a, f, taskapi.NewOverdueCut(l.now, l.q.Loc)); filter != "" {
		where += " AND " + filter
	}
	return `task_tags AS w` + l.s.d.indexedBy(l.sort.tagIndex) + ` CROSS JOIN ` + l.s.tasksByID() + ` WHERE ` + where
}
