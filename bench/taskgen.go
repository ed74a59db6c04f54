package main

import (
	"encoding/binary"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/taskapi/taskapi"
)

// categorizedTasks bounds how many of a user's tasks the seeder files in
// categories. A user with a million tasks has not filed them all; and a
// category's task count may be kept by a trigger, one UPDATE of the same
// few rows per task, which within one bulk transaction grows slower with
// every row.
const categorizedTasks = 20_000

// taskGen makes realistic task rows for one user: 40 % TODO, 20 %
// IN_PROGRESS, 30 % COMPLETED, 10 % ARCHIVED; priorities weighted towards
// MEDIUM; 30 % without a due date; half with a description; 60 % of the
// first `categorized` in a category; created over the past year in order,
// with time-ordered IDs.
type taskGen struct {
	userID      uuid.UUID
	cats        []uuid.UUID
	n           int
	i           int
	categorized int
	now         time.Time
	words       []string
	rng         *rand.Rand
}

const seedSpan = 365 * 24 * time.Hour

// row returns the next row's values in taskColumns order.
func (g *taskGen) row() []any {
	r := g.rng
	// Spread creation times evenly over the past year, in order.
	created := g.now.Add(-seedSpan + time.Duration(float64(seedSpan)*float64(g.i)/float64(max(g.n, 1)))).
		Add(time.Duration(r.IntN(1000)) * time.Microsecond).Truncate(time.Microsecond)
	g.i++
	updated := created.Add(time.Duration(r.Int64N(int64(30 * 24 * time.Hour)))).Truncate(time.Microsecond)
	if updated.After(g.now) {
		updated = g.now
	}
	var status string
	switch p := r.IntN(100); {
	case p < 40:
		status = "TODO"
	case p < 60:
		status = "IN_PROGRESS"
	case p < 90:
		status = "COMPLETED"
	default:
		status = "ARCHIVED"
	}
	priority := int16(2) // MEDIUM
	switch p := r.IntN(100); {
	case p < 25:
		priority = 1
	case p < 65:
		priority = 2
	case p < 90:
		priority = 3
	default:
		priority = 4
	}
	var due, completed *time.Time
	if r.IntN(100) >= 30 {
		d := created.Add(time.Duration(r.Int64N(int64(70*24*time.Hour))) - 10*24*time.Hour).Truncate(time.Second)
		due = &d
	}
	if status == "COMPLETED" {
		c := updated
		completed = &c
	}
	var desc *string
	if r.IntN(2) == 0 {
		d := sentence(r, g.words, 8+r.IntN(13))
		desc = &d
	}
	var cat *uuid.UUID
	if len(g.cats) > 0 && g.i <= g.categorized && r.IntN(100) < 60 {
		c := g.cats[r.IntN(len(g.cats))]
		cat = &c
	}
	title := sentence(r, g.words, 3+r.IntN(4))
	if r.IntN(2000) == 0 {
		title += " zeppelin"
	}
	return []any{uuidV7At(created, r), g.userID, cat, title, taskapi.TitleSortKey(title), desc, status, priority,
		due, completed, created, updated}
}

// uuidV7At makes a version 7 UUID for time t: IDs sort like creation times,
// as the IDs the store makes do.
func uuidV7At(t time.Time, r *rand.Rand) uuid.UUID {
	var u uuid.UUID
	binary.BigEndian.PutUint64(u[8:], r.Uint64())
	ms := uint64(t.UnixMilli())
	u[0], u[1], u[2], u[3], u[4], u[5] = byte(ms>>40), byte(ms>>32), byte(ms>>24), byte(ms>>16), byte(ms>>8), byte(ms)
	rb := r.Uint32()
	u[6] = 0x70 | byte(rb>>8)&0x0f
	u[7] = byte(rb)
	u[8] = 0x80 | u[8]&0x3f
	return u
}

// seedWords is the vocabulary of titles and descriptions. Words early in
// the list are drawn far more often (see seedWord), so searches can ask for
// a common word ("report"), a middling one ("invoice") and a rare one
// ("zeppelin", added to one title in 2,000).
func seedWords() []string {
	return strings.Fields(`report review update plan call email meeting fix write check prepare
	send order book clean draft team budget client design test deploy release notes backlog
	schedule follow agenda summary invoice contract payment renew insurance doctor dentist groceries
	laundry garden repair car bike train flight hotel visa passport tax return receipt refund
	quarterly weekly monthly annual project roadmap feature bug ticket review server database
	backup migration upgrade license vendor supplier inventory shipping warehouse training workshop
	slides presentation proposal estimate forecast metrics dashboard survey feedback interview
	onboarding offboarding policy handbook audit compliance security password rotation certificate
	domain website newsletter campaign social photos album birthday gift party dinner recipe
	library books course homework exam gym yoga running marathon vacation packing moving furniture`)
}

// seedWord draws a word; the square skews the draw towards the start of
// the list (the first word is in about a third of titles).
func seedWord(r *rand.Rand, words []string) string {
	u := r.Float64()
	return words[int(u*u*float64(len(words)))]
}

// sentence makes n words, the first capitalised.
func sentence(r *rand.Rand, words []string, n int) string {
	var b strings.Builder
	for i := range n {
		w := seedWord(r, words)
		if i == 0 {
			w = strings.ToUpper(w[:1]) + w[1:]
		} else {
			b.WriteByte(' ')
		}
		b.WriteString(w)
	}
	return b.String()
}
