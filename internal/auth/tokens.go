// Package auth holds the account rules: passwords, access tokens, sessions
// and email tokens; register, login, refresh, logout and password reset. It
// uses the store and the mailer and knows nothing of HTTP.
package auth

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"

	"github.com/taskapi/taskapi"
)

// Issuer and audience of access tokens: a token minted for another service
// sharing the secret is refused.
const (
	tokenIssuer   = "taskapi"
	tokenAudience = "taskapi-api"
)

// Claims is what an access token says once verified.
type Claims struct {
	UserID    uuid.UUID
	SessionID uuid.UUID
	ExpiresAt time.Time
}

// Tokens signs and verifies access tokens (HS256 JWTs). Each key has an ID
// (kid, derived from the key) so a new key can be introduced while tokens
// signed with the old one still verify until they expire.
type Tokens struct {
	keys    map[string][]byte // kid → key
	signKID string
	ttl     time.Duration
	now     func() time.Time
	parser  *jwt.Parser
}

// NewTokens returns a Tokens that signs with secret and also accepts tokens
// signed with any of previous (keys being rotated out).
func NewTokens(secret string, previous []string, ttl time.Duration, now func() time.Time) *Tokens {
	t := &Tokens{keys: map[string][]byte{}, ttl: ttl, now: now}
	for _, k := range append([]string{secret}, previous...) {
		t.keys[keyID(k)] = []byte(k)
	}
	t.signKID = keyID(secret)
	t.parser = jwt.NewParser(
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithIssuer(tokenIssuer),
		jwt.WithAudience(tokenAudience),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithTimeFunc(now),
		jwt.WithLeeway(5*time.Second),
	)
	return t
}

// keyID names a key without revealing it: a truncated HMAC of a fixed label.
func keyID(key string) string {
	m := hmac.New(sha256.New, []byte(key))
	m.Write([]byte("taskapi key id"))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:9])
}

// TTL is the lifetime of an access token.
func (t *Tokens) TTL() time.Duration { return t.ttl }

type accessClaims struct {
	SessionID string `json:"sid"`
	jwt.RegisteredClaims
}

// Issue mints an access token for the session.
func (t *Tokens) Issue(userID, sessionID uuid.UUID) (string, time.Time, error) {
	now := t.now()
	exp := now.Add(t.ttl)
	tok := jwt.NewWithClaims(jwt.SigningMethodHS256, accessClaims{
		SessionID: sessionID.String(),
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    tokenIssuer,
			Audience:  jwt.ClaimStrings{tokenAudience},
			Subject:   userID.String(),
			IssuedAt:  jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(exp),
		},
	})
	tok.Header["kid"] = t.signKID
	s, err := tok.SignedString(t.keys[t.signKID])
	if err != nil {
		return "", time.Time{}, fmt.Errorf("sign access token: %w", err)
	}
	return s, exp, nil
}

// Verify checks an access token's signature, algorithm, issuer, audience
// and expiry. A token with a "crit" header is refused: it names
// extensions the verifier must understand (RFC 7515 §4.1.11), and ours
// understands none. Any failure is taskapi.ErrUnauthorized; it does not
// say whether the session still lives (see Service.Authenticate).
func (t *Tokens) Verify(token string) (Claims, error) {
	if len(token) > 4096 {
		return Claims{}, taskapi.ErrUnauthorized
	}
	var c accessClaims
	_, err := t.parser.ParseWithClaims(token, &c, func(tok *jwt.Token) (any, error) {
		if _, ok := tok.Header["crit"]; ok {
			return nil, errors.New("unsupported critical header extensions")
		}
		kid, _ := tok.Header["kid"].(string)
		key, ok := t.keys[kid]
		if !ok {
			return nil, errors.New("unknown key id")
		}
		return key, nil
	})
	if err != nil {
		return Claims{}, taskapi.ErrUnauthorized
	}
	uid, err1 := uuid.Parse(c.Subject)
	sid, err2 := uuid.Parse(c.SessionID)
	if err1 != nil || err2 != nil || c.ExpiresAt == nil {
		return Claims{}, taskapi.ErrUnauthorized
	}
	return Claims{UserID: uid, SessionID: sid, ExpiresAt: c.ExpiresAt.Time}, nil
}
