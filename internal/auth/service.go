package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/taskapi/taskapi"
	"github.com/taskapi/taskapi/internal/store"
)

// Options are the account rules that come from configuration.
type Options struct {
	RefreshTTL time.Duration
}

// Service applies the account rules.
type Service struct {
	store  *store.Store
	tokens *Tokens
	opts   Options
	now    func() time.Time
}

// NewService returns a Service over st that mints tokens with tokens.
func NewService(st *store.Store, tokens *Tokens, opts Options, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{store: st, tokens: tokens, opts: opts, now: now}
}

// TokenPair is what a login or a refresh hands out.
type TokenPair struct {
	AccessToken  string
	RefreshToken string
	ExpiresIn    time.Duration // of the access token
	SessionID    uuid.UUID
}

// ClientInfo describes the device a session is opened from.
type ClientInfo struct {
	UserAgent string
	IP        string
}

// StartSession opens a session for a user whose identity is already
// established and returns its first token pair.
func (s *Service) StartSession(ctx context.Context, userID uuid.UUID, client ClientInfo) (TokenPair, error) {
	refresh, refreshHash, err := newSecret()
	if err != nil {
		return TokenPair{}, fmt.Errorf("start session: %w", err)
	}
	sess, err := s.store.CreateSession(ctx, taskapi.Session{
		UserID:    userID,
		UserAgent: truncate(client.UserAgent, 512),
		IP:        truncate(client.IP, 64),
		ExpiresAt: s.now().Add(s.opts.RefreshTTL),
	}, refreshHash)
	if err != nil {
		return TokenPair{}, fmt.Errorf("start session: %w", err)
	}
	access, _, err := s.tokens.Issue(userID, sess.ID)
	if err != nil {
		return TokenPair{}, fmt.Errorf("start session: %w", err)
	}
	return TokenPair{AccessToken: access, RefreshToken: refresh, ExpiresIn: s.tokens.TTL(), SessionID: sess.ID}, nil
}

// Authenticate turns an access token into the caller. The token must be
// valid and its session alive (not ended, not expired, user active): the
// session check is one primary-key query, which keeps revocation immediate
// on every instance.
func (s *Service) Authenticate(ctx context.Context, token string) (taskapi.Principal, error) {
	claims, err := s.tokens.Verify(token)
	if err != nil {
		return taskapi.Principal{}, err
	}
	p, err := s.store.SessionPrincipal(ctx, claims.SessionID)
	if err != nil {
		return taskapi.Principal{}, err
	}
	if p.User.ID != claims.UserID {
		return taskapi.Principal{}, taskapi.ErrUnauthorized
	}
	return p, nil
}

// newSecret returns a random token for a client and the hash to store.
func newSecret() (token, hash string, err error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", "", fmt.Errorf("random: %w", err)
	}
	token = base64.RawURLEncoding.EncodeToString(b[:])
	return token, HashSecret(token), nil
}

// HashSecret is how refresh and email tokens are stored: a SHA-256 hex
// digest. The tokens carry 256 random bits, so no salt or slow hash is needed.
func HashSecret(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "")
}
