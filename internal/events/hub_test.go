package events_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/taskapi/taskapi"
	"github.com/taskapi/taskapi/internal/events"
	"github.com/taskapi/taskapi/internal/store"
	"github.com/taskapi/taskapi/internal/store/storetest"
	"github.com/taskapi/taskapi/internal/testkit"
)

func newUser(t *testing.T, st *store.Store, name string) uuid.UUID {
	t.Helper()
	u, err := st.CreateUser(context.Background(), taskapi.User{Email: name + "@example.com", Username: name, IsActive: true}, "x")
	if err != nil {
		t.Fatal(err)
	}
	return u.ID
}

// The bounds: per user and per instance, a stream that leaves frees its
// place, and a closed hub refuses every stream.
func TestHubBounds(t *testing.T) {
	h := events.New(nil, events.Options{MaxPerUser: 2, MaxTotal: 3, Poll: time.Hour})
	defer h.Close()
	ada, bob, cy := uuid.New(), uuid.New(), uuid.New()
	_, leave1, err := h.Subscribe(ada)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := h.Subscribe(ada); err != nil {
		t.Fatal(err)
	}
	if _, _, err := h.Subscribe(ada); !errors.Is(err, events.ErrPerUser) {
		t.Errorf("a third stream of one user: %v, want ErrPerUser", err)
	}
	if _, _, err := h.Subscribe(bob); err != nil {
		t.Fatal(err)
	}
	if _, _, err := h.Subscribe(cy); !errors.Is(err, events.ErrFull) {
		t.Errorf("a fourth stream on the instance: %v, want ErrFull", err)
	}
	leave1()
	if _, _, err := h.Subscribe(cy); err != nil {
		t.Errorf("after a stream left: %v", err)
	}
	h.Close()
	select {
	case <-h.Done():
	default:
		t.Error("Done is open after Close")
	}
	if _, _, err := h.Subscribe(uuid.New()); !errors.Is(err, events.ErrFull) {
		t.Errorf("after Close: %v, want ErrFull", err)
	}
}

// A write through the store wakes the streams of its user, read from the
// feed heads in the database (as a write of another instance would be).
func TestHubWakesOnChange(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		ada, bob := newUser(t, st, "ada"), newUser(t, st, "bob")
		h := events.New(st, events.Options{Poll: 20 * time.Millisecond})
		defer h.Close()
		adaWake, leave, err := h.Subscribe(ada)
		if err != nil {
			t.Fatal(err)
		}
		defer leave()
		bobWake, leaveBob, err := h.Subscribe(bob)
		if err != nil {
			t.Fatal(err)
		}
		defer leaveBob()
		// The first poll learns the heads: a wake that sends nothing new.
		waitWake(t, adaWake)
		waitWake(t, bobWake)

		if _, _, err := st.CreateTask(ctx, ada, taskapi.Task{Title: "Water the plants"}, nil); err != nil {
			t.Fatal(err)
		}
		waitWake(t, adaWake)
		// Bob's head did not move: a later poll that wakes Ada again (her
		// second write) has left Bob's channel empty.
		if _, _, err := st.CreateTask(ctx, ada, taskapi.Task{Title: "Call Ana"}, nil); err != nil {
			t.Fatal(err)
		}
		waitWake(t, adaWake)
		select {
		case <-bobWake:
			t.Error("Bob's stream woke for Ada's change")
		default:
		}
	})
}

func waitWake(t *testing.T, wake <-chan struct{}) {
	t.Helper()
	select {
	case <-wake:
	case <-time.After(5 * time.Second):
		t.Fatal("no wake within 5 s")
	}
}

type follower struct {
	events <-chan testkit.Event
	done   <-chan error
	cancel context.CancelFunc
}

// follow serves one stream of user's changes with h.Follow, as the API and
// the web app do, reading pages of record IDs from st, and opens it.
func follow(t *testing.T, h *events.Hub, st *store.Store, user uuid.UUID, from int64, alive func(context.Context) bool) follower {
	t.Helper()
	done := make(chan error, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		wake, leave, err := h.Subscribe(user)
		if err != nil {
			http.Error(w, err.Error(), http.StatusTooManyRequests)
			return
		}
		defer leave()
		feed := events.Feed{
			Read: func(ctx context.Context, after int64) (events.Page, error) {
				page, err := st.ReadChanges(ctx, user, after, nil, 2)
				if err != nil {
					return events.Page{}, err
				}
				p := events.Page{Next: page.Next, More: page.More}
				if len(page.Records) > 0 {
					ids := make([]string, len(page.Records))
					for i, r := range page.Records {
						ids[i] = r.ID.String()
					}
					p.Data, _ = json.Marshal(ids)
				}
				return p, nil
			},
			ID:   func(next int64) string { return strconv.FormatInt(next, 10) },
			Gone: []byte(`{"detail":"gone"}`),
		}
		done <- h.Follow(r.Context(), events.NewWriter(w), wake, feed, from, alive)
	}))
	t.Cleanup(srv.Close)
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL, nil)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); res.Body.Close() })
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("open: %d %q", res.StatusCode, res.Header.Get("Content-Type"))
	}
	return follower{events: testkit.ReadEvents(res.Body), done: done, cancel: cancel}
}

