package store

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/taskapi/taskapi"
)

// TaskQuery asks for one page of a user's tasks.
type TaskQuery struct {
	Filter taskapi.TaskFilter
	Sort   taskapi.TaskSort
	// Limit is the page size, at least 1.
	Limit int
	// After is where the page starts: the Next of the previous page, ""
	// for the first page.
	After Position
	// Loc is the person's time zone, where Filter.Overdue reads a due date
	// at 00:00 as that whole day (taskapi.OverdueCut); UTC when nil.
	Loc *time.Location
}

// ListID names the list a query pages through: its sort and every
// filter, in one canonical text. A cursor continues only the list it came
// from, so the API binds cursors to it; a new filter is part of it as soon
// as it is a field of taskapi.TaskFilter.
func (q TaskQuery) ListID() string {
	f := q.Filter
	f.Statuses, f.Priorities = slices.Clone(f.Statuses), slices.Clone(f.Priorities)
	slices.Sort(f.Statuses)
	slices.Sort(f.Priorities)
	f.Statuses, f.Priorities = slices.Compact(f.Statuses), slices.Compact(f.Priorities)
	f.DueAfter, f.DueBefore = utc(f.DueAfter), utc(f.DueBefore)
	b, _ := json.Marshal(struct {
		Sort   string
		Filter taskapi.TaskFilter
	}{q.Sort.String(), f}) // strings, times and a UUID always marshal
	return string(b)
}

// ListTasks returns one page of the user's tasks and the position of the
// next page ("" on the last). The filter is validated here, once; a filter
// on another user's category is ErrNotFound.
//
// A page is one or two index range scans, never an OFFSET or a COUNT: the
// keyed section walks (user_id, key, id) from the cursor with a row-value
// comparison (filtered by tag, the tag's (tag_id, key, task_id) in
// task_tags: see tagWalk); for due_date, the section of tasks without a
// due date then follows, walked by id. So a page of 50 costs the same at
// the start and a million tasks in. A search is bounded (see SearchPlan): its page may
// end early, even empty, with a cursor where it stopped.
func (s *Store) ListTasks(ctx context.Context, userID uuid.UUID, q TaskQuery) ([]taskapi.Task, Position, error) {
	l, after, err := s.newTaskLister(ctx, userID, q)
	if err != nil {
		return nil, "", fmt.Errorf("list tasks: %w", err)
	}
	sort := l.sort
	// Filters on the due date leave out tasks without one.
	f := q.Filter
	hasNullSection := sort.nullsLast && f.DueAfter == nil && f.DueBefore == nil && !f.Overdue
	var (
		items []taskapi.Task
		more  *position
	)
	if after == nil || !after.Null {
		items, more, err = l.section(ctx, true, after, q.Limit+1)
		if err == nil && more == nil && hasNullSection && len(items) <= q.Limit {
			var rest []taskapi.Task
			rest, more, err = l.section(ctx, false, nil, q.Limit+1-len(items))
			items = append(items, rest...)
		}
	} else if hasNullSection {
		items, more, err = l.section(ctx, false, after, q.Limit+1)
	}
	if err != nil {
		return nil, "", fmt.Errorf("list tasks: %w", err)
	}
	if len(items) <= q.Limit && more != nil {
		// A search that stopped at its budget ends the page early.
		return items, sort.encode(*more), s.listReminders(ctx, items)
	}
	items, next := pageOf(sort, items, q.Limit, taskID)
	return items, next, s.listReminders(ctx, items)
}

func taskID(t taskapi.Task) uuid.UUID { return t.ID }

// newTaskLister checks q (its filter, sort, cursor, and that what it
// filters on is the user's) and plans how its pages are read.
func (s *Store) newTaskLister(ctx context.Context, userID uuid.UUID, q TaskQuery) (*taskLister, *position, error) {
	sort, ok := taskSorts[q.Sort.Key]
	if !ok || q.Limit < 1 {
		return nil, nil, fmt.Errorf("sort %q, limit %d", q.Sort.Key, q.Limit)
	}
	if err := q.Filter.Validate(); err != nil {
		return nil, nil, err
	}
	after, err := sort.decode(q.After)
	if err != nil {
		return nil, nil, err
	}
	if q.Filter.CategoryID != nil {
		if _, err := s.getCategory(ctx, s.reader(), userID, *q.Filter.CategoryID, ""); err != nil {
			return nil, nil, fmt.Errorf("category: %w", err)
		}
	}
	if q.Filter.ParentID != nil {
		if _, err := s.getTask(ctx, s.reader(), userID, *q.Filter.ParentID, ""); err != nil {
			return nil, nil, fmt.Errorf("parent: %w", err)
		}
	}
	tags, err := s.planTagWalk(ctx, userID, q.Filter)
	if err != nil {
		return nil, nil, err
	}
	return &taskLister{s: s, userID: userID, q: q, sort: sort, col: sort.column, index: sort.index, tags: tags, now: s.Now()}, after, nil
}

