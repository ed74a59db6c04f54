// Package events tells the live-update streams (the API's /events and the
// web app's) when their user's change feed moved on. A Hub polls the feed
// heads of the users that have a stream on this instance, in one query,
// so a change committed by any instance reaches every stream within the
// poll interval, without a message bus.
package events

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/taskapi/taskapi/internal/store"
)

// Hub is the streams of one instance. Its poller runs only while some
// stream is open.
type Hub struct {
	store *store.Store
	opts  Options

	mu      sync.Mutex
	users   map[uuid.UUID]*hubUser
	total   int
	running bool
	done    chan struct{} // closed by close: every stream ends
	closed  bool
	streams sync.WaitGroup // every stream until it leaves
}

type hubUser struct {
	head    int64 // -1 until first read
	streams map[chan struct{}]struct{}
}

// New returns the hub of an instance over st; it polls only while a
// stream is open.
func New(st *store.Store, o Options) *Hub {
	o = o.withDefaults()
	return &Hub{store: st, opts: o,
		users: map[uuid.UUID]*hubUser{}, done: make(chan struct{})}
}

// The refusals of a stream beyond the bounds: the API answers 429 and 503.
var (
	ErrPerUser = errors.New("too many event streams open for this account")
	ErrFull    = errors.New("this server holds as many event streams as it may")
)

// Options tune a Hub; zero values take the defaults.
type Options struct {
	Poll       time.Duration // how often the heads are read; default 500 ms
	Heartbeat  time.Duration // a comment line keeps idle streams open; default 15 s
	Recheck    time.Duration // how often a stream checks its session or token still lives; default 30 s
	MaxPerUser int           // streams of one user on this instance; default 5
	MaxTotal   int           // streams on this instance; default 1000
}

func (o Options) withDefaults() Options {
	if o.Poll <= 0 {
		o.Poll = 500 * time.Millisecond
	}
	if o.Heartbeat <= 0 {
		o.Heartbeat = 15 * time.Second
	}
	if o.Recheck <= 0 {
		o.Recheck = 30 * time.Second
	}
	if o.MaxPerUser <= 0 {
		o.MaxPerUser = 5
	}
	if o.MaxTotal <= 0 {
		o.MaxTotal = 1000
	}
	return o
}

// Options returns the hub's options, defaults filled in.
func (h *Hub) Options() Options { return h.opts }

// Done is closed when the hub closes: every stream ends.
func (h *Hub) Done() <-chan struct{} { return h.done }

// Subscribe registers a stream of userID: wake receives a signal when
// the user's feed head moved; leave unregisters it.
func (h *Hub) Subscribe(userID uuid.UUID) (wake chan struct{}, leave func(), err error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed || h.total >= h.opts.MaxTotal {
		return nil, nil, ErrFull
	}
	u := h.users[userID]
	if u == nil {
		u = &hubUser{head: -1, streams: map[chan struct{}]struct{}{}}
		h.users[userID] = u
	}
	if len(u.streams) >= h.opts.MaxPerUser {
		return nil, nil, ErrPerUser
	}
	wake = make(chan struct{}, 1)
	u.streams[wake] = struct{}{}
	h.total++
	h.streams.Add(1)
	if !h.running {
		h.running = true
		go h.run()
	}
	return wake, func() {
		h.mu.Lock()
		defer h.mu.Unlock()
		delete(u.streams, wake)
		h.total--
		if len(u.streams) == 0 {
			delete(h.users, userID)
		}
		h.streams.Done()
	}, nil
}

// Close ends every stream (server shutdown) and refuses new ones.
func (h *Hub) Close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.closed {
		h.closed = true
		close(h.done)
	}
}

// Wait returns when every stream has left, after Close, or when ctx ends:
// streams that run apart from net/http's handlers (see Serve) are not
// waited for by the server's shutdown.
func (h *Hub) Wait(ctx context.Context) error {
	left := make(chan struct{})
	go func() {
		h.streams.Wait()
		close(left)
	}()
	select {
	case <-left:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("event streams still open: %w", ctx.Err())
	}
}

// run polls the heads until no stream is left.
func (h *Hub) run() {
	tick := time.NewTicker(h.opts.Poll)
	defer tick.Stop()
	for {
		select {
		case <-h.done:
		case <-tick.C:
		}
		h.mu.Lock()
		if len(h.users) == 0 || h.closed {
			h.running = false
			h.mu.Unlock()
			return
		}
		ids := make([]uuid.UUID, 0, len(h.users))
		for id := range h.users {
			ids = append(ids, id)
		}
		h.mu.Unlock()
		ctx, cancel := context.WithTimeout(context.Background(), h.opts.Poll+5*time.Second)
		heads, err := h.store.ChangeHeads(ctx, ids)
		cancel()
		if err != nil {
			continue // the database is away; the streams wait, their heartbeats go on
		}
		h.mu.Lock()
		for id, u := range h.users {
			if head := heads[id]; head != u.head {
				u.head = head
				for wake := range u.streams {
					select {
					case wake <- struct{}{}:
					default: // already signalled
					}
				}
			}
		}
		h.mu.Unlock()
	}
}
