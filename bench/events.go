package main

// The live-update fan-out: many open GET /api/v1/events streams, one change
// per user, and how long each change takes to reach each of its streams.

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/taskapi/taskapi"
	"github.com/taskapi/taskapi/internal/auth"
)

// EventsResult is one fan-out measurement.
type EventsResult struct {
	Streams      int     `json:"streams"`
	Users        int     `json:"users"`
	Received     int     `json:"received"`
	P50MS        float64 `json:"p50_ms"`
	P99MS        float64 `json:"p99_ms"`
	MaxMS        float64 `json:"max_ms"`
	PeakRSSBytes int64   `json:"peak_rss_bytes,omitempty"`
}

// streamsPerUser is the server's bound of streams per user and instance.
const streamsPerUser = 5

// eventsFanOut opens n streams (streamsPerUser per user), changes one task
// of each user, and times each change from its write to its arrival on
// each of its user's streams.
func (b *bench) eventsFanOut(ctx context.Context, n int) error {
	users := n / streamsPerUser
	srv, err := b.startTaskapi(ctx)
	if err != nil {
		return err
	}
	svc, err := newAuthService(b.st, b.jwtSecret, tokenTTL, 30*24*time.Hour, b.o.bcryptCost)
	if err != nil {
		return err
	}
	type member struct {
		u    *benchUser
		task taskapi.Task
	}
	var members []member
	err = b.timed(fmt.Sprintf("%d users with a task each", users), func() (int, error) {
		for i := range users {
			u, err := b.seed.ensureUser(ctx, fmt.Sprintf("bench_live%04d", i))
			if err != nil {
				return 0, err
			}
			t, _, err := b.st.CreateTask(ctx, u.ID, taskapi.Task{Title: "Live", Status: taskapi.StatusTodo, Priority: taskapi.PriorityLow}, nil)
			if err != nil {
				return 0, err
			}
			members = append(members, member{u, t})
		}
		return users, nil
	})
	if err != nil {
		return err
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: n, DisableCompression: true}}
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	// A change is timed from the start of its write: its commit comes a
	// few milliseconds later, and a stream may hear of it before the
	// write's call has returned.
	var (
		mu       sync.Mutex
		written  = make([]time.Time, users)
		arrivals = make([][]time.Time, users)
		received int
		wg       sync.WaitGroup
	)
	stopRSS := srv.rss.watch(ctx)
	for i, m := range members {
		for range streamsPerUser {
			pair, err := svc.StartSession(ctx, m.u.ID, auth.ClientInfo{UserAgent: "taskapi-bench", IP: "127.0.0.1"})
			if err != nil {
				return err
			}
			req, err := http.NewRequestWithContext(sctx, http.MethodGet, srv.url+"/api/v1/events", nil)
			if err != nil {
				return err
			}
			req.Header.Set("Authorization", "Bearer "+pair.AccessToken)
			req.Header.Set("Accept", "text/event-stream")
			res, err := client.Do(req)
			if err != nil {
				return fmt.Errorf("open a stream: %w", err)
			}
			if res.StatusCode != http.StatusOK {
				res.Body.Close()
				return fmt.Errorf("open a stream: status %d", res.StatusCode)
			}
			wg.Go(func() {
				defer res.Body.Close()
				r := bufio.NewReader(res.Body)
				for {
					line, err := r.ReadString('\n')
					if err != nil {
						return
					}
					if strings.HasPrefix(line, "event: changes") {
						now := time.Now()
						mu.Lock()
						arrivals[i] = append(arrivals[i], now)
						received++
						mu.Unlock()
						return
					}
				}
			})
		}
	}
	// Every stream is registered before the first change: two polls of the hub.
	time.Sleep(1500 * time.Millisecond)
	for i, m := range members {
		p := taskapi.PriorityHigh
		mu.Lock()
		written[i] = time.Now()
		mu.Unlock()
		if _, err := b.st.UpdateTask(ctx, m.u.ID, m.task.ID, taskapi.TaskPatch{Priority: &p}, nil); err != nil {
			return err
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		mu.Lock()
		got := received
		mu.Unlock()
		if got == n {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	peak := stopRSS()
	cancel()
	wg.Wait()
	var latencies []time.Duration
	for i, at := range arrivals {
		for _, a := range at {
			latencies = append(latencies, a.Sub(written[i]))
		}
	}
	slices.Sort(latencies)
	res := EventsResult{Streams: n, Users: users, Received: len(latencies), PeakRSSBytes: peak}
	if len(latencies) > 0 {
		res.P50MS = ms(latencies[len(latencies)/2])
		res.P99MS = ms(latencies[len(latencies)*99/100])
		res.MaxMS = ms(latencies[len(latencies)-1])
	}
	b.report.Events = &res
	writeHeader(b.stdout, b.report)
	fmt.Fprintf(b.stdout, "events: %d streams of %d users, %d received a change: p50 %s, p99 %s, max %s after its write; server peak RSS %s\n",
		res.Streams, res.Users, res.Received, msText(res.P50MS), msText(res.P99MS), msText(res.MaxMS), mbText(res.PeakRSSBytes, ""))
	return b.writeJSON()
}
