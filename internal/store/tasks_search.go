// The search planner: how a task search is written on each engine, and how
// SQLite chooses between walking a list and its full-text index.

package store

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/taskapi/taskapi"
)

// SearchPlan tunes and bounds a search. On SQLite every cost below is in
// tasks walked: what reading a plain task's key and match costs. The
// full-text index costs a few times that per task of any user holding the
// text, and matching a long text costs in proportion to its length times
// the search text's, since LIKE tries the text at every offset (measured
// in bench/RESULTS.md).
type SearchPlan struct {
	// Every is how many tasks the walk reads between two looks at the
	// choice (at least 1).
	Every int
	// IndexCost is what the index costs per task holding the text, in
	// tasks walked, on top of matching the task (at least 0).
	IndexCost float64
	// TextCost is what matching one byte of text costs per character of
	// the search text, in tasks walked.
	TextCost float64
	// Budget is the most one page of a search may spend walking, in tasks
	// walked: a page that reaches it ends early, with a cursor where the
	// walk stopped, so that one search cannot hold a connection and a CPU
	// for long whatever the texts.
	Budget float64
	// IndexCandidates is the most tasks the full-text index may list for
	// one search: a text that more tasks (of all users) hold is walked
	// instead, within the budget.
	IndexCandidates int
	// Timeout bounds the statements of one search: a statement_timeout on
	// PostgreSQL, the context on SQLite. A search that reaches it fails
	// with ErrSearchTooLong.
	Timeout time.Duration
}

// DefaultSearchPlan is the plan a store uses unless told otherwise.
func DefaultSearchPlan() SearchPlan {
	return SearchPlan{Every: 256, IndexCost: 3, TextCost: 0.0015, Budget: 50_000, IndexCandidates: 20_000, Timeout: 2 * time.Second}
}

// WithSearchPlan sets how a search chooses between walking the list and
// the full-text index, and its bounds; zero fields keep their defaults.
// Tests use it to take each way with few tasks.
func WithSearchPlan(p SearchPlan) Option {
	return func(s *Store) {
		d := DefaultSearchPlan()
		s.search = SearchPlan{
			Every: max(p.Every, 1), IndexCost: max(p.IndexCost, 0),
			TextCost: cmp.Or(p.TextCost, d.TextCost), Budget: cmp.Or(p.Budget, d.Budget),
			IndexCandidates: cmp.Or(p.IndexCandidates, d.IndexCandidates), Timeout: cmp.Or(p.Timeout, d.Timeout),
		}
	}
}

// WithSearchTimeout sets the plan's Timeout alone (TASKAPI_SEARCH_TIMEOUT).
func WithSearchTimeout(d time.Duration) Option {
	return func(s *Store) {
		if d > 0 {
			s.search.Timeout = d
		}
	}
}

// ErrSearchTooLong is the answer to a search that ran into
// SearchPlan.Timeout.
var ErrSearchTooLong = taskapi.NewProblem(context.DeadlineExceeded,
	"the search took longer than allowed; make it more specific or narrow the list with filters")

// searchSection reads up to n matching tasks of one section, within the
// plan's bounds. more is where the next page starts when the walk stopped
// at its budget before the section's end; nil otherwise.
func (l *taskLister) searchSection(ctx context.Context, keyed bool, after *position, n int) (items []taskapi.Task, more *position, err error) {
	release, err := l.s.searchSlot(ctx)
	if err != nil {
		return nil, nil, err
	}
	defer release()
	sctx, cancel := context.WithTimeout(ctx, l.s.search.Timeout)
	defer cancel()
	if l.s.d.taskMatch != nil {
		items, more, err = l.scanSection(sctx, keyed, after, n)
	} else {
		items, err = l.timedSection(sctx, keyed, after, n)
	}
	if err != nil && ctx.Err() == nil && (sctx.Err() != nil || l.s.d.isQueryCanceled(err)) {
		return nil, nil, fmt.Errorf("%w: %w", ErrSearchTooLong, err)
	}
	return items, more, err
}

// timedSection reads a section on PostgreSQL under the plan's
// statement_timeout: set for its transaction only, it stops the statement
// in the server whatever the client does.
func (l *taskLister) timedSection(ctx context.Context, keyed bool, after *position, n int) ([]taskapi.Task, error) {
	tx, err := l.s.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, err
	}
	defer func() { _ = tx.Rollback() }() // read only: nothing to keep
	ms := strconv.FormatInt(max(l.s.search.Timeout.Milliseconds(), 1), 10)
	if _, err := tx.ExecContext(ctx, `SELECT set_config('statement_timeout', $1, true)`, ms); err != nil {
		return nil, err
	}
	var a args
	rows, err := tx.QueryContext(ctx, l.sectionSQL(&a, keyed, after, n, taskColumns, l.q.Filter), a...)
	if err != nil {
		return nil, err
	}
	return collectTasks(rows)
}

