// The web app's Undo of a delete: the rows a delete takes away are kept for
// a while, so that the task comes back whole, with its ID, subtasks,
// comments, reminders, tags, recurrence and history.

package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/taskapi/taskapi"
)

// trashTables are the tables that hold a task's rows, in the order a
// restore puts them back (a task before what refers to it), each with the
// column naming the task. ON DELETE CASCADE empties all of them with the
// task, so a snapshot of these is the whole of it.
var trashTables = []struct{ name, key string }{
	{"tasks", "id"},
	{"task_recurrences", "task_id"},
	{"task_completions", "task_id"},
	{"reminders", "task_id"},
	{"notifications", "task_id"},
	{"comments", "task_id"},
	{"task_tags", "task_id"},
}

// TrashRetention is how long a deleted task can still be restored, at
// most: the web app offers it for less; the janitor purges what is older.
const TrashRetention = time.Hour

// ErrNothingToRestore answers a restore of a task that was not deleted
// with DeleteTaskUndoable, was restored already, or was deleted too long ago.
var ErrNothingToRestore = taskapi.NewProblem(taskapi.ErrNotFound, "there is nothing to restore any more")

// trashSnapshot is what one delete took away: each table's rows of the
// task and its subtasks, as the database gave them.
type trashSnapshot struct {
	Tables []trashRows `json:"tables"`
}

type trashRows struct {
	Name    string        `json:"name"`
	Columns []string      `json:"columns"`
	Rows    [][]trashCell `json:"rows"`
}

// trashCell is one value, with its Go type, so that it goes back into the
// database as the same type it came out as.
type trashCell struct {
	Kind  string          `json:"k,omitempty"` // "" for NULL
	Value json.RawMessage `json:"v,omitempty"`
}

func encodeCell(v any) (trashCell, error) {
	var kind string
	switch v.(type) {
	case nil:
		return trashCell{}, nil
	case int64:
		kind = "i"
	case float64:
		kind = "f"
	case bool:
		kind = "b"
	case string:
		kind = "s"
	case []byte:
		kind = "x"
	case time.Time:
		kind = "t"
	default:
		return trashCell{}, fmt.Errorf("a value of type %T cannot be kept", v)
	}
	b, err := json.Marshal(v)
	return trashCell{Kind: kind, Value: b}, err
}

func (c trashCell) decode() (any, error) {
	var err error
	switch c.Kind {
	case "":
		return nil, nil
	case "i":
		var v int64
		err = json.Unmarshal(c.Value, &v)
		return v, err
	case "f":
		var v float64
		err = json.Unmarshal(c.Value, &v)
		return v, err
	case "b":
		var v bool
		err = json.Unmarshal(c.Value, &v)
		return v, err
	case "s":
		var v string
		err = json.Unmarshal(c.Value, &v)
		return v, err
	case "x":
		var v []byte
		err = json.Unmarshal(c.Value, &v)
		return v, err
	case "t":
		var v time.Time
		err = json.Unmarshal(c.Value, &v)
		return v, err
	}
	return nil, fmt.Errorf("unknown kept value kind %q", c.Kind)
}

// DeleteTaskUndoable deletes a task like DeleteTask, keeping what it takes
// away, so that RestoreTask can bring it back for a while.
func (s *Store) DeleteTaskUndoable(ctx context.Context, userID, id uuid.UUID, ifMatch Versions) error {
	if err := s.deleteTask(ctx, userID, id, ifMatch, true); err != nil {
		return fmt.Errorf("delete task: %w", err)
	}
	return nil
}

// keepForRestore writes the snapshot of a task and its subtasks in tx,
// before the delete.
func (s *Store) keepForRestore(ctx context.Context, tx querier, userID, id uuid.UUID, now time.Time) error {
	a := args{userID}
	with := subtreeSQL(&a, []uuid.UUID{id})
	rows, err := tx.QueryContext(ctx, with+`SELECT id FROM `+s.tasksByID()+` WHERE user_id = $1
		AND (id = `+a.add(id)+` OR id IN (SELECT id FROM sub))`, a...)
	if err != nil {
		return s.mapErr(err)
	}
	found, err := collectIDs(rows)
	if err != nil || len(found) == 0 {
		return err // not the user's: the delete answers
	}
	ids := make([]uuid.UUID, 0, len(found))
	for t := range found {
		ids = append(ids, t)
	}
	var snap trashSnapshot
	for _, t := range trashTables {
		kept, err := s.snapshotRows(ctx, tx, t.name, t.key, ids)
		if err != nil {
			return fmt.Errorf("keep %s: %w", t.name, err)
		}
		snap.Tables = append(snap.Tables, kept)
	}
	b, err := json.Marshal(snap)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM task_trash WHERE user_id = $1 AND task_id = $2`, userID, id); err != nil {
		return s.mapErr(err)
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO task_trash (user_id, task_id, deleted_at, snapshot) VALUES ($1, $2, $3, $4)`,
		userID, id, now, string(b))
	return s.mapErr(err)
}

