package syncer

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/sfbridge/sfbridge/internal/salesforce"
	"github.com/sfbridge/sfbridge/internal/sheet"
	"github.com/sfbridge/sfbridge/internal/store"
)

// WriterOptions configure a Writer. Store, Sheet, WorkflowID, Client and
// Plan are required.
type WriterOptions struct {
	Store      *store.Store
	Sheet      *sheet.Sheet
	WorkflowID int64
	Client     *salesforce.Client
	Plan       *Outbound
	// Batch is how many rows a claim takes: one sObject Collections call.
	// Default and maximum salesforce.MaxCollectionSize (200).
	Batch int
	// Lease is how long a claim holds before another writer may take it
	// over — after a crash, how long the changes in flight wait. Default 30
	// seconds.
	Lease time.Duration
	// CallTimeout bounds each Salesforce call, so that a claim does not
	// outlive the send it covers. Default half the Lease.
	CallTimeout time.Duration
	// RetryBase and RetryCap bound the backoff of transient failures:
	// RetryBase doubling per attempt, at most RetryCap. Default 30 s and
	// 1 h (store.Backoff).
	RetryBase, RetryCap time.Duration
	// MaxAttempts is how many transient failures a change takes before it
	// becomes a dead letter. Default 20.
	MaxAttempts int
	// ReconcileWindow is how far before a create was journaled the writer
	// looks for the record it may have made (clocks differ). Default 5
	// minutes.
	ReconcileWindow time.Duration
	Now             func() time.Time
	Logger          *slog.Logger
}

// Writer sends a sheet's pending changes to Salesforce for one outbound or
// two-way workflow (ADR 0160): it claims them from the outbox, 200 rows at
// a time, writes them through sObject Collections with allOrNone off, and
// settles each row with Salesforce's answer for it. It is not safe for
// concurrent use; one Writer per workflow.
type Writer struct {
	opts    WriterOptions
	sh      *sheet.Sheet
	plan    *Outbound
	columns map[string]string // field API name → column name
	// deadLetters is set while the workflow has dead letters on the
	// sheet, so that a row synced again loses its own.
	deadLetters bool
	// beforeSettle, in tests, runs between Salesforce's answer and the
	// local commit; an error there stops the drain as a crash would.
	beforeSettle func() error
}

