package mail

import (
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
	"time"

	"github.com/taskapi/taskapi/internal/jobs"
	"github.com/taskapi/taskapi/internal/store"
)

// WorkerOptions tune the outbox worker; zero values take the defaults.
type WorkerOptions struct {
	// Poll is how often the outbox is looked at when nobody calls Notify
	// (messages queued by other instances, retries that came due).
	Poll time.Duration // default 5s
	// SendTimeout bounds one delivery. A claim's lease is SendTimeout plus
	// leaseMargin: the time a message whose worker died waits before
	// another worker sends it.
	SendTimeout time.Duration // default 30s
	// MaxAttempts is how many times a message is tried before it is
	// abandoned.
	MaxAttempts int // default 12
	// Backoff is the wait after the first failure; it doubles with every
	// further failure up to MaxBackoff, with ±20% jitter so that instances
	// do not retry in step.
	Backoff    time.Duration // default 30s
	MaxBackoff time.Duration // default 1h
	// Resolve answers a claimed email request (a row whose Request is
	// set, see store.EnqueueEmailRequest), completing it in its own
	// transaction; an error means "try again later". Without it such rows
	// are abandoned.
	Resolve func(context.Context, store.OutboxMessage) error
}

// leaseMargin is how much longer than the send a claim's lease runs: the
// claim and the record of the outcome (each bounded by bookTimeout) fit in
// it, so no other worker takes a message its worker still holds.
const (
	leaseMargin = 30 * time.Second
	bookTimeout = 10 * time.Second
)

func (o *WorkerOptions) defaults() {
	if o.Poll <= 0 {
		o.Poll = 5 * time.Second
	}
	if o.SendTimeout <= 0 {
		o.SendTimeout = 30 * time.Second
	}
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = 12
	}
	if o.Backoff <= 0 {
		o.Backoff = 30 * time.Second
	}
	if o.MaxBackoff <= 0 {
		o.MaxBackoff = time.Hour
	}
}

// Worker delivers the messages of the outbox. Any number of workers, in
// any number of instances, may run on one database: each message is
// claimed by one of them under a lease (see store.ClaimMail). Delivery is
// at least once: a worker that dies after the SMTP server accepted a
// message but before recording it leaves the message to be sent again
// when its lease runs out, SendTimeout+30s after the claim (1 minute by
// default). A worker that dies while resolving an email request leaves
// nothing half done: the request and the token it issues commit together.
type Worker struct {
	store  *store.Store
	sender Sender
	log    *slog.Logger
	opts   WorkerOptions
	loop   *jobs.Loop
}

// NewWorker returns a worker that sends the outbox of st with sender.
func NewWorker(st *store.Store, sender Sender, log *slog.Logger, opts WorkerOptions) *Worker {
	opts.defaults()
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	w := &Worker{store: st, sender: sender, log: log, opts: opts}
	w.loop = jobs.NewLoop("outbox", opts.Poll, log, w.deliverOne)
	return w
}

// Notify tells the worker that a message was queued, so it is sent now
// rather than at the next poll. It never blocks.
func (w *Worker) Notify() { w.loop.Notify() }

// Run delivers messages until ctx is done (see jobs.Loop).
func (w *Worker) Run(ctx context.Context) { w.loop.Run(ctx) }

// deliverOne claims one due message and tries to send it. It reports
// whether there was one.
func (w *Worker) deliverOne(ctx context.Context) (bool, error) {
	// From the claim on, nothing is cut short by ctx (shutdown): a claim
	// that committed in the database but looked cancelled here would
	// leave the message leased to nobody until the lease ran out. Each
	// step is bounded instead.
	bg := context.WithoutCancel(ctx)
	cctx, cancel := context.WithTimeout(bg, bookTimeout)
	m, ok, err := w.store.ClaimMail(cctx, w.opts.SendTimeout+leaseMargin)
	cancel()
	if err != nil || !ok {
		return false, err
	}
	if m.Request != "" {
		return true, w.resolve(bg, m)
	}
	sctx, cancel := context.WithTimeout(bg, w.opts.SendTimeout)
	sendErr := w.sender.Send(sctx, Message{To: m.To, Subject: m.Subject, Text: m.Text, HTML: m.HTML})
	cancel()
	rctx, cancel := context.WithTimeout(bg, bookTimeout)
	defer cancel()
	var recErr error
	if sendErr == nil {
		w.log.Info("email sent", "id", m.ID.String(), "attempts", m.Attempts)
		recErr = w.store.MarkMailSent(rctx, m)
	} else {
		recErr = w.failed(rctx, m, "email", sendErr)
	}
	if errors.Is(recErr, store.ErrClaimLost) {
		// This worker overran its lease and another one holds the message
		// now: its record is the one that counts.
		w.log.Warn("email outcome not recorded: the lease ran out and another worker claimed it", "id", m.ID.String())
		return true, nil
	}
	return true, recErr
}

// resolve answers a claimed email request with opts.Resolve; a failure is
// retried with the same backoff as a message.
func (w *Worker) resolve(bg context.Context, m store.OutboxMessage) error {
	var err error
	if w.opts.Resolve == nil {
		err = &PermanentError{Err: errors.New("no resolver for email requests")}
	} else {
		rctx, cancel := context.WithTimeout(bg, w.opts.SendTimeout)
		err = w.opts.Resolve(rctx, m)
		cancel()
	}
	ctx, cancel := context.WithTimeout(bg, bookTimeout)
	defer cancel()
	switch {
	case err == nil:
		w.log.Info("email request handled", "id", m.ID.String(), "attempts", m.Attempts)
		return nil
	case errors.Is(err, store.ErrClaimLost):
		w.log.Warn("email request: the lease ran out and another worker claimed it", "id", m.ID.String())
		return nil
	}
	recErr := w.failed(ctx, m, "email request", err)
	if errors.Is(recErr, store.ErrClaimLost) {
		return nil
	}
	return recErr
}

// failed records a failed attempt at m (what names it in the log): abandoned
// when the error is permanent or the attempts are spent, else retried after
// the backoff.
func (w *Worker) failed(ctx context.Context, m store.OutboxMessage, what string, err error) error {
	var perm *PermanentError
	if errors.As(err, &perm) || m.Attempts >= w.opts.MaxAttempts {
		w.log.Error(what+" abandoned", "id", m.ID.String(), "attempts", m.Attempts, "err", err.Error())
		return w.store.AbandonMail(ctx, m, err.Error())
	}
	wait := w.backoff(m.Attempts)
	w.log.Warn(what+" failed; will retry", "id", m.ID.String(), "attempts", m.Attempts,
		"retry_in", wait.String(), "err", err.Error())
	return w.store.RetryMail(ctx, m, w.store.Now().Add(wait), err.Error())
}

// backoff is the wait after the given number of failed attempts.
func (w *Worker) backoff(attempts int) time.Duration {
	d := w.opts.Backoff
	for i := 1; i < attempts && d < w.opts.MaxBackoff; i++ {
		d *= 2
	}
	d = min(d, w.opts.MaxBackoff)
	jitter := time.Duration(float64(d) * (rand.Float64()*0.4 - 0.2))
	return d + jitter
}
