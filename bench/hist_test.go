package main

import (
	"math"
	"testing"
	"time"
)

func TestBucketsCoverEveryValueInOrder(t *testing.T) {
	prevBucket := -1
	for _, v := range sampleValues() {
		b := bucketOf(v)
		if b < prevBucket {
			t.Fatalf("bucketOf(%d) = %d < %d: buckets must grow with values", v, b, prevBucket)
		}
		prevBucket = b
		if b < 0 || b >= numBuckets {
			t.Fatalf("bucketOf(%d) = %d out of range", v, b)
		}
		if v <= maxTrackable {
			if hi := bucketHigh(b); hi < v {
				t.Fatalf("bucketHigh(%d) = %d < %d", b, hi, v)
			}
			if b > 0 && bucketHigh(b-1) >= v {
				t.Fatalf("value %d also fits bucket %d", v, b-1)
			}
			// The bucket is narrow: its highest value is within 1/128 of v.
			if rel := float64(bucketHigh(b)-v) / float64(max(v, 1)); rel > 1.0/halfBuckets {
				t.Fatalf("bucket of %d spans %.4f, more than 1/%d", v, rel, halfBuckets)
			}
		}
	}
	if got := bucketOf(math.MaxUint64); got != numBuckets-1 {
		t.Errorf("huge value in bucket %d, want the last (%d)", got, numBuckets-1)
	}
}

// sampleValues are microsecond values across the whole range, ascending.
func sampleValues() []uint64 {
	var out []uint64
	for v := uint64(0); v < 5000; v++ {
		out = append(out, v)
	}
	for v := uint64(5000); v <= maxTrackable+10; v = v*101/100 + 1 {
		out = append(out, v)
	}
	return out
}

func TestQuantiles(t *testing.T) {
	h := &histogram{}
	for i := 1; i <= 10_000; i++ {
		h.record(time.Duration(i) * time.Microsecond)
	}
	tests := []struct {
		q    float64
		want time.Duration
	}{
		{0.50, 5000 * time.Microsecond},
		{0.90, 9000 * time.Microsecond},
		{0.99, 9900 * time.Microsecond},
		{1.00, 10_000 * time.Microsecond},
	}
	for _, tt := range tests {
		got := h.quantile(tt.q)
		if got < tt.want || float64(got-tt.want) > float64(tt.want)/halfBuckets {
			t.Errorf("quantile(%v) = %v, want %v within 1/%d above", tt.q, got, tt.want, halfBuckets)
		}
	}
	if h.max() != 10*time.Millisecond || h.count != 10_000 {
		t.Errorf("max %v count %d", h.max(), h.count)
	}
	if m := h.mean(); m < 5000*time.Microsecond || m > 5001*time.Microsecond {
		t.Errorf("mean = %v, want 5000.5µs", m)
	}
}

func TestQuantileNeverAboveMax(t *testing.T) {
	h := &histogram{}
	h.record(1234567 * time.Microsecond)
	if got := h.quantile(0.99); got != 1234567*time.Microsecond {
		t.Errorf("p99 of one value = %v, want the value itself", got)
	}
	h.record(10 * time.Minute) // beyond the trackable range
	if h.max() != 10*time.Minute {
		t.Errorf("max = %v, want the exact value", h.max())
	}
	if got := h.quantile(1); got > h.max() {
		t.Errorf("p100 %v > max %v", got, h.max())
	}
}

func TestEmptyAndMerged(t *testing.T) {
	var empty histogram
	if empty.quantile(0.5) != 0 || empty.mean() != 0 || empty.max() != 0 {
		t.Error("an empty histogram must report zeros")
	}
	a, b := &histogram{}, &histogram{}
	for range 99 {
		a.record(time.Millisecond)
	}
	b.record(time.Second)
	b.record(-time.Second) // clock oddities count as 0
	a.merge(b)
	if a.count != 101 || a.max() != time.Second {
		t.Fatalf("merged count %d max %v", a.count, a.max())
	}
	if p := a.quantile(0.5); p < time.Millisecond || p > time.Millisecond+time.Millisecond/halfBuckets {
		t.Errorf("merged p50 = %v, want 1ms within 1/%d above", p, halfBuckets)
	}
	if p := a.quantile(1); p != time.Second {
		t.Errorf("merged p100 = %v", p)
	}
}
