package store_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"

	"github.com/taskapi/taskapi"
	"github.com/taskapi/taskapi/internal/store"
	"github.com/taskapi/taskapi/internal/store/storetest"
	"github.com/taskapi/taskapi/internal/testkit"
)

// reminderMail writes a test email that names the reminders it carries,
// so the outbox can be read back to see which reminder went where.
func reminderMail(d store.ReminderDelivery) (store.OutboxMessage, error) {
	var ids []string
	for _, r := range d.Reminders {
		ids = append(ids, r.ReminderID.String())
	}
	return store.OutboxMessage{Subject: "reminders", Text: strings.Join(ids, " ")}, nil
}

func digestMail(d store.Digest) (store.OutboxMessage, error) {
	return store.OutboxMessage{Subject: "digest " + d.Date, Text: fmt.Sprintf("%d due, %d overdue", len(d.DueToday), len(d.Overdue))}, nil
}

func verifiedUser(t testing.TB, s *store.Store, name, tz string) uuid.UUID {
	t.Helper()
	u, err := s.CreateUser(context.Background(), taskapi.User{Email: name + "@example.com", Username: name, IsActive: true,
		IsVerified: true, TimeZone: tz}, "x")
	if err != nil {
		t.Fatal(err)
	}
	return u.ID
}

func rel(t testing.TB, s string) taskapi.Reminder {
	t.Helper()
	o, err := taskapi.ParseOffset("relative", s)
	if err != nil {
		t.Fatal(err)
	}
	return taskapi.Reminder{Relative: &o}
}

func at(v time.Time) taskapi.Reminder { return taskapi.Reminder{At: &v} }

// fires lists each reminder's fire_at (or "-") and state.
func fires(rs []taskapi.Reminder) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		f := "-"
		if r.FireAt != nil {
			f = r.FireAt.UTC().Format(time.RFC3339)
		}
		out[i] = f + " " + string(r.State)
	}
	return out
}