type taskLister struct {
	s      *Store
	userID uuid.UUID
	q      TaskQuery
	sort   sortKey[taskapi.Task]
	col    string
	index  string
	tags   tagWalk
	now    time.Time
}

// section reads up to n tasks of one section after the cursor. more is
// where the next page starts when a search stopped at its budget before
// the section's end.
func (l *taskLister) section(ctx context.Context, keyed bool, after *position, n int) (items []taskapi.Task, more *position, err error) {
	if l.q.Filter.Query != "" {
		return l.searchSection(ctx, keyed, after, n)
	}
	var a args
	query := l.sectionSQL(&a, keyed, after, n, taskColumns, l.q.Filter)
	rows, err := l.s.query(ctx, query, a...)
	if err != nil {
		return nil, nil, err
	}
	items, err = collectTasks(rows)
	return items, nil, err
}

// order is the ORDER BY of the list's sections: (column, id), both in
// the list's direction. The section without a key is ordered so too,
// although the column is NULL throughout: that order is the index's, so
// PostgreSQL walks (user_id, due_date, id) instead of the primary key.
func (l *taskLister) order() string { return l.sort.order(l.q.Sort.Desc) }

// sectionSQL is the query of one section, selecting cols, with filter f:
// keyed, the tasks with a value in the sort column, from the cursor on by
// (column, id); otherwise the tasks without one (due_date only), by id.
func (l *taskLister) sectionSQL(a *args, keyed bool, after *position, n int, cols string, f taskapi.TaskFilter) string {
	if len(l.tags.tags) > 0 {
		return l.tagWalkSQL(a, keyed, after, n, cols, f)
	}
	where := l.sectionWhere(a, keyed, after, f)
	from := "tasks"
	// The children of one task are few: the planner had better start from
	// tasks_parent_idx than walk the sort index.
	if f.CategoryID == nil && f.ParentID == nil && f.Query == "" && (l.q.Sort.Key == taskapi.SortDueDate || f.DueAfter == nil && f.DueBefore == nil && !f.Overdue) {
		// Nothing more selective than the sort index applies (status and
		// priority have four values each): walk it whatever statistics say,
		// so a page costs the same everywhere in a big list.
		from += l.s.d.indexedBy(l.index)
	}
	return `SELECT ` + cols + ` FROM ` + from + ` WHERE ` + where + ` ORDER BY ` + l.order() + ` LIMIT ` + a.add(n)
}

// sectionWhere is the WHERE condition of one section (see sectionSQL).
func (l *taskLister) sectionWhere(a *args, keyed bool, after *position, f taskapi.TaskFilter) string {
	// The position comes right after the user: SQLite's planner then takes
	// it as the range of the index scan even when a filter also bounds the
	// sort column (overdue, due_before), instead of a skip-scan and a sort.
	where := "user_id = " + a.add(l.userID)
	if !keyed {
		where += " AND " + l.col + " IS NULL"
	}
	if after != nil {
		where += " AND " + l.sort.after(a, after, l.q.Sort.Desc)
	}
	if keyed && l.sort.nullsLast {
		where += " AND " + l.col + " IS NOT NULL"
	}
	if filter := l.s.taskFilterSQL(a, f, taskapi.NewOverdueCut(l.now, l.q.Loc)); filter != "" {
		where += " AND " + filter
	}
	return where
}

