package ratelimit

import (
	"sync"
	"time"
)

// Concurrency limits how many requests of one kind a key (a user) may
// have running at once, in this process: a slow kind of request, such as
// a search, then costs one user at most that many workers, however fast
// they send. Keys with nothing running take no memory.
type Concurrency struct {
	max     int
	scope   string
	mu      sync.Mutex
	running map[string]int
}

// NewConcurrency allows max requests at once per key; scope names the
// limit in errors and metrics ("search_user").
func NewConcurrency(max int, scope string) *Concurrency {
	return &Concurrency{max: max, scope: scope, running: map[string]int{}}
}

// Acquire starts one request for key, or refuses with an *ExceededError
// when key already has max running. release ends the request; call it
// exactly once.
func (c *Concurrency) Acquire(key string) (release func(), err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.running[key] >= c.max {
		return nil, &ExceededError{Scope: c.scope, Reason: "too many of your searches are running at once; wait for one to finish",
			Result: Result{Limit: c.max, RetryAfter: time.Second}}
	}
	c.running[key]++
	var once sync.Once
	return func() {
		once.Do(func() {
			c.mu.Lock()
			defer c.mu.Unlock()
			if c.running[key]--; c.running[key] <= 0 {
				delete(c.running, key)
			}
		})
	}, nil
}
