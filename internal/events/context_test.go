package events_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/taskapi/taskapi/internal/events"
)

type valueKey struct{}

// WithoutDeadline keeps the values added after the deadline (a request
// ID, the actor) and ends with the kept context, never at the deadline.
func TestWithoutDeadline(t *testing.T) {
	life, leave := context.WithCancel(context.Background())
	ctx, cancel := context.WithTimeout(events.KeepForStream(life), time.Nanosecond)
	defer cancel()
	ctx = context.WithValue(ctx, valueKey{}, "request 7")
	<-ctx.Done() // the request's deadline passed

	stream := events.WithoutDeadline(ctx)
	if _, ok := stream.Deadline(); ok {
		t.Error("the stream's context has a deadline")
	}
	if err := stream.Err(); err != nil {
		t.Errorf("the stream's context ended with its request's deadline: %v", err)
	}
	if v := stream.Value(valueKey{}); v != "request 7" {
		t.Errorf("value %v, want the request's", v)
	}
	// A context made from it (a query's) ends when the client leaves.
	query, stop := context.WithCancel(stream)
	defer stop()
	leave()
	<-query.Done()
	if !errors.Is(stream.Err(), context.Canceled) {
		t.Errorf("after the client left: %v", stream.Err())
	}

	// Without KeepForStream, the context is left as it is.
	plain := context.Background()
	if events.WithoutDeadline(plain) != plain {
		t.Error("a context without a kept lifetime changed")
	}
}
