package salesforce

import (
	"context"
	"sync"
	"time"
)

// flightTimeout bounds work shared by several callers: it runs detached from
// the first caller's context so that one caller giving up does not fail the
// others.
const flightTimeout = 2 * time.Minute

// flight runs one call per key at a time and hands its result to every
// caller that asked for the same key meanwhile (single-flight). Each caller
// waits only as long as its own context allows.
type flight[V any] struct {
	mu    sync.Mutex
	calls map[string]*flightCall[V]
}

type flightCall[V any] struct {
	done chan struct{}
	val  V
	err  error
}

func (f *flight[V]) do(ctx context.Context, key string, fn func(context.Context) (V, error)) (V, error) {
	f.mu.Lock()
	if f.calls == nil {
		f.calls = make(map[string]*flightCall[V])
	}
	c, running := f.calls[key]
	if !running {
		c = &flightCall[V]{done: make(chan struct{})}
		f.calls[key] = c
		go func() {
			fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), flightTimeout)
			defer cancel()
			c.val, c.err = fn(fctx)
			f.mu.Lock()
			delete(f.calls, key)
			f.mu.Unlock()
			close(c.done)
		}()
	}
	f.mu.Unlock()
	select {
	case <-c.done:
		return c.val, c.err
	case <-ctx.Done():
		var zero V
		return zero, ctx.Err()
	}
}
