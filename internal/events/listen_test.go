package events_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/taskapi/taskapi"
	"github.com/taskapi/taskapi/internal/events"
	"github.com/taskapi/taskapi/internal/store"
	"github.com/taskapi/taskapi/internal/store/storetest"
	"github.com/taskapi/taskapi/internal/testkit"
)

// slowPoll is the hub's poll in these tests: a stream woken well within
// it was woken by the store's notification.
const slowPoll = time.Minute

// instances opens two stores on one database, as two instances would: a
// hub runs over the first, changes are made through the second. On
// PostgreSQL the connections carry an application name of the test's own,
// to find the hub's listening connection.
func instances(t *testing.T, engine storetest.Engine) (hubStore, writer *store.Store, app string) {
	t.Helper()
	dbURL := engine.NewURL(t)
	if engine.Name == "postgres" {
		var b [6]byte
		_, _ = rand.Read(b[:])
		app = "events_test_" + hex.EncodeToString(b[:])
		u, err := url.Parse(dbURL)
		if err != nil {
			t.Fatal(err)
		}
		q := u.Query()
		q.Set("application_name", app)
		u.RawQuery = q.Encode()
		dbURL = u.String()
	}
	return storetest.Open(t, dbURL), storetest.Open(t, dbURL), app
}

// subscribe opens a stream of a new user on hub and waits until the hub
// listens and has read the user's head once (the first read wakes the
// stream).
func subscribe(t *testing.T, hub *events.Hub, writer *store.Store) (uuid.UUID, <-chan struct{}) {
	t.Helper()
	u, err := writer.CreateUser(context.Background(), taskapi.User{Email: "ann@example.com", Username: "ann", IsActive: true}, "x")
	if err != nil {
		t.Fatal(err)
	}
	wake, leave, err := hub.Subscribe(u.ID)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(leave)
	testkit.WaitFor(t, "the hub listens", hub.Listening)
	wantWake(t, wake, "the first read of the head")
	return u.ID, wake
}

// wantWake waits for a wake that must come well within the hub's poll.
func wantWake(t *testing.T, wake <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-wake:
	case <-time.After(slowPoll / 4):
		t.Fatalf("%s woke no stream within %s (the poll is every %s)", what, slowPoll/4, slowPoll)
	}
}

func change(t *testing.T, writer *store.Store, userID uuid.UUID) {
	t.Helper()
	if _, _, err := writer.CreateTask(context.Background(), userID, taskapi.Task{Title: "news"}, nil); err != nil {
		t.Fatal(err)
	}
}

// A change committed through one instance wakes a stream on another at
// once: the store's notification, not the poll.
func TestChangeOnAnotherInstanceWakesAtOnce(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(engine.Name, func(t *testing.T) {
			hubStore, writer, _ := instances(t, engine)
			hub := events.New(hubStore, events.Options{Poll: slowPoll, PollListening: slowPoll})
			t.Cleanup(hub.Close)
			user, wake := subscribe(t, hub, writer)
			for i := range 3 {
				start := time.Now()
				change(t, writer, user)
				wantWake(t, wake, "a change")
				t.Logf("change %d woke the stream in %s", i, time.Since(start))
			}
		})
	}
}

// The hub listens again when its connection is killed, and hears the
// changes made after that.
func TestHubListensAgainAfterItsConnectionIsKilled(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		if engine.Name != "postgres" {
			continue
		}
		t.Run(engine.Name, func(t *testing.T) {
			hubStore, writer, app := instances(t, engine)
			hub := events.New(hubStore, events.Options{Poll: slowPoll, PollListening: slowPoll})
			t.Cleanup(hub.Close)
			user, wake := subscribe(t, hub, writer)
			ctx := context.Background()
			listener := func() (pid int) {
				err := writer.DB().QueryRowContext(ctx, `SELECT pid FROM pg_stat_activity
					WHERE application_name = $1 AND query = 'LISTEN taskapi_changes'`, app).Scan(&pid)
				if err != nil {
					return 0
				}
				return pid
			}
			killed := listener()
			if killed == 0 {
				t.Fatal("no listening connection")
			}
			var done bool
			if err := writer.DB().QueryRowContext(ctx, `SELECT pg_terminate_backend($1)`, killed).Scan(&done); err != nil || !done {
				t.Fatalf("terminate %d: %v %v", killed, done, err)
			}
			testkit.WaitFor(t, "a new listening connection", func() bool {
				pid := listener()
				return pid != 0 && pid != killed && hub.Listening()
			})
			for range 2 {
				change(t, writer, user)
				wantWake(t, wake, "a change after the reconnection")
			}
		})
	}
}
