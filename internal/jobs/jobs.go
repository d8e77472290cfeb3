package jobs

import (
	"context"
	"fmt"
	"regexp"
	"time"
)

// Task names one unit of background work. Kind routes it to a Handler; Key
// says what it is about (an org ID, a workflow ID). Two tasks with the same
// Kind and Key are the same task: at most one of them is waiting or running
// at any moment, across every process that shares the job database.
type Task struct {
	Kind string
	Key  string
}

func (t Task) String() string { return t.Kind + "/" + t.Key }

// kindRE is what a Kind may look like: lowercase words joined by '.', '_' or
// '-', e.g. "syncer.poll".
var kindRE = regexp.MustCompile(`^[a-z][a-z0-9]*(?:[._-][a-z0-9]+)*$`)

// validate reports a Task that cannot be stored.
func (t Task) validate() error {
	if !kindRE.MatchString(t.Kind) {
		return fmt.Errorf("%w: kind %q must be lowercase words joined by '.', '_' or '-', e.g. \"syncer.poll\"", ErrInvalidTask, t.Kind)
	}
	if t.Key == "" {
		return fmt.Errorf("%w: task %q has an empty key", ErrInvalidTask, t.Kind)
	}
	return nil
}

// Handler does one task. The task is not retried when it fails: a periodic
// task runs again at its next tick, and a handler that needs the failure
// remembered (a workflow's last error) stores it itself. The error is logged.
// ctx is cancelled when the Scheduler stops.
type Handler func(ctx context.Context, t Task) error

// Handlers maps each Kind a Scheduler works to its Handler.
type Handlers map[string]Handler

// Scheduler runs tasks once or periodically. It is the seam between the
// sync engine and the job system: River on SQLite today, River on Postgres
// next, or anything else that passes jobstest.Exercise.
//
// A Scheduler built without Handlers only enqueues: a command-line process
// uses one to ask the server's Scheduler to run a task now.
type Scheduler interface {
	// Start starts working tasks and firing periodic ones. It returns once
	// the Scheduler runs; work goes on in the background until Stop, or
	// until ctx is cancelled.
	Start(ctx context.Context) error
	// Stop waits for running tasks to finish, then stops. It is idempotent
	// and safe to call on a Scheduler that never started.
	Stop()
	// RunNow asks for t to run as soon as a worker is free. If t is already
	// waiting or running, nothing is added and RunNow reports false (a run
	// that just returned may count as running for a moment longer). It
	// fails with ErrUnknownKind when t's Kind has no Handler (unless the
	// Scheduler only enqueues) and with ErrInvalidTask when t is malformed.
	RunNow(ctx context.Context, t Task) (queued bool, err error)
	// Every makes t run every interval from now on, starting right away,
	// replacing any interval set before for t. A tick that comes while t is
	// still waiting or running is skipped. interval must be at least
	// MinInterval. Periodic tasks live in memory: each process that works
	// tasks declares them again when it starts.
	Every(t Task, interval time.Duration) error
	// Forget stops t from running periodically. Runs already queued still
	// happen. Forgetting a task that is not periodic does nothing.
	Forget(t Task)
}

// MinInterval is the shortest interval Every accepts.
const MinInterval = time.Second
