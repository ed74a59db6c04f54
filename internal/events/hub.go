// Package events tells the live-update streams (the API's /events and the
// web app's) when their user's change feed moved on. A Hub hears the
// store's change notifications (PostgreSQL LISTEN/NOTIFY; on SQLite, a
// commit by any connection) and reads the feed heads of the users they
// name that have a stream on this instance, so a change committed by any
// instance reaches its streams at once, without a message bus. It also
// polls every head, in one query: often while the notifications are not
// heard (a lost connection), seldom while they are.
package events

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
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
	heard   *heard         // of the running poller; nil while none runs
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
	Poll time.Duration // how often every head is read while the store's notifications are not heard; default 500 ms
	// PollListening is how often every head is read while they are, in
	// case; default 30 s.
	PollListening time.Duration
	// Logger says when listening fails and starts again; nil: not said.
	Logger     *slog.Logger
	Heartbeat  time.Duration // a comment line keeps idle streams open; default 15 s
	Recheck    time.Duration // how often a stream checks its session or token still lives; default 30 s
	MaxPerUser int           // streams of one user on this instance; default 5
	MaxTotal   int           // streams on this instance; default 1000
}

func (o Options) withDefaults() Options {
	if o.Poll <= 0 {
		o.Poll = 500 * time.Millisecond
	}
	if o.PollListening <= 0 {
		o.PollListening = 30 * time.Second
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
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

// run wakes the streams whose user's head moved, until no stream is left:
// it reads the heads of the users the store's notifications name (listen)
// and, every pollEvery, of every user.
func (h *Hub) run() {
	ctx, stopListening := context.WithCancel(context.Background())
	defer stopListening()
	hd := newHeard()
	h.mu.Lock()
	h.heard = hd
	h.mu.Unlock()
	if h.store != nil { // a hub without one (tests of the bounds) only counts streams
		go h.listen(ctx, hd)
	}
	poll := time.NewTimer(h.opts.Poll)
	defer poll.Stop()
	for {
		var named []uuid.UUID
		all := false
		select {
		case <-h.done:
		case <-poll.C:
			all = true
		case <-hd.wake:
			named, all = hd.take()
		}
		h.mu.Lock()
		if len(h.users) == 0 || h.closed {
			h.running = false
			h.heard = nil
			h.mu.Unlock()
			return
		}
		ids := make([]uuid.UUID, 0, len(h.users))
		if all {
			for id := range h.users {
				ids = append(ids, id)
			}
		} else {
			for _, id := range named {
				if _, ok := h.users[id]; ok {
					ids = append(ids, id)
				}
			}
		}
		h.mu.Unlock()
		if all {
			poll.Reset(h.pollEvery(hd))
		}
		if len(ids) == 0 {
			continue // changes of users with no stream here
		}
		qctx, cancel := context.WithTimeout(ctx, h.opts.Poll+5*time.Second)
		heads, err := h.store.ChangeHeads(qctx, ids)
		cancel()
		if err != nil {
			// The database is away; the streams wait, their heartbeats go
			// on, and every head is read again soon.
			poll.Reset(h.opts.Poll)
			continue
		}
		h.mu.Lock()
		for _, id := range ids {
			u := h.users[id]
			if u == nil {
				continue
			}
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
