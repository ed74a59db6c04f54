package web

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/taskapi/taskapi/internal/events"
	"github.com/taskapi/taskapi/internal/store"
)

// The live updates of the pages (static/live.js): GET /events streams the
// signed-in user's changes with the instance's hub, the one the API's
// GET /events uses. Its events are light, the type, op and id of what
// changed, since a page brings itself up to date from the server; the id
// of each is the feed position after it, which the browser sends back as
// Last-Event-ID when it reconnects.

// liveChange is one entry of a "changes" event of the web stream.
type liveChange struct {
	Seq  int64  `json:"seq"`
	Type string `json:"type"`
	Op   string `json:"op"`
	ID   string `json:"id"`
	// Task is the task a comment belongs to, or a task itself.
	Task string `json:"task,omitempty"`
}

// liveEvents streams the user's changes until the client leaves, the
// session ends or the server shuts down.
func (a *App) liveEvents(w http.ResponseWriter, r *http.Request, rq *req) {
	userID := rq.p.User.ID
	after, err := a.liveStart(r, rq)
	if errors.Is(err, errLiveStart) {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	} else if err != nil {
		a.log.WarnContext(r.Context(), "web: live updates", "err", err.Error())
		w.Header().Set("Retry-After", "5")
		http.Error(w, "the database did not answer; try again shortly", http.StatusServiceUnavailable)
		return
	}
	wake, leave, err := a.hub.Subscribe(userID)
	switch {
	case errors.Is(err, events.ErrPerUser):
		w.Header().Set("Retry-After", "30")
		http.Error(w, err.Error()+"; close another tab or client first", http.StatusTooManyRequests)
		return
	case err != nil:
		w.Header().Set("Retry-After", "5")
		http.Error(w, err.Error()+"; try again shortly", http.StatusServiceUnavailable)
		return
	}
	feed := events.Feed{
		Read: func(ctx context.Context, after int64) (events.Page, error) {
			page, err := a.store.ReadChanges(ctx, userID, after, nil, 100)
			if err != nil {
				return events.Page{}, err
			}
			p := events.Page{Next: page.Next, More: page.More}
			if len(page.Records) > 0 {
				p.Data, err = json.Marshal(struct {
					Changes []liveChange `json:"changes"`
				}{liveChanges(page.Records)})
			}
			return p, err
		},
		ID:   func(next int64) string { return strconv.FormatInt(next, 10) },
		Gone: []byte(`{"detail":"this page fell behind the history kept; reload it"}`),
	}
	events.Serve(events.WithoutDeadline(r.Context()), w, func(ctx context.Context, sw *events.Writer) {
		defer leave()
		if err := a.hub.Follow(ctx, sw, wake, feed, after, a.hub.SessionAlive(rq.p.SessionID)); err != nil && ctx.Err() == nil {
			a.log.WarnContext(ctx, "web: live updates ended", "err", err.Error())
		}
	})
}

var errLiveStart = errors.New("Last-Event-ID and after must be a position in the feed: a whole number")

// liveStart is where a stream starts: after the event the browser last
// got (Last-Event-ID, when it reconnects), after the position the page was
// rendered at (?after=), or at the present. A position past the head
// (from another database) starts at the head.
func (a *App) liveStart(r *http.Request, rq *req) (int64, error) {
	given := r.Header.Get("Last-Event-ID")
	if given == "" {
		given = r.URL.Query().Get("after")
	}
	n := int64(-1)
	if given != "" {
		var err error
		if n, err = strconv.ParseInt(strings.TrimSpace(given), 10, 64); err != nil || n < 0 {
			return 0, errLiveStart
		}
	}
	head, err := a.store.ChangeHead(r.Context(), rq.p.User.ID)
	if err != nil {
		return 0, err
	}
	if n < 0 {
		return head, nil
	}
	return min(n, head), nil
}

func liveChanges(recs []store.ChangeRecord) []liveChange {
	out := make([]liveChange, len(recs))
	for i, r := range recs {
		c := liveChange{Seq: r.Seq, Type: r.Type, Op: "upsert", ID: r.ID.String()}
		if r.Op == store.ChangeDelete {
			c.Op = "delete"
		}
		if r.TaskID != nil {
			c.Task = r.TaskID.String()
		}
		out[i] = c
	}
	return out
}
