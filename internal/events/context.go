package events

import (
	"context"
	"time"
)

type lifeKey struct{}

// KeepForStream returns ctx remembering itself as the lifetime a stream
// may have: the request deadline's middleware calls it before it adds the
// deadline, so that WithoutDeadline can take the deadline off again.
func KeepForStream(ctx context.Context) context.Context {
	return context.WithValue(ctx, lifeKey{}, ctx)
}

// WithoutDeadline returns ctx without the request's deadline: its values,
// and the lifetime of the context KeepForStream kept (ctx itself when
// none was kept). An event stream lives as long as its client, its
// session and the server do, not a request's few seconds.
func WithoutDeadline(ctx context.Context) context.Context {
	life, ok := ctx.Value(lifeKey{}).(context.Context)
	if !ok {
		return ctx
	}
	return streamCtx{Context: ctx, life: life}
}

// streamCtx has the values of the request's context (its request ID,
// actor, …) and the lifetime of the context kept before the deadline.
type streamCtx struct {
	context.Context
	life context.Context
}

func (c streamCtx) Deadline() (time.Time, bool) { return c.life.Deadline() }
func (c streamCtx) Done() <-chan struct{}       { return c.life.Done() }
func (c streamCtx) Err() error                  { return c.life.Err() }
