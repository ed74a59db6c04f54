package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"
	"github.com/google/uuid"

	"github.com/taskapi/taskapi"
	"github.com/taskapi/taskapi/internal/events"
)

// EventsInput is GET /events.
type EventsInput struct {
	LastEventID string `header:"Last-Event-ID" doc:"The id of the last event received: the stream goes on after it (browsers send it when they reconnect)"`
	Cursor      string `query:"cursor" doc:"A next_cursor of GET /changes for the same types: the stream starts after it. Without it (and without Last-Event-ID) the stream starts at the present"`
	Types       string `query:"types" doc:"As in GET /changes"`
	// Authorization is read again by the stream: a token is checked anew
	// while the stream lasts.
	Authorization string `header:"Authorization" hidden:"true"`
}

// EventsOutput is the stream.
type EventsOutput struct {
	ContentType string `header:"Content-Type"`
	Body        func(huma.Context)
}

// EventBody is the data of a "changes" event: what GET /changes would
// answer after the previous event's id.
type EventBody struct {
	Changes []ChangeBody `json:"changes"`
}

var errStreamFromSnapshot = taskapi.NewProblem(taskapi.ErrBadRequest,
	"a stream follows changes: finish the full sync with GET /changes first, then stream from its last next_cursor")

// events answers the stream of the caller's changes (see the route). Its
// checks run before the stream starts, so they answer as problems; the
// stream itself is written by follow.
func (s *server) events(ctx context.Context, caller taskapi.Principal, in *EventsInput) (*EventsOutput, error) {
	types, err := followedTypes(caller, in.Types)
	if err != nil {
		return nil, err
	}
	scope := scope("changes", strings.Join(types, ","))
	seq, err := s.streamStart(ctx, caller.User.ID, scope, types, in)
	if err != nil {
		return nil, err
	}
	wake, leave, err := s.hub.Subscribe(caller.User.ID)
	switch {
	case errors.Is(err, events.ErrPerUser):
		return nil, huma.ErrorWithHeaders(huma.Error429TooManyRequests(err.Error()+"; close one (another tab or client) first"),
			http.Header{"Retry-After": {"30"}})
	case errors.Is(err, events.ErrFull):
		return nil, huma.ErrorWithHeaders(huma.Error503ServiceUnavailable(err.Error()+"; try again shortly"),
			http.Header{"Retry-After": {"5"}})
	case err != nil:
		return nil, err
	}
	bearer, _ := bearerToken(in.Authorization)
	return &EventsOutput{ContentType: "text/event-stream", Body: func(hctx huma.Context) {
		r, w := humago.Unwrap(hctx)
		events.Serve(events.WithoutDeadline(r.Context()), w, func(ctx context.Context, sw *events.Writer) {
			defer leave()
			s.follow(ctx, sw, caller, bearer, types, scope, seq, wake)
		})
	}}, nil
}

// streamStart is where a stream starts: after the event the client last
// got, after a cursor of GET /changes, or at the present.
func (s *server) streamStart(ctx context.Context, userID uuid.UUID, scope string, types []string, in *EventsInput) (int64, error) {
	cursor := in.LastEventID
	if cursor == "" {
		cursor = in.Cursor
	}
	if cursor == "" {
		return s.store.ChangeHead(ctx, userID)
	}
	page, err := s.cursors.page(userID, scope, cursor, 1)
	if err != nil {
		return 0, err
	}
	pos, err := parseFeedPosition(page.After)
	if err != nil {
		return 0, err
	}
	if pos.snapshot {
		return 0, errStreamFromSnapshot
	}
	// A position older than the history answers 410 now, not mid-stream.
	if _, err := s.store.ReadChanges(ctx, userID, pos.seq, types, 1); err != nil {
		return 0, err
	}
	return pos.seq, nil
}

// follow writes the stream: each time the feed moved, the changes after
// the last event as one "changes" event (as GET /changes answers them)
// whose id is the cursor after them.
func (s *server) follow(ctx context.Context, sw *events.Writer, caller taskapi.Principal, bearer string, types []string,
	scope string, seq int64, wake <-chan struct{}) {
	userID := caller.User.ID
	feed := events.Feed{
		Read: func(ctx context.Context, after int64) (events.Page, error) {
			changes, next, more, err := s.changesPage(ctx, userID, types, after, 100)
			if err != nil {
				return events.Page{}, err
			}
			pos, _ := parseFeedPosition(next)
			p := events.Page{Next: pos.seq, More: more}
			if len(changes) > 0 {
				p.Data, err = json.Marshal(EventBody{Changes: changes})
			}
			return p, err
		},
		ID:   func(next int64) string { return *s.cursors.next(userID, scope, changesPosition(next)) },
		Gone: []byte(`{"detail":"this stream fell behind the history kept; sync again with GET /changes"}`),
	}
	alive := s.hub.SessionAlive(caller.SessionID)
	if caller.ViaToken() {
		alive = func(ctx context.Context) bool {
			_, err := s.auth.Authenticate(ctx, bearer)
			return !errors.Is(err, taskapi.ErrUnauthorized) && !errors.Is(err, taskapi.ErrForbidden)
		}
	}
	if err := s.hub.Follow(ctx, sw, wake, feed, seq, alive); err != nil && ctx.Err() == nil {
		s.log.WarnContext(ctx, "event stream ended", "err", err.Error())
	}
}
