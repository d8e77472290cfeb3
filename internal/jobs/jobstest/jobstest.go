// Package jobstest is the conformance suite of the jobs.Scheduler seam. Every
// implementation runs Exercise from its own tests; a change to the seam's
// promises extends this suite, never one implementation's tests.
package jobstest

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/sfbridge/sfbridge/internal/jobs"
)

// Open returns a Scheduler working handlers (or only enqueuing, when
// handlers is nil) on the job database of the current test. Schedulers opened
// by one Open share that database, as processes sharing a job database do.
// The suite starts and stops them. Stop should cancel running tasks after a
// short grace (a fraction of a second) so that the suite stays fast.
type Open func(handlers jobs.Handlers) jobs.Scheduler

// NewDatabase makes a fresh, empty job database for one test and returns
// how to open Schedulers on it. It cleans up after itself with t.Cleanup.
type NewDatabase func(t *testing.T) Open

// wait bounds how long the suite waits for something that must happen. It
// is a deadline against hanging, never a measured figure.
const wait = 30 * time.Second

// Exercise runs the suite against the implementation that newDB opens.
func Exercise(t *testing.T, newDB NewDatabase) {
	t.Helper()

	type bundle struct {
		open Open
		runs *recorder
	}
	// setup gives each subtest a fresh database and a recorder of runs.
	setup := func(t *testing.T) *bundle {
		t.Helper()
		return &bundle{open: newDB(t), runs: newRecorder()}
	}
	start := func(t *testing.T, s jobs.Scheduler) {
		t.Helper()
		if err := s.Start(t.Context()); err != nil {
			t.Fatalf("Start: %v", err)
		}
		t.Cleanup(s.Stop)
	}

	t.Run("RunNowRunsTheHandlerWithTheTask", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		s := b.open(jobs.Handlers{"test.echo": b.runs.handler(nil)})
		start(t, s)

		task := jobs.Task{Kind: "test.echo", Key: "org-1"}
		queued, err := s.RunNow(t.Context(), task)
		if err != nil || !queued {
			t.Fatalf("RunNow(%s) = %v, %v; want true, nil", task, queued, err)
		}
		b.runs.waitFor(t, task, 1)
	})

	t.Run("RunNowIsAbsorbedWhileTheSameTaskRuns", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		release := make(chan struct{})
		s := b.open(jobs.Handlers{"test.block": b.runs.handler(release)})
		start(t, s)

		task := jobs.Task{Kind: "test.block", Key: "org-1"}
		other := jobs.Task{Kind: "test.block", Key: "org-2"}
		mustQueue(t, s, task, true)
		b.runs.waitForStarted(t, task, 1)
		mustQueue(t, s, task, false)  // running: absorbed
		mustQueue(t, s, other, true)  // another key is another task
		mustQueue(t, s, other, false) // waiting or running: absorbed
		close(release)
		b.runs.waitFor(t, task, 1)
		b.runs.waitFor(t, other, 1)
		mustQueueEventually(t, s, task) // done: may run again
		b.runs.waitFor(t, task, 2)
	})

	t.Run("AFailedTaskIsNotRetriedAndDoesNotBlock", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		fail := errors.New("boom")
		var once sync.Once
		s := b.open(jobs.Handlers{"test.fail": func(ctx context.Context, task jobs.Task) error {
			var err error
			once.Do(func() { err = fail })
			b.runs.record(task)
			return err
		}})
		start(t, s)

		task := jobs.Task{Kind: "test.fail", Key: "x"}
		mustQueue(t, s, task, true)
		b.runs.waitFor(t, task, 1)
		mustQueueEventually(t, s, task)
		b.runs.waitFor(t, task, 2)
	})

	t.Run("EveryRunsRightAwayThenAgain", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		s := b.open(jobs.Handlers{"test.tick": b.runs.handler(nil)})
		start(t, s)

		task := jobs.Task{Kind: "test.tick", Key: "org-1"}
		if err := s.Every(task, jobs.MinInterval); err != nil {
			t.Fatalf("Every: %v", err)
		}
		b.runs.waitFor(t, task, 2)
	})

	t.Run("EveryReplacesAndForgetRemoves", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		s := b.open(jobs.Handlers{"test.tick": b.runs.handler(nil)})
		start(t, s)

		task := jobs.Task{Kind: "test.tick", Key: "org-1"}
		for _, d := range []time.Duration{time.Hour, jobs.MinInterval} {
			if err := s.Every(task, d); err != nil {
				t.Fatalf("Every(%s): %v", d, err)
			}
		}
		b.runs.waitFor(t, task, 2) // the one-second schedule won
		s.Forget(task)
		s.Forget(task) // idempotent
		s.Forget(jobs.Task{Kind: "test.tick", Key: "never-scheduled"})
		if err := s.Every(task, jobs.MinInterval); err != nil {
			t.Fatalf("Every after Forget: %v", err)
		}
	})

	t.Run("AnEnqueueOnlySchedulerFeedsAWorkingOne", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		worker := b.open(jobs.Handlers{"test.echo": b.runs.handler(nil)})
		start(t, worker)
		cli := b.open(nil)
		t.Cleanup(cli.Stop)

		if err := cli.Start(t.Context()); !errors.Is(err, jobs.ErrNotStarted) {
			t.Errorf("Start of an enqueue-only scheduler = %v; want ErrNotStarted", err)
		}
		if err := cli.Every(jobs.Task{Kind: "test.echo", Key: "a"}, time.Minute); !errors.Is(err, jobs.ErrUnknownKind) {
			t.Errorf("Every on an enqueue-only scheduler = %v; want ErrUnknownKind", err)
		}
		task := jobs.Task{Kind: "test.echo", Key: "from-cli"}
		mustQueue(t, cli, task, true)
		b.runs.waitFor(t, task, 1)
	})

	t.Run("RejectsWhatItCannotRun", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		s := b.open(jobs.Handlers{"test.echo": b.runs.handler(nil)})

		cases := []struct {
			name string
			do   func() error
			want error
		}{
			{"unknown kind", func() error { _, err := s.RunNow(t.Context(), jobs.Task{Kind: "test.other", Key: "a"}); return err }, jobs.ErrUnknownKind},
			{"empty key", func() error { _, err := s.RunNow(t.Context(), jobs.Task{Kind: "test.echo"}); return err }, jobs.ErrInvalidTask},
			{"bad kind", func() error { _, err := s.RunNow(t.Context(), jobs.Task{Kind: "Test Echo", Key: "a"}); return err }, jobs.ErrInvalidTask},
			{"periodic unknown kind", func() error { return s.Every(jobs.Task{Kind: "test.other", Key: "a"}, time.Minute) }, jobs.ErrUnknownKind},
			{"interval too short", func() error { return s.Every(jobs.Task{Kind: "test.echo", Key: "a"}, time.Second/2) }, jobs.ErrInvalidInterval},
		}
		for _, c := range cases {
			if err := c.do(); !errors.Is(err, c.want) {
				t.Errorf("%s: got %v; want %v", c.name, err, c.want)
			}
		}
	})

	t.Run("StopIsIdempotent", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		never := b.open(jobs.Handlers{"test.echo": b.runs.handler(nil)})
		never.Stop() // never started

		s := b.open(jobs.Handlers{"test.echo": b.runs.handler(nil)})
		if err := s.Start(t.Context()); err != nil {
			t.Fatalf("Start: %v", err)
		}
		s.Stop()
		s.Stop()
	})

	t.Run("StopCancelsTheContextOfATaskThatDoesNotFinish", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		s := b.open(jobs.Handlers{"test.hang": func(ctx context.Context, task jobs.Task) error {
			b.runs.started(task)
			<-ctx.Done()
			b.runs.record(task)
			return ctx.Err()
		}})
		if err := s.Start(t.Context()); err != nil {
			t.Fatalf("Start: %v", err)
		}
		task := jobs.Task{Kind: "test.hang", Key: "a"}
		mustQueue(t, s, task, true)
		b.runs.waitForStarted(t, task, 1)
		s.Stop()
		b.runs.waitFor(t, task, 1)
	})
}

