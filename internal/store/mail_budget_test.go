package store_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/taskapi/taskapi"
	"github.com/taskapi/taskapi/internal/store"
	"github.com/taskapi/taskapi/internal/store/storetest"
)

// eachWith runs fn on a store of each engine opened with opts.
func eachWith(t *testing.T, opt store.Option, fn func(t *testing.T, s *store.Store)) {
	t.Helper()
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) { fn(t, storetest.Open(t, e.NewURL(t), opt)) })
	}
}

// Email changes alternating two addresses stop at the budget: per address
// (the stranger whose address is used) and per account; a refused change
// changes nothing. Forgot-password requests beyond an address's budget
// are dropped without an error, as their answer must not tell.
func TestMailBudget(t *testing.T) {
	budget := store.WithMailBudget(store.MailBudget{PerAccount: 8, PerRecipient: 4, Window: time.Hour})
	eachWith(t, budget, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		uid := newUser(t, s, "flooder")
		change := func(i int, to string) error {
			msg := store.OutboxMessage{To: to, Subject: "verify", Text: "t", HTML: "h"}
			c := &store.EmailChange{Email: to, Verify: msg, Notice: store.OutboxMessage{To: "old@example.com", Subject: "notice", Text: "t", HTML: "h"},
				Token: store.EmailToken{UserID: uid, Purpose: store.PurposeVerifyEmail, Hash: fmt.Sprintf("v%d", i), Email: to, ExpiresAt: time.Now().Add(time.Hour)}}
			_, err := s.UpdateUser(ctx, uid, store.UserChanges{}, c)
			return err
		}
		// Each change queues 2 messages, one of them to old@example.com.
		var refused int
		for i := range 10 {
			err := change(i, []string{"a@example.com", "b@example.com"}[i%2])
			switch {
			case errors.Is(err, store.ErrMailBudget) && errors.Is(err, taskapi.ErrTooManyRequests):
				refused++
			case err != nil:
				t.Fatal(err)
			}
		}
		if refused != 6 {
			t.Errorf("%d of 10 changes refused, want 6 (old@example.com takes 4)", refused)
		}
		st, err := s.OutboxStatus(ctx, 100)
		if err != nil {
			t.Fatal(err)
		}
		if len(st) != 8 {
			t.Errorf("%d messages queued, want 8", len(st))
		}
		for range 12 {
			if err := s.EnqueueEmailRequest(ctx, store.PurposeResetPassword, "victim@example.com"); err != nil {
				t.Fatal(err)
			}
		}
		// One pending request stands for all those like it, and requests
		// do not spend the address's budget for real mail.
		if st, _ = s.OutboxStatus(ctx, 100); len(st) != 8+1 {
			t.Errorf("%d rows after 12 requests to one address, want %d", len(st), 8+1)
		}
		victim := newUser(t, s, "victim")
		for i := range 4 {
			if err := s.EnqueueMail(ctx, store.OutboxMessage{UserID: &victim, To: "victim@example.com", Subject: fmt.Sprint("reset ", i), Text: "t", HTML: "h"}); err != nil {
				t.Fatalf("mail %d to an address that only had requests: %v", i, err)
			}
		}
	})
}

// One account's burst falls due Spacing apart, so the worker (which takes
// what is due first) sends another user's reset mail before the rest of
// the burst.
func TestMailBurstWaitsBehindOthers(t *testing.T) {
	budget := store.WithMailBudget(store.MailBudget{Spacing: time.Minute})
	eachWith(t, budget, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		flooder, other := newUser(t, s, "burst"), newUser(t, s, "patient")
		for i := range 5 {
			if err := s.EnqueueMail(ctx, store.OutboxMessage{UserID: &flooder, To: fmt.Sprintf("x%d@example.com", i), Subject: "s", Text: "t", HTML: "h"}); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.EnqueueMail(ctx, store.OutboxMessage{UserID: &other, To: "patient@example.com", Subject: "reset", Text: "t", HTML: "h"}); err != nil {
			t.Fatal(err)
		}
		var order []string
		for {
			m, ok, err := s.ClaimMail(ctx, time.Minute)
			if err != nil {
				t.Fatal(err)
			}
			if !ok {
				break
			}
			order = append(order, m.To)
			if err := s.MarkMailSent(ctx, m); err != nil {
				t.Fatal(err)
			}
		}
		if len(order) != 2 || order[1] != "patient@example.com" {
			t.Errorf("due now, in order: %v; want the burst's first, then patient@example.com", order)
		}
	})
}
