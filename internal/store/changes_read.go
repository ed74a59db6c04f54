package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/google/uuid"

	"github.com/taskapi/taskapi"
)

// ChangeRecord is one record of the change feed, as read back.
type ChangeRecord struct {
	Seq     int64
	Type    string
	ID      uuid.UUID
	TaskID  *uuid.UUID
	Op      ChangeOp
	Version int64 // 0 for a delete
	Actor   Actor
	// ActorName is the name of the token that made the change (empty for
	// a session, the system, or a token since deleted).
	ActorName string
	Fields    []taskapi.FieldChange
	At        time.Time
}

// ErrChangesExpired answers a position in the feed older than what the
// feed keeps: the records after it were purged, so following it would
// skip changes.
var ErrChangesExpired = taskapi.NewProblem(taskapi.ErrGone,
	"this cursor is older than the change history kept; sync from scratch: request the feed without a cursor")

// ChangeHead returns the sequence number of the user's latest change; 0
// before the first.
func (s *Store) ChangeHead(ctx context.Context, userID uuid.UUID) (int64, error) {
	var seq int64
	err := s.queryRow(ctx, `SELECT seq FROM change_heads WHERE user_id = $1`, userID).Scan(&seq)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("change head: %w", s.mapErr(err))
	}
	return seq, nil
}

// ChangePage is a page of the feed after some position: each entity
// once, at its latest record in the page, in sequence order.
type ChangePage struct {
	Records []ChangeRecord
	// Next is the position to read on from; More says whether records
	// after it were there already.
	Next int64
	More bool
}

// maxChangeScan bounds the records one page reads, however often a few
// entities changed: past it the page ends early, with More set.
const maxChangeScan = 1000

// ReadChanges returns the user's changes after the position after (0:
// from the start), of the given entity types (none: all), at most limit
// entities. An entity changed several times appears once, with its latest
// record of the page. A position older than the records kept is
// ErrChangesExpired.
func (s *Store) ReadChanges(ctx context.Context, userID uuid.UUID, after int64, types []string, limit int) (ChangePage, error) {
	if limit < 1 || after < 0 {
		return ChangePage{}, fmt.Errorf("read changes: limit %d after %d", limit, after)
	}
	// The head is read first: every record up to it has committed (a
	// user's writers commit in sequence order), so once the records run
	// out, the page may say the reader is at least there.
	head, err := s.ChangeHead(ctx, userID)
	if err != nil {
		return ChangePage{}, fmt.Errorf("read changes: %w", err)
	}
	page := ChangePage{Next: after}
	at := map[[2]string]int{} // entity → index in page.Records
	distinct, scanned := 0, 0
	batch := min(limit+1, maxChangeScan)
scan:
	for {
		recs, err := s.changesAfter(ctx, userID, page.Next, types, batch)
		if err != nil {
			return ChangePage{}, fmt.Errorf("read changes: %w", err)
		}
		for _, r := range recs {
			key := [2]string{r.Type, r.ID.String()}
			i, seen := at[key]
			if !seen && distinct == limit || scanned == maxChangeScan {
				page.More = true
				break scan
			}
			if seen {
				page.Records[i].Seq = 0 // superseded by r, appended below
			} else {
				distinct++
			}
			at[key] = len(page.Records)
			page.Records = append(page.Records, r)
			page.Next = r.Seq
			scanned++
		}
		if len(recs) < batch {
			page.Next = max(page.Next, head)
			break
		}
	}
	kept := page.Records[:0]
	for _, r := range page.Records {
		if r.Seq != 0 {
			kept = append(kept, r)
		}
	}
	page.Records = kept
	// Checked after the read: a purge that ran meanwhile is seen here.
	var purged int64
	if err := s.queryRow(ctx, `SELECT purged_through FROM change_heads WHERE user_id = $1`, userID).Scan(&purged); err != nil &&
		!errors.Is(err, sql.ErrNoRows) {
		return ChangePage{}, fmt.Errorf("read changes: %w", s.mapErr(err))
	}
	if after < purged {
		return ChangePage{}, fmt.Errorf("read changes: %w", ErrChangesExpired)
	}
	return page, nil
}

// changeColumns is the select list scanChange reads, from changes c
// joined with the access token that made each change, if any.
const changeColumns = `c.seq, c.entity_type, c.entity_id, c.task_id, c.op, c.version, c.actor_kind, c.actor_id, t.name, c.fields, c.created_at`

const changeFrom = ` FROM changes c LEFT JOIN access_tokens t ON c.actor_kind = 'token' AND t.id = c.actor_id `

func (s *Store) changesAfter(ctx context.Context, userID uuid.UUID, after int64, types []string, limit int) ([]ChangeRecord, error) {
	a := args{userID, after}
	where := `c.user_id = $1 AND c.seq > $2`
	if len(types) > 0 {
		where += ` AND c.entity_type IN ` + list(&a, types)
	}
	rows, err := s.query(ctx, `SELECT `+changeColumns+changeFrom+`WHERE `+where+` ORDER BY c.seq LIMIT `+a.add(limit), a...)
	if err != nil {
		return nil, s.mapErr(err)
	}
	return collect(rows, scanChange)
}

