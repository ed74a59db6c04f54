package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/taskapi/taskapi/internal/store"
)

// Janitor settings: expired idempotency keys are only dead weight (a reused
// expired key is taken over anyway), so a slow, bounded sweep is enough.
const (
	janitorEvery      = 10 * time.Minute
	janitorBatch      = 1000
	janitorMaxBatches = 100
)

// startJanitor sweeps expired idempotency keys in the background until the
// returned stop is called; stop waits for a sweep in progress to end, so
// the store can be closed after it.
func startJanitor(ctx context.Context, st *store.Store, log *slog.Logger) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(janitorEvery)
		defer tick.Stop()
		for {
			sweepIdempotencyKeys(ctx, st, log)
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