func mustTask(t testing.TB, s *store.Store, user uuid.UUID, task taskapi.Task) taskapi.Task {
	t.Helper()
	got, _, err := s.CreateTask(context.Background(), user, task, nil)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func patchTask(t testing.TB, s *store.Store, user, id uuid.UUID, p taskapi.TaskPatch) taskapi.Task {
	t.Helper()
	got, err := s.UpdateTask(context.Background(), user, id, p, nil)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func sendReminders(t testing.TB, s *store.Store) (sent, mailed int) {
	t.Helper()
	sent, mailed, err := s.SendDueReminders(context.Background(), 100, reminderMail)
	if err != nil {
		t.Fatal(err)
	}
	return sent, mailed
}

// Relative reminders follow the due date, day offsets on the owner's wall
// clock (across the change to summer time), and fire again once moved;
// absolute ones stay put; a time already past is skipped, not sent late.
func TestRemindersFollowTheDueDate(t *testing.T) {
	eachWithClock(t, func(t *testing.T, s *store.Store, c *testkit.Clock) {
		// 2030-03-31 is the day Paris moves to summer time.
		c.Advance(time.Date(2030, 3, 28, 12, 0, 0, 0, time.UTC).Sub(c.Now()))
		alice := verifiedUser(t, s, "alice", "Europe/Paris")
		due := time.Date(2030, 3, 31, 7, 0, 0, 0, time.UTC) // 09:00 CEST
		fixed := time.Date(2030, 3, 29, 10, 0, 0, 0, time.UTC)
		task := mustTask(t, s, alice, taskapi.Task{Title: "Pay rent", DueDate: &due,
			Reminders: []taskapi.Reminder{rel(t, "-PT30M"), rel(t, "-P1D"), at(fixed)}})
		want := []string{"2030-03-31T06:30:00Z PENDING", "2030-03-30T08:00:00Z PENDING", "2030-03-29T10:00:00Z PENDING"}
		if diff := cmp.Diff(want, fires(task.Reminders)); diff != "" {
			t.Fatalf("created (-want +got):\n%s", diff)
		}

		// The absolute one goes off.
		c.Advance(fixed.Sub(c.Now()))
		if sent, _ := sendReminders(t, s); sent != 1 {
			t.Fatalf("sent %d, want 1", sent)
		}
		// The due date moves a week on: relative reminders move, the sent
		// absolute one stays sent.
		later := due.Add(7 * 24 * time.Hour) // 09:00 CEST on 7 April
		task = patchTask(t, s, alice, task.ID, taskapi.TaskPatch{DueDate: taskapi.SetTo(later)})
		want = []string{"2030-04-07T06:30:00Z PENDING", "2030-04-06T07:00:00Z PENDING", "2030-03-29T10:00:00Z SENT"}
		if diff := cmp.Diff(want, fires(task.Reminders)); diff != "" {
			t.Fatalf("moved (-want +got):\n%s", diff)
		}
		// The day-before one goes off; moved on again, it fires again.
		c.Advance(time.Date(2030, 4, 6, 7, 0, 0, 0, time.UTC).Sub(c.Now()))
		if sent, _ := sendReminders(t, s); sent != 1 {
			t.Fatalf("sent %d, want 1", sent)
		}
		task = patchTask(t, s, alice, task.ID, taskapi.TaskPatch{DueDate: taskapi.SetTo(later.Add(48 * time.Hour))})
		want = []string{"2030-04-09T06:30:00Z PENDING", "2030-04-08T07:00:00Z PENDING", "2030-03-29T10:00:00Z SENT"}
		if diff := cmp.Diff(want, fires(task.Reminders)); diff != "" {
			t.Fatalf("moved again (-want +got):\n%s", diff)
		}
		// Moved to an hour from now: the day-before time is past, so it is
		// skipped rather than sent at once.
		soon := c.Now().Add(time.Hour)
		task = patchTask(t, s, alice, task.ID, taskapi.TaskPatch{DueDate: taskapi.SetTo(soon)})
		want = []string{"2030-04-06T07:30:00Z PENDING", "2030-04-05T08:00:00Z SKIPPED", "2030-03-29T10:00:00Z SENT"}
		if diff := cmp.Diff(want, fires(task.Reminders)); diff != "" {
			t.Fatalf("moved close (-want +got):\n%s", diff)
		}
		// Without a due date relative reminders sleep.
		task = patchTask(t, s, alice, task.ID, taskapi.TaskPatch{DueDate: taskapi.Clear[time.Time]()})
		want = []string{"- PENDING", "- PENDING", "2030-03-29T10:00:00Z SENT"}
		if diff := cmp.Diff(want, fires(task.Reminders)); diff != "" {
			t.Fatalf("no due date (-want +got):\n%s", diff)
		}
		// Replacing the set keeps the state of a reminder asked for again.
		rs := []taskapi.Reminder{at(fixed), at(soon.Add(time.Hour))}
		task = patchTask(t, s, alice, task.ID, taskapi.TaskPatch{Reminders: &rs})
		want = []string{"2030-03-29T10:00:00Z SENT", "2030-04-06T09:00:00Z PENDING"}
		if diff := cmp.Diff(want, fires(task.Reminders)); diff != "" {
			t.Fatalf("replaced (-want +got):\n%s", diff)
		}
		got, err := s.GetTask(context.Background(), alice, task.ID)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, fires(got.Reminders)); diff != "" {
			t.Fatalf("read back (-want +got):\n%s", diff)
		}
	})
}

// The rules a set of reminders must follow are field errors, and change
// nothing.
func TestReminderRules(t *testing.T) {
	eachWithClock(t, func(t *testing.T, s *store.Store, c *testkit.Clock) {
		alice := verifiedUser(t, s, "alice", "UTC")
		due := c.Now().Add(48 * time.Hour)
		var eleven []taskapi.Reminder
		for i := range 11 {
			eleven = append(eleven, at(due.Add(time.Duration(i)*time.Minute)))
		}
		task := mustTask(t, s, alice, taskapi.Task{Title: "t", DueDate: &due})
		for _, tc := range []struct {
			name  string
			due   *time.Time
			rs    []taskapi.Reminder
			field string
		}{
			{"eleven", &due, eleven, "reminders"},
			{"relative without due date", nil, []taskapi.Reminder{rel(t, "-PT5M")}, "reminders[0].relative"},
			{"twice the same", &due, []taskapi.Reminder{rel(t, "-PT5M"), rel(t, "-PT300S")}, "reminders[1]"},
			{"neither", &due, []taskapi.Reminder{{}}, "reminders[0]"},
		} {
			_, _, err := s.CreateTask(context.Background(), alice, taskapi.Task{Title: tc.name, DueDate: tc.due, Reminders: tc.rs}, nil)
			var fe *taskapi.FieldError
			if !errors.As(err, &fe) || fe.Field != tc.field {
				t.Errorf("%s: create got %v, want a field error on %s", tc.name, err, tc.field)
			}
			rs, dueChange := tc.rs, taskapi.Clear[time.Time]()
			if tc.due != nil {
				dueChange = taskapi.SetTo(*tc.due)
			}
			_, err = s.UpdateTask(context.Background(), alice, task.ID, taskapi.TaskPatch{DueDate: dueChange, Reminders: &rs}, nil)
			if !errors.As(err, &fe) || fe.Field != tc.field {
				t.Errorf("%s: patch got %v, want a field error on %s", tc.name, err, tc.field)
			}
		}
		page, _, err := s.ListTasks(context.Background(), alice, store.TaskQuery{Sort: taskapi.DefaultTaskSort(), Limit: 10})
		if err != nil || len(page) != 1 || len(page[0].Reminders) != 0 || !page[0].DueDate.Equal(due) {
			t.Fatalf("after refused writes: %v %+v", err, page)
		}
	})
}

// Two stores on one database (two instances) claim at the same time: each
// reminder goes off once, with one notification, in exactly one email.
func TestRemindersSentOnceByTwoInstances(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			c := testkit.NewClock(time.Date(2030, 1, 1, 12, 0, 0, 0, time.UTC))
			url := e.NewURL(t)
			a := storetest.Open(t, url, store.WithClock(c.Now))
			b := storetest.Open(t, url, store.WithClock(c.Now))
			ctx := context.Background()
			var reminders []uuid.UUID
			for u := range 3 {
				user := verifiedUser(t, a, fmt.Sprintf("user%d", u), "UTC")
				for i := range 10 {
					due := c.Now().Add(time.Duration(i+2) * time.Minute)
					task := mustTask(t, a, user, taskapi.Task{Title: fmt.Sprintf("task %d", i), DueDate: &due,
						Reminders: []taskapi.Reminder{rel(t, "PT0S"), rel(t, "-PT1M")}})
					for _, r := range task.Reminders {
						reminders = append(reminders, r.ID)
					}
				}
			}
			c.Advance(time.Hour)
			var (
				wg    sync.WaitGroup
				mu    sync.Mutex
				total int
			)
			// Rounds of four workers, each until it finds nothing, until a
			// round sends nothing: a worker may find nothing while due
			// reminders remain, when PostgreSQL's SKIP LOCKED passed over a
			// reminder whose task another worker had locked, and the
			// reminder's own lock, taken before the task's was found held,
			// stays with that skipping transaction until it ends. The next
			// poll sends it; here the next round does.
			for round := 0; round == 0 || total < len(reminders); round++ {
				before := total
				for _, st := range []*store.Store{a, b, a, b} {
					wg.Go(func() {
						for {
							n, _, err := st.SendDueReminders(ctx, 3, reminderMail)
							if err != nil {
								t.Error(err)
								return
							}
							mu.Lock()
							total += n
							mu.Unlock()
							if n == 0 {
								return
							}
						}
					})
				}
				wg.Wait()
				if total == before || t.Failed() {
					break
				}
			}
			if total != len(reminders) {
				t.Errorf("%d reminders went off, want %d", total, len(reminders))
			}
			// Each reminder is in exactly one queued email (the emails of
			// one account fall due a second apart).
			c.Advance(time.Hour)
			seen := map[string]int{}
			for {
				m, ok, err := a.ClaimMail(ctx, time.Minute)
				if err != nil {
					t.Fatal(err)
				}
				if !ok {
					break
				}
				for _, id := range strings.Fields(m.Text) {
					seen[id]++
				}
			}
			for _, id := range reminders {
				if seen[id.String()] != 1 {
					t.Errorf("reminder %s is in %d emails", id, seen[id.String()])
				}
			}
			if n := countRows(t, a, "notifications"); n != len(reminders) {
				t.Errorf("%d notifications, want %d", n, len(reminders))
			}
			// Nothing is left to claim.
			if n, _ := sendReminders(t, b); n != 0 {
				t.Errorf("%d more went off", n)
			}
		})
	}
}

