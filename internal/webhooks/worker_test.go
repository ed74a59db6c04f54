package webhooks_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"
	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/taskapi/taskapi"
	"github.com/taskapi/taskapi/internal/egress"
	"github.com/taskapi/taskapi/internal/store"
	"github.com/taskapi/taskapi/internal/store/storetest"
	"github.com/taskapi/taskapi/internal/testkit"
	"github.com/taskapi/taskapi/internal/webhooks"
)

// receiver is a webhook endpoint under test: it verifies each request's
// signature with the specification's library against the secrets it
// knows, and answers what answer says.
type receiver struct {
	*httptest.Server
	t       *testing.T
	mu      sync.Mutex
	secrets []string
	got     []delivery
	answer  func(n int) int // status for the n-th request (0-based)
}

type delivery struct {
	ID, Type string
	Body     string
	Verified bool
}

func newReceiver(t *testing.T) *receiver {
	r := &receiver{t: t, answer: func(int) int { return http.StatusNoContent }}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		var ev struct {
			Type string `json:"type"`
		}
		_ = json.Unmarshal(body, &ev)
		r.mu.Lock()
		verified := false
		for _, s := range r.secrets {
			wh, err := standardwebhooks.NewWebhook(s)
			// The tests' clock runs ahead of the receiver's, so the
			// timestamp's freshness is not what is checked here.
			if err == nil && wh.VerifyIgnoringTimestamp(body, req.Header) == nil {
				verified = true
			}
		}
		n := len(r.got)
		r.got = append(r.got, delivery{ID: req.Header.Get("webhook-id"), Type: ev.Type, Body: string(body), Verified: verified})
		status := r.answer(n)
		r.mu.Unlock()
		w.WriteHeader(status)
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *receiver) deliveries() []delivery {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]delivery(nil), r.got...)
}

type fixture struct {
	st    *store.Store
	clock *testkit.Clock
	user  uuid.UUID
	url   string
}

func setup(t *testing.T, e storetest.Engine) fixture {
	t.Helper()
	// The clock starts now: the receiver checks the signature's timestamp
	// against its own clock.
	clock := testkit.NewClock(time.Now().UTC().Truncate(time.Second))
	url := e.NewURL(t)
	st := storetest.Open(t, url, store.WithClock(clock.Now))
	u, err := st.CreateUser(context.Background(), taskapi.User{Email: "hook@example.com", Username: "hook", IsActive: true}, "x")
	if err != nil {
		t.Fatal(err)
	}
	return fixture{st: st, clock: clock, user: u.ID, url: url}
}

