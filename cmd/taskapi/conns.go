package main

import (
	"net"
	"net/http"
	"sync"
	"time"
)

// connLimit bounds what idle clients can cost: at most max connections
// are held open (each costs a goroutine and its buffers, idle or not).
// When a new one arrives at the cap, the connection idle the longest is
// closed to make room; when none is idle, the new one is. Watch is the
// server's ConnState hook.
//
// Closing an idle connection can race with a request that just started
// on it; the client sees the connection close, as with any keep-alive
// connection a server closes, and a well-behaved client retries.
type connLimit struct {
	max int
	now func() time.Time

	mu sync.Mutex
	// conns maps each open connection to when it became idle (or new);
	// zero while it serves a request.
	conns map[net.Conn]time.Time
}

func newConnLimit(max int) *connLimit {
	return &connLimit{max: max, now: time.Now, conns: make(map[net.Conn]time.Time)}
}

// Watch tracks c's state changes and enforces the cap.
func (l *connLimit) Watch(c net.Conn, state http.ConnState) {
	l.mu.Lock()
	defer l.mu.Unlock()
	switch state {
	case http.StateNew:
		if len(l.conns) >= l.max {
			victim := l.longestIdle()
			if victim == nil {
				_ = c.Close()
				return
			}
			delete(l.conns, victim)
			_ = victim.Close()
		}
		// A new connection has sent nothing yet: it is as idle as any.
		l.conns[c] = l.now()
	case http.StateIdle:
		if _, ok := l.conns[c]; ok {
			l.conns[c] = l.now()
		}
	case http.StateActive:
		if _, ok := l.conns[c]; ok {
			l.conns[c] = time.Time{}
		}
	case http.StateClosed, http.StateHijacked:
		delete(l.conns, c)
	}
}

// longestIdle returns the connection idle the longest, or nil.
func (l *connLimit) longestIdle() net.Conn {
	var victim net.Conn
	var since time.Time
	for c, t := range l.conns {
		if !t.IsZero() && (victim == nil || t.Before(since)) {
			victim, since = c, t
		}
	}
	return victim
}

// count returns how many connections are held and how many are idle.
func (l *connLimit) count() (open, idle int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, t := range l.conns {
		if !t.IsZero() {
			idle++
		}
	}
	return len(l.conns), idle
}
