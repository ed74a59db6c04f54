package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
)

// loadOptions shape one run of a workload.
type loadOptions struct {
	Concurrency int
	Warmup      time.Duration
	Duration    time.Duration
	// MaxRequests bounds the requests of one run (warm-up included), in
	// case the server answers far faster than expected.
	MaxRequests uint64
	// Pages > 1 makes the list kinds follow next_cursor for that many pages
	// before starting again from the first.
	Pages int
	// Rate > 0 makes the run open-loop: requests are due at this many per
	// second whatever the server does, and Concurrency is the number of
	// connections they share.
	Rate float64
}

// lateAfter is how long after its due time an open-loop request may be
// sent before it counts as late: every connection was busy.
const lateAfter = time.Millisecond

// loadTarget is a server and the users to send load as.
type loadTarget struct {
	baseURL  string
	users    []*benchUser
	payloads *payloads
}

// maxBody bounds what is read of one response.
const maxBody = 8 << 20

// maxSamples bounds the error messages kept per run.
const maxSamples = 5

// rawResult is what the workers measured, merged.
type rawResult struct {
	hist    [numKinds]*histogram
	status  [numKinds]map[int]uint64
	netErrs [numKinds]uint64
	want    [numKinds]int
	samples []string
	elapsed time.Duration
	// late counts the measured open-loop requests sent more than lateAfter
	// after they were due.
	late uint64
}

// total merges the kinds' histograms.
func (r *rawResult) total() *histogram {
	h := &histogram{}
	for _, k := range r.hist {
		if k != nil {
			h.merge(k)
		}
	}
	return h
}

