package auth

import (
	"cmp"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/taskapi/taskapi"
	"github.com/taskapi/taskapi/internal/mail"
	"github.com/taskapi/taskapi/internal/store"
)

// Options are the account rules that come from configuration. Zero
// values take the documented defaults.
type Options struct {
	RefreshTTL time.Duration // default 30 days
	// SessionMaxAge is how long after login a session ends however often
	// it is refreshed.
	SessionMaxAge time.Duration // default 90 days
	// MaxLiveSessions is how many live sessions one user may hold; opening
	// one more ends the oldest, so a script that logs in in a loop cannot
	// grow the table without bound.
	MaxLiveSessions int // default DefaultMaxLiveSessions
	// KeptSpentRefreshTokens is how many spent refresh tokens a session
	// keeps (the latest) to recognise a replay. The one most worth catching
	// is the latest: the client and a thief race for the same copy, and the
	// second is caught. An older, deleted token is simply unknown (401):
	// the client has moved on several rotations, so that copy is worthless.
	KeptSpentRefreshTokens int           // default DefaultKeptSpentRefreshTokens
	VerifyTTL              time.Duration // default 24 h
	ResetTTL               time.Duration // default 1 h
	BcryptCost             int           // default 12
	// BaseURL is the public URL email links start with.
	BaseURL string
	// Guard counts failed password checks per account (login, and the
	// signed-in routes that ask for the password); nil allows everything.
	Guard Guard
	// MailQueued is called after a message was queued in the outbox, to
	// wake the outbox worker; nil when nobody listens.
	MailQueued func()
	Logger     *slog.Logger
}

// The session rules' defaults (see Options).
const (
	DefaultMaxLiveSessions        = 100
	DefaultKeptSpentRefreshTokens = 5
)

// Service applies the account rules.
type Service struct {
	store     *store.Store
	tokens    *Tokens
	opts      Options
	now       func() time.Time
	passwords Passwords
	templates *mail.Templates
	log       *slog.Logger
	guard     Guard
	// dummyHash is checked against when the login names nobody, so that an
	// unknown user takes as long as a wrong password. Hashing takes a
	// moment at the configured cost, so it is made in the background from
	// NewService on, and the server listens without waiting for it.
	dummyHash func() (string, error)
}

