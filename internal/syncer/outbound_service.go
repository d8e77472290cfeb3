package syncer

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/sfbridge/sfbridge/internal/salesforce"
	"github.com/sfbridge/sfbridge/internal/sheet"
	"github.com/sfbridge/sfbridge/internal/store"
)

// OutboundBinder turns a stored workflow into what the outbound writer
// runs: its Outbound plan (compiled against the describe the client
// returns, so that a workflow whose fields Salesforce would refuse never
// sends) and its sheet. It returns a nil plan for a workflow that does not
// write to Salesforce.
type OutboundBinder interface {
	BindOutbound(ctx context.Context, wf store.Workflow, client *salesforce.Client) (*Outbound, *sheet.Sheet, error)
}

// SenderOptions configure a Sender. Store, Connector and Binder are
// required.
type SenderOptions struct {
	Store     *store.Store
	Connector Connector
	Binder    OutboundBinder
	// Poll is how often the outbox is read for changes made with SQL from
	// outside sfbridge (changes through sfbridge wake the Sender at once).
	// Default 1 second.
	Poll time.Duration
	// Writer holds the writers' tuning (Batch, Lease, RetryBase, RetryCap,
	// MaxAttempts, Now); the rest is filled in per workflow.
	Writer WriterOptions
	Logger *slog.Logger
}

// Sender runs the outbound side of every enabled outbound or two-way
// workflow: it waits for the outbox (Store.WaitOutbox), then drains each
// workflow's sheet with its Writer, and sleeps until the next change or
// the next retry that comes due. Orgs paused by the inbound side (API
// limit, connection to authorize again) are left alone until they resume.
type Sender struct {
	opts SenderOptions
	log  *slog.Logger

	mu      sync.Mutex
	writers map[int64]boundWriter // workflow ID → its writer, for one version
	cancel  context.CancelFunc
	done    chan struct{}
}

type boundWriter struct {
	version int
	w       *Writer
}

// NewSender returns a Sender; Start runs it.
func NewSender(opts SenderOptions) *Sender {
	if opts.Poll <= 0 {
		opts.Poll = time.Second
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	return &Sender{opts: opts, log: opts.Logger, writers: map[int64]boundWriter{}}
}

// Start runs the Sender in the background until Stop or ctx ends.
func (s *Sender) Start(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.done != nil {
		return fmt.Errorf("starting the outbound sender: it is already running")
	}
	ctx, s.cancel = context.WithCancel(ctx)
	s.done = make(chan struct{})
	go s.loop(ctx, s.done)
	return nil
}

// Stop stops the Sender and waits for the batch in flight to be settled.
// It may be called more than once.
func (s *Sender) Stop() {
	s.mu.Lock()
	cancel, done := s.cancel, s.done
	s.mu.Unlock()
	if cancel == nil {
		return
	}
	cancel()
	<-done
}

func (s *Sender) loop(ctx context.Context, done chan struct{}) {
	defer close(done)
	for ctx.Err() == nil {
		seen, err := s.opts.Store.Outbox().MaxSeq(ctx)
		if err != nil {
			s.log.Warn("reading the outbox", "err", err)
		}
		next := s.SendAll(ctx)
		wait, cancel := ctx, context.CancelFunc(func() {})
		if !next.IsZero() {
			wait, cancel = context.WithDeadline(ctx, next)
		}
		_, err = s.opts.Store.WaitOutbox(wait, seen, s.opts.Poll)
		cancel()
		if err != nil && !errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
			s.log.Warn("waiting for the outbox", "err", err)
			time.Sleep(s.opts.Poll)
		}
	}
}

// SendAll drains every enabled outbound workflow once, and returns when
// the first change waiting for a retry comes due (zero when none waits).
// Failures are logged and recorded on the workflow; they never stop the
// other workflows.
func (s *Sender) SendAll(ctx context.Context) time.Time {
	wfs, err := s.opts.Store.Workflows().List(ctx, store.WorkflowFilter{EnabledOnly: true})
	if err != nil {
		s.log.Warn("listing workflows to send", "err", err)
		return time.Time{}
	}
	var next time.Time
	for _, wf := range wfs {
		if ctx.Err() != nil {
			return next
		}
		due, err := s.send(ctx, wf)
		if err != nil {
			s.log.Warn("outbound sync", "workflow", wf.Name, "err", err)
		}
		if !due.IsZero() && (next.IsZero() || due.Before(next)) {
			next = due
		}
	}
	return next
}

