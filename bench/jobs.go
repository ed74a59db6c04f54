package main

// The durable queues measured end to end: webhook deliveries to a local
// receiver, and reminders coming due, each worked by two "instances" (two
// workers with a store of their own on the same database).

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/taskapi/taskapi"
	"github.com/taskapi/taskapi/internal/egress"
	"github.com/taskapi/taskapi/internal/mail"
	"github.com/taskapi/taskapi/internal/store"
	"github.com/taskapi/taskapi/internal/webhooks"
)

// JobResult is one durable queue emptied by two instances.
type JobResult struct {
	Queue      string  `json:"queue"` // deliveries or reminders
	Engine     string  `json:"engine"`
	Jobs       int     `json:"jobs"`
	Seconds    float64 `json:"seconds"`
	PerSecond  float64 `json:"per_second"`
	Lost       int     `json:"lost"`
	Duplicated int     `json:"duplicated"`
}

// jobInstances is how many workers, each with its own store, share a queue.
const jobInstances = 2

// benchEndpoints is how many webhook endpoints the deliveries spread over.
const benchEndpoints = 8

// jobDeadline bounds how long a queue may take to empty.
const jobDeadline = 10 * time.Minute

// instances opens jobInstances stores on the bench's database.
func (b *bench) instances(ctx context.Context) ([]*store.Store, func(), error) {
	var sts []*store.Store
	closeAll := func() {
		for _, st := range sts {
			st.Close()
		}
	}
	for range jobInstances {
		st, err := store.Open(ctx, b.dbURL)
		if err != nil {
			closeAll()
			return nil, nil, err
		}
		sts = append(sts, st)
	}
	return sts, closeAll, nil
}

// deliveries queues n test deliveries to a receiver on this machine and
// times two webhook workers sending them all; the receiver counts each
// webhook-id, so a delivery sent twice or never is seen.
func (b *bench) deliveries(ctx context.Context, n int) (JobResult, error) {
	var mu sync.Mutex
	seen := map[string]int{}
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen[r.Header.Get("webhook-id")]++
		mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	defer recv.Close()
	u, err := b.seed.ensureUser(ctx, "bench_hooks")
	if err != nil {
		return JobResult{}, err
	}
	// Deliveries to one endpoint go in order, one at a time: several
	// endpoints let the instances work side by side.
	var hooks []uuid.UUID
	for i := range benchEndpoints {
		created, _, err := b.st.CreateWebhook(ctx, u.ID, taskapi.Webhook{URL: fmt.Sprintf("%s/hook/%d", recv.URL, i), EventTypes: []string{"task.created"}, Active: true},
			store.WebhookPolicy{AllowHTTP: true, AllowPrivate: true}, nil)
		if err != nil {
			return JobResult{}, fmt.Errorf("create a webhook: %w", err)
		}
		hooks = append(hooks, created.Webhook.ID)
	}
	err = b.timed(fmt.Sprintf("%d webhook deliveries", n), func() (int, error) {
		for i := range n {
			if err := b.st.PingWebhook(ctx, u.ID, hooks[i%len(hooks)]); err != nil {
				return 0, err
			}
		}
		return n, nil
	})
	if err != nil {
		return JobResult{}, err
	}
	sts, closeAll, err := b.instances(ctx)
	if err != nil {
		return JobResult{}, err
	}
	defer closeAll()
	client := egress.New(egress.Options{AllowHTTP: true, AllowPrivate: true})
	render := func(context.Context, uuid.UUID, string, uuid.UUID) (json.RawMessage, error) {
		return json.RawMessage(`{}`), nil
	}
	var workers []func(context.Context)
	for _, st := range sts {
		w := webhooks.NewWorker(st, render, slog.New(slog.DiscardHandler), webhooks.Options{Poll: 50 * time.Millisecond, Client: client})
		workers = append(workers, w.Run)
	}
	done := func() (bool, int, int) {
		mu.Lock()
		defer mu.Unlock()
		dup := 0
		for _, c := range seen {
			dup += c - 1
		}
		return len(seen) >= n, len(seen), dup
	}
	secs, err := runUntil(ctx, workers, func() (bool, error) { ok, _, _ := done(); return ok, nil })
	_, got, dup := done()
	res := JobResult{Queue: "deliveries", Engine: b.st.Engine(), Jobs: n, Seconds: secs, PerSecond: ratio(float64(got), secs), Lost: n - got, Duplicated: dup}
	fmt.Fprintf(b.stderr, "deliveries: %d in %.2fs, lost %d, duplicated %d\n", got, secs, res.Lost, dup)
	return res, err
}