// NewService returns a Service over st that mints tokens with tokens.
func NewService(st *store.Store, tokens *Tokens, opts Options, now func() time.Time) (*Service, error) {
	if now == nil {
		now = time.Now
	}
	if opts.RefreshTTL <= 0 {
		opts.RefreshTTL = 30 * 24 * time.Hour
	}
	if opts.SessionMaxAge <= 0 {
		opts.SessionMaxAge = 90 * 24 * time.Hour
	}
	opts.MaxLiveSessions = cmp.Or(max(opts.MaxLiveSessions, 0), DefaultMaxLiveSessions)
	opts.KeptSpentRefreshTokens = cmp.Or(max(opts.KeptSpentRefreshTokens, 0), DefaultKeptSpentRefreshTokens)
	if opts.VerifyTTL <= 0 {
		opts.VerifyTTL = 24 * time.Hour
	}
	if opts.ResetTTL <= 0 {
		opts.ResetTTL = time.Hour
	}
	if opts.BcryptCost == 0 {
		opts.BcryptCost = 12
	}
	if opts.BaseURL == "" {
		opts.BaseURL = "http://localhost:8080"
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	pw, err := NewPasswords(opts.BcryptCost)
	if err != nil {
		return nil, err
	}
	secret, _, err := newSecret()
	if err != nil {
		return nil, err
	}
	dummy := sync.OnceValues(func() (string, error) { return pw.Hash(secret) })
	go func() { _, _ = dummy() }()
	return &Service{
		store: st, tokens: tokens, opts: opts, now: now, passwords: pw, dummyHash: dummy,
		templates: mail.NewTemplates(strings.TrimRight(opts.BaseURL, "/")), log: opts.Logger,
		guard: cmp.Or[Guard](opts.Guard, openGuard{}),
	}, nil
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
// established and returns its first token pair. A disabled user gets
// none (store.ErrCredentialsChanged).
func (s *Service) StartSession(ctx context.Context, userID uuid.UUID, client ClientInfo) (TokenPair, error) {
	epoch, err := s.store.SessionEpoch(ctx, userID)
	if err != nil {
		return TokenPair{}, fmt.Errorf("start session: %w", err)
	}
	return s.startSession(ctx, userID, epoch, client)
}

// startSession opens a session if the user's session epoch is still epoch.
func (s *Service) startSession(ctx context.Context, userID uuid.UUID, epoch int64, client ClientInfo) (TokenPair, error) {
	refresh, refreshHash, err := newSecret()
	if err != nil {
		return TokenPair{}, fmt.Errorf("start session: %w", err)
	}
	sess, err := s.store.CreateSession(ctx, taskapi.Session{
		UserID:    userID,
		UserAgent: cleanText(client.UserAgent, 512),
		IP:        cleanText(client.IP, 64),
		ExpiresAt: s.now().Add(min(s.opts.RefreshTTL, s.opts.SessionMaxAge)),
	}, refreshHash, epoch, s.opts.MaxLiveSessions)
	if err != nil {
		return TokenPair{}, fmt.Errorf("start session: %w", err)
	}
	access, _, err := s.tokens.Issue(userID, sess.ID)
	if err != nil {
		return TokenPair{}, fmt.Errorf("start session: %w", err)
	}
	return TokenPair{AccessToken: access, RefreshToken: refresh, ExpiresIn: s.tokens.TTL(), SessionID: sess.ID}, nil
}

// touchEvery is how stale a session's last-used time may get. Recording
// every request would make every read a write; once a minute is plenty
// for "last used".
const touchEvery = time.Minute

// Authenticate turns a bearer credential into the caller: a personal
// access token ("tapi_…", see authenticateAccessToken) or an access JWT,
// which must be valid and its session alive (not ended, not expired, user
// active). Either check is one indexed query, which keeps revocation
// immediate on every instance.
func (s *Service) Authenticate(ctx context.Context, token string) (taskapi.Principal, error) {
	return s.AuthenticateWith(ctx, token, nil)
}

// SessionLookup checks the session of an access JWT by the store's rules
// (store.SessionPrincipal, or store.SessionTask, which shares them) and
// returns its principal and when it was last marked used. userID is the
// user the token names, for what the lookup reads along with the check.
type SessionLookup func(ctx context.Context, sessionID, userID uuid.UUID) (taskapi.Principal, time.Time, error)

// AuthenticateWith is Authenticate with the session of an access JWT
// checked by lookup (nil: store.SessionPrincipal), so that a request can
// read what it answers with in the same round trip as the check. What
// lookup read as the token's user counts only when AuthenticateWith
// returns no error: then the session is live and that user's. Personal
// access tokens never reach lookup.
func (s *Service) AuthenticateWith(ctx context.Context, token string, lookup SessionLookup) (taskapi.Principal, error) {
	if IsAccessToken(token) {
		return s.authenticateAccessToken(ctx, token)
	}
	claims, err := s.tokens.Verify(token)
	if err != nil {
		return taskapi.Principal{}, err
	}
	if lookup == nil {
		lookup = func(ctx context.Context, sessionID, _ uuid.UUID) (taskapi.Principal, time.Time, error) {
			return s.store.SessionPrincipal(ctx, sessionID)
		}
	}
	p, lastUsed, err := lookup(ctx, claims.SessionID, claims.UserID)
	if err != nil {
		if errors.Is(err, taskapi.ErrUnauthorized) {
			return taskapi.Principal{}, taskapi.NewProblem(taskapi.ErrUnauthorized, "the session has ended; log in again")
		}
		return taskapi.Principal{}, err
	}
	if p.User.ID != claims.UserID {
		return taskapi.Principal{}, taskapi.ErrUnauthorized
	}
	if s.now().Sub(lastUsed) > touchEvery {
		if err := s.store.TouchSession(ctx, p.SessionID); err != nil {
			// Only bookkeeping: the request goes on.
			s.log.WarnContext(ctx, "record session use", "err", err.Error())
		}
	}
	return p, nil
}

// queued wakes the outbox worker after a message was committed.
func (s *Service) queued() {
	if s.opts.MailQueued != nil {
		s.opts.MailQueued()
	}
}

// outbox turns a rendered message into an outbox row.
func outbox(m mail.Message) store.OutboxMessage {
	return store.OutboxMessage{To: m.To, Subject: m.Subject, Text: m.Text, HTML: m.HTML}
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

// maxSecretLen bounds the refresh and email tokens accepted: ours are 43
// characters; anything much longer is not one of ours.
const maxSecretLen = 128

// cleanText makes header text fit to store and show: bytes that are not
// UTF-8 and control characters (NUL included, which PostgreSQL refuses)
// are dropped, and the rest cut to at most n bytes on a character
// boundary.
func cleanText(s string, n int) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, strings.ToValidUTF8(s, ""))
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