func countRows(t testing.TB, s *store.Store, table string) int {
	t.Helper()
	var n int
	if err := s.DB().QueryRowContext(context.Background(), `SELECT count(*) FROM `+table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// A reminder of a completed, archived or deleted task is never sent, and
// reopening the task does not send it late.
func TestNoReminderForClosedTasks(t *testing.T) {
	eachWithClock(t, func(t *testing.T, s *store.Store, c *testkit.Clock) {
		ctx := context.Background()
		alice := verifiedUser(t, s, "alice", "UTC")
		due := c.Now().Add(time.Hour)
		remind := []taskapi.Reminder{rel(t, "-PT10M")}
		done := mustTask(t, s, alice, taskapi.Task{Title: "done", DueDate: &due, Reminders: remind})
		archived := mustTask(t, s, alice, taskapi.Task{Title: "archived", DueDate: &due, Reminders: remind})
		deleted := mustTask(t, s, alice, taskapi.Task{Title: "deleted", DueDate: &due, Reminders: remind})
		bulk := mustTask(t, s, alice, taskapi.Task{Title: "bulk", DueDate: &due, Reminders: remind})
		patchTask(t, s, alice, done.ID, taskapi.TaskPatch{Status: ptrTo(taskapi.StatusCompleted)})
		patchTask(t, s, alice, archived.ID, taskapi.TaskPatch{Status: ptrTo(taskapi.StatusArchived)})
		if err := s.DeleteTask(ctx, alice, deleted.ID, nil); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.BulkTasks(ctx, alice, taskapi.TaskBulk{Action: taskapi.BulkUpdate, IDs: []uuid.UUID{bulk.ID},
			Changes: taskapi.TaskPatch{Status: ptrTo(taskapi.StatusCompleted)}}, nil); err != nil {
			t.Fatal(err)
		}
		c.Advance(2 * time.Hour)
		if sent, _ := sendReminders(t, s); sent != 0 {
			t.Fatalf("%d reminders of closed tasks went off", sent)
		}
		for _, n := range []string{"outbox", "notifications", "reminders WHERE state <> 'SKIPPED'"} {
			if got := countRows(t, s, n); got != 0 {
				t.Errorf("%d rows in %s", got, n)
			}
		}
		if got := countRows(t, s, "reminders"); got != 3 {
			t.Errorf("%d reminders left, want 3 (the deleted task's went with it)", got)
		}
		// Reopened, the task does not send the reminder whose time passed.
		reopened := patchTask(t, s, alice, done.ID, taskapi.TaskPatch{Status: ptrTo(taskapi.StatusTodo)})
		if sent, _ := sendReminders(t, s); sent != 0 || reopened.Reminders[0].State != taskapi.ReminderSkipped {
			t.Errorf("after reopening: %d sent, state %s", sent, reopened.Reminders[0].State)
		}
	})
}

// With reminder emails off (or an unverified address) a reminder still
// makes its notification, but no email.
func TestReminderEmailPreference(t *testing.T) {
	eachWithClock(t, func(t *testing.T, s *store.Store, c *testkit.Clock) {
		ctx := context.Background()
		alice := verifiedUser(t, s, "alice", "UTC")
		bob := newUser(t, s, "bob") // unverified
		off := false
		p, err := s.UpdatePreferences(ctx, alice, store.PreferencesPatch{ReminderEmails: &off}, store.Versions{1})
		if err != nil || p.Version != 2 || p.ReminderEmails {
			t.Fatalf("preferences %+v, %v", p, err)
		}
		if _, err := s.UpdatePreferences(ctx, alice, store.PreferencesPatch{ReminderEmails: &off}, store.Versions{1}); !errors.Is(err, taskapi.ErrPreconditionFailed) {
			t.Errorf("stale If-Match: %v", err)
		}
		soon := c.Now().Add(time.Minute)
		for _, u := range []uuid.UUID{alice, bob} {
			mustTask(t, s, u, taskapi.Task{Title: "call", Reminders: []taskapi.Reminder{at(soon)}})
		}
		c.Advance(time.Minute)
		if sent, mailed := sendReminders(t, s); sent != 2 || mailed != 0 {
			t.Fatalf("sent %d, mailed %d; want 2 and 0", sent, mailed)
		}
		if n := countRows(t, s, "outbox"); n != 0 {
			t.Errorf("%d emails queued", n)
		}
		items, _, err := s.ListNotifications(ctx, alice, true, store.Page{Limit: 10})
		if err != nil || len(items) != 1 || items[0].Title != "call" {
			t.Fatalf("notifications %+v %v", items, err)
		}
		if err := s.ReadNotifications(ctx, alice, &items[0].ID); err != nil {
			t.Fatal(err)
		}
		if err := s.ReadNotifications(ctx, bob, &items[0].ID); !errors.Is(err, taskapi.ErrNotFound) {
			t.Errorf("bob reading alice's notification: %v", err)
		}
		if items, _, _ := s.ListNotifications(ctx, alice, true, store.Page{Limit: 10}); len(items) != 0 {
			t.Errorf("still unread: %+v", items)
		}
	})
}

// The digest goes out at the local hour, once per local day (two stores
// racing included), across the end of summer time, and not when there is
// nothing to say.
func TestDailyDigest(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			ctx := context.Background()
			// New York leaves summer time on 2030-11-03.
			c := testkit.NewClock(time.Date(2030, 11, 2, 10, 0, 0, 0, time.UTC))
			url := e.NewURL(t)
			a := storetest.Open(t, url, store.WithClock(c.Now))
			b := storetest.Open(t, url, store.WithClock(c.Now))
			alice := verifiedUser(t, a, "alice", "America/New_York")
			today := time.Date(2030, 11, 2, 20, 0, 0, 0, time.UTC)     // 16:00 EDT
			yesterday := time.Date(2030, 11, 1, 20, 0, 0, 0, time.UTC) // overdue
			t1 := mustTask(t, a, alice, taskapi.Task{Title: "today", DueDate: &today})
			t2 := mustTask(t, a, alice, taskapi.Task{Title: "late", DueDate: &yesterday})
			eight := 8
			if _, err := a.UpdatePreferences(ctx, alice, store.PreferencesPatch{DigestHour: taskapi.SetTo(eight)}, nil); err != nil {
				t.Fatal(err)
			}
			digests := func() (mailed int) {
				var wg sync.WaitGroup
				var mu sync.Mutex
				for _, st := range []*store.Store{a, b} {
					wg.Go(func() {
						_, m, err := st.SendDueDigests(ctx, 10, digestMail)
						if err != nil {
							t.Error(err)
						}
						mu.Lock()
						mailed += m
						mu.Unlock()
					})
				}
				wg.Wait()
				return mailed
			}
			step := func(to time.Time, want int) {
				t.Helper()
				c.Advance(to.Sub(c.Now()))
				if got := digests(); got != want {
					t.Fatalf("at %s: %d digests, want %d", to.Format(time.RFC3339), got, want)
				}
			}
			step(time.Date(2030, 11, 2, 11, 59, 0, 0, time.UTC), 0) // 07:59 EDT
			step(time.Date(2030, 11, 2, 12, 0, 0, 0, time.UTC), 1)  // 08:00 EDT
			step(time.Date(2030, 11, 2, 23, 0, 0, 0, time.UTC), 0)  // later that day
			step(time.Date(2030, 11, 3, 12, 30, 0, 0, time.UTC), 0) // 07:30 EST: not yet
			step(time.Date(2030, 11, 3, 13, 0, 0, 0, time.UTC), 1)  // 08:00 EST
			// Nothing left to say: the day is recorded, no email.
			for _, id := range []uuid.UUID{t1.ID, t2.ID} {
				patchTask(t, a, alice, id, taskapi.TaskPatch{Status: ptrTo(taskapi.StatusCompleted)})
			}
			step(time.Date(2030, 11, 4, 13, 0, 0, 0, time.UTC), 0)
			var days []string
			rows, err := a.DB().QueryContext(ctx, `SELECT local_date || ':' || tasks FROM digests ORDER BY local_date`)
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				var d string
				_ = rows.Scan(&d)
				days = append(days, d)
			}
			rows.Close()
			if diff := cmp.Diff([]string{"2030-11-02:2", "2030-11-03:2", "2030-11-04:0"}, days); diff != "" {
				t.Errorf("digest days (-want +got):\n%s", diff)
			}
			var subjects []string
			for {
				m, ok, err := a.ClaimMail(ctx, time.Minute)
				if err != nil || !ok {
					break
				}
				subjects = append(subjects, m.Subject+": "+m.Text)
			}
			if diff := cmp.Diff([]string{"digest 2030-11-02: 1 due, 1 overdue", "digest 2030-11-03: 0 due, 2 overdue"}, subjects); diff != "" {
				t.Errorf("emails (-want +got):\n%s", diff)
			}
		})
	}
}

