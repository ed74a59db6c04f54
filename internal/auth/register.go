package auth

import (
	"context"
	"strings"

	"github.com/taskapi/taskapi"
	"github.com/taskapi/taskapi/internal/store"
)

// Registration is what a new user gives.
type Registration struct {
	Email    string
	Username string
	Password string
	FullName *string
	// TimeZone is the IANA zone the browser reported; "" means UTC.
	TimeZone string
}

// Register creates an account and queues the email that verifies its
// address, in one transaction. A taken email or username is ErrConflict.
func (s *Service) Register(ctx context.Context, r Registration) (taskapi.User, error) {
	email, err := validEmail(r.Email)
	if err != nil {
		return taskapi.User{}, err
	}
	if err := taskapi.ValidateUsername(r.Username); err != nil {
		return taskapi.User{}, err
	}
	fullName := trimmedName(r.FullName)
	if err := taskapi.ValidateFullName(fullName); err != nil {
		return taskapi.User{}, err
	}
	if r.TimeZone != "" {
		if err := taskapi.ValidateTimeZone(r.TimeZone); err != nil {
			return taskapi.User{}, err
		}
	}
	u := taskapi.User{Email: email, Username: r.Username, FullName: fullName, IsActive: true, TimeZone: r.TimeZone}
	if err := CheckPasswordPolicy("password", r.Password, u); err != nil {
		return taskapi.User{}, err
	}
	hash, err := s.passwords.Hash(r.Password)
	if err != nil {
		return taskapi.User{}, err
	}
	tok, msg, err := s.verificationFor(u)
	if err != nil {
		return taskapi.User{}, err
	}
	u, err = s.store.RegisterUser(ctx, u, hash, tok, msg)
	if err != nil {
		return taskapi.User{}, err
	}
	s.queued()
	return u, nil
}

// verificationFor makes a verification token for u's email and the
// message that carries it (the user ID is filled in by the store).
func (s *Service) verificationFor(u taskapi.User) (store.EmailToken, store.OutboxMessage, error) {
	token, hash, err := newSecret()
	if err != nil {
		return store.EmailToken{}, store.OutboxMessage{}, err
	}
	m, err := s.templates.VerifyEmail(u.Email, u.Username, token, s.opts.VerifyTTL)
	if err != nil {
		return store.EmailToken{}, store.OutboxMessage{}, err
	}
	tok := store.EmailToken{UserID: u.ID, Purpose: store.PurposeVerifyEmail, Hash: hash, Email: u.Email,
		ExpiresAt: s.now().Add(s.opts.VerifyTTL)}
	return tok, outbox(m), nil
}

// VerifyEmail spends a verification token and returns the verified user.
// An unknown, used or expired token, or one sent to an address the
// account no longer has, is a 400 problem.
func (s *Service) VerifyEmail(ctx context.Context, token string) (taskapi.User, error) {
	if token == "" || len(token) > maxSecretLen {
		return taskapi.User{}, store.ErrEmailTokenInvalid
	}
	return s.store.VerifyEmail(ctx, HashSecret(token))
}

// ResendVerification records, durably, a request for a new verification
// email to email; the outbox worker resolves it (ResolveEmailRequest). It
// costs one insert whether or not the address is known, so neither the
// answer nor its timing reveals that.
func (s *Service) ResendVerification(ctx context.Context, email string) error {
	return s.requestEmail(ctx, store.PurposeVerifyEmail, email)
}

func trimmedName(name *string) *string {
	if name == nil {
		return nil
	}
	n := strings.TrimSpace(*name)
	if n == "" {
		return nil
	}
	return &n
}
