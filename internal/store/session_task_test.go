package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"

	"github.com/taskapi/taskapi"
	"github.com/taskapi/taskapi/internal/store"
	"github.com/taskapi/taskapi/internal/testkit"
)

// SessionTask answers the session check exactly as SessionPrincipal does
// (revoked, expired, a disabled or deleted user, an unknown session: all
// ErrUnauthorized, with nothing of the task), and the task exactly as
// GetTask does, reminders, recurrence and tags included.
func TestSessionTaskKeepsTheSessionRules(t *testing.T) {
	eachWithClock(t, func(t *testing.T, s *store.Store, clock *testkit.Clock) {
		ctx := context.Background()
		ann, bob := newUser(t, s, "ann"), newUser(t, s, "bob")
		tag, _, err := s.CreateTag(ctx, ann, taskapi.Tag{Name: "home"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		due := clock.Now().Add(48 * time.Hour)
		full, _, err := s.CreateTask(ctx, ann, taskapi.Task{Title: "water plants", DueDate: &due,
			Reminders:  []taskapi.Reminder{rel(t, "-PT1H")},
			Recurrence: &taskapi.Recurrence{Rule: "FREQ=DAILY", From: taskapi.RepeatFromDue, Occurrence: 1}}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.UpdateTask(ctx, ann, full.ID, taskapi.TaskPatch{TagIDs: &[]uuid.UUID{tag.ID}}, nil); err != nil {
			t.Fatal(err)
		}
		plain := mustTask(t, s, ann, taskapi.Task{Title: "plain"})
		bobs := mustTask(t, s, bob, taskapi.Task{Title: "bob's"})

		session := func(user uuid.UUID, life time.Duration) uuid.UUID {
			t.Helper()
			epoch, err := s.Credentials(ctx, map[uuid.UUID]string{ann: "ann", bob: "bob"}[user])
			if err != nil {
				t.Fatal(err)
			}
			sess, err := s.CreateSession(ctx, taskapi.Session{UserID: user, ExpiresAt: clock.Now().Add(life)},
				"refresh-"+uuid.NewString(), epoch.Epoch, 100)
			if err != nil {
				t.Fatal(err)
			}
			return sess.ID
		}
		live, revoked, short := session(ann, time.Hour), session(ann, time.Hour), session(ann, time.Minute)
		if err := s.RevokeSession(ctx, ann, revoked); err != nil {
			t.Fatal(err)
		}
		bobLive := session(bob, time.Hour)

		// same checks SessionTask against SessionPrincipal and GetTask.
		same := func(name string, sid, user, task uuid.UUID) {
			t.Helper()
			p, lastUsed, perr := s.SessionPrincipal(ctx, sid)
			got, err := s.SessionTask(ctx, sid, user, task)
			if (err == nil) != (perr == nil) || perr != nil && !(errors.Is(perr, taskapi.ErrUnauthorized) && errors.Is(err, taskapi.ErrUnauthorized)) {
				t.Errorf("%s: SessionTask error %v, SessionPrincipal %v", name, err, perr)
			}
			if perr != nil {
				if diff := cmp.Diff(store.SessionAndTask{}, got); diff != "" {
					t.Errorf("%s: a refused session read something (-want +got):\n%s", name, diff)
				}
				return
			}
			if diff := cmp.Diff(p, got.Principal); diff != "" || !lastUsed.Equal(got.LastUsed) {
				t.Errorf("%s: principal (-SessionPrincipal +SessionTask):\n%s; last used %v, %v", name, diff, lastUsed, got.LastUsed)
			}
			want, werr := s.GetTask(ctx, user, task)
			if p.User.ID != user {
				// Read as another user than the session's: kept back.
				want, werr = taskapi.Task{}, taskapi.ErrNotFound
			}
			if (werr == nil) != (got.TaskErr == nil) || werr != nil && !errors.Is(got.TaskErr, taskapi.ErrNotFound) {
				t.Errorf("%s: task error %v, GetTask's %v", name, got.TaskErr, werr)
			}
			if diff := cmp.Diff(want, got.Task); diff != "" {
				t.Errorf("%s: task (-GetTask +SessionTask):\n%s", name, diff)
			}
		}
		same("own task with everything", live, ann, full.ID)
		if got, _ := s.SessionTask(ctx, live, ann, full.ID); len(got.Task.Reminders) != 1 || got.Task.Recurrence == nil || len(got.Task.Tags) != 1 {
			t.Errorf("what hangs off the task is missing: %+v", got.Task)
		}
		same("own plain task", live, ann, plain.ID)
		same("another user's task", live, ann, bobs.ID)
		same("no such task", live, ann, uuid.New())
		// The store returns the session's principal (the caller refuses
		// it), and keeps back the task read as the other user.
		same("a session of another user", bobLive, ann, plain.ID)
		same("revoked", revoked, ann, plain.ID)
		same("unknown session", uuid.New(), ann, plain.ID)
		clock.Advance(2 * time.Minute)
		same("expired", short, ann, plain.ID)
		same("still live", live, ann, plain.ID)
		// A user made inactive without its sessions ended (as no code path
		// does) is refused by the check itself.
		if err := store.Exec(s, `UPDATE users SET is_active = $1 WHERE id = $2`, false, ann); err != nil {
			t.Fatal(err)
		}
		same("inactive user", live, ann, plain.ID)
		if err := s.DeleteUser(ctx, bob, nil); err != nil {
			t.Fatal(err)
		}
		same("deleted user", bobLive, bob, bobs.ID)
	})
}