func mustQueue(t *testing.T, s jobs.Scheduler, task jobs.Task, want bool) {
	t.Helper()
	queued, err := s.RunNow(t.Context(), task)
	if err != nil || queued != want {
		t.Fatalf("RunNow(%s) = %v, %v; want %v, nil", task, queued, err, want)
	}
}

// mustQueueEventually queues task, allowing for the moment between the end of
// a run and its being marked finished, when the task still counts as running.
func mustQueueEventually(t *testing.T, s jobs.Scheduler, task jobs.Task) {
	t.Helper()
	deadline := time.Now().Add(wait)
	for time.Now().Before(deadline) {
		queued, err := s.RunNow(t.Context(), task)
		if err != nil {
			t.Fatalf("RunNow(%s): %v", task, err)
		}
		if queued {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("RunNow(%s) stayed absorbed after its run ended", task)
}

// recorder counts the runs of each task, started and finished.
type recorder struct {
	mu       sync.Mutex
	changed  *sync.Cond
	begun    map[jobs.Task]int
	finished map[jobs.Task]int
}

func newRecorder() *recorder {
	r := &recorder{begun: map[jobs.Task]int{}, finished: map[jobs.Task]int{}}
	r.changed = sync.NewCond(&r.mu)
	return r
}

// handler records each run; with a non-nil release it blocks until release
// is closed.
func (r *recorder) handler(release chan struct{}) jobs.Handler {
	return func(ctx context.Context, task jobs.Task) error {
		r.started(task)
		if release != nil {
			select {
			case <-release:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		r.record(task)
		return nil
	}
}

func (r *recorder) started(task jobs.Task) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.begun[task]++
	r.changed.Broadcast()
}

func (r *recorder) record(task jobs.Task) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.finished[task]++
	r.changed.Broadcast()
}

func (r *recorder) waitFor(t *testing.T, task jobs.Task, n int) {
	t.Helper()
	r.waitOn(t, r.finished, "finished", task, n)
}

func (r *recorder) waitForStarted(t *testing.T, task jobs.Task, n int) {
	t.Helper()
	r.waitOn(t, r.begun, "started", task, n)
}

func (r *recorder) waitOn(t *testing.T, counts map[jobs.Task]int, what string, task jobs.Task, n int) {
	t.Helper()
	timer := time.AfterFunc(wait, func() {
		r.mu.Lock()
		defer r.mu.Unlock()
		r.changed.Broadcast()
	})
	defer timer.Stop()
	deadline := time.Now().Add(wait)
	r.mu.Lock()
	defer r.mu.Unlock()
	for counts[task] < n {
		if !time.Now().Before(deadline) {
			t.Fatalf("task %s %s %d times; want %d within %s", task, what, counts[task], n, wait)
		}
		r.changed.Wait()
	}
}