// taskFilterSQL returns the WHERE condition of f (the user is the
// caller's to add).
func (s *Store) taskFilterSQL(a *args, f taskapi.TaskFilter, cut taskapi.OverdueCut) string {
	var w []string
	if len(f.Statuses) > 0 {
		statuses := make([]string, len(f.Statuses))
		for i, x := range f.Statuses {
			statuses[i] = string(x)
		}
		w = append(w, "status IN "+list(a, statuses))
	} else {
		// "<>" rather than IN of the three others: it cannot steer the
		// planner away from the sort index.
		w = append(w, "status <> 'ARCHIVED'")
	}
	if len(f.Priorities) > 0 {
		ranks := make([]int, len(f.Priorities))
		for i, p := range f.Priorities {
			ranks[i] = p.Rank()
		}
		w = append(w, "priority IN "+list(a, ranks))
	}
	if f.CategoryID != nil {
		w = append(w, "category_id = "+a.add(*f.CategoryID))
	}
	if f.ParentID != nil {
		w = append(w, "parent_id = "+a.add(*f.ParentID))
	}
	if f.TopLevel {
		w = append(w, "parent_id IS NULL")
	}
	w = append(w, tagFilterSQL(a, f)...)
	// The bounds are cut to the microsecond, as stored due dates are:
	// PostgreSQL would round finer digits and SQLite compare them as text,
	// so the engines would disagree at the edge.
	if f.DueAfter != nil {
		w = append(w, "due_date >= "+a.add(utc(f.DueAfter)))
	}
	if f.DueBefore != nil {
		w = append(w, "due_date < "+a.add(utc(f.DueBefore)))
	}
	if f.Overdue {
		w = append(w, "due_date < "+a.add(cut.Now)+" AND due_date <> "+a.add(cut.AllDay)+" AND status IN ('TODO', 'IN_PROGRESS')")
	}
	if f.Query != "" {
		w = append(w, s.d.taskSearch(f.Query, a.add))
	}
	return strings.Join(w, " AND ")
}

// TaskStats counts the user's tasks by status and priority, and the open
// ones overdue (by the window's taskapi.OverdueCut) and due today, and those completed in the last 7 days, in
// one pass over the user's tasks. The window's instants are computed by
// the caller in Go (see taskapi.NewStatsWindow), so the day boundaries of
// any time zone are the same on both engines.
func (s *Store) TaskStats(ctx context.Context, userID uuid.UUID, w taskapi.StatsWindow) (taskapi.TaskStats, error) {
	st := taskapi.TaskStats{ByStatus: map[taskapi.Status]int64{}, ByPriority: map[taskapi.Priority]int64{}}
	for _, x := range taskapi.Statuses() {
		st.ByStatus[x] = 0
	}
	for _, x := range taskapi.Priorities() {
		st.ByPriority[x] = 0
	}
	rows, err := s.query(ctx, `SELECT status, priority, COUNT(*),
			COALESCE(SUM(CASE WHEN status IN ('TODO', 'IN_PROGRESS') AND due_date < $2 AND due_date <> $3 THEN 1 ELSE 0 END), 0),
			COALESCE(SUM(CASE WHEN status IN ('TODO', 'IN_PROGRESS') AND due_date >= $3 AND due_date < $4 THEN 1 ELSE 0 END), 0),
			COALESCE(SUM(CASE WHEN completed_at >= $5 THEN 1 ELSE 0 END), 0)
		FROM tasks WHERE user_id = $1 GROUP BY status, priority`,
		userID, w.Now.UTC(), w.TodayStart.UTC(), w.TomorrowStart.UTC(), w.CompletedSince.UTC())
	if err != nil {
		return st, fmt.Errorf("task stats: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			status                   string
			rank                     int
			n, overdue, today, done7 int64
		)
		if err := rows.Scan(&status, &rank, &n, &overdue, &today, &done7); err != nil {
			return st, fmt.Errorf("task stats: %w", err)
		}
		p, ok := taskapi.PriorityFromRank(rank)
		if !ok {
			return st, fmt.Errorf("task stats: priority rank %d", rank)
		}
		st.ByStatus[taskapi.Status(status)] += n
		st.ByPriority[p] += n
		st.Overdue += overdue
		st.DueToday += today
		st.CompletedLast7Days += done7
	}
	if err := rows.Err(); err != nil {
		return st, fmt.Errorf("task stats: %w", err)
	}
	if st.CompletionsPerDay, err = s.CompletionsPerDay(ctx, userID, w.Days); err != nil {
		return st, fmt.Errorf("task stats: %w", err)
	}
	return st, nil
}