// send drains one workflow and returns its next retry time.
func (s *Sender) send(ctx context.Context, wf store.Workflow) (time.Time, error) {
	org, err := s.opts.Store.Orgs().Get(ctx, wf.OrgID)
	if err != nil || org.State != store.StateConnected {
		return time.Time{}, err
	}
	w, err := s.writer(ctx, wf)
	if err != nil || w == nil {
		return time.Time{}, err
	}
	stats, err := s.opts.Store.Outbox().Stats(ctx, w.sh.ID)
	if err != nil {
		return time.Time{}, err
	}
	if stats.Due == 0 {
		open, err := s.opts.Store.Journal().ListOpen(ctx, wf.ID)
		if err != nil || len(open) == 0 {
			return w.nextDue(stats), err
		}
	}
	run, err := s.opts.Store.Runs().Start(ctx, wf.ID, store.Outbound)
	if err != nil {
		return time.Time{}, err
	}
	st, sendErr := w.Drain(ctx)
	counts := store.RunCounts{Read: int64(st.Created + st.Updated + st.Deleted + st.Failed + st.Retried), Inserted: int64(st.Created),
		Updated: int64(st.Updated), Removed: int64(st.Deleted), Failed: int64(st.Failed), APICalls: st.APICalls}
	if _, err := s.opts.Store.Runs().Finish(context.WithoutCancel(ctx), run.ID, counts, sendErr); err != nil {
		return time.Time{}, err
	}
	s.log.Info("outbound run", "workflow", wf.Name, "created", st.Created, "updated", st.Updated, "deleted", st.Deleted,
		"retried", st.Retried, "failed", st.Failed, "held", st.Held, "reconciled", st.Reconciled, "api_calls", st.APICalls, "err", sendErr)
	if sendErr != nil {
		s.forget(wf.ID) // bind again: the connection or the org may have changed
		return time.Time{}, sendErr
	}
	stats, err = s.opts.Store.Outbox().Stats(ctx, w.sh.ID)
	return w.nextDue(stats), err
}

// nextDue is when the sheet's outbox has work again without a new change:
// the first retry, or — for changes claimed by a writer that may have died
// — when their lease has certainly run out.
func (w *Writer) nextDue(st store.OutboxStats) time.Time {
	next := st.NextRetry
	if st.InFlight > 0 {
		if expiry := w.opts.Now().Add(w.opts.Lease); next.IsZero() || expiry.Before(next) {
			next = expiry
		}
	}
	return next
}

// writer returns the workflow's writer, binding it again when the
// workflow changed; nil for a workflow that does not write to Salesforce.
func (s *Sender) writer(ctx context.Context, wf store.Workflow) (*Writer, error) {
	s.mu.Lock()
	bw, ok := s.writers[wf.ID]
	s.mu.Unlock()
	if ok && bw.version == wf.Version {
		return bw.w, nil
	}
	client, err := s.opts.Connector.Client(ctx, wf.OrgID, wf.OwnerID)
	if err != nil {
		return nil, err
	}
	plan, sh, err := s.opts.Binder.BindOutbound(ctx, wf, client)
	if err != nil {
		return nil, err
	}
	var w *Writer
	if plan != nil {
		opts := s.opts.Writer
		opts.Store, opts.Sheet, opts.WorkflowID, opts.Client, opts.Plan, opts.Logger = s.opts.Store, sh, wf.ID, client, plan, s.log
		if w, err = NewWriter(opts); err != nil {
			return nil, err
		}
	}
	s.mu.Lock()
	s.writers[wf.ID] = boundWriter{version: wf.Version, w: w}
	s.mu.Unlock()
	return w, nil
}

func (s *Sender) forget(workflowID int64) {
	s.mu.Lock()
	delete(s.writers, workflowID)
	s.mu.Unlock()
}