// NewWriter returns a Writer, or an error saying what in opts is wrong.
func NewWriter(opts WriterOptions) (*Writer, error) {
	if opts.Store == nil || opts.Sheet == nil || opts.Client == nil || opts.Plan == nil || opts.WorkflowID == 0 {
		return nil, fmt.Errorf("%w: a writer needs a store, a sheet, a workflow ID, a client and a plan", ErrInvalidOutbound)
	}
	if err := opts.Plan.check(opts.Sheet); err != nil {
		return nil, err
	}
	if opts.Batch <= 0 || opts.Batch > salesforce.MaxCollectionSize {
		opts.Batch = salesforce.MaxCollectionSize
	}
	if opts.Lease <= 0 {
		opts.Lease = 30 * time.Second
	}
	if opts.CallTimeout <= 0 {
		opts.CallTimeout = opts.Lease / 2
	}
	if opts.RetryBase <= 0 {
		opts.RetryBase = 30 * time.Second
	}
	if opts.RetryCap <= 0 {
		opts.RetryCap = time.Hour
	}
	if opts.MaxAttempts <= 0 {
		opts.MaxAttempts = 20
	}
	if opts.ReconcileWindow <= 0 {
		opts.ReconcileWindow = 5 * time.Minute
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	w := &Writer{opts: opts, sh: opts.Sheet, plan: opts.Plan, columns: map[string]string{}}
	for _, f := range opts.Plan.Fields {
		for _, name := range f.Writes {
			if f.Column != "" {
				w.columns[name] = f.Column
			}
		}
	}
	return w, nil
}

// OutStats counts what a drain did.
type OutStats struct {
	Created, Updated, Deleted int // rows Salesforce accepted
	Retried                   int // transient failures, to be sent again
	Failed                    int // permanent failures: dead letters
	Held                      int // rows waiting for a conflict to be resolved
	Reconciled                int // creates left open by a crash, settled
	APICalls                  int64
}

func (s *OutStats) add(o OutStats) {
	s.Created += o.Created
	s.Updated += o.Updated
	s.Deleted += o.Deleted
	s.Retried += o.Retried
	s.Failed += o.Failed
	s.Held += o.Held
	s.Reconciled += o.Reconciled
}

// settled is how many changes reached an end.
func (s OutStats) settled() int { return s.Created + s.Updated + s.Deleted + s.Failed }

// Drain sends every due change of the sheet, batch after batch, until none
// is left or a batch settles nothing (all of it is to be retried later).
// Creates left open by an earlier crash are reconciled first. It stops at
// the first error Salesforce gives for a whole request that no retry can
// help (connection to authorize again, API limit reached), after giving the
// unsent changes back.
func (w *Writer) Drain(ctx context.Context) (st OutStats, err error) {
	before := w.opts.Client.Calls().API()
	defer func() { st.APICalls = w.opts.Client.Calls().API() - before }()
	st.Reconciled, err = w.reconcile(ctx)
	if err != nil {
		return st, err
	}
	for {
		var chs []sheet.Change
		chs, err = w.sh.Claim(ctx, w.opts.Store, w.opts.Batch, w.opts.Lease)
		if err != nil || len(chs) == 0 {
			return st, err
		}
		var dls []store.DeadLetter
		dls, err = w.opts.Store.DeadLetters().List(ctx, store.DeadLetterFilter{WorkflowID: w.opts.WorkflowID, SheetID: w.sh.ID}, 0, 1)
		if err != nil {
			return st, err
		}
		w.deadLetters = len(dls) > 0
		var round OutStats
		round, err = w.send(ctx, chs)
		st.add(round)
		if err != nil {
			return st, err
		}
		if round.settled() == 0 {
			return st, nil
		}
	}
}

// send writes one claim's changes and settles each.
func (w *Writer) send(ctx context.Context, chs []sheet.Change) (OutStats, error) {
	var (
		st                        OutStats
		creates, updates, deletes []sheet.Change
	)
	for _, ch := range chs {
		held, err := w.hold(ctx, ch)
		if err != nil {
			return st, err
		}
		switch {
		case held:
			st.Held++
		case ch.Op == store.OpInsert:
			creates = append(creates, ch)
		case ch.Op == store.OpDelete:
			deletes = append(deletes, ch)
		default:
			updates = append(updates, ch)
		}
	}
	steps := []struct {
		chs  []sheet.Change
		send func(context.Context, []sheet.Change, *OutStats) error
	}{{creates, w.sendNew}, {updates, w.sendUpdates}, {deletes, w.sendDeletes}}
	var stop error
	for _, s := range steps {
		if len(s.chs) == 0 {
			continue
		}
		if stop != nil {
			if err := w.giveBack(ctx, s.chs); err != nil {
				return st, err
			}
			continue
		}
		if err := s.send(ctx, s.chs, &st); err != nil {
			if !stopsDrain(err) {
				return st, err
			}
			stop = err
		}
	}
	return st, stop
}

// stopsDrain reports whether a request's error concerns every request
// (authorization, API limit): nothing more is sent until it is dealt with.
func stopsDrain(err error) bool {
	return errors.Is(err, salesforce.ErrNeedsReauth) || errors.Is(err, salesforce.ErrLimitExceeded)
}

// perRecord reports whether err is Salesforce's answer for one record of a
// collection, rather than the failure of the whole request.
func perRecord(err error) bool {
	ae, ok := errors.AsType[*salesforce.APIError](err)
	return ok && ae.Status == 0
}

// hold reports whether a change must wait for a conflict to be resolved
// (policy manual), and if so gives it back until someone decides.
func (w *Writer) hold(ctx context.Context, ch sheet.Change) (bool, error) {
	if w.plan.Policy != store.PolicyManual || ch.Op == store.OpInsert {
		return false, nil
	}
	open, err := w.opts.Store.Conflicts().List(ctx, store.ConflictFilter{WorkflowID: w.opts.WorkflowID, RowID: ch.RowID, OpenOnly: true}, 0, 1)
	if err != nil || len(open) == 0 {
		return false, err
	}
	reason := fmt.Sprintf("Waiting for a decision on a conflict on %s: see sfbridge conflict list, then sfbridge conflict resolve %d", open[0].Field, open[0].ID)
	return true, w.sh.Retry(ctx, w.opts.Store, ch, reason, w.opts.Now().Add(w.opts.RetryCap))
}

// giveBack releases changes untouched: they are claimed again later.
func (w *Writer) giveBack(ctx context.Context, chs []sheet.Change) error {
	return w.opts.Store.Write(ctx, func(tx *store.Tx) error {
		for _, ch := range chs {
			if err := tx.Outbox().Release(ctx, ch.Change); err != nil && !errors.Is(err, store.ErrConflict) {
				return err
			}
		}
		return nil
	})
}

// fields returns the Salesforce fields a change sets: every outbound field
// for a new record; for an update, the fields of the changed columns (and
// the fixed values with them), without the create-only ones. An update
// that changes no mapped column sets nothing.
func (w *Writer) fields(ch sheet.Change, create bool) (map[string]any, error) {
	cs := cells(w.sh, ch.Row)
	out := map[string]any{}
	var fixed []OutField
	for _, f := range w.plan.Fields {
		switch {
		case f.CreateOnly && !create:
			continue
		case f.Column == "":
			fixed = append(fixed, f)
			continue
		case !create && !w.changed(ch, f.Column):
			continue
		}
		vals, err := f.Values(cs)
		if err != nil {
			return nil, err
		}
		maps.Copy(out, vals)
	}
	if len(out) == 0 {
		return out, nil
	}
	for _, f := range fixed {
		vals, err := f.Values(cs)
		if err != nil {
			return nil, err
		}
		maps.Copy(out, vals)
	}
	return out, nil
}

// changed reports whether a change touches a column; the upsert key always
// travels.
func (w *Writer) changed(ch sheet.Change, column string) bool {
	if w.plan.Operation == OpUpsert && column == w.plan.ExternalIDColumn {
		return true
	}
	return slices.ContainsFunc(ch.Changed, func(c string) bool { return strings.EqualFold(c, column) })
}

// record builds a Salesforce record of the plan's object.
func (w *Writer) record(fields map[string]any) *salesforce.Record {
	r := salesforce.NewRecord(w.plan.Object)
	for _, name := range slices.Sorted(maps.Keys(fields)) {
		r.Set(name, fields[name])
	}
	return r
}

// outcome settles the change at index i, which Salesforce accepted, in sc.
type outcome func(sc store.Scope, i int, res salesforce.Result) error

// settle applies Salesforce's results to the changes sent, in one
// transaction that outlives ctx (Salesforce has answered: the answer must
// be recorded): accepted ones through ok, the others retried (transient)
// or buried (permanent). A result whose error stops the drain gives its
// change back, and that error is returned. onRefused, when set, runs for
// each change Salesforce certainly did not apply (a create's journal entry
// is closed empty).
func (w *Writer) settle(ctx context.Context, chs []sheet.Change, results []salesforce.Result, reqErr error, st *OutStats, ok outcome, onRefused func(tx *store.Tx, i int) error) error {
	if w.beforeSettle != nil {
		if err := w.beforeSettle(); err != nil {
			return err
		}
	}
	var stop error
	err := w.opts.Store.Write(context.WithoutCancel(ctx), func(tx *store.Tx) error {
		stop = nil
		for i, ch := range chs {
			res := salesforce.Result{Err: reqErr}
			if i < len(results) {
				res = results[i]
			}
			var err error
			switch {
			case res.Err == nil:
				err = ok(tx, i, res)
			case ctx.Err() != nil:
				// Stopping: the change goes back as it is (a create's
				// outcome stays unknown, for the next drain to reconcile).
				stop = ctx.Err()
				err = tx.Outbox().Release(context.WithoutCancel(ctx), ch.Change)
			case stopsDrain(res.Err):
				stop = res.Err
				err = w.refused(tx, onRefused, i, func() error { return tx.Outbox().Release(ctx, ch.Change) })
			case transient(res.Err) && ch.Attempts+1 < w.opts.MaxAttempts:
				at := w.opts.Now().Add(w.backoff(ch.Attempts + 1))
				reason := fmt.Sprintf("Salesforce did not take the change yet (%v); sfbridge retries it by itself", res.Err)
				retry := func() error { return w.sh.Retry(ctx, tx, ch, reason, at) }
				if perRecord(res.Err) { // Salesforce certainly did nothing with it
					err = w.refused(tx, onRefused, i, retry)
				} else {
					err = retry()
				}
				st.Retried++
			default:
				f := failure(res.Err, w.plan.Object, ch.RowID, w.columns)
				if transient(res.Err) {
					f = store.Failure{Code: codeGaveUp, Message: res.Err.Error(), Fields: f.Fields}
					f.Advice = advice(f, w.plan.Object, ch.RowID, w.columns)
				}
				err = w.refused(tx, onRefused, i, func() error { return w.fail(ctx, tx, ch, f) })
				st.Failed++
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("recording Salesforce's answers for sheet %q: %w", w.sh.Name, err)
	}
	return stop
}

// refused runs onRefused for change i, if set, then then.
func (w *Writer) refused(tx *store.Tx, onRefused func(*store.Tx, int) error, i int, then func() error) error {
	if onRefused != nil {
		if err := onRefused(tx, i); err != nil {
			return err
		}
	}
	return then()
}

// fail makes a change a dead letter.
func (w *Writer) fail(ctx context.Context, sc store.Scope, ch sheet.Change, f store.Failure) error {
	_, err := w.sh.Fail(ctx, sc, w.opts.WorkflowID, ch, f)
	return err
}

// backoff is the wait before attempt n+1: RetryBase doubling, at most
// RetryCap.
func (w *Writer) backoff(attempts int) time.Duration {
	d := w.opts.RetryBase
	for range max(attempts-1, 0) {
		if d >= w.opts.RetryCap/2 {
			return w.opts.RetryCap
		}
		d *= 2
	}
	return min(d, w.opts.RetryCap)
}

// synced records a change Salesforce accepted. A row's dead letter goes
// with it: the change that replaced it went through.
func (w *Writer) synced(ctx context.Context, sc store.Scope, ch sheet.Change, s sheet.Sent) error {
	return sc.Write(ctx, func(tx *store.Tx) error {
		if err := w.sh.Synced(ctx, tx, w.opts.WorkflowID, ch, s); err != nil {
			return err
		}
		if !w.deadLetters {
			return nil
		}
		dls, err := tx.DeadLetters().List(ctx, store.DeadLetterFilter{WorkflowID: w.opts.WorkflowID, SheetID: w.sh.ID, RowID: ch.RowID}, 0, 1)
		for _, dl := range dls {
			if _, err := tx.DeadLetters().Discard(ctx, dl.ID); err != nil {
				return err
			}
		}
		return err
	})
}

// transient reports whether a failure may pass by itself: what the client
// deems transient, and a call that outlasted CallTimeout.
func transient(err error) bool {
	return salesforce.IsTransient(err) || errors.Is(err, context.DeadlineExceeded)
}

// call is the context of one Salesforce call, bounded by CallTimeout.
func (w *Writer) call(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, w.opts.CallTimeout)
}
