package taskapi

import (
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
)

// User is an account. The password hash is kept apart (see UserCredentials)
// so a User can be handed to any layer without risk of leaking it.
type User struct {
	ID          uuid.UUID
	Email       string
	Username    string
	FullName    *string
	IsActive    bool
	IsVerified  bool
	IsSuperuser bool
	// TimeZone is the IANA name of the user's time zone ("Europe/Paris"),
	// in which due dates are shown and "today" is computed; "" means UTC.
	TimeZone  string
	CreatedAt time.Time
	UpdatedAt time.Time
	// Version counts the changes of the account; it starts at 1 and grows
	// by one with each change.
	Version int64
}

// Limits of user fields.
const (
	UsernameMinLen = 3
	UsernameMaxLen = 50
	EmailMaxLen    = 254
	FullNameMaxLen = 200
	PasswordMinLen = 8
	PasswordMaxLen = 128
)

// NormalizeEmail trims and lower-cases an email: emails are case-insensitive.
func NormalizeEmail(email string) string {
	return strings.ToLower(strings.TrimSpace(email))
}

// ValidateEmail checks an already normalised email address.
func ValidateEmail(email string) error {
	if email == "" {
		return Invalid("email", "is required")
	}
	if !ValidText(email) {
		return Invalid("email", "must be valid UTF-8 without NUL characters")
	}
	if len(email) > EmailMaxLen {
		return Invalid("email", "must be at most %d characters", EmailMaxLen)
	}
	addr, err := mail.ParseAddress(email)
	if err != nil || addr.Address != email || !strings.Contains(email[strings.LastIndexByte(email, '@')+1:], ".") {
		return Invalid("email", "is not a valid email address")
	}
	// A domain literal (a@[127.0.0.1]) would have mail delivered to an
	// address of the sender's choosing, inside the network perhaps.
	if strings.ContainsAny(email[strings.LastIndexByte(email, '@')+1:], "[]") {
		return Invalid("email", "must name a domain, not an IP address")
	}
	return nil
}

// ValidateUsername checks the username rule: 3–50 of [A-Za-z0-9_.-].
func ValidateUsername(username string) error {
	if len(username) < UsernameMinLen || len(username) > UsernameMaxLen {
		return Invalid("username", "must be %d to %d characters", UsernameMinLen, UsernameMaxLen)
	}
	for _, r := range username {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '.' || r == '-') {
			return Invalid("username", "may contain only letters, digits, '_', '.' and '-'")
		}
	}
	return nil
}

// ValidateFullName checks an optional display name.
func ValidateFullName(name *string) error {
	if name == nil {
		return nil
	}
	if utf8.RuneCountInString(*name) > FullNameMaxLen {
		return Invalid("full_name", "must be at most %d characters", FullNameMaxLen)
	}
	if !ValidText(*name) {
		return Invalid("full_name", "must be valid UTF-8 without NUL characters")
	}
	return nil
}

// ValidatePasswordLength checks the length rule; strength is checked by the
// auth package, which knows the list of common passwords.
func ValidatePasswordLength(field, password string) error {
	n := utf8.RuneCountInString(password)
	if n < PasswordMinLen || n > PasswordMaxLen {
		return Invalid(field, "must be %d to %d characters", PasswordMinLen, PasswordMaxLen)
	}
	return nil
}
