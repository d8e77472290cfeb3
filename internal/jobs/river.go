package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/riverqueue/river/rivertype"
)

// riverKind is the one River job kind that carries every Task; the Task's own
// Kind travels in the job's arguments and picks the Handler.
const riverKind = "sfbridge_task"

// taskArgs are a Task as River stores it. Uniqueness is by the whole
// arguments, that is by Kind and Key.
type taskArgs struct {
	TaskKind string `json:"kind"`
	Key      string `json:"key"`
}

func argsOf(t Task) taskArgs { return taskArgs{TaskKind: t.Kind, Key: t.Key} }

func (a taskArgs) task() Task { return Task{Kind: a.TaskKind, Key: a.Key} }

// Kind implements river.JobArgs.
func (taskArgs) Kind() string { return riverKind }

// uniqueStates are the states in which a task blocks another copy of itself:
// waiting or running. River requires these four; completed, discarded and
// cancelled runs do not block a new one.
var uniqueStates = []rivertype.JobState{
	rivertype.JobStateAvailable,
	rivertype.JobStatePending,
	rivertype.JobStateRunning,
	rivertype.JobStateScheduled,
}

// insertOpts make a task unique while waiting or running, and never retried.
var insertOpts = &river.InsertOpts{
	MaxAttempts: 1,
	UniqueOpts:  river.UniqueOpts{ByArgs: true, ByState: uniqueStates},
}

// Config tunes a River Scheduler. The zero value is usable.
type Config struct {
	// Workers is how many tasks run at once in this process. Default 4.
	Workers int
	// TaskTimeout bounds one run of a task. Default 0: no bound besides
	// Stop (an initial load of millions of records may take many minutes).
	TaskTimeout time.Duration
	// StopTimeout is how long Stop lets running tasks finish before it
	// cancels their contexts. Default 30 s.
	StopTimeout time.Duration
	// PollInterval is how often the job table is polled for new work.
	// SQLite has no LISTEN/NOTIFY, so a task queued by another process is
	// picked up within this delay. Default 1 s.
	PollInterval time.Duration
	// Logger receives task failures (warn) and River's own messages.
	// Default: discard.
	Logger *slog.Logger
}

func (c Config) withDefaults() Config {
	if c.Workers <= 0 {
		c.Workers = 4
	}
	if c.StopTimeout <= 0 {
		c.StopTimeout = 30 * time.Second
	}
	if c.PollInterval <= 0 {
		c.PollInterval = time.Second
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c
}

// River is a Scheduler on River (github.com/riverqueue/river). TTx is the
// driver's transaction type; it never shows in the Scheduler API, so that
// the SQLite and the Postgres drivers fit the same seam.
type River[TTx any] struct {
	client   *river.Client[TTx]
	handlers Handlers
	logger   *slog.Logger
}

var _ Scheduler = (*River[any])(nil)

// NewRiver migrates River's tables in the driver's database and builds a
// Scheduler that works the given handlers. With no handlers it only
// enqueues (see Scheduler).
func NewRiver[TTx any](ctx context.Context, driver riverdriver.Driver[TTx], handlers Handlers, cfg Config) (*River[TTx], error) {
	cfg = cfg.withDefaults()
	for kind := range handlers {
		if err := (Task{Kind: kind, Key: "-"}).validate(); err != nil {
			return nil, err
		}
	}
	migrator, err := rivermigrate.New(driver, &rivermigrate.Config{Logger: cfg.Logger})
	if err != nil {
		return nil, fmt.Errorf("preparing job tables migration: %w", err)
	}
	if _, err := migrator.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return nil, fmt.Errorf("migrating job tables: %w", err)
	}

	r := &River[TTx]{handlers: handlers, logger: cfg.Logger}
	rc := &river.Config{
		FetchCooldown:     min(cfg.PollInterval, river.FetchCooldownDefault),
		FetchPollInterval: cfg.PollInterval,
		Logger:            cfg.Logger,
		MaxAttempts:       1,
		JobTimeout:        cfg.TaskTimeout,
		SoftStopTimeout:   cfg.StopTimeout,
		// Our handlers record their own failures; River's only say where.
		ErrorHandler:        errorLogger{cfg.Logger},
		SkipUnknownJobCheck: len(handlers) == 0,
	}
	if rc.JobTimeout == 0 {
		rc.JobTimeout = -1
	}
	if len(handlers) > 0 {
		rc.Workers = river.NewWorkers()
		river.AddWorker(rc.Workers, river.WorkFunc(r.work))
		rc.Queues = map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: cfg.Workers}}
	}
	r.client, err = river.NewClient(driver, rc)
	if err != nil {
		return nil, fmt.Errorf("configuring River: %w", err)
	}
	return r, nil
}

