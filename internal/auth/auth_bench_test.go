package auth_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/taskapi/taskapi"
	"github.com/taskapi/taskapi/internal/auth"
	"github.com/taskapi/taskapi/internal/store/storetest"
)

const benchSecret = "benchmark-secret-0123456789-0123456789"

// BenchmarkTokensVerify is the CPU cost of checking an access token's
// signature and claims, paid by every authenticated request.
func BenchmarkTokensVerify(b *testing.B) {
	tokens := auth.NewTokens(benchSecret, nil, time.Hour, time.Now)
	tok, _, err := tokens.Issue(uuid.New(), uuid.New())
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := tokens.Verify(tok); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkTokensIssue is the cost of minting an access token (login and
// refresh).
func BenchmarkTokensIssue(b *testing.B) {
	tokens := auth.NewTokens(benchSecret, nil, time.Hour, time.Now)
	uid, sid := uuid.New(), uuid.New()
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := tokens.Issue(uid, sid); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAuthenticate is the whole per-request check: the token, then
// the one query that the session still lives, on each engine.
func BenchmarkAuthenticate(b *testing.B) {
	for _, engine := range storetest.Engines(b) {
		b.Run(engine.Name, func(b *testing.B) {
			ctx := context.Background()
			st := storetest.Open(b, engine.NewURL(b))
			u, err := st.CreateUser(ctx, taskapi.User{Email: "bench@example.com", Username: "bench", IsActive: true}, "x")
			if err != nil {
				b.Fatal(err)
			}
			svc, err := auth.NewService(st, auth.NewTokens(benchSecret, nil, time.Hour, time.Now), auth.Options{RefreshTTL: time.Hour, BcryptCost: 4}, time.Now)
			if err != nil {
				b.Fatal(err)
			}
			pair, err := svc.StartSession(ctx, u.ID, auth.ClientInfo{})
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := svc.Authenticate(ctx, pair.AccessToken); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
