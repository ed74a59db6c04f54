package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/taskapi/taskapi/internal/store"
)

// Janitor settings: what has expired is only dead weight (a reused expired
// idempotency key is taken over anyway; an ended session or a used token
// refuses itself), so a slow, bounded sweep is enough. Ended sessions,
// email tokens and sent mail are kept a week, for the record.
const (
	janitorEvery      = 10 * time.Minute
	janitorBatch      = 1000
	janitorMaxBatches = 100
	endedRetention    = 7 * 24 * time.Hour
)

// startJanitor is the one purge loop for everything that expires: every
// janitorEvery it sweeps expired idempotency keys, and sessions, email
// tokens and mail that ended more than endedRetention ago, and change-feed
// records older than changesRetention, until the
// returned stop is called; stop waits for a sweep in progress to end, so
// the store can be closed after it.
func startJanitor(ctx context.Context, st *store.Store, log *slog.Logger, changesRetention time.Duration) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(janitorEvery)
		defer tick.Stop()
		for {
			sweepIdempotencyKeys(ctx, st, log)
			purgeEnded(ctx, st, log)
			purgeDeliveries(ctx, st, log)
			purgeChanges(ctx, st, log, changesRetention)
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
		}
	}()
	return func() {
		cancel()
		<-done
	}
}

// sweepIdempotencyKeys deletes expired keys in batches, at most
// janitorBatch×janitorMaxBatches per sweep, so one sweep never holds the
// database for long.
func sweepIdempotencyKeys(ctx context.Context, st *store.Store, log *slog.Logger) {
	var total int64
	for i := 0; i < janitorMaxBatches && ctx.Err() == nil; i++ {
		bctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		n, err := st.PurgeIdempotencyKeys(bctx, janitorBatch)
		cancel()
		if err != nil {
			if ctx.Err() == nil {
				log.Warn("purging expired idempotency keys failed", "err", err.Error())
			}
			return
		}
		total += n
		if n < janitorBatch {
			break
		}
	}
	if total > 0 {
		log.Info("purged expired idempotency keys", "count", total)
	}
}

// purgeEnded deletes the sessions, email tokens and mail that ended more
// than endedRetention ago, and the notifications read and digest days
// recorded before then; and the deleted tasks kept for undo longer than
// store.TrashRetention.
func purgeEnded(ctx context.Context, st *store.Store, log *slog.Logger) {
	n, err := st.PurgeEnded(ctx, st.Now().Add(-endedRetention))
	switch {
	case err != nil && ctx.Err() == nil:
		log.Error("purge ended sessions, tokens and mail", "err", err.Error())
	case n > 0:
		log.Info("purged ended sessions, tokens and mail", "rows", n)
	}
	n, err = st.PurgeTaskTrash(ctx, st.Now().Add(-store.TrashRetention))
	switch {
	case err != nil && ctx.Err() == nil:
		log.Error("purge deleted tasks kept for undo", "err", err.Error())
	case n > 0:
		log.Info("purged deleted tasks kept for undo", "rows", n)
	}
	n, err = st.PurgeReminderRecords(ctx, st.Now().Add(-endedRetention))
	switch {
	case err != nil && ctx.Err() == nil:
		log.Error("purge read notifications and digest days", "err", err.Error())
	case n > 0:
		log.Info("purged read notifications and digest days", "rows", n)
	}
}

// purgeDeliveries clears webhook bodies older than a week and deletes
// delivery log entries older than a month.
func purgeDeliveries(ctx context.Context, st *store.Store, log *slog.Logger) {
	n, err := st.PurgeDeliveries(ctx)
	switch {
	case err != nil && ctx.Err() == nil:
		log.Error("purge webhook deliveries", "err", err.Error())
	case n > 0:
		log.Info("purged webhook deliveries", "rows", n)
	}
}

// purgeChanges deletes the change-feed records older than retention (none
// when it is not set: a feed emptied by mistake cannot be rebuilt).
func purgeChanges(ctx context.Context, st *store.Store, log *slog.Logger, retention time.Duration) {
	if retention <= 0 {
		return
	}
	n, err := st.PurgeChanges(ctx, st.Now().Add(-retention))
	switch {
	case err != nil && ctx.Err() == nil:
		log.Error("purge change feed", "err", err.Error())
	case n > 0:
		log.Info("purged change feed records", "rows", n)
	}
}
