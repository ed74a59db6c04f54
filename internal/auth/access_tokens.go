package auth

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/taskapi/taskapi"
)

// AccessTokenPrefix starts every personal access token, so that a person,
// a log scrubber or a secret scanner can tell one apart from an access
// JWT and from other services' keys.
const AccessTokenPrefix = "tapi_"

// accessTokenBody is the length of the random part: 256 bits in base62
// (62^43 > 2^256), letters and digits only, so a double-click selects the
// whole token.
const accessTokenBody = 43

// shownPrefixLen is how much of a token is stored in clear and shown in
// lists: the "tapi_" and 8 characters (about 48 of the 256 bits), enough
// to tell tokens apart and not enough to help guess one.
const shownPrefixLen = len(AccessTokenPrefix) + 8

const base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// newAccessTokenSecret returns a fresh token: the prefix and 256 random
// bits in base62.
func newAccessTokenSecret() (string, error) { return newBase62Secret(AccessTokenPrefix) }

// newBase62Secret returns prefix and 256 random bits in base62 (accessTokenBody
// characters).
func newBase62Secret(prefix string) (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("random: %w", err)
	}
	n := new(big.Int).SetBytes(b[:])
	out := make([]byte, accessTokenBody)
	base, mod := big.NewInt(62), new(big.Int)
	for i := accessTokenBody - 1; i >= 0; i-- {
		n.DivMod(n, base, mod)
		out[i] = base62[mod.Int64()]
	}
	return prefix + string(out), nil
}

// wellFormedSecret checks that s is prefix and accessTokenBody base62
// characters, before any lookup.
func wellFormedSecret(s, prefix string) bool {
	if len(s) != len(prefix)+accessTokenBody || !strings.HasPrefix(s, prefix) {
		return false
	}
	for i := len(prefix); i < len(s); i++ {
		if strings.IndexByte(base62, s[i]) < 0 {
			return false
		}
	}
	return true
}

// IsAccessToken reports whether a bearer credential is shaped like a
// personal access token (rather than an access JWT).
func IsAccessToken(token string) bool { return strings.HasPrefix(token, AccessTokenPrefix) }

// wellFormedAccessToken checks the shape of a token before any lookup.
func wellFormedAccessToken(token string) bool { return wellFormedSecret(token, AccessTokenPrefix) }

// NewAccessToken is what CreateAccessToken asks for.
type NewAccessToken struct {
	Name   string
	Scopes []string
	// ExpiresAt nil makes a token that does not expire.
	ExpiresAt *time.Time
}

// CreateAccessToken makes a personal access token for the caller and
// returns it with its secret, which exists only here: the store keeps its
// SHA-256. Only a session may make one (a token cannot mint tokens).
func (s *Service) CreateAccessToken(ctx context.Context, p taskapi.Principal, in NewAccessToken) (taskapi.AccessToken, string, error) {
	if p.ViaToken() {
		return taskapi.AccessToken{}, "", errSessionOnly
	}
	t, err := taskapi.NewAccessToken(in.Name, in.Scopes, in.ExpiresAt, s.now())
	if err != nil {
		return taskapi.AccessToken{}, "", err
	}
	secret, err := newAccessTokenSecret()
	if err != nil {
		return taskapi.AccessToken{}, "", fmt.Errorf("create access token: %w", err)
	}
	t.UserID, t.Prefix = p.User.ID, secret[:shownPrefixLen]
	t, err = s.store.CreateAccessToken(ctx, t, HashSecret(secret))
	if err != nil {
		return taskapi.AccessToken{}, "", err
	}
	return t, secret, nil
}

// RevokeAccessToken deletes one of the caller's tokens; from the next
// request on it is refused.
func (s *Service) RevokeAccessToken(ctx context.Context, p taskapi.Principal, id uuid.UUID) error {
	if p.ViaToken() {
		return errSessionOnly
	}
	return s.store.DeleteAccessToken(ctx, p.User.ID, id)
}

// errSessionOnly refuses a token on what only a signed-in person may do.
var errSessionOnly = taskapi.NewProblem(taskapi.ErrForbidden, "personal access tokens cannot manage tokens; sign in")

// errTokenRefused is the one answer to a token that is unknown, revoked
// or expired, or whose account is disabled or gone: which of them is not
// told.
var errTokenRefused = taskapi.NewProblem(taskapi.ErrUnauthorized,
	"the access token is invalid, expired or revoked")

// authenticateAccessToken turns a personal access token into the caller:
// one lookup by the SHA-256 of the whole token (never by its prefix, so
// nothing is compared piece by piece), refused unless the token exists,
// has not expired and its user is active. Its use is recorded at most
// once a minute.
func (s *Service) authenticateAccessToken(ctx context.Context, token string) (taskapi.Principal, error) {
	if !wellFormedAccessToken(token) {
		return taskapi.Principal{}, errTokenRefused
	}
	p, lastUsed, err := s.store.AccessTokenPrincipal(ctx, HashSecret(token))
	if err != nil {
		if errors.Is(err, taskapi.ErrUnauthorized) {
			return taskapi.Principal{}, errTokenRefused
		}
		return taskapi.Principal{}, err
	}
	if lastUsed == nil || s.now().Sub(*lastUsed) > touchEvery {
		if err := s.store.TouchAccessToken(ctx, p.TokenID); err != nil {
			// Only bookkeeping: the request goes on.
			s.log.WarnContext(ctx, "record access token use", "token_id", p.TokenID.String(), "err", err.Error())
		}
	}
	return p, nil
}
