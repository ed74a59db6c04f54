package store_test

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/taskapi/taskapi"
	"github.com/taskapi/taskapi/internal/store"
	"github.com/taskapi/taskapi/internal/testkit"
)

// A restore brings back the whole deleted tree under its IDs: subtasks,
// comments, reminders, recurrence, completions, tags and category, and
// records them as created again. It happens once, and not after its time.
func TestRestoreTaskWhole(t *testing.T) {
	eachWithClock(t, func(t *testing.T, s *store.Store, clock *testkit.Clock) {
		ctx := context.Background()
		u := newUser(t, s, "restorer")
		cat, _, err := s.CreateCategory(ctx, u, taskapi.Category{Name: "Home", Color: "#336699"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		tag, _, err := s.CreateTag(ctx, u, taskapi.Tag{Name: "garden", Color: "#22AA44"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		due := clock.Now().Add(48 * time.Hour).Truncate(time.Second)
		root, _, err := s.CreateTask(ctx, u, taskapi.Task{Title: "water plants", DueDate: &due, CategoryID: &cat.ID,
			Tags: []taskapi.TaskTag{{ID: tag.ID}}, Reminders: []taskapi.Reminder{rel(t, "-PT30M"), at(due.Add(-time.Hour))},
			Recurrence: &taskapi.Recurrence{Rule: "FREQ=DAILY", From: taskapi.RepeatFromDue, Occurrence: 1}}, nil)
		if err != nil {
			t.Fatal(err)
		}
		done := taskapi.StatusCompleted
		if root, err = s.UpdateTask(ctx, u, root.ID, taskapi.TaskPatch{Status: &done}, nil); err != nil {
			t.Fatal(err) // one completion in the history; the task moves on
		}
		kid, _, err := s.CreateTask(ctx, u, taskapi.Task{Title: "fill the can", ParentID: &root.ID}, nil)
		if err != nil {
			t.Fatal(err)
		}
		grandkid, _, err := s.CreateTask(ctx, u, taskapi.Task{Title: "find the can", ParentID: &kid.ID}, nil)
		if err != nil {
			t.Fatal(err)
		}
		comment, _, err := s.CreateComment(ctx, u, kid.ID, "it is in the shed", nil)
		if err != nil {
			t.Fatal(err)
		}
		root, _ = s.GetTask(ctx, u, root.ID)
		kid, _ = s.GetTask(ctx, u, kid.ID)
		grandkid, _ = s.GetTask(ctx, u, grandkid.ID)
		history, _, err := s.ListCompletions(ctx, u, root.ID, store.Page{Limit: 10})
		if err != nil || len(history) != 1 {
			t.Fatalf("completions before: %v %v", history, err)
		}

		if err := s.DeleteTaskUndoable(ctx, u, root.ID, nil); err != nil {
			t.Fatal(err)
		}
		if _, err := s.GetTask(ctx, u, kid.ID); !errors.Is(err, taskapi.ErrNotFound) {
			t.Fatalf("subtask after the delete: %v", err)
		}
		head, _ := s.ChangeHead(ctx, u)
		clock.Advance(10 * time.Second)
		back, err := s.RestoreTask(ctx, u, root.ID, clock.Now().Add(-time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		same := func(what string, before, after taskapi.Task) {
			t.Helper()
			if !reflect.DeepEqual(before, after) {
				t.Errorf("%s restored differs:\n before %+v\n after  %+v", what, before, after)
			}
		}
		same("task", root, back)
		got, _ := s.GetTask(ctx, u, kid.ID)
		same("subtask", kid, got)
		got, _ = s.GetTask(ctx, u, grandkid.ID)
		same("sub-subtask", grandkid, got)
		comments, _, err := s.ListComments(ctx, u, kid.ID, store.Page{Limit: 10})
		if err != nil || len(comments) != 1 || !reflect.DeepEqual(comments[0], comment) {
			t.Errorf("comments after the restore: %+v %v, want %+v", comments, err, comment)
		}
		if h, _, err := s.ListCompletions(ctx, u, root.ID, store.Page{Limit: 10}); err != nil || !reflect.DeepEqual(h, history) {
			t.Errorf("completions after the restore: %+v %v, want %+v", h, err, history)
		}
		feed, err := s.ReadChanges(ctx, u, head, nil, 100)
		if err != nil {
			t.Fatal(err)
		}
		created := map[uuid.UUID]string{}
		for _, r := range feed.Records {
			if r.Op == store.ChangeCreate {
				created[r.ID] = r.Type
			}
		}
		wantCreated := map[uuid.UUID]string{root.ID: store.EntityTask, kid.ID: store.EntityTask,
			grandkid.ID: store.EntityTask, comment.ID: store.EntityComment}
		if !reflect.DeepEqual(created, wantCreated) {
			t.Errorf("feed after the restore: %v, want %v", created, wantCreated)
		}

		// Once only.
		if _, err := s.RestoreTask(ctx, u, root.ID, time.Time{}); !errors.Is(err, store.ErrNothingToRestore) {
			t.Fatalf("second restore: %v, want ErrNothingToRestore", err)
		}
		// Not after its time, and another user cannot.
		if err := s.DeleteTaskUndoable(ctx, u, kid.ID, nil); err != nil {
			t.Fatal(err)
		}
		other := newUser(t, s, "other")
		if _, err := s.RestoreTask(ctx, other, kid.ID, time.Time{}); !errors.Is(err, store.ErrNothingToRestore) {
			t.Fatalf("another user's restore: %v", err)
		}
		clock.Advance(time.Minute)
		if _, err := s.RestoreTask(ctx, u, kid.ID, clock.Now().Add(-30*time.Second)); !errors.Is(err, store.ErrNothingToRestore) {
			t.Fatalf("late restore: %v", err)
		}
		if _, err := s.GetTask(ctx, u, kid.ID); !errors.Is(err, taskapi.ErrNotFound) {
			t.Fatalf("subtask after the late restore: %v", err)
		}
	})
}

// What went away meanwhile stays away: a deleted category and tag are
// left out, a deleted parent makes the restored task top level; and the
// kept rows are purged after their time.
func TestRestoreTaskFitsWhatIsLeft(t *testing.T) {
	eachWithClock(t, func(t *testing.T, s *store.Store, clock *testkit.Clock) {
		ctx := context.Background()
		u := newUser(t, s, "fitter")
		cat, _, _ := s.CreateCategory(ctx, u, taskapi.Category{Name: "Work", Color: "#336699"}, nil)
		tag, _, _ := s.CreateTag(ctx, u, taskapi.Tag{Name: "urgent", Color: "#AA2222"}, nil)
		keep, _, _ := s.CreateTag(ctx, u, taskapi.Tag{Name: "later", Color: "#2222AA"}, nil)
		parent, _, err := s.CreateTask(ctx, u, taskapi.Task{Title: "project"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		task, _, err := s.CreateTask(ctx, u, taskapi.Task{Title: "report", ParentID: &parent.ID, CategoryID: &cat.ID,
			Tags: []taskapi.TaskTag{{ID: tag.ID}, {ID: keep.ID}}}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteTaskUndoable(ctx, u, task.ID, nil); err != nil {
			t.Fatal(err)
		}
		for _, err := range []error{s.DeleteCategory(ctx, u, cat.ID, nil), s.DeleteTag(ctx, u, tag.ID, nil), s.DeleteTask(ctx, u, parent.ID, nil)} {
			if err != nil {
				t.Fatal(err)
			}
		}
		back, err := s.RestoreTask(ctx, u, task.ID, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		if back.CategoryID != nil || back.ParentID != nil || len(back.Tags) != 1 || back.Tags[0].ID != keep.ID {
			t.Fatalf("restored: category %v, parent %v, tags %+v; want none, none, [later]", back.CategoryID, back.ParentID, back.Tags)
		}

		if err := s.DeleteTaskUndoable(ctx, u, task.ID, nil); err != nil {
			t.Fatal(err)
		}
		clock.Advance(store.TrashRetention + time.Second)
		if n, err := s.PurgeTaskTrash(ctx, clock.Now().Add(-store.TrashRetention)); err != nil || n != 1 {
			t.Fatalf("purge: %d %v, want 1", n, err)
		}
		if _, err := s.RestoreTask(ctx, u, task.ID, time.Time{}); !errors.Is(err, store.ErrNothingToRestore) {
			t.Fatalf("restore after the purge: %v", err)
		}
	})
}

// A restore that would pass the task quota is refused and changes nothing.
func TestRestoreTaskQuota(t *testing.T) {
	eachWith(t, store.WithQuotas(store.Quotas{Tasks: 2}), func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		u := newUser(t, s, "counter")
		p, _, _ := s.CreateTask(ctx, u, taskapi.Task{Title: "parent"}, nil)
		if _, _, err := s.CreateTask(ctx, u, taskapi.Task{Title: "kid", ParentID: &p.ID}, nil); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteTaskUndoable(ctx, u, p.ID, nil); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.CreateTask(ctx, u, taskapi.Task{Title: "new"}, nil); err != nil {
			t.Fatal(err)
		}
		if _, err := s.RestoreTask(ctx, u, p.ID, time.Time{}); !errors.Is(err, taskapi.ErrQuotaExceeded) {
			t.Fatalf("restore past the quota: %v", err)
		}
		if _, err := s.GetTask(ctx, u, p.ID); !errors.Is(err, taskapi.ErrNotFound) {
			t.Fatalf("after the refused restore: %v", err)
		}
	})
}
