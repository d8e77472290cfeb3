package store

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// signal is a broadcast: every channel handed out by wait is closed at the
// next fire.
type signal struct {
	mu sync.Mutex
	ch chan struct{}
}

func (s *signal) wait() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ch == nil {
		s.ch = make(chan struct{})
	}
	return s.ch
}

func (s *signal) fire() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ch != nil {
		close(s.ch)
		s.ch = nil
	}
}

// OutboxSignal returns a channel that is closed when the next transaction
// that appended to the outbox through this Store commits (see
// [Tx.SignalOutbox]). Changes made with SQL from outside sfbridge fire
// nothing: watch [Outbox.MaxSeq] for those, or use [Store.WaitOutbox], which
// does both.
func (s *Store) OutboxSignal() <-chan struct{} { return s.outbox.wait() }

// WaitOutbox waits until the outbox holds an entry with a sequence number
// above seen, and returns the highest one. It wakes up on [Store.OutboxSignal]
// — at once after a write through sfbridge — and otherwise reads
// [Outbox.MaxSeq] every poll (one indexed read), so that changes made with
// direct SQL are seen within poll. Pass 0 at first, then what it returned.
// It returns ctx's error when ctx ends first.
func (s *Store) WaitOutbox(ctx context.Context, seen int64, poll time.Duration) (int64, error) {
	if poll <= 0 {
		return 0, fmt.Errorf("waiting for the outbox: %w: the poll interval %v is not positive", ErrInvalid, poll)
	}
	timer := time.NewTimer(poll)
	defer timer.Stop()
	for {
		// Take the signal before reading, so a commit in between is not
		// missed.
		woken := s.OutboxSignal()
		max, err := s.Outbox().MaxSeq(ctx)
		if err != nil {
			return seen, err
		}
		if max > seen {
			return max, nil
		}
		select {
		case <-woken:
		case <-timer.C:
		case <-ctx.Done():
			return seen, ctx.Err()
		}
		timer.Reset(poll)
	}
}
