package taskapi

import (
	"time"

	"github.com/google/uuid"
)

// Session is one login of a user on one device. It lives until it expires or
// is ended (logout, password change, account disabled); an access token is
// honoured only while its session lives.
type Session struct {
	ID         uuid.UUID
	UserID     uuid.UUID
	UserAgent  string
	IP         string
	CreatedAt  time.Time
	LastUsedAt time.Time
	ExpiresAt  time.Time
}

// Principal is the authenticated caller of a request: a session (a login)
// or a personal access token, never both.
type Principal struct {
	User      User
	SessionID uuid.UUID
	// TokenID is the personal access token the request came with;
	// uuid.Nil for a session.
	TokenID uuid.UUID
	// Scopes are the token's; a session may do anything its user may.
	Scopes []Scope
}

// ViaToken reports whether the caller is a personal access token.
func (p Principal) ViaToken() bool { return p.TokenID != uuid.Nil }

// Allows reports whether the caller may do what scope covers: a session
// always, a token when it holds the scope (or the write scope that
// includes it).
func (p Principal) Allows(scope Scope) bool {
	return !p.ViaToken() || Grants(p.Scopes, scope)
}