func always(context.Context) bool { return true }

// Follow sends what changed after its start at once, then each change as
// it comes, a page an event, each with the position after it as its id;
// heartbeats keep it open; it ends when the client leaves.
func TestFollowSendsChanges(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		ada := newUser(t, st, "ada")
		var ids []string
		for _, title := range []string{"one", "two", "three"} {
			task, _, err := st.CreateTask(ctx, ada, taskapi.Task{Title: title}, nil)
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, task.ID.String())
		}
		h := events.New(st, events.Options{Poll: 20 * time.Millisecond, Heartbeat: 30 * time.Millisecond})
		defer h.Close()
		f := follow(t, h, st, ada, 0, always)

		if ev := testkit.NextEvent(t, f.events, "comment", 2*time.Second); ev.Data != "stream open" {
			t.Errorf("first line %q", ev.Data)
		}
		// Three changes, two a page: two events, at once.
		first := testkit.NextEvent(t, f.events, "changes", 2*time.Second)
		second := testkit.NextEvent(t, f.events, "changes", 2*time.Second)
		if first.ID != "2" || first.Data != `["`+ids[0]+`","`+ids[1]+`"]` || second.ID != "3" || second.Data != `["`+ids[2]+`"]` {
			t.Fatalf("catch-up events %+v %+v", first, second)
		}
		for range 2 {
			if ev := testkit.NextEvent(t, f.events, "comment", 2*time.Second); ev.Data != "heartbeat" {
				t.Errorf("comment %q, want a heartbeat", ev.Data)
			}
		}
		task, _, err := st.CreateTask(ctx, ada, taskapi.Task{Title: "four"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if ev := testkit.NextEvent(t, f.events, "changes", 3*time.Second); ev.ID != "4" || ev.Data != `["`+task.ID.String()+`"]` {
			t.Errorf("live event %+v", ev)
		}
		f.cancel()
		select {
		case err := <-f.done:
			if err != nil {
				t.Errorf("Follow after the client left: %v", err)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("Follow goes on after the client left")
		}
	})
}

// A stream ends with an "end" event when its session ends, and when the
// hub closes (the server shuts down).
func TestFollowEnds(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		ada := newUser(t, st, "ada")
		sess, err := st.CreateSession(ctx, taskapi.Session{UserID: ada, ExpiresAt: time.Now().Add(time.Hour)}, uuid.NewString(), 0, 10)
		if err != nil {
			t.Fatal(err)
		}
		h := events.New(st, events.Options{Poll: 20 * time.Millisecond, Recheck: 20 * time.Millisecond})
		defer h.Close()
		f := follow(t, h, st, ada, 0, h.SessionAlive(sess.ID))
		testkit.NextEvent(t, f.events, "comment", 2*time.Second)
		if err := st.RevokeSession(ctx, ada, sess.ID); err != nil {
			t.Fatal(err)
		}
		evs := testkit.Closed(t, f.events, 5*time.Second)
		if len(evs) == 0 || evs[len(evs)-1].Name != "end" || evs[len(evs)-1].Data != `{"reason":"the session or token has ended"}` {
			t.Errorf("after the session ended: %+v", evs)
		}

		g := follow(t, h, st, ada, 0, always)
		testkit.NextEvent(t, g.events, "comment", 2*time.Second)
		h.Close()
		if ev := testkit.NextEvent(t, g.events, "end", 5*time.Second); ev.Data != `{"reason":"the server is shutting down; reconnect"}` {
			t.Errorf("at shutdown: %+v", ev)
		}
		testkit.Closed(t, g.events, 5*time.Second)
	})
}

// A position older than the history kept ends the stream with "gone".
func TestFollowGone(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		ada := newUser(t, st, "ada")
		for _, title := range []string{"one", "two"} {
			if _, _, err := st.CreateTask(ctx, ada, taskapi.Task{Title: title}, nil); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := st.PurgeChanges(ctx, time.Now().Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		h := events.New(st, events.Options{Poll: 20 * time.Millisecond})
		defer h.Close()
		f := follow(t, h, st, ada, 1, always)
		evs := testkit.Closed(t, f.events, 5*time.Second)
		if len(evs) != 2 || evs[1].Name != "gone" || evs[1].Data != `{"detail":"gone"}` {
			t.Errorf("from a purged position: %+v", evs)
		}
	})
}
