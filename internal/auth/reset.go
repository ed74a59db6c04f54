package auth

import (
	"context"
	"time"

	"github.com/taskapi/taskapi"
	"github.com/taskapi/taskapi/internal/store"
)

// EmailQuietPeriod is how long after a verification or reset email the
// next one of the same kind for the same account is not sent: asking
// again within it does nothing (the answer is the same 202), so requests
// from many addresses can neither flood a mailbox nor keep voiding the
// link just sent. Registration and email changes always send theirs.
const EmailQuietPeriod = 2 * time.Minute

// ForgotPassword records, durably, a request for a password reset email
// to email; the outbox worker resolves it (ResolveEmailRequest). Like
// ResendVerification it costs one insert whether or not the address is
// known, and reveals nothing.
func (s *Service) ForgotPassword(ctx context.Context, email string) error {
	return s.requestEmail(ctx, store.PurposeResetPassword, email)
}

// ResetPassword spends a reset token and sets a new password; every
// session of the user ends. An unknown, used or expired token is a 400
// problem.
func (s *Service) ResetPassword(ctx context.Context, token, newPassword string) error {
	if token == "" || len(token) > maxSecretLen {
		return store.ErrEmailTokenInvalid
	}
	hash := HashSecret(token)
	u, err := s.store.LookupEmailToken(ctx, store.PurposeResetPassword, hash)
	if err != nil {
		return err
	}
	if !u.IsActive {
		return ErrAccountDisabled
	}
	if err := CheckPasswordPolicy("new_password", newPassword, u); err != nil {
		return err
	}
	newHash, err := s.passwords.Hash(newPassword)
	if err != nil {
		return err
	}
	notice, err := s.templates.PasswordChanged(u.Email, u.Username)
	if err != nil {
		return err
	}
	// The token is spent here, atomically: if it was used meanwhile, this
	// fails with the same 400.
	if _, err := s.store.ResetPassword(ctx, hash, newHash, outbox(notice)); err != nil {
		return err
	}
	s.queued()
	return nil
}

// ChangePassword sets a new password for the caller, who proves to know
// the current one (a check the Guard counts); the caller's other sessions
// end, this one stays.
func (s *Service) ChangePassword(ctx context.Context, p taskapi.Principal, current, newPassword string) error {
	_, err := guarded(ctx, s, userKey(p.User.ID), func() (struct{}, error) {
		return struct{}{}, s.changePassword(ctx, p, current, newPassword)
	})
	return err
}

func (s *Service) changePassword(ctx context.Context, p taskapi.Principal, current, newPassword string) error {
	if err := s.checkPassword(ctx, p.User.ID, current); err != nil {
		return err
	}
	if err := CheckPasswordPolicy("new_password", newPassword, p.User); err != nil {
		return err
	}
	if current == newPassword {
		return taskapi.Invalid("new_password", "must differ from the current password")
	}
	newHash, err := s.passwords.Hash(newPassword)
	if err != nil {
		return err
	}
	notice, err := s.templates.PasswordChanged(p.User.Email, p.User.Username)
	if err != nil {
		return err
	}
	msg := outbox(notice)
	if err := s.store.SetPassword(ctx, p.User.ID, newHash, p.SessionID, &msg); err != nil {
		return err
	}
	s.queued()
	return nil
}
