package main

import (
	"math/bits"
	"time"
)

// The histogram is log-linear, like HdrHistogram: exact microseconds below
// linearLimit, then halfBuckets sub-buckets per power of two, so any
// recorded value is known to within 1/halfBuckets (0.8 %). Values above
// maxTrackable (134 s, far past any request timeout) share the last bucket;
// the exact maximum is kept apart.
const (
	subBits      = 7
	halfBuckets  = 1 << subBits       // 128
	linearLimit  = 1 << (subBits + 1) // 256 µs
	maxTrackable = 1<<27 - 1          // µs
	numBuckets   = linearLimit + (27-(subBits+1))*halfBuckets
)

// histogram counts latencies. It is fixed-size (21 KB), so recording never
// allocates; each load worker owns one per kind of request and they are
// merged at the end, so recording needs no lock.
type histogram struct {
	counts [numBuckets]uint64
	count  uint64
	sumUS  uint64
	maxUS  uint64
}

// bucketOf returns the bucket index of a value in microseconds.
func bucketOf(us uint64) int {
	if us > maxTrackable {
		us = maxTrackable
	}
	if us < linearLimit {
		return int(us)
	}
	e := bits.Len64(us) - (subBits + 1) // ≥ 1
	m := us >> e                        // in [halfBuckets, 2*halfBuckets)
	return linearLimit + (e-1)*halfBuckets + int(m-halfBuckets)
}

// bucketHigh returns the largest value (µs) that falls in bucket i.
func bucketHigh(i int) uint64 {
	if i < linearLimit {
		return uint64(i)
	}
	e := (i-linearLimit)/halfBuckets + 1
	m := uint64((i-linearLimit)%halfBuckets + halfBuckets)
	return (m+1)<<e - 1
}

// record adds one latency.
func (h *histogram) record(d time.Duration) {
	us := uint64(0)
	if d > 0 {
		us = uint64(d / time.Microsecond)
	}
	h.counts[bucketOf(us)]++
	h.count++
	h.sumUS += us
	if us > h.maxUS {
		h.maxUS = us
	}
}

// merge adds o's counts to h.
func (h *histogram) merge(o *histogram) {
	for i, c := range o.counts {
		h.counts[i] += c
	}
	h.count += o.count
	h.sumUS += o.sumUS
	h.maxUS = max(h.maxUS, o.maxUS)
}

// quantile returns the latency at or below which a fraction q (0..1] of the
// recorded values lie: the highest value of the bucket that holds it, never
// more than the true maximum. It is 0 for an empty histogram.
func (h *histogram) quantile(q float64) time.Duration {
	if h.count == 0 {
		return 0
	}
	rank := uint64(q*float64(h.count) + 0.999999)
	rank = min(max(rank, 1), h.count)
	var seen uint64
	for i, c := range h.counts {
		seen += c
		if seen >= rank {
			return time.Duration(min(bucketHigh(i), h.maxUS)) * time.Microsecond
		}
	}
	return h.max()
}

// max is the largest recorded latency (µs precision).
func (h *histogram) max() time.Duration { return time.Duration(h.maxUS) * time.Microsecond }

// mean is the average latency.
func (h *histogram) mean() time.Duration {
	if h.count == 0 {
		return 0
	}
	return time.Duration(h.sumUS/h.count) * time.Microsecond
}
