package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/taskapi/taskapi"
	"github.com/taskapi/taskapi/internal/store"
	"github.com/taskapi/taskapi/internal/store/storetest"
)

// A login reads the credentials, checks the password (slowly), then opens
// its session. Whatever ends the user's sessions in between (password set
// or reset, account disabled, logout everywhere) must also stop that
// session from opening: the steps are run here in that order.
func TestLoginOverlappingACredentialChangeOpensNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		changes := map[string]func(uid uuid.UUID) error{
			"password change": func(uid uuid.UUID) error { return s.SetPassword(ctx, uid, "new-hash", uuid.Nil, nil) },
			"password change keeping a session": func(uid uuid.UUID) error {
				return s.SetPassword(ctx, uid, "new-hash", uuid.Must(uuid.NewV7()), nil)
			},
			"password reset": func(uid uuid.UUID) error {
				tok := store.EmailToken{UserID: uid, Purpose: store.PurposeResetPassword, Hash: "reset-" + uid.String(),
					Email: "", ExpiresAt: time.Now().Add(time.Hour)}
				u, err := s.GetUser(ctx, uid)
				if err != nil {
					return err
				}
				tok.Email = u.Email
				if _, err := s.IssueEmailToken(ctx, tok, store.OutboxMessage{To: u.Email, Subject: "s", Text: "t", HTML: "h"}, 0); err != nil {
					return err
				}
				_, err = s.ResetPassword(ctx, tok.Hash, "new-hash", store.OutboxMessage{To: u.Email, Subject: "s", Text: "t", HTML: "h"})
				return err
			},
			"account disabled": func(uid uuid.UUID) error {
				no := false
				_, err := s.UpdateUser(ctx, uid, store.UserChanges{IsActive: &no}, nil)
				return err
			},
			"logout everywhere": func(uid uuid.UUID) error { return s.RevokeUserSessions(ctx, uid, uuid.Nil) },
		}
		i := 0
		for name, change := range changes {
			i++
			login := "racer" + string(rune('a'+i))
			uid := newUser(t, s, login)
			before, err := s.Credentials(ctx, login)
			if err != nil {
				t.Fatal(err)
			}
			if err := change(uid); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			_, err = s.CreateSession(ctx, taskapi.Session{UserID: uid, ExpiresAt: time.Now().Add(time.Hour)}, "r-"+login, before.Epoch, 100)
			if !errors.Is(err, store.ErrCredentialsChanged) {
				t.Errorf("%s: a login that checked the old credentials opened a session: %v", name, err)
			}
			// A login that reads the credentials afresh is not hindered
			// (unless the account is disabled).
			after, err := s.Credentials(ctx, login)
			if err != nil {
				t.Fatal(err)
			}
			_, err = s.CreateSession(ctx, taskapi.Session{UserID: uid, ExpiresAt: time.Now().Add(time.Hour)}, "r2-"+login, after.Epoch, 100)
			if wantErr := name == "account disabled"; (err != nil) != wantErr {
				t.Errorf("%s: fresh login: %v", name, err)
			}
		}
	})
}

// Logins racing a password change for real: every session opened on the
// old credentials has ended once the change has committed, whichever
// commits first.
func TestLoginsRacingAPasswordChange(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		uid := newUser(t, s, "racer")
		old, err := s.Credentials(ctx, "racer")
		if err != nil {
			t.Fatal(err)
		}
		const logins = 16
		var wg sync.WaitGroup
		opened := make(chan uuid.UUID, logins)
		start := make(chan struct{})
		for i := range logins {
			wg.Go(func() {
				<-start
				sess, err := s.CreateSession(ctx, taskapi.Session{UserID: uid, ExpiresAt: time.Now().Add(time.Hour)},
					"race-"+uuid.NewString()+string(rune('a'+i)), old.Epoch, 100)
				switch {
				case err == nil:
					opened <- sess.ID
				case !errors.Is(err, store.ErrCredentialsChanged):
					t.Error(err)
				}
			})
		}
		close(start)
		if err := s.SetPassword(ctx, uid, "new-hash", uuid.Nil, nil); err != nil {
			t.Fatal(err)
		}
		wg.Wait()
		close(opened)
		for id := range opened {
			if _, _, err := s.SessionPrincipal(ctx, id); !errors.Is(err, taskapi.ErrUnauthorized) {
				t.Errorf("a session opened on the old password outlived the change: %v", err)
			}
		}
	})
}

