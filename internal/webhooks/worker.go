// Package webhooks sends the deliveries of users' webhook endpoints:
// claimed from the database (any number of instances), signed as the
// Standard Webhooks specification says, POSTed through the egress client
// (never to the server's own network), retried with backoff for about
// three days, and an endpoint that keeps failing is turned off and its
// owner told.
package webhooks

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/taskapi/taskapi/internal/egress"
	"github.com/taskapi/taskapi/internal/jobs"
	"github.com/taskapi/taskapi/internal/store"
)

// Render returns the data of an event about an entity as the API shows it,
// or {"id": …} when the entity no longer exists.
type Render func(ctx context.Context, userID uuid.UUID, entityType string, entityID uuid.UUID) (json.RawMessage, error)

// Options tune the worker; zero values take the defaults.
type Options struct {
	Poll time.Duration // default 5 s
	// Client sends the requests; New(egress.Options{}) by default, which
	// refuses private addresses and plain http.
	Client *egress.Client
	// RetryFor is how long a delivery is retried before it is marked
	// failed.
	RetryFor time.Duration // default 3 days
	// DisableAfter is how long an endpoint may fail without a success
	// before it is turned off.
	DisableAfter time.Duration // default 5 days
	// Backoff is the wait after the first failure; it doubles up to
	// MaxBackoff, with ±20 % jitter.
	Backoff    time.Duration // default 30 s
	MaxBackoff time.Duration // default 6 h
	// Notice makes the email that tells an endpoint's owner it was turned
	// off; nil sends none.
	Notice func(c store.DeliveryClaim, reason string) (*store.OutboxMessage, error)
	// MailQueued wakes the outbox worker after a notice was queued.
	MailQueued func()
}

// sendTimeout bounds one request; the lease adds room to record it.
const (
	sendTimeout = 15 * time.Second
	leaseMargin = 30 * time.Second
	bookTimeout = 10 * time.Second
)

// Worker sends webhook deliveries.
type Worker struct {
	store  *store.Store
	render Render
	log    *slog.Logger
	opts   Options
	loop   *jobs.Loop
}