func scanChange(r rowScanner) (ChangeRecord, error) {
	var (
		c       ChangeRecord
		taskID  uuid.NullUUID
		actorID uuid.NullUUID
		version sql.NullInt64
		name    sql.NullString
		fields  sql.NullString
		at      dbTime
		op      string
	)
	if err := r.Scan(&c.Seq, &c.Type, &c.ID, &taskID, &op, &version, &c.Actor.Kind, &actorID, &name, &fields, &at); err != nil {
		return c, err
	}
	c.Op, c.Version, c.Actor.ID, c.ActorName, c.At = ChangeOp(op), version.Int64, actorID.UUID, name.String, at.Time.UTC()
	if taskID.Valid {
		c.TaskID = &taskID.UUID
	}
	var err error
	c.Fields, err = decodeFields(fields)
	return c, err
}

// TaskActivity returns one page of the history of one of the user's
// tasks, newest first: its own changes and those of its comments. The
// position is the sequence number of the last record given.
func (s *Store) TaskActivity(ctx context.Context, userID, taskID uuid.UUID, page Page) ([]ChangeRecord, Position, error) {
	if page.Limit < 1 {
		return nil, "", fmt.Errorf("task activity: limit %d", page.Limit)
	}
	before := int64(-1)
	if page.After != "" {
		n, err := strconv.ParseInt(string(page.After), 10, 64)
		if err != nil || n < 1 {
			return nil, "", fmt.Errorf("task activity: %w", errBadPosition)
		}
		before = n
	}
	if _, err := s.getTask(ctx, s.reader(), userID, taskID, ""); err != nil {
		return nil, "", fmt.Errorf("task activity: %w", err)
	}
	a := args{userID, taskID}
	where := `c.user_id = $1 AND c.task_id = $2`
	if before > 0 {
		where += ` AND c.seq < ` + a.add(before)
	}
	rows, err := s.query(ctx, `SELECT `+changeColumns+changeFrom+`WHERE `+where+
		` ORDER BY c.seq DESC LIMIT `+a.add(page.Limit+1), a...)
	if err != nil {
		return nil, "", fmt.Errorf("task activity: %w", s.mapErr(err))
	}
	recs, err := collect(rows, scanChange)
	if err != nil {
		return nil, "", fmt.Errorf("task activity: %w", err)
	}
	if len(recs) <= page.Limit {
		return recs, "", nil
	}
	recs = recs[:page.Limit]
	return recs, Position(strconv.FormatInt(recs[len(recs)-1].Seq, 10)), nil
}

// PurgeChanges deletes the change records made before before, and
// remembers for each user the last sequence number purged, so a cursor
// from before it is told to sync again (ErrChangesExpired) instead of
// silently missing changes.
func (s *Store) PurgeChanges(ctx context.Context, before time.Time) (int64, error) {
	var n int64
	err := s.tx(ctx, func(tx querier) error {
		rows, err := tx.QueryContext(ctx, `UPDATE change_heads SET purged_through = (
				SELECT MAX(c.seq) FROM changes c WHERE c.user_id = change_heads.user_id AND c.created_at < $1)
			WHERE user_id IN (SELECT user_id FROM changes WHERE created_at < $1) RETURNING user_id, purged_through`, before.UTC())
		if err != nil {
			return s.mapErr(err)
		}
		type mark struct {
			user uuid.UUID
			seq  int64
		}
		marks, err := collect(rows, func(r rowScanner) (mark, error) {
			var m mark
			return m, r.Scan(&m.user, &m.seq)
		})
		if err != nil {
			return err
		}
		// Everything up to purged_through goes (a record made a moment
		// later than a newer one may sit below it), so what stays of a
		// user's feed is always a whole suffix of it.
		for _, m := range marks {
			res, err := tx.ExecContext(ctx, `DELETE FROM changes WHERE user_id = $1 AND seq <= $2`, m.user, m.seq)
			if err != nil {
				return s.mapErr(err)
			}
			d, _ := res.RowsAffected()
			n += d
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("purge changes: %w", err)
	}
	return n, nil
}

// ChangeHeads returns the feed heads of some users in one query (0 for a
// user without changes): the live-update streams poll it.
func (s *Store) ChangeHeads(ctx context.Context, userIDs []uuid.UUID) (map[uuid.UUID]int64, error) {
	out := make(map[uuid.UUID]int64, len(userIDs))
	if len(userIDs) == 0 {
		return out, nil
	}
	var a args
	rows, err := s.query(ctx, `SELECT user_id, seq FROM change_heads WHERE user_id IN `+list(&a, userIDs), a...)
	if err != nil {
		return nil, fmt.Errorf("change heads: %w", s.mapErr(err))
	}
	defer rows.Close()
	for rows.Next() {
		var id uuid.UUID
		var seq int64
		if err := rows.Scan(&id, &seq); err != nil {
			return nil, fmt.Errorf("change heads: %w", err)
		}
		out[id] = seq
	}
	return out, rows.Err()
}
