package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/taskapi/taskapi"
	"github.com/taskapi/taskapi/internal/store"
	"github.com/taskapi/taskapi/internal/store/storetest"
	"github.com/taskapi/taskapi/internal/testkit"
)

// maxLive is the cap on live sessions the store tests open sessions with.
const maxLive = 100

// A user holds at most maxLive live sessions: the oldest end.
func TestLiveSessionsAreCapped(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		uid := newUser(t, s, "ann")
		var first uuid.UUID
		for i := range maxLive + 2 {
			sess, err := s.CreateSession(ctx, taskapi.Session{UserID: uid, ExpiresAt: time.Now().Add(time.Hour)}, uuid.NewString(), 0, maxLive)
			if err != nil {
				t.Fatal(err)
			}
			if i == 0 {
				first = sess.ID
			}
		}
		live, _, err := s.ListSessions(ctx, uid, store.Page{Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		if len(live) != maxLive {
			t.Errorf("%d live sessions, want %d", len(live), maxLive)
		}
		if _, _, err := s.SessionPrincipal(ctx, first); !errors.Is(err, taskapi.ErrUnauthorized) {
			t.Errorf("the oldest session still lives: %v", err)
		}
	})
}

// A claim is a lease: while it runs nobody else gets the message; once it
// runs out (the worker died), the message is claimed again.
func TestMailClaimIsALease(t *testing.T) {
	eachWithClock(t, func(t *testing.T, s *store.Store, c *testkit.Clock) { testMailClaimIsALease(t, s, c.Advance) })
}

func testMailClaimIsALease(t *testing.T, s *store.Store, advance func(time.Duration)) {
	ctx := context.Background()
	if err := s.EnqueueMail(ctx, store.OutboxMessage{To: "a@example.com", Subject: "s", Text: "t", HTML: "h"}); err != nil {
		t.Fatal(err)
	}
	m, ok, err := s.ClaimMail(ctx, time.Minute)
	if err != nil || !ok || m.Attempts != 1 || m.Text != "t" {
		t.Fatalf("claim: %+v %v %v", m, ok, err)
	}
	if _, ok, err := s.ClaimMail(ctx, time.Minute); ok || err != nil {
		t.Fatalf("claimed twice during the lease: %v %v", ok, err)
	}
	advance(time.Minute - time.Microsecond)
	if _, ok, err := s.ClaimMail(ctx, time.Minute); ok || err != nil {
		t.Fatalf("claimed again just before the lease ran out: %v %v", ok, err)
	}
	advance(time.Microsecond)
	again, ok, err := s.ClaimMail(ctx, time.Minute)
	if err != nil || !ok || again.ID != m.ID || again.Attempts != 2 {
		t.Fatalf("after the lease: %+v %v %v", again, ok, err)
	}
	// The first worker overran its lease: its outcome no longer counts,
	// whatever it is, and the second claim stands.
	if err := s.MarkMailSent(ctx, m); !errors.Is(err, store.ErrClaimLost) {
		t.Errorf("stale claim marked sent: %v", err)
	}
	if err := s.RetryMail(ctx, m, s.Now(), "451 later"); !errors.Is(err, store.ErrClaimLost) {
		t.Errorf("stale claim retried: %v", err)
	}
	if err := s.AbandonMail(ctx, m, "550 no"); !errors.Is(err, store.ErrClaimLost) {
		t.Errorf("stale claim abandoned: %v", err)
	}
	if _, ok, _ := s.ClaimMail(ctx, time.Minute); ok {
		t.Fatal("a stale completion cleared the live claim")
	}
	if err := s.MarkMailSent(ctx, again); err != nil {
		t.Fatal(err)
	}
	if err := s.AbandonMail(ctx, again, "late"); !errors.Is(err, store.ErrClaimLost) {
		t.Errorf("a sent message was abandoned: %v", err)
	}
	if _, ok, _ := s.ClaimMail(ctx, time.Minute); ok {
		t.Fatal("a sent message was claimed")
	}
	var text, html string
	if err := s.DB().QueryRowContext(ctx, `SELECT text_body, html_body FROM outbox WHERE id = $1`, m.ID).Scan(&text, &html); err != nil {
		t.Fatal(err)
	}
	if text != "" || html != "" {
		t.Error("a sent message keeps its body (and the token in it)")
	}
}

func TestPurgeEnded(t *testing.T) {
	clock := time.Now()
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			s := storetest.Open(t, e.NewURL(t), store.WithClock(func() time.Time { return clock }))
			ctx := context.Background()
			uid := newUser(t, s, "bob")
			old, err := s.CreateSession(ctx, taskapi.Session{UserID: uid, ExpiresAt: clock.Add(time.Hour)}, "h1", 0, maxLive)
			if err != nil {
				t.Fatal(err)
			}
			live, err := s.CreateSession(ctx, taskapi.Session{UserID: uid, ExpiresAt: clock.Add(30 * 24 * time.Hour)}, "h2", 0, maxLive)
			if err != nil {
				t.Fatal(err)
			}
			if err := s.RevokeSession(ctx, uid, old.ID); err != nil {
				t.Fatal(err)
			}
			clock = clock.Add(8 * 24 * time.Hour)
			n, err := s.PurgeEnded(ctx, clock.Add(-7*24*time.Hour))
			if err != nil || n != 1 {
				t.Fatalf("purged %d, %v; want the one ended session", n, err)
			}
			if err := s.RevokeSession(ctx, uid, live.ID); err != nil {
				t.Errorf("the live session was purged: %v", err)
			}
		})
	}
}

func TestOutboxStats(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		for range 3 {
			if err := s.EnqueueMail(ctx, store.OutboxMessage{To: "a@example.com", Subject: "s", Text: "t", HTML: "h"}); err != nil {
				t.Fatal(err)
			}
		}
		m, _, err := s.ClaimMail(ctx, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.AbandonMail(ctx, m, "550 no such user"); err != nil {
			t.Fatal(err)
		}
		if pending, failed, err := s.OutboxStats(ctx); err != nil || pending != 2 || failed != 1 {
			t.Errorf("pending %d failed %d err %v", pending, failed, err)
		}
	})
}
