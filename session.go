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

// Principal is the authenticated caller of a request.
type Principal struct {
	User      User
	SessionID uuid.UUID
}
