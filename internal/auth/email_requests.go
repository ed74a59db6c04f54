package auth

import (
	"context"
	"errors"
	"fmt"

	"github.com/taskapi/taskapi"
	"github.com/taskapi/taskapi/internal/store"
)

// requestEmail validates email and records the request for an email of
// purpose p; the answer is given only once the request is in the database.
func (s *Service) requestEmail(ctx context.Context, p store.EmailPurpose, email string) error {
	email, err := validEmail(email)
	if err != nil {
		return err
	}
	if err := s.store.EnqueueEmailRequest(ctx, p, email); err != nil {
		return err
	}
	s.queued()
	return nil
}

// ResolveEmailRequest answers a request recorded by ForgotPassword or
// ResendVerification, claimed by the outbox worker: it looks the address
// up and, when it belongs to an active account that may have the email
// (a reset: any; a verification: one not yet verified) and none of the
// kind was issued within EmailQuietPeriod, issues the token and queues
// its message, in the transaction that completes the request. Otherwise
// it only completes the request.
func (s *Service) ResolveEmailRequest(ctx context.Context, req store.OutboxMessage) error {
	tok, msg, err := s.tokenFor(ctx, req.Request, req.To)
	if err != nil {
		return fmt.Errorf("email request: %w", err)
	}
	issued, err := s.store.ResolveEmailRequest(ctx, req, tok, msg, EmailQuietPeriod)
	if err != nil {
		return err
	}
	if issued {
		s.queued()
	}
	return nil
}

// tokenFor returns the token and message a request for purpose p to email
// calls for, or nil when it calls for none.
func (s *Service) tokenFor(ctx context.Context, p store.EmailPurpose, email string) (*store.EmailToken, store.OutboxMessage, error) {
	u, err := s.store.GetUserByEmail(ctx, email)
	if errors.Is(err, taskapi.ErrNotFound) {
		return nil, store.OutboxMessage{}, nil
	}
	if err != nil {
		return nil, store.OutboxMessage{}, err
	}
	switch {
	case !u.IsActive:
		return nil, store.OutboxMessage{}, nil
	case p == store.PurposeVerifyEmail:
		if u.IsVerified {
			return nil, store.OutboxMessage{}, nil
		}
		tok, msg, err := s.verificationFor(u)
		return &tok, msg, err
	case p == store.PurposeResetPassword:
		token, hash, err := newSecret()
		if err != nil {
			return nil, store.OutboxMessage{}, err
		}
		m, err := s.templates.ResetPassword(u.Email, u.Username, token, s.opts.ResetTTL)
		if err != nil {
			return nil, store.OutboxMessage{}, err
		}
		tok := store.EmailToken{UserID: u.ID, Purpose: store.PurposeResetPassword, Hash: hash, Email: u.Email,
			ExpiresAt: s.now().Add(s.opts.ResetTTL)}
		return &tok, outbox(m), nil
	}
	return nil, store.OutboxMessage{}, fmt.Errorf("unknown email request %q", p)
}