// newHTTPClient returns the client every worker shares: keep-alive
// connections, enough idle ones kept for every worker, no compression (the
// server's cost is what is measured, not gzip's).
func newHTTPClient(concurrency int, timeout time.Duration) *http.Client {
	tr := &http.Transport{
		Proxy:               nil,
		MaxIdleConns:        2 * concurrency,
		MaxIdleConnsPerHost: 2 * concurrency,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
		ForceAttemptHTTP2:   false,
	}
	return &http.Client{
		Transport:     tr,
		Timeout:       timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// runLoad sends wl to the target with opts.Concurrency workers: a warm-up
// whose requests are not recorded, then the measured phase. A request is
// recorded when it starts (open loop: is due) inside the measured phase;
// the phase's length is from its start until the last such request has
// finished.
//
// Closed loop, each worker sends its next request when the last one is
// answered. Open loop (opts.Rate > 0), request i is due at start + i/rate
// whatever the server does; a free worker takes the next due request, and
// its latency runs from the due time, so a server that stalls shows as
// latency rather than as fewer requests (no coordinated omission).
func runLoad(ctx context.Context, client *http.Client, tgt *loadTarget, wl workload, opts loadOptions) (*rawResult, error) {
	if len(tgt.users) == 0 {
		return nil, errors.New("no users to send load as")
	}
	for _, p := range wl.parts {
		if p.kind == kindGet || p.kind == kindUpdate {
			for _, u := range tgt.users {
				if len(u.TaskIDs) == 0 {
					return nil, fmt.Errorf("workload %s needs tasks, but user %s has none", wl.name, u.Username)
				}
			}
		}
		for _, u := range tgt.users {
			switch {
			case p.kind == kindWebList && u.WebCookie == "":
				return nil, fmt.Errorf("workload %s needs a web session for user %s", wl.name, u.Username)
			case p.kind.isTag() && u.Tags.Rare2 == uuid.Nil:
				return nil, fmt.Errorf("workload %s needs a tag for user %s", wl.name, u.Username)
			case p.kind == kindChanges && u.FeedCursor == "":
				return nil, fmt.Errorf("workload %s needs a feed cursor for user %s", wl.name, u.Username)
			case p.kind == kindSubtasks && u.TreeID == uuid.Nil:
				return nil, fmt.Errorf("workload %s needs a task with subtasks for user %s", wl.name, u.Username)
			case p.kind != kindLogin && p.kind != kindWebList && len(u.Auth) == 0:
				return nil, fmt.Errorf("workload %s needs a token for user %s", wl.name, u.Username)
			}
		}
	}
	totalWeight := 0
	for _, p := range wl.parts {
		totalWeight += p.weight
	}
	start := time.Now()
	measureFrom := start.Add(opts.Warmup)
	stopAt := measureFrom.Add(opts.Duration)
	var issued, late atomic.Uint64
	workers := make([]*worker, opts.Concurrency)
	var wg sync.WaitGroup
	for i := range workers {
		u := tgt.users[i%len(tgt.users)]
		w := &worker{
			rng:   rand.New(rand.NewPCG(uint64(i)+1, uint64(start.UnixNano()))),
			tgt:   tgt,
			user:  u,
			login: tgt.payloads.login[i%len(tgt.users)],
			pages: max(opts.Pages, 1),
		}
		if len(u.Auth) > 0 {
			// Workers of the same user spread over its sessions.
			w.auth = u.Auth[(i/len(tgt.users))%len(u.Auth)]
		}
		workers[i] = w
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				var due time.Time
				record := false
				if opts.Rate > 0 {
					i := issued.Add(1) - 1
					due = start.Add(time.Duration(float64(i) / opts.Rate * float64(time.Second)))
					if i >= opts.MaxRequests || !due.Before(stopAt) || !sleepUntil(ctx, due) {
						return
					}
					record = !due.Before(measureFrom)
					if record && time.Since(due) > lateAfter {
						late.Add(1)
					}
				} else {
					if !time.Now().Before(stopAt) || issued.Add(1) > opts.MaxRequests {
						return
					}
					record = !time.Now().Before(measureFrom)
				}
				k := pick(w.rng, wl.parts, totalWeight)
				w.do(ctx, client, w.next(k), record, due)
			}
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	out := &rawResult{elapsed: time.Since(measureFrom), late: late.Load()}
	if out.elapsed < 0 {
		out.elapsed = 0
	}
	for _, w := range workers {
		for k := range numKinds {
			if w.hist[k] != nil {
				if out.hist[k] == nil {
					out.hist[k] = &histogram{}
					out.status[k] = map[int]uint64{}
				}
				out.hist[k].merge(w.hist[k])
				for code, n := range w.status[k] {
					out.status[k][code] += n
				}
			}
			out.netErrs[k] += w.netErrs[k]
			if w.want[k] != 0 {
				out.want[k] = w.want[k]
			}
		}
		for _, s := range w.samples {
			if len(out.samples) < maxSamples && !slices.ContainsFunc(out.samples, func(o string) bool { return sampleClass(o) == sampleClass(s) }) {
				out.samples = append(out.samples, s)
			}
		}
	}
	return out, nil
}

// sleepUntil waits until t; it reports false when ctx ended first.
func sleepUntil(ctx context.Context, t time.Time) bool {
	d := time.Until(t)
	if d <= 0 {
		return ctx.Err() == nil
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// pick chooses a kind by weight.
func pick(rng *rand.Rand, parts []weighted, total int) kind {
	if len(parts) == 1 {
		return parts[0].kind
	}
	n := rng.IntN(total)
	for _, p := range parts {
		if n < p.weight {
			return p.kind
		}
		n -= p.weight
	}
	return parts[len(parts)-1].kind
}

// sampleClass is the class a sample starts with: the kind and the status.
func sampleClass(s string) string {
	kind, rest, _ := strings.Cut(s, " ")
	status, _, _ := strings.Cut(rest, " ")
	return kind + " " + status
}

// snippet is the start of a response body, on one line, for error samples.
func snippet(b []byte) string {
	const n = 200
	if len(b) > n {
		b = b[:n]
	}
	return string(bytes.ReplaceAll(b, []byte("\n"), []byte(" ")))
}

// nextCursor finds next_cursor in a list response without decoding the
// page (the load generator shares the CPU with the server). It falls back
// to encoding/json when the value is escaped or the key is ambiguous.
func nextCursor(body []byte) string {
	const key = `"next_cursor"`
	i := bytes.LastIndex(body, []byte(key))
	if i < 0 {
		return ""
	}
	if i > 0 && body[i-1] == '\\' {
		return decodeNextCursor(body)
	}
	rest := bytes.TrimLeft(body[i+len(key):], " \t\r\n")
	if len(rest) == 0 || rest[0] != ':' {
		return decodeNextCursor(body)
	}
	rest = bytes.TrimLeft(rest[1:], " \t\r\n")
	if len(rest) == 0 || rest[0] != '"' {
		return "" // null: the last page
	}
	end := bytes.IndexByte(rest[1:], '"')
	if end < 0 {
		return ""
	}
	v := rest[1 : 1+end]
	if bytes.IndexByte(v, '\\') >= 0 {
		return decodeNextCursor(body)
	}
	return string(v)
}

func decodeNextCursor(body []byte) string {
	var page struct {
		NextCursor *string `json:"next_cursor"`
	}
	if json.Unmarshal(body, &page) != nil || page.NextCursor == nil {
		return ""
	}
	return *page.NextCursor
}
