// The search planner: how a task search is written on each engine, and how
// SQLite chooses between walking a list and its full-text index.

package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"math"
	"strings"
	"unicode/utf8"

	"github.com/taskapi/taskapi"
)

// SearchPlan tunes a search on SQLite (see taskLister.scanSection). The
// walk along the list reads a task's key and match for about 1.5 µs; the
// full-text index costs about 4 to 6 times that per task, of any user,
// holding the text (measured with BenchmarkTasks' search/* at 20,000 and
// 200,000 tasks).
type SearchPlan struct {
	// Every is how many tasks the walk reads between two looks at the
	// choice (at least 1).
	Every int
	// IndexCost is what the index costs per task holding the text, in
	// tasks walked (at least 0).
	IndexCost float64
}

// DefaultSearchPlan is the plan a store uses unless told otherwise.
func DefaultSearchPlan() SearchPlan { return SearchPlan{Every: 256, IndexCost: 4} }

// WithSearchPlan sets how a search on SQLite chooses between walking the
// list and the full-text index; tests use it to take each way with few
// tasks.
func WithSearchPlan(p SearchPlan) Option {
	return func(s *Store) { s.search = SearchPlan{Every: max(p.Every, 1), IndexCost: max(p.IndexCost, 0)} }
}

// scanSection answers a search on SQLite by walking the section in the
// list's order and matching each task. A common word fills a page within
// a few dozen tasks this way, where the full-text index would first list
// every task of every user that holds it: a cost that grows with the
// whole table. A rare word is the other way round. So every few hundred
// tasks the walk weighs what finishing it should cost (the hits still
// missing, at the rate seen so far) against what the index should cost
// (that rate applied to every task in the table), and hands over to the
// index when that is cheaper: ok is false then.
//
// The walk and the read of its hits are one transaction on one
// connection, so they see one snapshot: between two statements a hit
// could be changed, deleted, or its seq given to another user's new task.
// (Unprepared: preparing through the statement cache would wait for a
// second connection while this one is held.)
func (l *taskLister) scanSection(ctx context.Context, keyed bool, after *TaskCursor, n int) ([]taskapi.Task, bool, error) {
	tx, err := l.s.read.BeginTx(ctx, nil)
	if err != nil {
		return nil, false, err
	}
	defer func() { _ = tx.Rollback() }() // read only: nothing to keep
	hits, ok, err := l.walk(ctx, tx, keyed, after, n)
	if err != nil || !ok || len(hits) == 0 {
		return nil, ok, err
	}
	if l.s.afterSearchWalk != nil {
		l.s.afterSearchWalk()
	}
	seqs, err := json.Marshal(hits)
	if err != nil {
		return nil, false, err
	}
	rows, err := tx.QueryContext(ctx, searchHitsSQL(l.s.d.taskColumns, l.order()), l.userID, string(seqs))
	if err != nil {
		return nil, false, err
	}
	items, err := collectTasks(rows)
	return items, err == nil, err
}

// searchHitsSQL reads the hits of a walk ($2, a JSON array of seq) that
// belong to the user ($1), in order. +user_id keeps the check from
// becoming the way in: SQLite then scanned all the user's tasks through an
// index on user_id (a million, in the scale bench: 13 searches a second
// instead of 200) instead of looking the hits up by seq.
func searchHitsSQL(columns, order string) string {
	return `SELECT ` + columns + ` FROM tasks WHERE +user_id = $1 AND seq IN (SELECT value FROM json_each($2)) ORDER BY ` + order
}

// walk reads the section in order, matching each task, and returns the
// seq of the first n that match; ok is false when it hands over to the
// index (see scanSection).
func (l *taskLister) walk(ctx context.Context, tx *sql.Tx, keyed bool, after *TaskCursor, n int) (hits []int64, ok bool, err error) {
	var a args
	match := l.s.d.taskMatch(l.q.Filter.Query, a.add)
	f := l.q.Filter
	f.Query = ""
	// No bound but the section's end: the walk stops by itself. Each row
	// also carries the table's size (the largest seq: a lookup, computed
	// once), read in the same statement.
	query := l.sectionSQL(&a, keyed, after, math.MaxInt32, "seq, ("+match+") IS TRUE, (SELECT MAX(seq) FROM tasks)", f)
	rows, err := tx.QueryContext(ctx, query, a...)
	if err != nil {
		return nil, false, err
	}
	defer rows.Close()
	walked, plan := 0, l.s.search
	for len(hits) < n && rows.Next() {
		var (
			seq, total int64
			hit        bool
		)
		if err := rows.Scan(&seq, &hit, &total); err != nil {
			return nil, false, err
		}
		walked++
		if hit {
			hits = append(hits, seq)
		}
		if walked%plan.Every != 0 || len(hits) >= n {
			continue
		}
		// The rate of hits, one added so that none seen yet is not
		// taken for a text nobody has.
		rate := float64(len(hits)+1) / float64(walked+1)
		if plan.IndexCost*rate*float64(total) < float64(n-len(hits))/rate {
			return nil, false, nil
		}
	}
	if err := rows.Err(); err != nil {
		return nil, false, err
	}
	return hits, true, nil
}

// escapeLike escapes the LIKE wildcards of s for ESCAPE '\'.
func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// postgresTaskSearch uses ILIKE, which the pg_trgm GIN indexes on title and
// description serve.
func postgresTaskSearch(q string, arg func(any) string) string {
	p := arg("%" + escapeLike(q) + "%")
	return `(title ILIKE ` + p + ` ESCAPE '\' OR description ILIKE ` + p + ` ESCAPE '\')`
}

// sqliteTaskMatch is what a search means on SQLite, at every length: the
// title lower-cased in Go (title_key) contains the text lower-cased alike,
// so titles match ignoring case in every script; or the description
// contains the text ignoring the case of ASCII letters (LIKE; descriptions
// have no lower-cased copy, which would double the largest column).
func sqliteTaskMatch(q string, arg func(any) string) string {
	key := arg("%" + escapeLike(taskapi.TitleSortKey(q)) + "%")
	p := arg("%" + escapeLike(q) + "%")
	return `(title_key LIKE ` + key + ` ESCAPE '\' OR description LIKE ` + p + ` ESCAPE '\')`
}

// sqliteTaskSearch is sqliteTaskMatch narrowed first by the trigram FTS5
// index over title_key and description, when the text has the 3
// characters a trigram needs. The index folds case more widely than LIKE
// and title_key are compared, so every task the match keeps is among its
// candidates, and the match decides.
func sqliteTaskSearch(q string, arg func(any) string) string {
	match := sqliteTaskMatch(q, arg)
	if !sqliteSearchIndexed(q) {
		return match
	}
	phrase := func(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }
	fts := `title_key : ` + phrase(taskapi.TitleSortKey(q)) + ` OR description : ` + phrase(q)
	return `seq IN (SELECT rowid FROM tasks_fts WHERE tasks_fts MATCH ` + arg(fts) + `) AND ` + match
}

// sqliteSearchIndexed tells whether the trigram index can narrow a search
// for q: the text and its lower-cased form need a trigram each.
func sqliteSearchIndexed(q string) bool {
	return utf8.RuneCountInString(q) >= 3 && utf8.RuneCountInString(taskapi.TitleSortKey(q)) >= 3
}
