package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/google/uuid"

	"github.com/taskapi/taskapi"
	"github.com/taskapi/taskapi/internal/store"
	"github.com/taskapi/taskapi/internal/testkit"
)

// feedEntry is a record as a test compares it.
type feedEntry struct {
	Type   string
	Op     store.ChangeOp
	ID     uuid.UUID
	Fields string
}

func entries(recs []store.ChangeRecord) []feedEntry {
	out := make([]feedEntry, len(recs))
	for i, r := range recs {
		f := ""
		for _, c := range r.Fields {
			f += c.Field
			if c.From != nil || c.To != nil {
				f += fmt.Sprintf("(%s→%s)", deref(c.From), deref(c.To))
			}
			f += " "
		}
		out[i] = feedEntry{Type: r.Type, Op: r.Op, ID: r.ID, Fields: f}
	}
	return out
}

func deref(s *string) string {
	if s == nil {
		return "∅"
	}
	return *s
}

// Every write to a user's data leaves its records, in the write's
// transaction: cascades (a completed parent's subtasks, a deleted
// category's tasks, a deleted task's subtree and comments) included.
func TestChangesRecordEveryWrite(t *testing.T) {
	eachWithClock(t, func(t *testing.T, s *store.Store, clock *testkit.Clock) {
		ctx := store.WithActor(context.Background(), store.Actor{Kind: store.ActorSession, ID: uuid.New()})
		u := newUser(t, s, "feeder")
		cat, _, err := s.CreateCategory(ctx, u, taskapi.Category{Name: "Work"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		parent, _, err := s.CreateTask(ctx, u, taskapi.Task{Title: "parent", CategoryID: &cat.ID, Priority: taskapi.PriorityLow}, nil)
		if err != nil {
			t.Fatal(err)
		}
		kid, _, err := s.CreateTask(ctx, u, taskapi.Task{Title: "kid", ParentID: &parent.ID}, nil)
		if err != nil {
			t.Fatal(err)
		}
		note, _, err := s.CreateComment(ctx, u, kid.ID, "a note", nil)
		if err != nil {
			t.Fatal(err)
		}
		head, _ := s.ChangeHead(ctx, u)
		high, done := taskapi.PriorityHigh, taskapi.StatusCompleted
		if _, err := s.UpdateTask(ctx, u, parent.ID, taskapi.TaskPatch{Priority: &high, Status: &done}, nil); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteCategory(ctx, u, cat.ID, nil); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteTask(ctx, u, parent.ID, nil); err != nil {
			t.Fatal(err)
		}
		cid := cat.ID.String()
		// Each write's records, in the order of the writes; within one,
		// the order of the rows it touched is the database's.
		want := [][]feedEntry{
			{{EntityTask, store.ChangeUpdate, parent.ID, "status(TODO→COMPLETED) priority(LOW→HIGH) "}},
			{{EntityTask, store.ChangeUpdate, kid.ID, "status(TODO→COMPLETED) "}},
			// The category's tasks lose it first, then it goes.
			{{EntityTask, store.ChangeUpdate, parent.ID, "category_id(" + cid + "→∅) "},
				{EntityTask, store.ChangeUpdate, kid.ID, "category_id(" + cid + "→∅) "}},
			{{EntityCategory, store.ChangeDelete, cat.ID, ""}},
			{{EntityComment, store.ChangeDelete, note.ID, ""}},
			{{EntityTask, store.ChangeDelete, parent.ID, ""}, {EntityTask, store.ChangeDelete, kid.ID, ""}},
		}
		got := entries(store.RawChanges(t, s, u, head))
		for _, group := range want {
			if len(got) < len(group) {
				t.Fatalf("missing records %v", group)
			}
			byID := func(a, b feedEntry) bool { return a.ID.String() < b.ID.String() }
			if diff := cmp.Diff(group, got[:len(group)], cmpopts.SortSlices(byID)); diff != "" {
				t.Errorf("records (-want +got):\n%s", diff)
			}
			got = got[len(group):]
		}
		if len(got) != 0 {
			t.Errorf("more records: %v", got)
		}
		recs := store.RawChanges(t, s, u, 0)
		if recs[0].Actor.Kind != store.ActorSession || !recs[0].At.Equal(clock.Now()) {
			t.Errorf("first record: actor %+v at %v, want the session at %v", recs[0].Actor, recs[0].At, clock.Now())
		}
	})
}

// A page names each entity once, at its latest record; a cursor past the
// purged records is refused with ErrChangesExpired, one at the edge works.
func TestChangesPagesAndPurge(t *testing.T) {
	eachWithClock(t, func(t *testing.T, s *store.Store, clock *testkit.Clock) {
		ctx := context.Background()
		u := newUser(t, s, "pager")
		a, _, _ := s.CreateTask(ctx, u, taskapi.Task{Title: "a"}, nil)
		b, _, _ := s.CreateTask(ctx, u, taskapi.Task{Title: "b"}, nil)
		for _, title := range []string{"a1", "a2"} {
			if _, err := s.UpdateTask(ctx, u, a.ID, taskapi.TaskPatch{Title: &title}, nil); err != nil {
				t.Fatal(err)
			}
		}
		p, err := s.ReadChanges(ctx, u, 0, nil, 10)
		if err != nil {
			t.Fatal(err)
		}
		got := []uuid.UUID{}
		for _, r := range p.Records {
			got = append(got, r.ID)
		}
		if diff := cmp.Diff([]uuid.UUID{b.ID, a.ID}, got); diff != "" || p.Next != 4 || p.More {
			t.Fatalf("page: next %d more %v (-want +got):\n%s", p.Next, p.More, diff)
		}
		if p.Records[1].Version != 3 {
			t.Errorf("a's record has version %d, want its latest, 3", p.Records[1].Version)
		}
		if p, _ := s.ReadChanges(ctx, u, 0, []string{store.EntityComment}, 10); len(p.Records) != 0 || p.Next != 4 {
			t.Errorf("comments only: %+v, want none and the head", p)
		}

		clock.Advance(31 * 24 * time.Hour)
		title := "fresh"
		if _, err := s.UpdateTask(ctx, u, b.ID, taskapi.TaskPatch{Title: &title}, nil); err != nil {
			t.Fatal(err)
		}
		n, err := s.PurgeChanges(ctx, clock.Now().Add(-30*24*time.Hour))
		if err != nil || n != 4 {
			t.Fatalf("purge: %d, %v; want 4", n, err)
		}
		if _, err := s.ReadChanges(ctx, u, 3, nil, 10); !errors.Is(err, store.ErrChangesExpired) || !errors.Is(err, taskapi.ErrGone) {
			t.Errorf("cursor before the purge: %v, want ErrChangesExpired", err)
		}
		p, err = s.ReadChanges(ctx, u, 4, nil, 10)
		if err != nil || len(p.Records) != 1 || p.Records[0].ID != b.ID {
			t.Errorf("cursor at the purge's edge: %+v, %v; want b's update", p, err)
		}
	})
}

// The gap bug cannot happen: writers of one user commit in sequence
// order, so readers following the cursor while many goroutines write
// never skip a change that commits late, and never see one twice. At
// the end, what the readers rebuilt equals the tasks as they are.
func TestChangesConcurrentWritersNeverSkip(t *testing.T) {
	eachWith(t, store.WithClock(time.Now), func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		u := newUser(t, s, "racer")
		const writers, rounds, readers = 6, 15, 2
		var wg sync.WaitGroup
		errs := make(chan error, writers*rounds)
		for w := range writers {
			wg.Go(func() {
				for i := range rounds {
					task, _, err := s.CreateTask(ctx, u, taskapi.Task{Title: fmt.Sprintf("w%d-%d", w, i)}, nil)
					if err != nil {
						errs <- err
						return
					}
					p := taskapi.PriorityHigh
					if _, err := s.UpdateTask(ctx, u, task.ID, taskapi.TaskPatch{Priority: &p}, nil); err != nil {
						errs <- err
						return
					}
					if i%3 == 0 {
						if err := s.DeleteTask(ctx, u, task.ID, nil); err != nil {
							errs <- err
							return
						}
					}
				}
			})
		}
		done := make(chan struct{})
		type replica struct {
			versions map[uuid.UUID]int64
			err      error
		}
		results := make([]replica, readers)
		var rg sync.WaitGroup
		for r := range readers {
			rg.Go(func() {
				rep := replica{versions: map[uuid.UUID]int64{}}
				defer func() { results[r] = rep }()
				var cursor int64
				finishing := false
				for {
					p, err := s.ReadChanges(ctx, u, cursor, nil, 7)
					if err != nil {
						rep.err = err
						return
					}
					last := cursor
					for _, c := range p.Records {
						if c.Seq <= last {
							rep.err = fmt.Errorf("seq %d after %d: repeated or out of order", c.Seq, last)
							return
						}
						last = c.Seq
						if c.Op == store.ChangeDelete {
							delete(rep.versions, c.ID)
						} else {
							rep.versions[c.ID] = c.Version
						}
					}
					cursor = p.Next
					if p.More {
						continue
					}
					if finishing {
						return
					}
					select {
					case <-done:
						finishing = true // one more read after the last write
					default:
					}
				}
			})
		}
		wg.Wait()
		close(done)
		rg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		tasks, _, err := s.AllTasks(ctx, u, store.Page{Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		want := map[uuid.UUID]int64{}
		for _, task := range tasks {
			want[task.ID] = task.Version
		}
		if len(want) != writers*(rounds-rounds/3) {
			t.Fatalf("%d tasks left, want %d", len(want), writers*(rounds-rounds/3))
		}
		for i, rep := range results {
			if rep.err != nil {
				t.Fatalf("reader %d: %v", i, rep.err)
			}
			if diff := cmp.Diff(want, rep.versions); diff != "" {
				t.Errorf("reader %d rebuilt (-state +replica):\n%s", i, diff)
			}
		}
		// Every number from 1 to the head is taken exactly once.
		recs := store.RawChanges(t, s, u, 0)
		head, _ := s.ChangeHead(ctx, u)
		if int64(len(recs)) != head || head != int64(writers*(rounds*2+(rounds+2)/3)) {
			t.Errorf("%d records, head %d, want %d", len(recs), head, writers*(rounds*2+(rounds+2)/3))
		}
		for i, r := range recs {
			if r.Seq != int64(i+1) {
				t.Fatalf("record %d has seq %d", i, r.Seq)
			}
		}
	})
}

// EntityTask and friends, for the tables above.
const (
	EntityTask     = store.EntityTask
	EntityCategory = store.EntityCategory
	EntityComment  = store.EntityComment
)

// Completing a recurring task records the completion (a task.completed
// event) and then the move to its next occurrence; its reopened subtask
// and a skip are recorded too.
func TestChangesRecurrence(t *testing.T) {
	eachWithClock(t, func(t *testing.T, s *store.Store, clock *testkit.Clock) {
		ctx := context.Background()
		u := newUser(t, s, "repeater")
		due := clock.Now().Add(time.Hour).Truncate(time.Second)
		task, _, err := s.CreateTask(ctx, u, taskapi.Task{Title: "water plants", DueDate: &due,
			Recurrence: &taskapi.Recurrence{Rule: "FREQ=DAILY", From: taskapi.RepeatFromDue, Occurrence: 1}}, nil)
		if err != nil {
			t.Fatal(err)
		}
		kid, _, err := s.CreateTask(ctx, u, taskapi.Task{Title: "fill the can", ParentID: &task.ID, Status: taskapi.StatusCompleted}, nil)
		if err != nil {
			t.Fatal(err)
		}
		head, _ := s.ChangeHead(ctx, u)
		done := taskapi.StatusCompleted
		if _, err := s.UpdateTask(ctx, u, task.ID, taskapi.TaskPatch{Status: &done}, nil); err != nil {
			t.Fatal(err)
		}
		if _, err := s.SkipTask(ctx, u, task.ID, nil, nil); err != nil {
			t.Fatal(err)
		}
		d0, d1, d2 := due.UTC().Format(time.RFC3339), due.Add(24*time.Hour).UTC().Format(time.RFC3339), due.Add(48*time.Hour).UTC().Format(time.RFC3339)
		want := []feedEntry{
			{EntityTask, store.ChangeUpdate, task.ID, "completed_occurrence(" + d0 + "→∅) "},
			{EntityTask, store.ChangeUpdate, task.ID, "due_date(" + d0 + "→" + d1 + ") "},
			{EntityTask, store.ChangeUpdate, kid.ID, "status(COMPLETED→TODO) "},
			{EntityTask, store.ChangeUpdate, task.ID, "due_date(" + d1 + "→" + d2 + ") skipped_occurrence(" + d1 + "→∅) "},
		}
		if diff := cmp.Diff(want, entries(store.RawChanges(t, s, u, head))); diff != "" {
			t.Errorf("records (-want +got):\n%s", diff)
		}
	})
}

// Tags are in the feed, and so are the tasks whose set of tags changes:
// by a PATCH, a bulk add, or the tag's deletion.
func TestChangesTags(t *testing.T) {
	eachWithClock(t, func(t *testing.T, s *store.Store, clock *testkit.Clock) {
		ctx := context.Background()
		u := newUser(t, s, "tagger")
		tag, _, err := s.CreateTag(ctx, u, taskapi.Tag{Name: "home"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		a, _, _ := s.CreateTask(ctx, u, taskapi.Task{Title: "a"}, nil)
		b, _, _ := s.CreateTask(ctx, u, taskapi.Task{Title: "b"}, nil)
		head, _ := s.ChangeHead(ctx, u)
		if _, err := s.UpdateTask(ctx, u, a.ID, taskapi.TaskPatch{TagIDs: &[]uuid.UUID{tag.ID}}, nil); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.BulkTasks(ctx, u, taskapi.TaskBulk{Action: taskapi.BulkAddTags, IDs: []uuid.UUID{a.ID, b.ID}, TagIDs: []uuid.UUID{tag.ID}}, nil); err != nil {
			t.Fatal(err)
		}
		name := "house"
		if _, err := s.UpdateTag(ctx, u, tag.ID, taskapi.TagPatch{Name: &name}, nil); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteTag(ctx, u, tag.ID, nil); err != nil {
			t.Fatal(err)
		}
		got := entries(store.RawChanges(t, s, u, head))
		want := []feedEntry{
			{EntityTask, store.ChangeUpdate, a.ID, "tags "},
			{EntityTask, store.ChangeUpdate, b.ID, "tags "}, // a has it already
			{store.EntityTag, store.ChangeUpdate, tag.ID, "name(home→house) "},
		}
		if len(got) != len(want)+3 {
			t.Fatalf("records: %v", got)
		}
		if diff := cmp.Diff(want, got[:3]); diff != "" {
			t.Errorf("records (-want +got):\n%s", diff)
		}
		byID := func(a, b feedEntry) bool { return a.ID.String() < b.ID.String() }
		if diff := cmp.Diff([]feedEntry{{EntityTask, store.ChangeUpdate, a.ID, "tags "}, {EntityTask, store.ChangeUpdate, b.ID, "tags "}},
			got[3:5], cmpopts.SortSlices(byID)); diff != "" {
			t.Errorf("the deleted tag's tasks (-want +got):\n%s", diff)
		}
		if got[5] != (feedEntry{store.EntityTag, store.ChangeDelete, tag.ID, ""}) {
			t.Errorf("last record %+v, want the tag's tombstone", got[5])
		}
	})
}
