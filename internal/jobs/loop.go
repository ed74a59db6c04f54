// Package jobs runs the workers of the durable queues (the outbox, webhook
// deliveries, reminders): each queue is rows in the database, claimed
// under a lease (FOR UPDATE SKIP LOCKED on PostgreSQL, the single writer
// on SQLite), so any number of instances may run the same loop. This
// package owns the loop: when to look, how to be woken, how to stop.
package jobs

import (
	"context"
	"log/slog"
	"time"
)

// Loop calls Step until the queue is empty, then waits for Poll or a
// Notify. Step claims and handles one job and reports whether there was
// one; an error stops the round (it is logged) until the next one.
type Loop struct {
	Name string
	Poll time.Duration
	Step func(ctx context.Context) (bool, error)
	Log  *slog.Logger
	wake chan struct{}
}

// NewLoop returns a loop named name (for the log) that runs step.
func NewLoop(name string, poll time.Duration, log *slog.Logger, step func(context.Context) (bool, error)) *Loop {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if poll <= 0 {
		poll = 5 * time.Second
	}
	return &Loop{Name: name, Poll: poll, Step: step, Log: log, wake: make(chan struct{}, 1)}
}

// Notify asks for a round now (a job was queued) rather than at the next
// poll. It never blocks.
func (l *Loop) Notify() {
	select {
	case l.wake <- struct{}{}:
	default:
	}
}

// Run handles jobs until ctx is done. A job under way when ctx ends is
// finished (each Step bounds its own work), so stopping never leaves a
// job half-recorded.
func (l *Loop) Run(ctx context.Context) {
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-l.wake:
		case <-timer.C:
		}
		l.Drain(ctx)
		timer.Reset(l.Poll)
	}
}

// Drain handles every job that is due, one claim at a time, so several
// instances share the load job by job.
func (l *Loop) Drain(ctx context.Context) {
	for ctx.Err() == nil {
		ok, err := l.Step(ctx)
		if err != nil {
			if ctx.Err() == nil {
				l.Log.Error(l.Name, "err", err.Error())
			}
			return
		}
		if !ok {
			return
		}
	}
}
