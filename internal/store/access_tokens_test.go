package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/taskapi/taskapi"
	"github.com/taskapi/taskapi/internal/store"
	"github.com/taskapi/taskapi/internal/store/storetest"
)

// A token is found by its hash while it lives and its user is active;
// the janitor deletes it a week after it expired, not before.
func TestAccessTokenLifetime(t *testing.T) {
	clock := time.Now()
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			s := storetest.Open(t, e.NewURL(t), store.WithClock(func() time.Time { return clock }))
			ctx := context.Background()
			uid := newUser(t, s, "tok")
			exp := clock.Add(time.Hour).UTC().Truncate(time.Second)
			dated, err := s.CreateAccessToken(ctx, taskapi.AccessToken{UserID: uid, Name: "dated", Prefix: "tapi_x",
				Scopes: []taskapi.Scope{taskapi.ScopeTasksRead}, ExpiresAt: &exp}, "hash-dated")
			if err != nil {
				t.Fatal(err)
			}
			if _, err := s.CreateAccessToken(ctx, taskapi.AccessToken{UserID: uid, Name: "forever", Prefix: "tapi_y",
				Scopes: []taskapi.Scope{taskapi.ScopeAccountRead, taskapi.ScopeTasksWrite}}, "hash-forever"); err != nil {
				t.Fatal(err)
			}
			p, lastUsed, err := s.AccessTokenPrincipal(ctx, "hash-forever")
			if err != nil || p.User.ID != uid || lastUsed != nil || len(p.Scopes) != 2 || p.Scopes[0] != taskapi.ScopeTasksWrite {
				t.Fatalf("principal %+v %v %v", p, lastUsed, err)
			}
			if _, _, err := s.AccessTokenPrincipal(ctx, "hash-unknown"); !errors.Is(err, taskapi.ErrUnauthorized) {
				t.Errorf("unknown hash: %v", err)
			}
			clock = clock.Add(2 * time.Hour)
			if _, _, err := s.AccessTokenPrincipal(ctx, "hash-dated"); !errors.Is(err, taskapi.ErrUnauthorized) {
				t.Errorf("expired token: %v", err)
			}
			if _, err := s.PurgeEnded(ctx, clock.Add(-7*24*time.Hour)); err != nil {
				t.Fatal(err)
			}
			if _, err := s.GetAccessToken(ctx, uid, dated.ID); err != nil {
				t.Errorf("purged within the week: %v", err)
			}
			clock = clock.Add(8 * 24 * time.Hour)
			if _, err := s.PurgeEnded(ctx, clock.Add(-7*24*time.Hour)); err != nil {
				t.Fatal(err)
			}
			if _, err := s.GetAccessToken(ctx, uid, dated.ID); !errors.Is(err, taskapi.ErrNotFound) {
				t.Errorf("expired a week ago and kept: %v", err)
			}
			if _, _, err := s.AccessTokenPrincipal(ctx, "hash-forever"); err != nil {
				t.Errorf("the token without expiry: %v", err)
			}
		})
	}
}
