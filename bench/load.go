package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
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
}

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
// recorded when it starts inside the measured phase; the phase's length is
// from its start until the last such request has finished.
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
		if p.kind != kindLogin {
			for _, u := range tgt.users {
				if len(u.Auth) == 0 {
					return nil, fmt.Errorf("workload %s needs a token for user %s", wl.name, u.Username)
				}
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
	var issued atomic.Uint64
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
			for ctx.Err() == nil && time.Now().Before(stopAt) && issued.Add(1) <= opts.MaxRequests {
				k := pick(w.rng, wl.parts, totalWeight)
				w.do(ctx, client, w.next(k), !time.Now().Before(measureFrom))
			}
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	out := &rawResult{elapsed: time.Since(measureFrom)}
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

// worker sends requests one after another on its own connection, as one
// user. It is used by one goroutine only.
type worker struct {
	rng   *rand.Rand
	tgt   *loadTarget
	user  *benchUser
	auth  string
	login []byte
	pages int

	// The page being walked, per list kind: its URL without cursor, the
	// cursor of the next page and how many pages were read.
	pageURL  [numKinds]string
	cursor   [numKinds]string
	pageDone [numKinds]int

	hist    [numKinds]*histogram
	status  [numKinds]map[int]uint64
	netErrs [numKinds]uint64
	want    [numKinds]int
	samples []string
	body    bytes.Buffer
}

// next builds the next request of kind k.
func (w *worker) next(k kind) request {
	base := w.tgt.baseURL + "/api/v1"
	switch k {
	case kindGet:
		id := w.user.TaskIDs[w.rng.IntN(len(w.user.TaskIDs))]
		return request{kind: k, method: http.MethodGet, url: base + "/tasks/" + id.String(), auth: w.auth, want: http.StatusOK}
	case kindCreate:
		b := w.tgt.payloads.create[w.rng.IntN(len(w.tgt.payloads.create))]
		return request{kind: k, method: http.MethodPost, url: base + "/tasks", auth: w.auth, body: b, want: http.StatusCreated}
	case kindUpdate:
		id := w.user.TaskIDs[w.rng.IntN(len(w.user.TaskIDs))]
		b := w.tgt.payloads.update[w.rng.IntN(len(w.tgt.payloads.update))]
		return request{kind: k, method: http.MethodPatch, url: base + "/tasks/" + id.String(), auth: w.auth, body: b, want: http.StatusOK}
	case kindLogin:
		return request{kind: k, method: http.MethodPost, url: base + "/auth/login", body: w.login, want: http.StatusOK}
	}
	if w.cursor[k] == "" {
		terms := searchTerms()
		w.pageURL[k] = base + "/tasks?" + listQuery(k, terms[w.rng.IntN(len(terms))])
		w.pageDone[k] = 0
		return request{kind: k, method: http.MethodGet, url: w.pageURL[k], auth: w.auth, want: http.StatusOK}
	}
	return request{kind: k, method: http.MethodGet, url: w.pageURL[k] + "&cursor=" + url.QueryEscape(w.cursor[k]), auth: w.auth, want: http.StatusOK}
}

// do sends r and, when record is set, records its latency and status.
func (w *worker) do(ctx context.Context, client *http.Client, r request, record bool) {
	k := r.kind
	w.want[k] = r.want
	req, err := r.httpRequest(ctx)
	if err != nil {
		w.fail(k, record, fmt.Sprintf("build request: %v", err))
		return
	}
	start := time.Now()
	res, err := client.Do(req)
	if err != nil {
		if ctx.Err() == nil {
			w.fail(k, record, err.Error())
		}
		w.cursor[k] = ""
		return
	}
	w.body.Reset()
	_, rerr := w.body.ReadFrom(io.LimitReader(res.Body, maxBody))
	res.Body.Close()
	elapsed := time.Since(start)
	if rerr != nil && ctx.Err() == nil {
		w.fail(k, record, fmt.Sprintf("read body: %v", rerr))
		w.cursor[k] = ""
		return
	}
	if record {
		if w.hist[k] == nil {
			w.hist[k] = &histogram{}
			w.status[k] = map[int]uint64{}
		}
		w.hist[k].record(elapsed)
		w.status[k][res.StatusCode]++
		if res.StatusCode != r.want {
			w.sample(fmt.Sprintf("%s: %d", k, res.StatusCode), snippet(w.body.Bytes()))
		}
	}
	w.advancePage(k, res.StatusCode == http.StatusOK)
}

// advancePage moves a list kind to its next page, or back to the first.
func (w *worker) advancePage(k kind, ok bool) {
	if !k.isList() || w.pages <= 1 {
		return
	}
	w.pageDone[k]++
	next := ""
	if ok && w.pageDone[k] < w.pages {
		next = nextCursor(w.body.Bytes())
	}
	w.cursor[k] = next
}

func (w *worker) fail(k kind, record bool, msg string) {
	if !record {
		return
	}
	w.netErrs[k]++
	w.sample(k.String()+": net", msg)
}

// sample keeps the first message of each class of failure ("get: 404",
// "list: net"), up to maxSamples. A sample reads "CLASS MESSAGE".
func (w *worker) sample(class, msg string) {
	if len(w.samples) >= maxSamples || slices.ContainsFunc(w.samples, func(s string) bool { return sampleClass(s) == class }) {
		return
	}
	w.samples = append(w.samples, class+" "+msg)
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
