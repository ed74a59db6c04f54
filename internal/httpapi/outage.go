package httpapi

import (
	"context"
	"log/slog"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/taskapi/taskapi/internal/store"
)

// retryAfterOutage is the Retry-After of the 503 a request gets while the
// database does not answer, in seconds.
const retryAfterOutage = "5"

// outage tracks whether the database answers, so that an outage is logged
// once when a request first finds it down and once when it answers again,
// not once per request: while it lasts every request gets the same 503.
type outage struct {
	down  atomic.Bool
	ping  func(context.Context) error
	log   *slog.Logger
	every time.Duration
}

// failed records that a request found the database not answering and
// returns the problem to answer. The first failure of an outage logs it
// and starts a watcher that pings until the database answers again.
func (o *outage) failed(ctx context.Context, err error) error {
	if o != nil && o.down.CompareAndSwap(false, true) {
		o.log.ErrorContext(ctx, "the database does not answer: requests get 503 until it does", "err", err.Error())
		go o.watch()
	}
	return huma.ErrorWithHeaders(huma.Error503ServiceUnavailable("the database does not answer; try again shortly"),
		http.Header{"Retry-After": {retryAfterOutage}})
}

// watch pings until the database answers, then ends the outage. It gives
// up (the outage stays recorded) if the store was closed.
func (o *outage) watch() {
	t := time.NewTicker(o.every)
	defer t.Stop()
	for range t.C {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		err := o.ping(ctx)
		cancel()
		switch {
		case err == nil:
			o.down.Store(false)
			o.log.Info("the database answers again")
			return
		case !store.Unavailable(err):
			return
		}
	}
}