func ptrTo[T any](v T) *T { return &v }

// A round that fails before its commit (a crash, a render error) leaves
// nothing half done: the reminder is still pending, with no notification
// and no email, and the next instance to run sends it once.
func TestReminderRoundIsAllOrNothing(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			c := testkit.NewClock(time.Date(2030, 1, 1, 12, 0, 0, 0, time.UTC))
			url := e.NewURL(t)
			a := storetest.Open(t, url, store.WithClock(c.Now))
			alice := verifiedUser(t, a, "alice", "UTC")
			task := mustTask(t, a, alice, taskapi.Task{Title: "call", Reminders: []taskapi.Reminder{at(c.Now().Add(time.Minute))}})
			c.Advance(time.Minute)
			broken := func(store.ReminderDelivery) (store.OutboxMessage, error) {
				return store.OutboxMessage{}, errors.New("crash")
			}
			if _, _, err := a.SendDueReminders(context.Background(), 10, broken); err == nil {
				t.Fatal("a failed round reported success")
			}
			for _, n := range []string{"outbox", "notifications", "reminders WHERE state <> 'PENDING'"} {
				if got := countRows(t, a, n); got != 0 {
					t.Errorf("after a failed round: %d rows in %s", got, n)
				}
			}
			a.Close()
			b := storetest.Open(t, url, store.WithClock(c.Now)) // the restarted instance
			if sent, mailed := sendReminders(t, b); sent != 1 || mailed != 1 {
				t.Fatalf("after the restart: sent %d, mailed %d", sent, mailed)
			}
			if sent, _ := sendReminders(t, b); sent != 0 {
				t.Errorf("sent again: %d", sent)
			}
			got, err := b.GetTask(context.Background(), alice, task.ID)
			if err != nil || got.Reminders[0].State != taskapi.ReminderSent {
				t.Errorf("reminder %+v, %v", got.Reminders, err)
			}
		})
	}
}
