package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/taskapi/taskapi/internal/auth"
	"github.com/taskapi/taskapi/internal/config"
	"github.com/taskapi/taskapi/internal/mail"
	"github.com/taskapi/taskapi/internal/ratelimit"
	"github.com/taskapi/taskapi/internal/store"
)

// startAccounts builds the account rules and starts their background
// work: the outbox worker that sends email (and resolves the email
// requests of forgot-password and resend-verification) and the reminder
// worker that queues reminders and daily digests. stop stops both loops;
// call it once the HTTP server has drained.
func startAccounts(cfg *config.Config, st *store.Store, log *slog.Logger, limiter ratelimit.Limiter) (svc *auth.Service, stop func(context.Context) error, err error) {
	sender, err := newSender(cfg, log)
	if err != nil {
		return nil, nil, err
	}
	// The worker resolves the account's email requests and is woken when
	// mail is queued: each needs the other.
	var worker *mail.Worker
	svc, err = newAuthService(cfg, st, log, func() { worker.Notify() }, limiter)
	if err != nil {
		return nil, nil, err
	}
	worker = mail.NewWorker(st, sender, log, mail.WorkerOptions{Resolve: svc.ResolveEmailRequest})
	// Reminders and digests are queued in the outbox by their own loop,
	// which wakes the mail worker.
	reminders := mail.NewReminderWorker(st, mail.NewTemplates(cfg.BaseURL), log, mail.ReminderOptions{MailQueued: worker.Notify})
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { worker.Run(ctx) })
	wg.Go(func() { reminders.Run(ctx) })
	stop = func(context.Context) error {
		// A delivery under way is finished (bounded by its timeout); mail
		// and requests not handled yet stay in the outbox for next time.
		cancel()
		wg.Wait()
		return nil
	}
	return svc, stop, nil
}

// newSender sends over SMTP, or writes to the log when no SMTP server is
// configured (local development).
func newSender(cfg *config.Config, log *slog.Logger) (mail.Sender, error) {
	if cfg.SMTPURL == "" {
		log.Warn("TASKAPI_SMTP_URL is not set: emails are written to the log, links and tokens included. Fine on your machine; set it anywhere else.")
		return mail.LogSender{Log: log}, nil
	}
	s, err := mail.NewSMTPSender(cfg.SMTPURL, cfg.MailFrom, mail.SMTPOptions{})
	if err != nil {
		return nil, &exitError{code: 2, err: fmt.Errorf("TASKAPI_SMTP_URL: %w", errors.Unwrap(err))}
	}
	return s, nil
}

// newAuthService builds the account rules from the configuration; a nil
// limiter (rate limiting off, or a command that logs nobody in) counts no
// failed password checks.
func newAuthService(cfg *config.Config, st *store.Store, log *slog.Logger, mailQueued func(), limiter ratelimit.Limiter) (*auth.Service, error) {
	tokens := auth.NewTokens(cfg.JWTSecret, nil, cfg.AccessTokenTTL, time.Now)
	var guard auth.Guard
	if limiter != nil {
		guard = ratelimit.NewFailureGuard(limiter, cfg.RateLimitLoginFailures, "login_account")
	}
	svc, err := auth.NewService(st, tokens, auth.Options{
		RefreshTTL: cfg.RefreshTokenTTL, SessionMaxAge: cfg.SessionMaxAge, VerifyTTL: cfg.VerifyTokenTTL, ResetTTL: cfg.ResetTokenTTL,
		BcryptCost: cfg.BcryptCost, BaseURL: cfg.BaseURL, MailQueued: mailQueued, Logger: log, Guard: guard,
	}, time.Now)
	if err != nil {
		return nil, fmt.Errorf("account rules: %w", err)
	}
	return svc, nil
}