func (f fixture) endpoint(t *testing.T, r *receiver) taskapi.Webhook {
	t.Helper()
	created, _, err := f.st.CreateWebhook(context.Background(), f.user,
		taskapi.Webhook{URL: r.URL, EventTypes: []string{"task.created"}}, store.WebhookPolicy{AllowHTTP: true, AllowPrivate: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	r.secrets = append(r.secrets, created.Secret)
	return created.Webhook
}

// ping queues a test delivery to the endpoint id.
func (f fixture) ping(t *testing.T, id uuid.UUID) {
	t.Helper()
	if err := f.st.PingWebhook(context.Background(), f.user, id); err != nil {
		t.Fatal(err)
	}
}

func worker(st *store.Store, opts webhooks.Options) *webhooks.Worker {
	if opts.Client == nil {
		opts.Client = egress.New(egress.Options{AllowPrivate: true, AllowHTTP: true, Timeout: 5 * time.Second})
	}
	return webhooks.NewWorker(st, func(_ context.Context, _ uuid.UUID, _ string, id uuid.UUID) (json.RawMessage, error) {
		return json.RawMessage(`{"id":"` + id.String() + `"}`), nil
	}, nil, opts)
}

func deliveriesOf(t *testing.T, st *store.Store, user, hook uuid.UUID) []store.Delivery {
	t.Helper()
	items, _, err := st.ListDeliveries(context.Background(), user, hook, store.Page{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	return items
}

// A delivery is signed so that the specification's library verifies it;
// a receiver that fails is retried after the backoff with the same
// message ID and body until it answers 2xx; the log shows each outcome.
func TestDeliverSignedWithRetries(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			f := setup(t, e)
			r := newReceiver(t)
			r.answer = func(n int) int {
				if n < 2 {
					return http.StatusServiceUnavailable
				}
				return http.StatusOK
			}
			hook := f.endpoint(t, r)
			ctx := context.Background()
			f.ping(t, hook.ID)
			w := worker(f.st, webhooks.Options{Backoff: time.Minute})
			w.Drain(ctx)
			w.Drain(ctx) // not due yet: nothing more is sent
			if n := len(r.deliveries()); n != 1 {
				t.Fatalf("%d requests before the backoff ran out, want 1", n)
			}
			log := deliveriesOf(t, f.st, f.user, hook.ID)
			if len(log) != 1 || log[0].Status != "pending" || log[0].LastStatus == nil || *log[0].LastStatus != 503 {
				t.Fatalf("log after a 503: %+v", log)
			}
			f.clock.Advance(2 * time.Minute)
			w.Drain(ctx)
			f.clock.Advance(5 * time.Minute)
			w.Drain(ctx)
			got := r.deliveries()
			if len(got) != 3 {
				t.Fatalf("%d requests, want 3", len(got))
			}
			for _, d := range got {
				if !d.Verified || d.ID != got[0].ID || d.Body != got[0].Body || d.Type != store.PingEvent {
					t.Errorf("delivery %+v: want verified, same ID and body as the first", d)
				}
			}
			log = deliveriesOf(t, f.st, f.user, hook.ID)
			if log[0].Status != "delivered" || log[0].Attempts != 3 {
				t.Errorf("log: %+v, want delivered after 3 attempts", log[0])
			}
		})
	}
}

// Two instances draining the same queue at once send every delivery
// exactly once, and each endpoint's deliveries in the order they were made.
func TestTwoWorkersSendEachOnceInOrder(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			f := setup(t, e)
			other := storetest.Open(t, f.url, store.WithClock(f.clock.Now))
			r := newReceiver(t)
			hook := f.endpoint(t, r)
			ctx := context.Background()
			const n = 30
			for range n {
				f.ping(t, hook.ID)
			}
			var wg sync.WaitGroup
			for _, st := range []*store.Store{f.st, other} {
				w := worker(st, webhooks.Options{})
				wg.Go(func() { w.Drain(ctx) })
			}
			wg.Wait()
			// One Drain may stop early when its claim found the head of the
			// queue held by the other worker: drain once more.
			worker(f.st, webhooks.Options{}).Drain(ctx)
			log := deliveriesOf(t, f.st, f.user, hook.ID) // newest first
			var want []string
			for i := len(log) - 1; i >= 0; i-- {
				want = append(want, log[i].ID.String())
			}
			var got []string
			for _, d := range r.deliveries() {
				got = append(got, d.ID)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("deliveries received (-in the order made +as received):\n%s", diff)
			}
		})
	}
}

// A worker that dies after its claim loses nothing: once the lease runs
// out, another instance sends the delivery.
func TestClaimSurvivesACrash(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			f := setup(t, e)
			r := newReceiver(t)
			hook := f.endpoint(t, r)
			ctx := context.Background()
			f.ping(t, hook.ID)
			if _, ok, err := f.st.ClaimDelivery(ctx, time.Minute); err != nil || !ok {
				t.Fatalf("claim: %v %v", ok, err)
			}
			restarted := storetest.Open(t, f.url, store.WithClock(f.clock.Now))
			w := worker(restarted, webhooks.Options{})
			w.Drain(ctx)
			if n := len(r.deliveries()); n != 0 {
				t.Fatalf("%d requests while the lease held", n)
			}
			f.clock.Advance(2 * time.Minute)
			w.Drain(ctx)
			if got := r.deliveries(); len(got) != 1 || !got[0].Verified {
				t.Fatalf("after the lease: %+v, want one verified delivery", got)
			}
		})
	}
}

