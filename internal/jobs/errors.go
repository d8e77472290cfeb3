package jobs

import "errors"

var (
	// ErrInvalidTask means a Task's Kind or Key cannot be stored; the
	// message says which and what a valid one looks like.
	ErrInvalidTask = errors.New("jobs: invalid task")
	// ErrUnknownKind means no Handler is registered for a Task's Kind.
	ErrUnknownKind = errors.New("jobs: no handler for task kind")
	// ErrInvalidInterval means a periodic interval is shorter than
	// MinInterval.
	ErrInvalidInterval = errors.New("jobs: periodic interval too short")
	// ErrNotStarted means a Scheduler was asked to work before Start, or
	// after Stop.
	ErrNotStarted = errors.New("jobs: scheduler is not running")
)
