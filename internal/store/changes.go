package store

// The change feed: the one record of what changed in a user's data.
// Writes note their changes with recordChanges inside their transaction;
// the transaction appends them just before it commits (flushChanges),
// numbered from the user's row in change_heads. Taking the number last
// keeps the head row locked for the shortest time, and always after every
// other lock of the write, so writers never wait on each other in a cycle
// through it. The activity history, incremental sync, live updates and
// webhooks all read these records.

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

// ChangeOp is what a change did to its entity.
type ChangeOp string

// The operations of a change. The API shows create and update as upsert.
const (
	ChangeCreate ChangeOp = "create"
	ChangeUpdate ChangeOp = "update"
	ChangeDelete ChangeOp = "delete"
)

// Entity types of the feed.
const (
	EntityTask     = "task"
	EntityCategory = "category"
	EntityComment  = "comment"
	EntityTag      = "tag"
)

// Change is one entity changed by a write, as the write notes it.
type Change struct {
	Type string // EntityTask, EntityCategory, …
	ID   uuid.UUID
	Op   ChangeOp
	// Version is the entity's version after the change (its ETag); 0 for
	// a delete.
	Version int64
	// TaskID is the task the entity belongs to (the task itself, or a
	// comment's task): its activity shows the change. nil for others.
	TaskID *uuid.UUID
	// Fields are what an update changed.
	Fields []taskapi.FieldChange
	// Event overrides the webhook event type; "" means Type.created,
	// Type.updated or Type.deleted (task.completed for a task whose status
	// became COMPLETED).
	Event string
	// counts are the tasks whose counts (subtask_count,
	// completed_subtask_count, comment_count) this change alters: a
	// subtask's or a comment's parent. See countChanges.
	counts []countTouch
	at     time.Time
}

// countTouch names a task whose counts of one kind a change alters.
type countTouch struct {
	task  uuid.UUID
	field string // FieldSubtaskCount or FieldCommentCount
}

// The fields of a task's record of its counts alone: a parent whose
// subtasks or comments changed.
const (
	FieldSubtaskCount = "subtask_count" // subtask_count and completed_subtask_count
	FieldCommentCount = "comment_count"
)

// Actor is who made a change: a session or a personal access token of the
// user, or the system (a job, a tool).
type Actor struct {
	Kind string // ActorSession, ActorToken or ActorSystem
	ID   uuid.UUID
}

// Actor kinds.
const (
	ActorSession = "session"
	ActorToken   = "token"
	ActorSystem  = "system"
)

type actorKey struct{}