// An endpoint that answers 410 Gone, or fails for five days, is turned
// off: its pending deliveries fail and its owner gets an email.
func TestFailingEndpointIsDisabled(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			f := setup(t, e)
			ctx := context.Background()
			notice := func(c store.DeliveryClaim, reason string) (*store.OutboxMessage, error) {
				return &store.OutboxMessage{UserID: &c.UserID, To: c.OwnerEmail, Subject: "Webhook disabled", Text: reason}, nil
			}

			gone := newReceiver(t)
			gone.answer = func(int) int { return http.StatusGone }
			hook := f.endpoint(t, gone)
			for range 2 {
				f.ping(t, hook.ID)
			}
			worker(f.st, webhooks.Options{Notice: notice}).Drain(ctx)
			got, err := f.st.GetWebhook(ctx, f.user, hook.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.Active || !strings.Contains(got.DisabledReason, "410") {
				t.Errorf("after 410: active %v, reason %q", got.Active, got.DisabledReason)
			}
			if n := len(gone.deliveries()); n != 1 {
				t.Errorf("%d requests to a gone endpoint, want 1", n)
			}
			for _, d := range deliveriesOf(t, f.st, f.user, hook.ID) {
				if d.Status != "failed" {
					t.Errorf("delivery %s is %s after the endpoint was disabled", d.ID, d.Status)
				}
			}

			down := newReceiver(t)
			down.answer = func(int) int { return http.StatusInternalServerError }
			hook = f.endpoint(t, down)
			w := worker(f.st, webhooks.Options{Notice: notice, Backoff: time.Hour, MaxBackoff: 6 * time.Hour})
			for day := 0; day < 6; day++ {
				f.ping(t, hook.ID)
				w.Drain(ctx)
				f.clock.Advance(24 * time.Hour)
			}
			w.Drain(ctx)
			if got, _ := f.st.GetWebhook(ctx, f.user, hook.ID); got.Active || !strings.Contains(got.DisabledReason, "5 days") {
				t.Errorf("after 5 days of failures: active %v, reason %q", got.Active, got.DisabledReason)
			}
			mail, err := f.st.OutboxStatus(ctx, 10)
			if err != nil {
				t.Fatal(err)
			}
			if len(mail) != 2 || mail[0].To != "hook@example.com" {
				t.Errorf("outbox after two endpoints were disabled: %+v", mail)
			}
		})
	}
}

// Without the operator's permission, an endpoint on the server's own
// network is never reached: the attempt fails with the reason logged.
func TestPrivateTargetRefused(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			f := setup(t, e)
			r := newReceiver(t)
			hook := f.endpoint(t, r)
			ctx := context.Background()
			f.ping(t, hook.ID)
			worker(f.st, webhooks.Options{Client: egress.New(egress.Options{AllowHTTP: true})}).Drain(ctx)
			if n := len(r.deliveries()); n != 0 {
				t.Fatalf("a loopback endpoint was reached %d times", n)
			}
			log := deliveriesOf(t, f.st, f.user, hook.ID)
			if len(log) != 1 || log[0].LastError == nil || !strings.Contains(*log[0].LastError, "not allowed") {
				t.Errorf("log: %+v, want the refusal as the last error", log)
			}
		})
	}
}

// After a rotation both secrets sign for a day, so a receiver that still
// knows only the old one verifies; after that, only the new one signs.
func TestRotatedSecretSignsForADay(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			f := setup(t, e)
			r := newReceiver(t)
			hook := f.endpoint(t, r) // r knows the first secret only
			ctx := context.Background()
			rotated, err := f.st.RotateWebhookSecret(ctx, f.user, hook.ID, nil)
			if err != nil {
				t.Fatal(err)
			}
			if rotated.Secret == "" || rotated.Secret == r.secrets[0] {
				t.Fatalf("rotation gave %q", rotated.Secret)
			}
			w := worker(f.st, webhooks.Options{})
			f.ping(t, hook.ID)
			w.Drain(ctx)
			f.clock.Advance(store.WebhookSecretRollover + time.Minute)
			f.ping(t, hook.ID)
			w.Drain(ctx)
			got := r.deliveries()
			if len(got) != 2 || !got[0].Verified || got[1].Verified {
				t.Fatalf("old secret verifies %+v; want the first delivery only", got)
			}
			r.secrets = []string{rotated.Secret}
			f.ping(t, hook.ID)
			w.Drain(ctx)
			if got := r.deliveries(); !got[2].Verified {
				t.Errorf("the new secret does not verify")
			}
		})
	}
}
