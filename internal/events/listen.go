package events

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/google/uuid"
)

// The hub's wake source besides its poll: the store's change
// notifications (store.ListenChanges), heard on a connection of their own
// while streams are open, so a change committed by any instance reaches
// the streams at once. When the connection fails the hub polls at Poll
// again and listens anew after a pause that grows with each failure.

// The pauses between attempts to listen.
const (
	listenRetryFirst = 100 * time.Millisecond
	listenRetryMax   = 30 * time.Second
)

// heard is what the notifications said since the run loop last looked:
// the users whose feed moved, or that any may have (all: SQLite, which
// cannot tell whose, and every time listening starts or stops).
type heard struct {
	wake chan struct{} // one signal pending at most

	mu    sync.Mutex
	users map[uuid.UUID]struct{}
	all   bool
	up    bool
}

func newHeard() *heard {
	return &heard{wake: make(chan struct{}, 1), users: map[uuid.UUID]struct{}{}}
}

// changed notes a notification: userID's feed moved, or uuid.Nil, any
// user's may have.
func (hd *heard) changed(userID uuid.UUID) {
	hd.mu.Lock()
	if userID == uuid.Nil {
		hd.all = true
	} else {
		hd.users[userID] = struct{}{}
	}
	hd.mu.Unlock()
	hd.signal()
}

// listening notes that listening started or stopped: either way every
// user is looked at (what was committed while nobody listened, and the
// poll's pace changes).
func (hd *heard) listening(up bool) {
	hd.mu.Lock()
	hd.up, hd.all = up, true
	hd.mu.Unlock()
	hd.signal()
}

func (hd *heard) signal() {
	select {
	case hd.wake <- struct{}{}:
	default:
	}
}

// take returns and forgets what was heard.
func (hd *heard) take() (users []uuid.UUID, all bool) {
	hd.mu.Lock()
	defer hd.mu.Unlock()
	all, hd.all = hd.all, false
	for id := range hd.users {
		users = append(users, id)
		delete(hd.users, id)
	}
	return users, all
}

func (hd *heard) isUp() bool {
	hd.mu.Lock()
	defer hd.mu.Unlock()
	return hd.up
}

// listen hears the store's change notifications into hd until ctx ends,
// listening again after each failure. It says when listening fails and
// when it starts again, not at every failed attempt in between.
func (h *Hub) listen(ctx context.Context, hd *heard) {
	pause := listenRetryFirst
	failing := false
	for {
		err := h.store.ListenChanges(ctx, func() {
			if failing {
				h.opts.Logger.Info("live updates: listening for changes again")
			}
			pause, failing = listenRetryFirst, false
			hd.listening(true)
		}, hd.changed)
		hd.listening(false)
		if ctx.Err() != nil {
			return
		}
		if !failing {
			h.opts.Logger.Warn("live updates: not listening for changes; the streams hear of them by polling until it listens again",
				"err", fmt.Sprint(err))
			failing = true
		}
		// Instances that lost the database together come back apart.
		wait := pause/2 + rand.N(pause/2+1)
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		pause = min(2*pause, listenRetryMax)
	}
}

// Listening reports whether the hub hears the store's change
// notifications now: a change then reaches the streams at once, and the
// heads are read only every PollListening, in case.
func (h *Hub) Listening() bool {
	h.mu.Lock()
	hd := h.heard
	h.mu.Unlock()
	return hd != nil && hd.isUp()
}

// pollEvery is the pause before the next read of every head.
func (h *Hub) pollEvery(hd *heard) time.Duration {
	if hd.isUp() {
		return h.opts.PollListening
	}
	return h.opts.Poll
}