// searchSlot takes one of the store's search slots, waiting for one until
// ctx is done; release gives it back. There are fewer slots than
// connections, so searches, however many users run them, always leave
// connections for every other request.
func (s *Store) searchSlot(ctx context.Context) (release func(), err error) {
	select {
	case s.searchSlots <- struct{}{}:
		return func() { <-s.searchSlots }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// scanSection answers a search on SQLite by walking the section in the
// list's order and matching each task. A common word fills a page within
// a few dozen tasks this way, where the full-text index would first list
// every task of every user that holds it: a cost that grows with the
// whole table. A rare word is the other way round. So every few hundred
// tasks the walk weighs what finishing it should cost (the hits still
// missing, at the rate and the cost per task seen so far) against what the
// index should cost (that rate applied to every task in the table), and
// hands over to the index when that is cheaper and the index lists few
// enough tasks. The walk spends at most the plan's budget, counting each
// task's text: then the page ends early, and more says where the next one
// starts.
//
// The walk and the read of its hits are one transaction on one
// connection, so they see one snapshot: between two statements a hit
// could be changed, deleted, or its seq given to another user's new task.
// (Unprepared: preparing through the statement cache would wait for a
// second connection while this one is held.)
func (l *taskLister) scanSection(ctx context.Context, keyed bool, after *position, n int) ([]taskapi.Task, *position, error) {
	tx, err := l.s.read.BeginTx(ctx, nil)
	if err != nil {
		return nil, nil, err
	}
	defer func() { _ = tx.Rollback() }() // read only: nothing to keep
	w, err := l.walk(ctx, tx, keyed, after, n)
	if err != nil {
		return nil, nil, err
	}
	if w.toIndex {
		// The index's candidates are sorted by their keys alone; the
		// tasks' data (with their counts of subtasks and comments) is read
		// for the page's hits only, as the walk's are.
		if w.hits, err = l.indexHits(ctx, tx, keyed, after, n, w.candidates); err != nil {
			return nil, nil, err
		}
	}
	if l.s.afterSearchWalk != nil {
		l.s.afterSearchWalk()
	}
	var more *position
	if w.stoppedAt != 0 {
		t, err := scanTask(tx.QueryRowContext(ctx, `SELECT `+taskColumns+` FROM tasks WHERE seq = $1`, w.stoppedAt))
		if err != nil {
			return nil, nil, err
		}
		c := l.sort.at(t, t.ID)
		more = &c
	}
	if len(w.hits) == 0 {
		return nil, more, nil
	}
	seqs, err := json.Marshal(w.hits)
	if err != nil {
		return nil, nil, err
	}
	rows, err := tx.QueryContext(ctx, searchHitsSQL(taskColumns, l.order()), l.userID, string(seqs))
	if err != nil {
		return nil, nil, err
	}
	items, err := collectTasks(rows)
	return items, more, err
}

// searchHitsSQL reads the hits of a walk ($2, a JSON array of seq) that
// belong to the user ($1), in order. +user_id keeps the check from
// becoming the way in: SQLite then scanned all the user's tasks through an
// index on user_id (a million, in the scale bench: 13 searches a second
// instead of 200) instead of looking the hits up by seq.
func searchHitsSQL(columns, order string) string {
	return `SELECT ` + columns + ` FROM tasks WHERE +user_id = $1 AND seq IN (SELECT value FROM json_each($2)) ORDER BY ` + order
}

// indexHits reads the seq of up to n matching tasks of the section, in
// order, among the full-text index's candidates.
func (l *taskLister) indexHits(ctx context.Context, tx *sql.Tx, keyed bool, after *position, n int, candidates []int64) ([]int64, error) {
	seqs, err := json.Marshal(candidates)
	if err != nil {
		return nil, err
	}
	var a args
	rows, err := tx.QueryContext(ctx, l.indexHitsSQL(&a, keyed, after, n, string(seqs)), a...)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanSeq)
}

// scanSeq reads a row that holds one task's seq.
func scanSeq(r rowScanner) (int64, error) {
	var seq int64
	err := r.Scan(&seq)
	return seq, err
}

// indexHitsSQL is the query of indexHits: the section's tasks among the
// candidates (a JSON array of seq) that match the search. NOT INDEXED:
// each candidate is looked up by seq and the matches are sorted. Left to
// itself, SQLite's planner walks the user's tasks (or a category's) in
// the list's order, checking each against the candidates: all of them, a
// million, for a text fewer than a page of them hold.
func (l *taskLister) indexHitsSQL(a *args, keyed bool, after *position, n int, candidates string) string {
	f := l.q.Filter
	f.Query = ""
	where := l.sectionWhere(a, keyed, after, f) + " AND seq IN (SELECT value FROM json_each(" + a.add(candidates) + "))" +
		" AND " + l.s.d.taskMatch(l.q.Filter.Query, a.add)
	return `SELECT seq FROM tasks NOT INDEXED WHERE ` + where + ` ORDER BY ` + l.order() + ` LIMIT ` + a.add(n)
}

// walkResult is how a walk ended: with the seq of its hits, handing over
// to the index (toIndex), or at its budget (stoppedAt, the seq of the last
// task walked).
type walkResult struct {
	hits      []int64
	toIndex   bool
	stoppedAt int64
	// candidates are the seq the index listed, when it took over.
	candidates []int64
}

// walk reads the section in order, matching each task, until it has n
// hits, reaches the section's end or the budget, or hands over to the
// index (see scanSection).
func (l *taskLister) walk(ctx context.Context, tx *sql.Tx, keyed bool, after *position, n int) (walkResult, error) {
	var (
		a   args
		res walkResult
	)
	q := l.q.Filter.Query
	match := l.s.d.taskMatch(q, a.add)
	f := l.q.Filter
	f.Query = ""
	// No bound but the section's end: the walk stops by itself. Each row
	// also carries the length of its text and the table's size (the
	// largest seq: a lookup, computed once), read in the same statement.
	query := l.sectionSQL(&a, keyed, after, math.MaxInt32,
		"seq, ("+match+") IS TRUE, octet_length(title_key) + COALESCE(octet_length(description), 0), (SELECT MAX(seq) FROM tasks)", f)
	rows, err := tx.QueryContext(ctx, query, a...)
	if err != nil {
		return res, err
	}
	defer rows.Close()
	plan := l.s.search
	perByte := plan.TextCost * float64(utf8.RuneCountInString(q))
	indexed := sqliteSearchIndexed(q)
	walked, spent := 0, 0.0
	for len(res.hits) < n && rows.Next() {
		var (
			seq, bytes, total int64
			hit               bool
		)
		if err := rows.Scan(&seq, &hit, &bytes, &total); err != nil {
			return res, err
		}
		walked++
		spent += 1 + perByte*float64(bytes)
		if hit {
			res.hits = append(res.hits, seq)
		}
		if len(res.hits) >= n {
			break
		}
		if spent >= plan.Budget {
			if l.s.searchTrace != nil {
				l.s.searchTrace(walked, spent)
			}
			res.stoppedAt = seq
			return res, rows.Close()
		}
		if !indexed || walked%plan.Every != 0 {
			continue
		}
		// The rate of hits, one added so that none seen yet is not
		// taken for a text nobody has, and the cost of a task so far.
		rate := float64(len(res.hits)+1) / float64(walked+1)
		cost := spent / float64(walked)
		if (plan.IndexCost+cost)*rate*float64(total) >= float64(n-len(res.hits))/rate*cost {
			continue
		}
		// The index is worth a look, if it lists few enough tasks; if
		// not, it never will in this walk.
		if cands, ok, err := l.indexCandidates(ctx, tx, q); err != nil || ok {
			res.toIndex, res.candidates = ok, cands
			return res, err
		}
		indexed = false
	}
	if l.s.searchTrace != nil {
		l.s.searchTrace(walked, spent)
	}
	return res, rows.Err()
}

// indexCandidates lists the seq of the tasks the full-text index holds
// for q, and reports whether they are at most the plan's IndexCandidates,
// reading no more than one past that. It is what keeps a text common
// among other users' tasks from making one user's search read all of
// theirs. The list is kept for indexHits, so the index is read once.
func (l *taskLister) indexCandidates(ctx context.Context, tx *sql.Tx, q string) ([]int64, bool, error) {
	limit := l.s.search.IndexCandidates
	rows, err := tx.QueryContext(ctx, `SELECT rowid FROM tasks_fts WHERE tasks_fts MATCH $1 LIMIT $2`, sqliteFTSQuery(q), limit+1)
	if err != nil {
		return nil, false, err
	}
	seqs, err := collect(rows, scanSeq)
	if err != nil {
		return nil, false, err
	}
	if l.s.searchProbe != nil {
		l.s.searchProbe(len(seqs))
	}
	return seqs, len(seqs) <= limit, nil
}
