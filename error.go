package taskapi

import (
	"errors"
	"fmt"
)

// Sentinel errors. Adapters wrap them with context (fmt.Errorf("...: %w", err));
// the HTTP layer maps each to one status code in a single place.
var (
	// ErrNotFound means the resource does not exist or belongs to someone else.
	ErrNotFound = errors.New("not found")
	// ErrConflict means a uniqueness rule was broken (duplicate email, name, ...).
	ErrConflict = errors.New("conflict")
	// ErrInvalid means well-formed input broke a rule of the domain.
	ErrInvalid = errors.New("invalid input")
	// ErrUnauthorized means missing, invalid, expired or revoked credentials.
	ErrUnauthorized = errors.New("unauthorized")
	// ErrForbidden means the caller is known but not allowed.
	ErrForbidden = errors.New("forbidden")
	// ErrPreconditionFailed means an If-Match precondition did not hold.
	ErrPreconditionFailed = errors.New("precondition failed")
	// ErrTooManyRequests means a budget of the caller's is spent for now
	// (the mail an account may trigger).
	ErrTooManyRequests = errors.New("too many requests")
	// ErrQuotaExceeded means the caller keeps as many of something as an
	// account may.
	ErrQuotaExceeded = errors.New("quota exceeded")
	// ErrBadRequest means the request cannot be understood (a tampered cursor,
	// a used email token).
	ErrBadRequest = errors.New("bad request")
	// ErrGone means what was asked for existed once and no longer does
	// (a change-feed cursor older than the feed keeps).
	ErrGone = errors.New("gone")
)

// FieldError describes one invalid field. It wraps ErrInvalid so callers can
// test with errors.Is and still report where the problem is.
type FieldError struct {
	// Field is the JSON name of the field, e.g. "password".
	Field string
	// Message says what is wrong, for a person to read.
	Message string
}

// Error implements error.
func (e *FieldError) Error() string { return fmt.Sprintf("%s: %s", e.Field, e.Message) }

// Unwrap makes errors.Is(err, ErrInvalid) true.
func (e *FieldError) Unwrap() error { return ErrInvalid }

// Invalid returns a FieldError for field.
func Invalid(field, format string, args ...any) error {
	return &FieldError{Field: field, Message: fmt.Sprintf(format, args...)}
}

// Problem is an error with a message meant for the client, wrapping one of
// the sentinels above. Use it when the default message of the sentinel would
// not tell the client what to do.
type Problem struct {
	Kind    error
	Message string
}

// Error implements error.
func (p *Problem) Error() string { return p.Message }

// Unwrap returns the sentinel.
func (p *Problem) Unwrap() error { return p.Kind }

// NewProblem returns a client-facing error of the given kind.
func NewProblem(kind error, format string, args ...any) error {
	return &Problem{Kind: kind, Message: fmt.Sprintf(format, args...)}
}