// Refreshing keeps a bounded number of spent tokens per session: the
// latest ones, so the replay most worth catching still ends the session,
// while an old, deleted one is only unknown.
func TestSpentRefreshTokensArePruned(t *testing.T) {
	const keptSpent = 5
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		uid := newUser(t, s, "rota")
		sess, err := s.CreateSession(ctx, taskapi.Session{UserID: uid, ExpiresAt: time.Now().Add(time.Hour)}, "tok-0", 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		const rotations = 20
		for i := range rotations {
			if _, err := s.RotateRefreshToken(ctx, fmt.Sprintf("tok-%d", i), fmt.Sprintf("tok-%d", i+1),
				time.Now().Add(time.Hour), 24*time.Hour, keptSpent); err != nil {
				t.Fatalf("rotation %d: %v", i, err)
			}
		}
		var n int
		if err := s.DB().QueryRowContext(ctx, `SELECT count(*) FROM refresh_tokens WHERE session_id = $1`, sess.ID).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != keptSpent+1 {
			t.Errorf("%d refresh tokens after %d rotations, want %d", n, rotations, keptSpent+1)
		}
		// A pruned token is unknown: refused, and the session lives on.
		if _, err := s.RotateRefreshToken(ctx, "tok-0", "x-0", time.Now().Add(time.Hour), 24*time.Hour, keptSpent); !errors.Is(err, taskapi.ErrUnauthorized) || errors.Is(err, store.ErrRefreshTokenReused) {
			t.Errorf("pruned token: %v", err)
		}
		if _, _, err := s.SessionPrincipal(ctx, sess.ID); err != nil {
			t.Errorf("an unknown token ended the session: %v", err)
		}
		// The latest spent one is still recognised, and ends the session.
		if _, err := s.RotateRefreshToken(ctx, fmt.Sprintf("tok-%d", rotations-1), "x-1", time.Now().Add(time.Hour), 24*time.Hour, keptSpent); !errors.Is(err, store.ErrRefreshTokenReused) {
			t.Errorf("replay of the latest spent token: %v", err)
		}
		if _, _, err := s.SessionPrincipal(ctx, sess.ID); !errors.Is(err, taskapi.ErrUnauthorized) {
			t.Errorf("the replay did not end the session: %v", err)
		}
	})
}

// However often it is refreshed, a session ends maxAge after login.
func TestSessionMaxAge(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			clock := time.Now()
			s := storetest.Open(t, e.NewURL(t), store.WithClock(func() time.Time { return clock }))
			ctx := context.Background()
			uid := newUser(t, s, "aged")
			const maxAge, keptSpent = 10 * 24 * time.Hour, 5
			if _, err := s.CreateSession(ctx, taskapi.Session{UserID: uid, ExpiresAt: clock.Add(3 * 24 * time.Hour)}, "t0", 0, 100); err != nil {
				t.Fatal(err)
			}
			opened := clock
			tok := "t0"
			for i := 1; ; i++ {
				clock = clock.Add(2 * 24 * time.Hour) // refreshed every two days, well within the 3-day TTL
				next := fmt.Sprintf("t%d", i)
				sess, err := s.RotateRefreshToken(ctx, tok, next, clock.Add(3*24*time.Hour), maxAge, keptSpent)
				if clock.Sub(opened) >= maxAge {
					if !errors.Is(err, taskapi.ErrUnauthorized) {
						t.Fatalf("refreshed %s after login: %v", clock.Sub(opened), err)
					}
					break
				}
				if err != nil {
					t.Fatalf("refresh %d: %v", i, err)
				}
				if sess.ExpiresAt.After(opened.Add(maxAge)) {
					t.Errorf("the session now ends at %s, past its maximum age", sess.ExpiresAt)
				}
				tok = next
			}
		})
	}
}

