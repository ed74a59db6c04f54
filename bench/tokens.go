package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/taskapi/taskapi/internal/auth"
	"github.com/taskapi/taskapi/internal/store"
)

// tokenSource gets access tokens for the bench users: by logging in
// through the API, as clients do; or, where the server has no login route
// yet, by opening sessions directly with internal/auth and the server's JWT
// secret (the tokens are then as real: the server checks their session on
// every request).
type tokenSource struct {
	client  *http.Client
	baseURL string
	// mint is nil when the JWT secret is unknown (--url without
	// --jwt-secret): then only login can give tokens.
	mint *auth.Service
	// how says which way the tokens were obtained: "login" or "minted".
	how string
}

func newTokenSource(client *http.Client, baseURL string, mint *auth.Service) *tokenSource {
	return &tokenSource{client: client, baseURL: baseURL, mint: mint}
}

// newAuthService builds the account service with the settings cmd/taskapi
// gives it (the same bcrypt cost as the server, so a login never rehashes),
// for the in-process server and for minting tokens; without a mailer, so
// mail stays in the outbox. The one place to adapt when its constructor
// changes.
func newAuthService(st *store.Store, jwtSecret string, accessTTL, refreshTTL time.Duration, bcryptCost int) (*auth.Service, error) {
	tokens := auth.NewTokens(jwtSecret, nil, accessTTL, time.Now)
	svc, err := auth.NewService(st, tokens, auth.Options{RefreshTTL: refreshTTL, BcryptCost: bcryptCost}, time.Now)
	if err != nil {
		return nil, fmt.Errorf("account rules: %w", err)
	}
	return svc, nil
}

// authorize gives each user n sessions (n ≥ 1) and their Authorization
// header values.
func (ts *tokenSource) authorize(ctx context.Context, users []*benchUser, n int) error {
	for _, u := range users {
		u.Auth = u.Auth[:0]
		for range max(n, 1) {
			tok, err := ts.token(ctx, u)
			if err != nil {
				return err
			}
			u.Auth = append(u.Auth, "Bearer "+tok)
		}
	}
	return nil
}

// token returns one access token for u.
func (ts *tokenSource) token(ctx context.Context, u *benchUser) (string, error) {
	if ts.how != "minted" {
		tok, found, err := ts.login(ctx, u)
		if err != nil {
			return "", err
		}
		if found {
			ts.how = "login"
			return tok, nil
		}
		if ts.mint == nil {
			return "", fmt.Errorf("the server has no POST /api/v1/auth/login and the JWT secret is unknown (--jwt-secret): cannot get tokens")
		}
		ts.how = "minted"
	}
	pair, err := ts.mint.StartSession(ctx, u.ID, auth.ClientInfo{UserAgent: "taskapi-bench", IP: "127.0.0.1"})
	if err != nil {
		return "", fmt.Errorf("open a session for %s: %w", u.Username, err)
	}
	return pair.AccessToken, nil
}

// login posts the user's credentials. found is false when the server has
// no login route (404 or 405).
func (ts *tokenSource) login(ctx context.Context, u *benchUser) (token string, found bool, err error) {
	body, err := json.Marshal(map[string]string{"username": u.Username, "password": u.Password})
	if err != nil {
		return "", false, err
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, ts.baseURL+"/api/v1/auth/login", bytes.NewReader(body))
	if err != nil {
		return "", false, err
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := ts.client.Do(req)
	if err != nil {
		return "", false, fmt.Errorf("log in as %s: %w", u.Username, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	if err != nil {
		return "", false, fmt.Errorf("log in as %s: %w", u.Username, err)
	}
	switch res.StatusCode {
	case http.StatusOK:
	case http.StatusNotFound, http.StatusMethodNotAllowed:
		return "", false, nil
	default:
		// A problem body carries no secret: the server scrubs them.
		return "", false, fmt.Errorf("log in as %s: status %d: %s", u.Username, res.StatusCode, snippet(b))
	}
	var pair struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.Unmarshal(b, &pair); err != nil || pair.AccessToken == "" {
		return "", false, fmt.Errorf("log in as %s: no access_token in the answer", u.Username)
	}
	return pair.AccessToken, true, nil
}