// snapshotRows reads the rows of table whose key column names one of ids.
// SQLite's seq is left out: a restored task gets a new one, since the old
// one may have been given to another task meanwhile.
func (s *Store) snapshotRows(ctx context.Context, tx querier, table, key string, ids []uuid.UUID) (trashRows, error) {
	out := trashRows{Name: table}
	var a args
	rows, err := tx.QueryContext(ctx, `SELECT * FROM `+table+` WHERE `+key+` IN `+list(&a, ids), a...)
	if err != nil {
		return out, s.mapErr(err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return out, err
	}
	skip := -1
	if table == "tasks" {
		skip = slices.Index(cols, "seq")
	}
	for i, c := range cols {
		if i != skip {
			out.Columns = append(out.Columns, c)
		}
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return out, err
		}
		row := make([]trashCell, 0, len(out.Columns))
		for i, v := range vals {
			if i == skip {
				continue
			}
			cell, err := encodeCell(v)
			if err != nil {
				return out, fmt.Errorf("column %s: %w", cols[i], err)
			}
			row = append(row, cell)
		}
		out.Rows = append(out.Rows, row)
	}
	return out, rows.Err()
}

// RestoreTask brings back a task deleted with DeleteTaskUndoable at or
// after since, whole and under its ID: its subtasks, comments, reminders,
// recurrence and completions, and the tags the user still has. A category
// deleted meanwhile is left out, and so is a parent: the task then comes
// back at the top level. A restore happens once: another answers
// ErrNothingToRestore, as does a task deleted before since.
func (s *Store) RestoreTask(ctx context.Context, userID, id uuid.UUID, since time.Time) (taskapi.Task, error) {
	now := s.Now()
	err := s.tx(ctx, func(tx querier) error {
		var raw string
		var deletedAt dbTime
		err := tx.QueryRowContext(ctx, `DELETE FROM task_trash WHERE user_id = $1 AND task_id = $2 RETURNING snapshot, deleted_at`,
			userID, id).Scan(&raw, &deletedAt)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNothingToRestore
		}
		if err != nil {
			return s.mapErr(err)
		}
		if deletedAt.Time.Before(since) {
			return ErrNothingToRestore
		}
		var snap trashSnapshot
		if err := json.Unmarshal([]byte(raw), &snap); err != nil {
			return fmt.Errorf("read what was kept: %w", err)
		}
		if err := s.putBack(ctx, tx, userID, id, snap); err != nil {
			return err
		}
		return s.recordRestore(tx, userID, snap, now)
	})
	if err != nil {
		return taskapi.Task{}, fmt.Errorf("restore task: %w", err)
	}
	return s.GetTask(ctx, userID, id)
}

// putBack inserts the kept rows, table by table, within the user's quota.
func (s *Store) putBack(ctx context.Context, tx querier, userID, root uuid.UUID, snap trashSnapshot) error {
	for _, t := range snap.Tables {
		if t.Name == "tasks" {
			if err := s.checkRestoreQuota(ctx, tx, userID, len(t.Rows)); err != nil {
				return err
			}
			if err := s.fitTasks(ctx, tx, userID, root, &t); err != nil {
				return err
			}
		}
		if t.Name == "task_tags" {
			if err := s.keepLiveTags(ctx, tx, userID, &t); err != nil {
				return err
			}
		}
		for _, row := range t.Rows {
			var a args
			ph := make([]string, 0, len(row))
			for _, c := range row {
				v, err := c.decode()
				if err != nil {
					return fmt.Errorf("restore %s: %w", t.Name, err)
				}
				ph = append(ph, a.add(v))
			}
			q := `INSERT INTO ` + t.Name + ` (` + strings.Join(t.Columns, ", ") + `) VALUES (` + strings.Join(ph, ", ") + `)`
			if _, err := tx.ExecContext(ctx, q, a...); err != nil {
				return fmt.Errorf("restore %s: %w", t.Name, s.mapErr(err))
			}
		}
	}
	return nil
}

// PurgeTaskTrash forgets the deleted tasks kept before before: they can no
// longer be restored.
func (s *Store) PurgeTaskTrash(ctx context.Context, before time.Time) (int64, error) {
	res, err := s.exec(ctx, `DELETE FROM task_trash WHERE deleted_at < $1`, before.UTC().Truncate(time.Microsecond))
	if err != nil {
		return 0, fmt.Errorf("purge deleted tasks: %w", s.mapErr(err))
	}
	return res.RowsAffected()
}