// work runs the Handler of one job's Task.
func (r *River[TTx]) work(ctx context.Context, job *river.Job[taskArgs]) error {
	t := job.Args.task()
	h, ok := r.handlers[t.Kind]
	if !ok {
		// Queued by a process that knows a kind this one does not.
		return river.JobCancel(fmt.Errorf("%w %q (task %s)", ErrUnknownKind, t.Kind, t))
	}
	return h(ctx, t)
}

// Start implements Scheduler.
func (r *River[TTx]) Start(ctx context.Context) error {
	if len(r.handlers) == 0 {
		return fmt.Errorf("starting scheduler: %w: it was built without handlers and only enqueues", ErrNotStarted)
	}
	if err := r.client.Start(ctx); err != nil {
		return fmt.Errorf("starting scheduler: %w", err)
	}
	return nil
}

// Stop implements Scheduler. Running tasks get Config.StopTimeout to finish;
// then their contexts are cancelled and Stop waits for them to return.
func (r *River[TTx]) Stop() {
	if len(r.handlers) == 0 {
		return
	}
	// Stop waits for the soft-stop timeout, then hard-stops by itself: the
	// background context only guards against a handler that ignores ctx.
	if err := r.client.Stop(context.Background()); err != nil {
		r.logger.Warn("stopping scheduler", "err", err)
	}
}

// RunNow implements Scheduler.
func (r *River[TTx]) RunNow(ctx context.Context, t Task) (bool, error) {
	if err := r.check(t, len(r.handlers) > 0); err != nil {
		return false, err
	}
	res, err := r.client.Insert(ctx, argsOf(t), insertOpts)
	if err != nil {
		return false, fmt.Errorf("queueing task %s: %w", t, err)
	}
	return !res.UniqueSkippedAsDuplicate, nil
}

// Every implements Scheduler.
func (r *River[TTx]) Every(t Task, interval time.Duration) error {
	if err := r.check(t, true); err != nil {
		return err
	}
	if interval < MinInterval {
		return fmt.Errorf("%w: task %s every %s: use at least %s", ErrInvalidInterval, t, interval, MinInterval)
	}
	periodic := r.client.PeriodicJobs()
	periodic.RemoveByID(t.String())
	_, err := periodic.AddSafely(river.NewPeriodicJob(
		river.PeriodicInterval(interval),
		func() (river.JobArgs, *river.InsertOpts) { return argsOf(t), insertOpts },
		&river.PeriodicJobOpts{ID: t.String(), RunOnStart: true},
	))
	if err != nil {
		return fmt.Errorf("scheduling task %s every %s: %w", t, interval, err)
	}
	return nil
}

// Forget implements Scheduler.
func (r *River[TTx]) Forget(t Task) {
	r.client.PeriodicJobs().RemoveByID(t.String())
}

// check validates t and, when this Scheduler must work it, that a Handler
// exists for its Kind.
func (r *River[TTx]) check(t Task, mustHandle bool) error {
	if err := t.validate(); err != nil {
		return err
	}
	if _, ok := r.handlers[t.Kind]; mustHandle && !ok {
		return fmt.Errorf("%w %q (task %s)", ErrUnknownKind, t.Kind, t)
	}
	return nil
}

// errorLogger logs the failure of a task; the task is not retried.
type errorLogger struct{ logger *slog.Logger }

func (e errorLogger) HandleError(ctx context.Context, job *rivertype.JobRow, err error) *river.ErrorHandlerResult {
	if !errors.Is(err, context.Canceled) {
		e.logger.WarnContext(ctx, "task failed", "job", job.ID, "args", string(job.EncodedArgs), "err", err)
	}
	return nil
}

func (e errorLogger) HandlePanic(ctx context.Context, job *rivertype.JobRow, panicVal any, trace string) *river.ErrorHandlerResult {
	e.logger.ErrorContext(ctx, "task panicked", "job", job.ID, "args", string(job.EncodedArgs), "panic", panicVal, "trace", trace)
	return nil
}