// Requests for the same email at once send one: the quiet period holds
// when they overlap (on PostgreSQL, two transactions once both saw no
// recent token).
func TestIssueEmailTokenAtOnceIssuesOne(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		uid := newUser(t, s, "flooder")
		const n = 8
		var (
			wg     sync.WaitGroup
			mu     sync.Mutex
			issued int
			errs   []error
		)
		for i := range n {
			wg.Go(func() {
				tok := store.EmailToken{UserID: uid, Purpose: store.PurposeResetPassword, Hash: fmt.Sprintf("flood-%d", i),
					Email: "flooder@example.com", ExpiresAt: time.Now().Add(time.Hour)}
				ok, err := s.IssueEmailToken(ctx, tok, store.OutboxMessage{To: tok.Email, Subject: "s", Text: "t", HTML: "h"}, time.Minute)
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					errs = append(errs, err)
				} else if ok {
					issued++
				}
			})
		}
		wg.Wait()
		if len(errs) > 0 {
			t.Fatal(errs)
		}
		if issued != 1 {
			t.Errorf("%d of %d overlapping requests issued a token, want 1", issued, n)
		}
	})
}

// A new reset request while the last link is being used, while the
// address changes, and while the account is deleted: each finishes or
// fails for its own reason, never with a deadlock (on PostgreSQL, taking
// a user's row and its tokens in different orders once made them
// deadlock: every path now takes the user first).
func TestIssueEmailTokenWhileOneIsUsed(t *testing.T) {
	// 200 messages in a moment: far beyond the default mail budget.
	unbounded := store.WithMailBudget(store.MailBudget{PerAccount: 1 << 30, PerRecipient: 1 << 30})
	eachWith(t, unbounded, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		uid := newUser(t, s, "resetter")
		msg := store.OutboxMessage{To: "resetter@example.com", Subject: "s", Text: "t", HTML: "h"}
		for i := range 40 {
			tok := store.EmailToken{UserID: uid, Purpose: store.PurposeResetPassword, Hash: fmt.Sprintf("used-%d", i),
				Email: "resetter@example.com", ExpiresAt: time.Now().Add(time.Hour)}
			if _, err := s.IssueEmailToken(ctx, tok, msg, 0); err != nil {
				t.Fatal(err)
			}
			next := tok
			next.Hash = fmt.Sprintf("next-%d", i)
			var wg sync.WaitGroup
			var resetErr, issueErr error
			wg.Go(func() { _, resetErr = s.ResetPassword(ctx, tok.Hash, "new-hash", msg) })
			wg.Go(func() { _, issueErr = s.IssueEmailToken(ctx, next, msg, 0) })
			wg.Wait()
			// The reset may find its token already voided by the new one.
			if resetErr != nil && !errors.Is(resetErr, store.ErrEmailTokenInvalid) {
				t.Fatalf("round %d: reset: %v", i, resetErr)
			}
			if issueErr != nil {
				t.Fatalf("round %d: issue: %v", i, issueErr)
			}
			next.Hash = fmt.Sprintf("after-change-%d", i)
			change := &store.EmailChange{Email: fmt.Sprintf("resetter%d@example.com", i), Verify: msg, Notice: msg,
				Token: store.EmailToken{UserID: uid, Purpose: store.PurposeVerifyEmail, Hash: fmt.Sprintf("verify-%d", i),
					ExpiresAt: time.Now().Add(time.Hour)}}
			change.Token.Email = change.Email
			var changeErr error
			wg.Go(func() { _, changeErr = s.UpdateUser(ctx, uid, store.UserChanges{}, change) })
			wg.Go(func() { _, issueErr = s.IssueEmailToken(ctx, next, msg, 0) })
			wg.Wait()
			if changeErr != nil || issueErr != nil {
				t.Fatalf("round %d: email change: %v; issue: %v", i, changeErr, issueErr)
			}
		}
		last := store.EmailToken{UserID: uid, Purpose: store.PurposeResetPassword, Hash: "last",
			Email: "x@example.com", ExpiresAt: time.Now().Add(time.Hour)}
		var wg sync.WaitGroup
		var deleteErr, issueErr error
		wg.Go(func() { deleteErr = s.DeleteUser(ctx, uid, nil) })
		wg.Go(func() { _, issueErr = s.IssueEmailToken(ctx, last, msg, 0) })
		wg.Wait()
		if deleteErr != nil || issueErr != nil && !errors.Is(issueErr, taskapi.ErrNotFound) {
			t.Fatalf("delete: %v; issue: %v", deleteErr, issueErr)
		}
	})
}
