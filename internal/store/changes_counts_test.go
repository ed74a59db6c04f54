package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"

	"github.com/taskapi/taskapi"
	"github.com/taskapi/taskapi/internal/store"
	"github.com/taskapi/taskapi/internal/testkit"
)

// A task's counts (subtask_count, completed_subtask_count, comment_count)
// are part of its data and its ETag: a write that changes them records the
// parent too, in its transaction, once, unless the write records the
// parent anyway (it changed, or was deleted). Such a record stays out of
// the parent's activity and sends no webhook; the subtask's or comment's
// own record does.
func TestChangesRecordParentCounts(t *testing.T) {
	eachWithClock(t, func(t *testing.T, s *store.Store, _ *testkit.Clock) {
		ctx := context.Background()
		u := newUser(t, s, "counter")
		hook, _, err := s.CreateWebhook(ctx, u, taskapi.Webhook{URL: "https://hooks.example.com/in",
			EventTypes: taskapi.WebhookEventTypes()}, store.WebhookPolicy{}, nil)
		if err != nil {
			t.Fatal(err)
		}
		parent, _, err := s.CreateTask(ctx, u, taskapi.Task{Title: "parent"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		other, _, err := s.CreateTask(ctx, u, taskapi.Task{Title: "other"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		counts := func(id uuid.UUID, field string) feedEntry {
			return feedEntry{EntityTask, store.ChangeUpdate, id, field + " "}
		}
		head, _ := s.ChangeHead(ctx, u)
		step := func(name string, want []feedEntry, write func()) {
			t.Helper()
			write()
			recs := store.RawChanges(t, s, u, head)
			got := entries(recs)
			for i := range want {
				if want[i].ID == uuid.Nil && i < len(got) { // made by the write
					want[i].ID = got[i].ID
				}
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("%s: records (-want +got):\n%s", name, diff)
			}
			for _, r := range recs {
				if r.Type == store.EntityTask && r.ID == parent.ID && r.TaskID != nil {
					t.Errorf("%s: the parent's record of its counts names a task for its activity", name)
				}
			}
			head, _ = s.ChangeHead(ctx, u)
		}
		var kid taskapi.Task
		step("add a subtask", []feedEntry{{EntityTask, store.ChangeCreate, uuid.Nil, ""}, counts(parent.ID, "subtask_count")}, func() {
			if kid, _, err = s.CreateTask(ctx, u, taskapi.Task{Title: "kid", ParentID: &parent.ID}, nil); err != nil {
				t.Fatal(err)
			}
		})
		done, title := taskapi.StatusCompleted, "kid, renamed"
		step("complete it", []feedEntry{{EntityTask, store.ChangeUpdate, kid.ID, "status(TODO→COMPLETED) "}, counts(parent.ID, "subtask_count")}, func() {
			if _, err := s.UpdateTask(ctx, u, kid.ID, taskapi.TaskPatch{Status: &done}, nil); err != nil {
				t.Fatal(err)
			}
		})
		step("rename it: no count changes", []feedEntry{{EntityTask, store.ChangeUpdate, kid.ID, "title(kid→kid, renamed) "}}, func() {
			if _, err := s.UpdateTask(ctx, u, kid.ID, taskapi.TaskPatch{Title: &title}, nil); err != nil {
				t.Fatal(err)
			}
		})
		step("move it to another parent: both", []feedEntry{{EntityTask, store.ChangeUpdate, kid.ID,
			"parent_id(" + parent.ID.String() + "→" + other.ID.String() + ") "},
			counts(parent.ID, "subtask_count"), counts(other.ID, "subtask_count")}, func() {
			if _, err := s.UpdateTask(ctx, u, kid.ID, taskapi.TaskPatch{ParentID: taskapi.SetTo(other.ID)}, nil); err != nil {
				t.Fatal(err)
			}
		})
		var note taskapi.Comment
		step("comment", []feedEntry{{EntityComment, store.ChangeCreate, uuid.Nil, ""}, counts(parent.ID, "comment_count")}, func() {
			if note, _, err = s.CreateComment(ctx, u, parent.ID, "a note", nil); err != nil {
				t.Fatal(err)
			}
		})
		step("edit the comment: no count changes", []feedEntry{{EntityComment, store.ChangeUpdate, note.ID, "body "}}, func() {
			if _, err := s.UpdateComment(ctx, u, parent.ID, note.ID, "a longer note", nil); err != nil {
				t.Fatal(err)
			}
		})
		step("delete the comment", []feedEntry{{EntityComment, store.ChangeDelete, note.ID, ""}, counts(parent.ID, "comment_count")}, func() {
			if err := s.DeleteComment(ctx, u, parent.ID, note.ID, nil); err != nil {
				t.Fatal(err)
			}
		})
		step("delete the subtask for an undo, and undo", []feedEntry{{EntityTask, store.ChangeDelete, kid.ID, ""}, counts(other.ID, "subtask_count"),
			{EntityTask, store.ChangeCreate, kid.ID, ""}, counts(other.ID, "subtask_count")}, func() {
			if err := s.DeleteTaskUndoable(ctx, u, kid.ID, nil); err != nil {
				t.Fatal(err)
			}
			if _, err := s.RestoreTask(ctx, u, kid.ID, time.Time{}); err != nil {
				t.Fatal(err)
			}
		})
		step("delete the subtask", []feedEntry{{EntityTask, store.ChangeDelete, kid.ID, ""}, counts(other.ID, "subtask_count")}, func() {
			if err := s.DeleteTask(ctx, u, kid.ID, nil); err != nil {
				t.Fatal(err)
			}
		})
		// A write that records the parent anyway adds nothing for its counts.
		var kid2 taskapi.Task
		if kid2, _, err = s.CreateTask(ctx, u, taskapi.Task{Title: "kid 2", ParentID: &other.ID}, nil); err != nil {
			t.Fatal(err)
		}
		head, _ = s.ChangeHead(ctx, u)
		step("complete the parent, which completes the subtask", []feedEntry{{EntityTask, store.ChangeUpdate, other.ID, "status(TODO→COMPLETED) "},
			{EntityTask, store.ChangeUpdate, kid2.ID, "status(TODO→COMPLETED) "}}, func() {
			if _, err := s.UpdateTask(ctx, u, other.ID, taskapi.TaskPatch{Status: &done}, nil); err != nil {
				t.Fatal(err)
			}
		})
		step("delete the parent with its subtask", []feedEntry{{EntityTask, store.ChangeDelete, other.ID, ""},
			{EntityTask, store.ChangeDelete, kid2.ID, ""}}, func() {
			if err := s.DeleteTask(ctx, u, other.ID, nil); err != nil {
				t.Fatal(err)
			}
		})

		// The webhook heard of the subtasks and comments, never of a count.
		deliveries, _, err := s.ListDeliveries(ctx, u, hook.Webhook.ID, store.Page{Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range deliveries {
			if d.EventType == "task.updated" && (d.EntityID == parent.ID || d.EntityID == other.ID) {
				t.Errorf("a webhook delivery for a parent's counts: %+v", d)
			}
		}
		if len(deliveries) < 10 {
			t.Errorf("%d deliveries; the subtasks' and comments' own events are missing", len(deliveries))
		}
	})
}