// reminders makes n reminders of open tasks (100 per user) due at once and
// times two reminder workers sending them all; each must be sent once:
// marked SENT with exactly one notification.
func (b *bench) reminders(ctx context.Context, n int) (JobResult, error) {
	const perUser = 100
	var taskIDs []uuid.UUID
	err := b.timed(fmt.Sprintf("%d reminders", n), func() (int, error) {
		at := time.Now().Add(time.Hour).UTC()
		for i := 0; len(taskIDs) < n; i++ {
			u, err := b.seed.ensureUser(ctx, fmt.Sprintf("bench_remind%04d", i/perUser))
			if err != nil {
				return 0, err
			}
			due := at.Add(time.Hour)
			t, _, err := b.st.CreateTask(ctx, u.ID, taskapi.Task{Title: "Reminded", Status: taskapi.StatusTodo, Priority: taskapi.PriorityMedium,
				DueDate: &due, Reminders: []taskapi.Reminder{{At: &at}}}, nil)
			if err != nil {
				return 0, err
			}
			taskIDs = append(taskIDs, t.ID)
		}
		// All come due now: what is measured is the claiming and sending.
		_, err := b.st.DB().ExecContext(ctx, `UPDATE reminders SET fire_at = $1 WHERE state = 'PENDING' AND task_id IN
			(SELECT t.id FROM tasks t JOIN users u ON u.id = t.user_id WHERE u.username LIKE 'bench_remind%')`, time.Now().UTC().Add(-time.Second))
		return n, err
	})
	if err != nil {
		return JobResult{}, err
	}
	sts, closeAll, err := b.instances(ctx)
	if err != nil {
		return JobResult{}, err
	}
	defer closeAll()
	var workers []func(context.Context)
	for _, st := range sts {
		w := mail.NewReminderWorker(st, mail.NewTemplates("http://localhost:8080"), slog.New(slog.DiscardHandler), mail.ReminderOptions{Poll: 50 * time.Millisecond})
		workers = append(workers, w.Run)
	}
	pending := func() (int, error) {
		var left int
		err := b.st.DB().QueryRowContext(ctx, `SELECT count(*) FROM reminders WHERE state = 'PENDING'`).Scan(&left)
		return left, err
	}
	secs, err := runUntil(ctx, workers, func() (bool, error) { left, err := pending(); return left == 0, err })
	if err != nil {
		return JobResult{}, err
	}
	res := JobResult{Queue: "reminders", Engine: b.st.Engine(), Jobs: n, Seconds: secs, PerSecond: ratio(float64(n), secs)}
	// Each task's reminder: SENT, with exactly one notification.
	var sent, notes, dupTasks int
	if err := b.st.DB().QueryRowContext(ctx, `SELECT count(*) FROM reminders r JOIN users u ON u.id = (SELECT user_id FROM tasks WHERE id = r.task_id)
		WHERE r.state = 'SENT' AND u.username LIKE 'bench_remind%'`).Scan(&sent); err != nil {
		return res, err
	}
	if err := b.st.DB().QueryRowContext(ctx, `SELECT count(*), count(*) - count(DISTINCT task_id) FROM notifications n JOIN users u ON u.id = n.user_id
		WHERE u.username LIKE 'bench_remind%'`).Scan(&notes, &dupTasks); err != nil {
		return res, err
	}
	res.Lost, res.Duplicated = max(n-sent, 0), dupTasks
	fmt.Fprintf(b.stderr, "reminders: %d sent in %.2fs, %d notifications\n", sent, secs, notes)
	if notes != sent+dupTasks {
		return res, fmt.Errorf("reminders: %d sent but %d notifications", sent, notes)
	}
	return res, nil
}

// runUntil runs the workers until done says so, and returns the seconds
// that took; the workers are stopped before it returns.
func runUntil(ctx context.Context, workers []func(context.Context), done func() (bool, error)) (float64, error) {
	wctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	start := time.Now()
	for _, run := range workers {
		wg.Go(func() { run(wctx) })
	}
	defer func() { cancel(); wg.Wait() }()
	deadline := start.Add(jobDeadline)
	for {
		ok, err := done()
		if err != nil {
			return 0, err
		}
		if ok {
			return time.Since(start).Seconds(), nil
		}
		if time.Now().After(deadline) {
			return time.Since(start).Seconds(), errors.New("the queue was not empty after 10 minutes")
		}
		select {
		case <-ctx.Done():
			return 0, ctx.Err()
		case <-time.After(5 * time.Millisecond):
		}
	}
}

// queues is the queues mode: webhook deliveries, then reminders.
func (b *bench) queues(ctx context.Context) error {
	var results []JobResult
	if b.o.deliveries > 0 {
		r, err := b.deliveries(ctx, b.o.deliveries)
		if err != nil {
			return err
		}
		results = append(results, r)
	}
	if b.o.reminders > 0 {
		r, err := b.reminders(ctx, b.o.reminders)
		if err != nil {
			return err
		}
		results = append(results, r)
	}
	b.report.Queues = results
	writeHeader(b.stdout, b.report)
	rows := [][]string{{"queue", "engine", "instances", "jobs", "seconds", "per second", "lost", "duplicated"}}
	for _, r := range results {
		rows = append(rows, []string{r.Queue, r.Engine, fmt.Sprint(jobInstances), fmt.Sprint(r.Jobs), fmt.Sprintf("%.2f", r.Seconds),
			fmt.Sprintf("%.0f", r.PerSecond), fmt.Sprint(r.Lost), fmt.Sprint(r.Duplicated)})
	}
	if err := renderRows(b.stdout, rows, b.o.markdown); err != nil {
		return err
	}
	return b.writeJSON()
}