// WithActor returns ctx carrying who makes the writes done with it; the
// API and the web app set it from the caller, and every change recorded
// under ctx names it.
func WithActor(ctx context.Context, a Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// PrincipalActor is the actor of an authenticated caller.
func PrincipalActor(p taskapi.Principal) Actor {
	if p.ViaToken() {
		return Actor{Kind: ActorToken, ID: p.TokenID}
	}
	return Actor{Kind: ActorSession, ID: p.SessionID}
}

func actorFrom(ctx context.Context) Actor {
	if a, ok := ctx.Value(actorKey{}).(Actor); ok {
		return a
	}
	return Actor{Kind: ActorSystem}
}

// writeTx is the querier of a write transaction (Store.tx): the
// transaction, and the changes its writes noted, appended at commit.
type writeTx struct {
	*sql.Tx
	users   []uuid.UUID
	changes map[uuid.UUID][]Change
}

var errNoWriteTx = errors.New("record changes: not inside Store.tx")

// recordChanges notes changes of userID's data made by the write running
// in tx (which must be Store.tx's), at now, the write's clock. They are
// appended, numbered and fanned out to webhooks when the transaction
// commits; a write that rolls back leaves no record. Every write to a
// user's data calls it.
func (s *Store) recordChanges(tx querier, userID uuid.UUID, now time.Time, changes ...Change) error {
	w, ok := tx.(*writeTx)
	if !ok {
		return errNoWriteTx
	}
	if w.changes == nil {
		w.changes = map[uuid.UUID][]Change{}
	}
	if _, seen := w.changes[userID]; !seen {
		w.users = append(w.users, userID)
	}
	for _, c := range changes {
		c.at = now
		w.changes[userID] = append(w.changes[userID], c)
	}
	return nil
}

// changeRowsPerInsert bounds one multi-row INSERT of changes (11 values a
// row; see dialect.insertBatchRows for why SQLite wants few).
const changeRowsPerInsert = 50

// flushChanges appends the changes noted in w, for each user: it takes
// len(changes) numbers from the user's head row (creating it on the first
// change; on PostgreSQL notifying the listeners, see bumpChangeHead),
// inserts the records, and queues their webhook deliveries.
func (s *Store) flushChanges(ctx context.Context, w *writeTx) error {
	actor := actorFrom(ctx)
	for _, userID := range w.users {
		counted, err := s.countChanges(ctx, w, userID, w.changes[userID])
		if err != nil {
			return err
		}
		changes := append(w.changes[userID], counted...)
		var last int64
		err = w.QueryRowContext(ctx, s.d.bumpChangeHead, userID.String(), len(changes)).Scan(&last)
		if err != nil {
			return fmt.Errorf("record changes: %w", s.mapErr(err))
		}
		first := last - int64(len(changes)) + 1
		events := make([]WebhookEvent, 0, len(changes))
		for start := 0; start < len(changes); start += changeRowsPerInsert {
			var a args
			values := make([]string, 0, changeRowsPerInsert)
			for i, c := range changes[start:min(start+changeRowsPerInsert, len(changes))] {
				seq := first + int64(start+i)
				values = append(values, changeValues(&a, userID, seq, actor, c))
				if !c.countsOnly() {
					events = append(events, WebhookEvent{Type: c.event(), EntityType: c.Type, EntityID: c.ID, Seq: seq})
				}
			}
			if _, err := w.ExecContext(ctx, `INSERT INTO changes (user_id, seq, entity_type, entity_id, task_id, op, version,
				actor_kind, actor_id, fields, created_at) VALUES `+strings.Join(values, ", "), a...); err != nil {
				return fmt.Errorf("record changes: %w", s.mapErr(err))
			}
		}
		if err := s.enqueueWebhooks(ctx, w, userID, events...); err != nil {
			return err
		}
	}
	return nil
}

func changeValues(a *args, userID uuid.UUID, seq int64, actor Actor, c Change) string {
	var version *int64
	if c.Op != ChangeDelete {
		version = &c.Version
	}
	var actorID uuid.NullUUID
	if actor.ID != uuid.Nil {
		actorID = uuid.NullUUID{UUID: actor.ID, Valid: true}
	}
	return "(" + strings.Join([]string{
		a.add(userID), a.add(seq), a.add(c.Type), a.add(c.ID), a.add(nullUUID(c.TaskID)), a.add(string(c.Op)),
		a.add(version), a.add(actor.Kind), a.add(actorID), a.add(encodeFields(c.Fields)), a.add(c.at),
	}, ", ") + ")"
}

// event is the webhook event type of a change.
func (c Change) event() string {
	if c.Event != "" {
		return c.Event
	}
	switch c.Op {
	case ChangeCreate:
		return c.Type + ".created"
	case ChangeDelete:
		return c.Type + ".deleted"
	}
	if c.Type == EntityTask {
		for _, f := range c.Fields {
			if f.Field == "status" && f.To != nil && *f.To == string(taskapi.StatusCompleted) {
				return "task.completed"
			}
		}
	}
	return c.Type + ".updated"
}

// fieldJSON is how a FieldChange is kept in changes.fields.
type fieldJSON struct {
	Field string  `json:"f"`
	From  *string `json:"a,omitempty"`
	To    *string `json:"b,omitempty"`
}

func encodeFields(fields []taskapi.FieldChange) *string {
	if len(fields) == 0 {
		return nil
	}
	out := make([]fieldJSON, len(fields))
	for i, f := range fields {
		out[i] = fieldJSON{Field: f.Field, From: f.From, To: f.To}
	}
	b, _ := json.Marshal(out) // strings always marshal
	s := string(b)
	return &s
}

func decodeFields(s sql.NullString) ([]taskapi.FieldChange, error) {
	if !s.Valid {
		return nil, nil
	}
	var in []fieldJSON
	if err := json.Unmarshal([]byte(s.String), &in); err != nil {
		return nil, fmt.Errorf("change fields: %w", err)
	}
	out := make([]taskapi.FieldChange, len(in))
	for i, f := range in {
		out[i] = taskapi.FieldChange{Field: f.Field, From: f.From, To: f.To}
	}
	return out, nil
}

// taskChange is the change record of a task written from cur to next.
// A subtask created, moved to another parent, completed or reopened also
// changes its parents' counts.
func taskChange(op ChangeOp, cur, next taskapi.Task) Change {
	c := Change{Type: EntityTask, ID: next.ID, Op: op, Version: next.Version, TaskID: &next.ID}
	if op == ChangeUpdate {
		c.Fields = taskapi.TaskChanges(cur, next)
	}
	done := func(t taskapi.Task) bool { return t.Status == taskapi.StatusCompleted }
	switch {
	case op == ChangeCreate:
		c.countsOf(FieldSubtaskCount, next.ParentID)
	case !equalID(cur.ParentID, next.ParentID):
		c.countsOf(FieldSubtaskCount, cur.ParentID, next.ParentID)
	case done(cur) != done(next):
		c.countsOf(FieldSubtaskCount, cur.ParentID)
	}
	return c
}

// countsOf notes that c alters the counts of field of the tasks (nil:
// none).
func (c *Change) countsOf(field string, tasks ...*uuid.UUID) {
	for _, t := range tasks {
		if t != nil {
			c.counts = append(c.counts, countTouch{task: *t, field: field})
		}
	}
}

// countChanges returns the records of the tasks whose counts the changes
// alter and that have no record of their own in the write: a task's counts
// are part of its data and its ETag, so a client that keeps the task must
// hear of them, though its row did not change. A task deleted by the write
// has none. Their TaskID is nil: the task's activity lists the subtask or
// comment itself, not the count. They send no webhook (countsOnly).
func (s *Store) countChanges(ctx context.Context, tx querier, userID uuid.UUID, changes []Change) ([]Change, error) {
	recorded := map[uuid.UUID]bool{}
	for _, c := range changes {
		if c.Type == EntityTask {
			recorded[c.ID] = true
		}
	}
	fields := map[uuid.UUID][]string{}
	var ids []uuid.UUID
	for _, c := range changes {
		for _, t := range c.counts {
			if recorded[t.task] || slices.Contains(fields[t.task], t.field) {
				continue
			}
			if fields[t.task] == nil {
				ids = append(ids, t.task)
			}
			fields[t.task] = append(fields[t.task], t.field)
		}
	}
	if len(ids) == 0 {
		return nil, nil
	}
	a := args{userID}
	rows, err := tx.QueryContext(ctx, `SELECT id, version FROM `+s.tasksByID()+` WHERE user_id = $1 AND id IN `+list(&a, ids), a...)
	if err != nil {
		return nil, fmt.Errorf("record changes: %w", s.mapErr(err))
	}
	versions, err := collect(rows, func(r rowScanner) (Change, error) {
		var c Change
		return c, r.Scan(&c.ID, &c.Version)
	})
	if err != nil {
		return nil, fmt.Errorf("record changes: %w", err)
	}
	byID := make(map[uuid.UUID]int64, len(versions))
	for _, v := range versions {
		byID[v.ID] = v.Version
	}
	var out []Change
	at := changes[len(changes)-1].at
	for _, id := range ids { // in the order the write touched them
		version, ok := byID[id]
		if !ok {
			continue
		}
		c := Change{Type: EntityTask, ID: id, Op: ChangeUpdate, Version: version, at: at}
		for _, f := range fields[id] {
			c.Fields = append(c.Fields, taskapi.FieldChange{Field: f})
		}
		out = append(out, c)
	}
	return out, nil
}

// countsOnly reports a task's record of its counts alone (countChanges):
// it sends no webhook, as a task.updated for every comment or subtask
// would be noise; comment.* and the subtask's own task.* events say it.
func (c Change) countsOnly() bool {
	if c.Type != EntityTask || c.Op != ChangeUpdate || len(c.Fields) == 0 {
		return false
	}
	for _, f := range c.Fields {
		if f.Field != FieldSubtaskCount && f.Field != FieldCommentCount {
			return false
		}
	}
	return true
}
