// Package authtest opens sessions for tests that drive a server through the
// database they share with it, skipping registration and login (slow on
// purpose, and tested on their own).
package authtest

import (
	"context"
	"testing"
	"time"

	"github.com/taskapi/taskapi"
	"github.com/taskapi/taskapi/internal/auth"
	"github.com/taskapi/taskapi/internal/store"
)

// UserToken creates a verified user named username in the database at
// databaseURL and returns the access token of a new session, signed with
// jwtSecret as the servers' tokens are.
func UserToken(t testing.TB, databaseURL, jwtSecret, username string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	st, err := store.Open(ctx, databaseURL)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	u, err := st.CreateUser(ctx, taskapi.User{Email: username + "@example.com", Username: username, IsActive: true, IsVerified: true}, "not-a-real-hash")
	if err != nil {
		t.Fatal(err)
	}
	svc, err := auth.NewService(st, auth.NewTokens(jwtSecret, nil, 15*time.Minute, time.Now), auth.Options{RefreshTTL: time.Hour, BcryptCost: 4}, nil)
	if err != nil {
		t.Fatal(err)
	}
	pair, err := svc.StartSession(ctx, u.ID, auth.ClientInfo{UserAgent: "test", IP: "127.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	return pair.AccessToken
}
