package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"time"
)

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
	case kindQuick:
		b := w.tgt.payloads.quick[w.rng.IntN(len(w.tgt.payloads.quick))]
		return request{kind: k, method: http.MethodPost, url: base + "/tasks/quick", auth: w.auth, body: b, want: http.StatusCreated}
	case kindSubtasks:
		return request{kind: k, method: http.MethodGet, url: base + "/tasks/" + w.user.TreeID.String() + "/subtasks?limit=50", auth: w.auth, want: http.StatusOK}
	case kindChanges:
		c := w.cursor[k]
		if c == "" {
			c = w.user.FeedCursor
		}
		return request{kind: k, method: http.MethodGet, url: base + "/changes?limit=100&cursor=" + url.QueryEscape(c), auth: w.auth, want: http.StatusOK}
	case kindWebList:
		return request{kind: k, method: http.MethodGet, url: w.tgt.baseURL + "/all", cookie: w.user.WebCookie, want: http.StatusOK}
	}
	if w.cursor[k] == "" {
		terms := searchTerms()
		w.pageURL[k] = base + "/tasks?" + listQuery(k, terms[w.rng.IntN(len(terms))], w.user.Tags)
		w.pageDone[k] = 0
		return request{kind: k, method: http.MethodGet, url: w.pageURL[k], auth: w.auth, want: http.StatusOK}
	}
	return request{kind: k, method: http.MethodGet, url: w.pageURL[k] + "&cursor=" + url.QueryEscape(w.cursor[k]), auth: w.auth, want: http.StatusOK}
}

// do sends r and, when record is set, records its latency and status. The
// latency runs from due when it is set (open loop: when the schedule says
// the request should have gone), else from when it is sent.
func (w *worker) do(ctx context.Context, client *http.Client, r request, record bool, due time.Time) {
	k := r.kind
	w.want[k] = r.want
	req, err := r.httpRequest(ctx)
	if err != nil {
		w.fail(k, record, fmt.Sprintf("build request: %v", err))
		return
	}
	start := due
	if start.IsZero() {
		start = time.Now()
	}
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

// advancePage moves a list kind to its next page, or back to the first;
// a feed catch-up follows next_cursor while has_more, then starts again.
func (w *worker) advancePage(k kind, ok bool) {
	if k == kindChanges {
		w.cursor[k] = ""
		if ok && bytes.Contains(w.body.Bytes(), []byte(`"has_more":true`)) {
			w.cursor[k] = nextCursor(w.body.Bytes())
		}
		return
	}
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
