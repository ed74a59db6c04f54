package ratelimit

import (
	"container/list"
	"context"
	"sync"
	"time"
)

// MemoryOptions configures a Memory limiter.
type MemoryOptions struct {
	// MaxKeys bounds the number of keys held; at the bound, of the least
	// recently used keys the one whose state ends soonest is dropped.
	// Default 100,000 (about 10 MB).
	MaxKeys int
	// SweepInterval is how often the janitor drops idle keys (those back
	// to a full budget, which hold no information). Default one minute;
	// negative runs no janitor (MaxKeys still bounds the memory).
	SweepInterval time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// DefaultMaxKeys is MemoryOptions.MaxKeys when not set.
const DefaultMaxKeys = 100_000

// Memory is a Limiter that keeps its state in this process. Its memory is
// bounded: idle keys are swept away and the key count is capped, evicting
// among the least recently used keys the one whose state ends soonest
// (which at worst forgives that key's recent requests). It is safe for concurrent use.
type Memory struct {
	mu      sync.Mutex
	entries map[string]*list.Element // of *memEntry
	lru     *list.List               // front: most recently used
	maxKeys int
	now     func() time.Time

	evicted   uint64
	stop      chan struct{}
	done      chan struct{}
	closeOnce sync.Once
}

type memEntry struct {
	key string
	tat int64 // ns since the Unix epoch
}

// NewMemory returns a Memory limiter. Its janitor goroutine runs until ctx
// is done or Close is called.
func NewMemory(ctx context.Context, opts MemoryOptions) *Memory {
	m := &Memory{
		entries: make(map[string]*list.Element),
		lru:     list.New(),
		maxKeys: opts.MaxKeys,
		now:     opts.Now,
		stop:    make(chan struct{}),
		done:    make(chan struct{}),
	}
	if m.maxKeys <= 0 {
		m.maxKeys = DefaultMaxKeys
	}
	if m.now == nil {
		m.now = time.Now
	}
	every := opts.SweepInterval
	if every == 0 {
		every = time.Minute
	}
	if every < 0 {
		close(m.done)
		return m
	}
	go m.janitor(ctx, every)
	return m
}

func (m *Memory) janitor(ctx context.Context, every time.Duration) {
	defer close(m.done)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-m.stop:
			return
		case <-t.C:
			m.Sweep()
		}
	}
}

// Close stops the janitor and waits for it. It is safe to call twice.
func (m *Memory) Close() error {
	m.closeOnce.Do(func() { close(m.stop) })
	<-m.done
	return nil
}

// Sweep drops every idle key. The janitor calls it; tests may too.
func (m *Memory) Sweep() {
	now := m.now().UnixNano()
	m.mu.Lock()
	defer m.mu.Unlock()
	for e := m.lru.Back(); e != nil; {
		prev := e.Prev()
		if ent := e.Value.(*memEntry); ent.tat <= now {
			m.lru.Remove(e)
			delete(m.entries, ent.key)
		}
		e = prev
	}
}

// Len is the number of keys held.
func (m *Memory) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.entries)
}

// Evicted is how many keys were dropped while still limited because the
// key count reached MaxKeys; a growing number means MaxKeys is too small.
func (m *Memory) Evicted() uint64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.evicted
}

// Allow implements Limiter.
func (m *Memory) Allow(_ context.Context, key string, limit Limit) (Result, error) {
	return m.decide(key, limit, true)
}

// Peek implements Limiter.
func (m *Memory) Peek(_ context.Context, key string, limit Limit) (Result, error) {
	return m.decide(key, limit, false)
}

// Refund implements Limiter.
func (m *Memory) Refund(_ context.Context, key string, limit Limit) error {
	if err := limit.valid(); err != nil {
		return err
	}
	interval := int64(limit.Period / time.Duration(limit.Burst))
	now := m.now().UnixNano()
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.entries[key]
	if !ok {
		return nil
	}
	ent := e.Value.(*memEntry)
	tat, keep := gcraRefund(now, ent.tat, interval)
	if !keep {
		m.lru.Remove(e)
		delete(m.entries, key)
		return nil
	}
	ent.tat = tat
	return nil
}

// Reset implements Limiter.
func (m *Memory) Reset(_ context.Context, key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if e, ok := m.entries[key]; ok {
		m.lru.Remove(e)
		delete(m.entries, key)
	}
	return nil
}

func (m *Memory) decide(key string, limit Limit, take bool) (Result, error) {
	if err := limit.valid(); err != nil {
		return Result{}, err
	}
	interval := int64(limit.Period / time.Duration(limit.Burst))
	now := m.now().UnixNano()
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.entries[key]
	var tat int64
	if ok {
		tat = e.Value.(*memEntry).tat
	}
	newTAT, res := gcra(now, tat, interval, limit.Burst, take)
	if !take || !res.Allowed {
		return res, nil
	}
	if ok {
		e.Value.(*memEntry).tat = newTAT
		m.lru.MoveToFront(e)
		return res, nil
	}
	if len(m.entries) >= m.maxKeys {
		m.evictOldest(now)
	}
	m.entries[key] = m.lru.PushFront(&memEntry{key: key, tat: newTAT})
	return res, nil
}

// evictSample is how many of the least recently used keys eviction
// looks at.
const evictSample = 64

// evictOldest makes room for one key. Of the least recently used keys it
// drops the one whose state ends soonest (an idle one first): a key that
// limits for long, such as an account locked for failed logins, is not
// pushed out by many short-lived ones, such as a flood from many
// addresses that each leave a few seconds of state.
func (m *Memory) evictOldest(now int64) {
	var victim *list.Element
	e := m.lru.Back()
	for i := 0; e != nil && i < evictSample; i++ {
		if victim == nil || e.Value.(*memEntry).tat < victim.Value.(*memEntry).tat {
			victim = e
		}
		if victim.Value.(*memEntry).tat <= now {
			break
		}
		e = e.Prev()
	}
	if victim == nil {
		return
	}
	ent := victim.Value.(*memEntry)
	if ent.tat > now {
		m.evicted++
	}
	m.lru.Remove(victim)
	delete(m.entries, ent.key)
}