// NewWorker returns a worker over st that renders event data with render.
func NewWorker(st *store.Store, render Render, log *slog.Logger, opts Options) *Worker {
	if opts.Client == nil {
		opts.Client = egress.New(egress.Options{Timeout: sendTimeout})
	}
	if opts.RetryFor <= 0 {
		opts.RetryFor = 72 * time.Hour
	}
	if opts.DisableAfter <= 0 {
		opts.DisableAfter = 5 * 24 * time.Hour
	}
	if opts.Backoff <= 0 {
		opts.Backoff = 30 * time.Second
	}
	if opts.MaxBackoff <= 0 {
		opts.MaxBackoff = 6 * time.Hour
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	w := &Worker{store: st, render: render, log: log, opts: opts}
	w.loop = jobs.NewLoop("webhooks", opts.Poll, log, w.deliverOne)
	return w
}

// Notify wakes the worker: a delivery was queued.
func (w *Worker) Notify() { w.loop.Notify() }

// Run sends deliveries until ctx is done.
func (w *Worker) Run(ctx context.Context) { w.loop.Run(ctx) }

// Drain sends every delivery that is due now, then returns (for tests and
// tools).
func (w *Worker) Drain(ctx context.Context) { w.loop.Drain(ctx) }

// deliverOne claims one due delivery and sends it; it reports whether
// there was one.
func (w *Worker) deliverOne(ctx context.Context) (bool, error) {
	// As in the mail worker: from the claim on, shutdown does not cut a
	// step short (a claim committed but seen as cancelled would sit
	// leased); each step is bounded instead.
	bg := context.WithoutCancel(ctx)
	cctx, cancel := context.WithTimeout(bg, bookTimeout)
	c, ok, err := w.store.ClaimDelivery(cctx, sendTimeout+leaseMargin)
	cancel()
	if err != nil || !ok {
		return false, err
	}
	attempt := w.attempt(bg, c)
	rctx, cancel := context.WithTimeout(bg, bookTimeout)
	defer cancel()
	err = w.store.RecordAttempt(rctx, c, attempt)
	if errors.Is(err, store.ErrClaimLost) {
		w.log.Warn("webhook outcome not recorded: the lease ran out and another worker claimed it", "delivery", c.ID.String())
		return true, nil
	}
	if err == nil && attempt.Notice != nil && w.opts.MailQueued != nil {
		w.opts.MailQueued()
	}
	return true, err
}

// attempt sends c once and says what came of it.
func (w *Worker) attempt(ctx context.Context, c store.DeliveryClaim) store.DeliveryAttempt {
	var a store.DeliveryAttempt
	payload, err := w.payload(ctx, c)
	if err != nil {
		a.Error = "render the event: " + err.Error()
		return w.failed(c, a)
	}
	a.Payload = payload
	now := w.store.Now()
	req, err := w.request(ctx, c, payload, now)
	if err != nil {
		a.Error = err.Error()
		return w.failed(c, a)
	}
	start := time.Now()
	res, err := w.opts.Client.Do(req)
	a.Duration = time.Since(start)
	if err != nil {
		a.Error = err.Error()
		w.log.Info("webhook delivery failed", "delivery", c.ID.String(), "webhook", c.WebhookID.String(), "attempts", c.Attempts, "err", a.Error)
		return w.failed(c, a)
	}
	a.Status, a.Response = res.Status, string(res.Body)
	switch {
	case res.Status >= 200 && res.Status < 300:
		a.Delivered = true
		w.log.Info("webhook delivered", "delivery", c.ID.String(), "webhook", c.WebhookID.String(), "attempts", c.Attempts, "status", res.Status)
		return a
	case res.Status == http.StatusGone:
		a.Error = "the endpoint answered 410 Gone"
		return w.disable(c, a, "the endpoint answered 410 Gone")
	}
	a.Error = "the endpoint answered " + strconv.Itoa(res.Status)
	w.log.Info("webhook delivery failed", "delivery", c.ID.String(), "webhook", c.WebhookID.String(), "attempts", c.Attempts, "status", res.Status)
	return w.failed(c, a)
}

// failed schedules the next try, or gives up once RetryFor has passed,
// and turns the endpoint off when it has failed for DisableAfter.
func (w *Worker) failed(c store.DeliveryClaim, a store.DeliveryAttempt) store.DeliveryAttempt {
	now := w.store.Now()
	if c.FailingSince != nil && now.Sub(*c.FailingSince) >= w.opts.DisableAfter {
		return w.disable(c, a, fmt.Sprintf("deliveries failed for %s without a success", humanDays(w.opts.DisableAfter)))
	}
	if now.Sub(c.CreatedAt) >= w.opts.RetryFor {
		return a // RetryAt nil: given up
	}
	next := now.Add(w.backoff(c.Attempts))
	a.RetryAt = &next
	return a
}

func (w *Worker) disable(c store.DeliveryClaim, a store.DeliveryAttempt, reason string) store.DeliveryAttempt {
	a.Disable = reason
	w.log.Warn("webhook endpoint disabled", "webhook", c.WebhookID.String(), "reason", reason)
	if w.opts.Notice != nil {
		notice, err := w.opts.Notice(c, reason)
		if err != nil {
			w.log.Error("webhook disabled notice", "webhook", c.WebhookID.String(), "err", err.Error())
		}
		a.Notice = notice
	}
	return a
}

// backoff is the wait after the attempts-th failure: Backoff doubled per
// earlier failure, at most MaxBackoff, ±20 %.
func (w *Worker) backoff(attempts int) time.Duration {
	d := w.opts.Backoff
	for i := 1; i < attempts && d < w.opts.MaxBackoff; i++ {
		d *= 2
	}
	d = min(d, w.opts.MaxBackoff)
	return time.Duration(float64(d) * (0.8 + 0.4*rand.Float64()))
}

// payload is the body of a delivery: made at the first attempt and kept,
// so every retry sends (and signs) the same event.
func (w *Worker) payload(ctx context.Context, c store.DeliveryClaim) (string, error) {
	if c.Payload != nil {
		return *c.Payload, nil
	}
	var data json.RawMessage
	if c.Event.Type == store.PingEvent {
		data, _ = json.Marshal(map[string]string{"webhook_id": c.WebhookID.String()})
	} else {
		rctx, cancel := context.WithTimeout(ctx, bookTimeout)
		defer cancel()
		var err error
		if data, err = w.render(rctx, c.UserID, c.Event.EntityType, c.Event.EntityID); err != nil {
			return "", err
		}
	}
	b, err := json.Marshal(struct {
		Type      string          `json:"type"`
		Timestamp time.Time       `json:"timestamp"`
		Data      json.RawMessage `json:"data"`
	}{c.Event.Type, c.CreatedAt.UTC(), data})
	return string(b), err
}

// request builds the signed POST: webhook-id is the delivery, the
// timestamp is now, and each live secret adds a signature.
func (w *Worker) request(ctx context.Context, c store.DeliveryClaim, payload string, now time.Time) (*http.Request, error) {
	sigs := make([]string, 0, len(c.Secrets))
	for _, secret := range c.Secrets {
		wh, err := standardwebhooks.NewWebhook(secret)
		if err != nil {
			return nil, fmt.Errorf("signing secret: %w", err)
		}
		sig, err := wh.Sign(c.ID.String(), now, []byte(payload))
		if err != nil {
			return nil, fmt.Errorf("sign: %w", err)
		}
		sigs = append(sigs, sig)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.URL, strings.NewReader(payload))
	if err != nil {
		return nil, fmt.Errorf("request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "taskapi-webhooks/1")
	req.Header.Set(standardwebhooks.HeaderWebhookID, c.ID.String())
	req.Header.Set(standardwebhooks.HeaderWebhookTimestamp, strconv.FormatInt(now.Unix(), 10))
	req.Header.Set(standardwebhooks.HeaderWebhookSignature, strings.Join(sigs, " "))
	return req, nil
}

func humanDays(d time.Duration) string {
	if d%(24*time.Hour) == 0 {
		return strconv.Itoa(int(d/(24*time.Hour))) + " days"
	}
	return d.String()
}
