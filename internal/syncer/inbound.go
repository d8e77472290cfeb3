package syncer

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/sfbridge/sfbridge/internal/salesforce"
	"github.com/sfbridge/sfbridge/internal/store"
)

// Checkpoint streams of a workflow.
const (
	streamInbound = "inbound"
	streamRefresh = "formula-refresh"
)

// DefaultLookback is how far before its cursor an unsettled incremental
// read starts (ADR 0070). It bounds how long a Salesforce transaction may
// take between stamping SystemModstamp and committing.
const DefaultLookback = 2 * time.Minute

// Progress reports how a read advances: records applied so far and the
// total the read announced (an estimate when a load resumes).
type Progress struct {
	Phase Phase
	Done  int
	Total int
}

// Stats count what a run did.
type Stats struct {
	Read     int // records read
	Inserted int // rows inserted
	Updated  int // rows updated (refreshed, for a formula refresh)
	Removed  int // rows removed or marked removed
	Failed   int // records that could not be mapped; their rows show why
	Skipped  int // records read again unchanged (lookback), left alone
	// Failures are the first maxFailures failed records, with why.
	Failures []Failure
}

// maxFailures is how many failures Stats keeps.
const maxFailures = 20

func (s *Stats) fail(fs []Failure) {
	s.Failed += len(fs)
	s.Failures = append(s.Failures, fs[:min(len(fs), maxFailures-len(s.Failures))]...)
}

func (s *Stats) add(o Stats) {
	s.Read += o.Read
	s.Inserted += o.Inserted
	s.Updated += o.Updated
	s.Removed += o.Removed
	s.Skipped += o.Skipped
	s.fail(o.Failures)
	s.Failed += o.Failed - len(o.Failures)
}

// Engine moves records from Salesforce into sheets. Each page of records is
// written in one store transaction together with the checkpoint that covers
// it, so a run stopped at any point (crash, cancellation, an API error)
// resumes where it stopped, without losing or doubling a change.
//
// An Engine is safe for concurrent use on different workflows; runs of the
// same workflow must not overlap (package jobs guarantees it).
type Engine struct {
	store    *store.Store
	lookback time.Duration
	now      func() time.Time
}

// EngineOptions tune an Engine; the zero value is the production setting.
type EngineOptions struct {
	// Lookback is DefaultLookback when zero.
	Lookback time.Duration
	// Now is the local clock, time.Now when nil. It only measures how long
	// ago the cursor moved (never compared with Salesforce's times).
	Now func() time.Time
}

// NewEngine returns an Engine writing to st.
func NewEngine(st *store.Store, opts EngineOptions) *Engine {
	e := &Engine{store: st, lookback: opts.Lookback, now: opts.Now}
	if e.lookback <= 0 {
		e.lookback = DefaultLookback
	}
	if e.now == nil {
		e.now = time.Now
	}
	return e
}

// Job is one run of one workflow.
type Job struct {
	WorkflowID int64
	Plan       *Plan
	Sink       Sink
	Reader     Reader
	// Progress, if set, is called after each page is committed.
	Progress func(Progress)
}

// Sync reads what the workflow has not seen yet: the initial load while it
// lasts (resuming where it stopped), then the changes since the cursor. It
// returns what it did, also when it fails part way.
func (e *Engine) Sync(ctx context.Context, j Job) (Stats, error) {
	cp, err := e.loadCheckpoint(ctx, j.WorkflowID, streamInbound, j.Plan.fingerprint())
	if err != nil {
		return Stats{}, err
	}
	if cp.Phase == PhaseInitial {
		return e.load(ctx, j, cp)
	}
	return e.poll(ctx, j, cp)
}

// load runs or resumes the initial load: the records that match the
// conditions, in (SystemModstamp, Id) order, page by page.
func (e *Engine) load(ctx context.Context, j Job, cp Checkpoint) (Stats, error) {
	var st Stats
	if cp.Cursor.IsZero() && cp.Floor.IsZero() {
		floor, err := e.floor(ctx, j)
		if err != nil {
			return st, err
		}
		cp.Floor = floor
	}
	read := Read{SOQL: j.Plan.Source.loadQuery(cp.loadStart())}
	first := true
	for batch, err := range j.Reader.Read(ctx, read) {
		if err != nil {
			return st, fmt.Errorf("reading %s: %w", j.Plan.Source.Object, err)
		}
		next := cp
		if first {
			// A resumed load reads the records of its cursor's second again.
			next.Total, first = cp.Done+batch.Total, false
		}
		got, err := e.commit(ctx, j, &next, batch.Records, false)
		st.add(got)
		if err != nil {
			return st, err
		}
		cp = next
		j.report(Progress{Phase: PhaseInitial, Done: cp.Done, Total: cp.Total})
	}
	cp.finishLoad(e.now(), e.lookback)
	return st, e.saveCheckpoint(ctx, j.WorkflowID, streamInbound, cp)
}

// poll reads every record changed since the cursor (deleted ones included,
// matching or not) and applies each change.
func (e *Engine) poll(ctx context.Context, j Job, cp Checkpoint) (Stats, error) {
	var st Stats
	began, from := e.now(), cp.Cursor
	start, sweep := cp.changesStart(began)
	read := Read{SOQL: j.Plan.Source.changesQuery(start), All: true}
	for batch, err := range j.Reader.Read(ctx, read) {
		if err != nil {
			return st, fmt.Errorf("reading changes of %s: %w", j.Plan.Source.Object, err)
		}
		next := cp
		got, err := e.commit(ctx, j, &next, batch.Records, true)
		st.add(got)
		if err != nil {
			return st, err
		}
		cp = next
		j.report(Progress{Phase: PhaseIncremental, Done: st.Read, Total: batch.Total})
	}
	before := cp
	cp.finishRead(began, from, sweep, e.lookback)
	if cp == before {
		return st, nil // an idle poll writes nothing
	}
	return st, e.saveCheckpoint(ctx, j.WorkflowID, streamInbound, cp)
}

// floor reads the object's latest SystemModstamp (one API call).
func (e *Engine) floor(ctx context.Context, j Job) (time.Time, error) {
	var floor time.Time
	for batch, err := range j.Reader.Read(ctx, Read{SOQL: j.Plan.Source.floorQuery(), All: true}) {
		if err != nil {
			return time.Time{}, fmt.Errorf("reading the latest change of %s: %w", j.Plan.Source.Object, err)
		}
		for _, rec := range batch.Records {
			if floor, err = modstamp(rec); err != nil {
				return time.Time{}, err
			}
		}
	}
	return floor, nil
}

// commit applies one page of records and saves cp, advanced past them, in
// one transaction. cp is only meaningful if commit succeeds.
func (e *Engine) commit(ctx context.Context, j Job, cp *Checkpoint, recs []*salesforce.Record, changes bool) (Stats, error) {
	var st Stats
	err := e.store.Write(ctx, func(tx *store.Tx) error {
		st = Stats{}
		last, err := e.apply(ctx, tx, j, recs, changes, &st)
		if err != nil {
			return err
		}
		if !changes {
			cp.Done += len(recs)
		}
		cp.advance(last, e.now(), e.lookback)
		return tx.Checkpoints().Save(ctx, j.WorkflowID, streamInbound, cp.encode())
	})
	if err != nil {
		return Stats{Read: len(recs)}, fmt.Errorf("writing %d records of %s: %w", len(recs), j.Plan.Source.Object, err)
	}
	return st, nil
}

// apply writes one page of records and returns the cursor of the last one.
// With changes set, the records come from a changes read: deleted records
// and records that no longer match remove their rows.
func (e *Engine) apply(ctx context.Context, tx *store.Tx, j Job, recs []*salesforce.Record, changes bool, st *Stats) (Cursor, error) {
	ids := make([]string, len(recs))
	for i, rec := range recs {
		ids[i] = rec.ID()
	}
	var versions map[string]time.Time
	if changes {
		var err error
		if versions, err = j.Sink.Versions(ctx, tx, ids); err != nil {
			return Cursor{}, err
		}
	}
	var (
		last    Cursor
		rows    []Row
		removed = map[Removal][]string{}
	)
	for i, rec := range recs {
		st.Read++
		ms, err := modstamp(rec)
		if err != nil {
			return Cursor{}, err
		}
		last = Cursor{Modstamp: ms, ID: ids[i]}
		version, exists := versions[ids[i]] // a load needs no versions: it writes every record
		if changes {
			how, leaves, err := j.Plan.leaves(rec)
			if err != nil {
				rows = append(rows, Row{SalesforceID: ids[i], Modstamp: ms, Err: err})
				continue
			}
			if leaves {
				if exists && how != KeepRow {
					removed[how] = append(removed[how], ids[i])
				}
				continue
			}
		}
		if changes && exists && version.Equal(ms) {
			// Read again by the lookback: the row has this version already.
			// (A load writes every record: after a change of plan, rows of
			// the same version must take the new mapping.)
			st.Skipped++
			continue
		}
		cells, err := j.Plan.Cells(rec)
		rows = append(rows, Row{SalesforceID: ids[i], Modstamp: ms, Cells: cells, Err: err})
	}
	if len(rows) > 0 {
		ins, upd, failed, err := j.Sink.Upsert(ctx, tx, rows)
		if err != nil {
			return Cursor{}, err
		}
		st.Inserted += ins
		st.Updated += upd
		st.fail(failed)
	}
	for _, how := range []Removal{RemoveRow, MarkRow} {
		if len(removed[how]) == 0 {
			continue
		}
		n, err := j.Sink.Remove(ctx, tx, removed[how], how)
		if err != nil {
			return Cursor{}, err
		}
		st.Removed += n
	}
	return last, nil
}

// leaves reports whether a record read by a changes read leaves the
// workflow (deleted, or no longer matching), and what becomes of its row.
func (p *Plan) leaves(rec *salesforce.Record) (Removal, bool, error) {
	if deleted, _ := rec.Bool(fieldIsDeleted); deleted {
		return orRemove(p.OnDelete), true, nil
	}
	if p.Match == nil {
		return 0, false, nil
	}
	ok, err := p.Match(rec)
	if err != nil {
		return 0, false, fmt.Errorf("evaluating the conditions on %s: %w", rec.ID(), err)
	}
	return orRemove(p.OnLeave), !ok, nil
}

func orRemove(r Removal) Removal {
	if r == 0 {
		return RemoveRow
	}
	return r
}

func (j Job) report(p Progress) {
	if j.Progress != nil {
		j.Progress(p)
	}
}

// modstamp returns a record's SystemModstamp.
func modstamp(rec *salesforce.Record) (time.Time, error) {
	ms, ok := rec.Time(fieldModstamp)
	if !ok {
		return time.Time{}, fmt.Errorf("record %s has no readable %s: %w", rec.ID(), fieldModstamp, ErrNoModstamp)
	}
	return ms.UTC(), nil
}

// loadCheckpoint reads a workflow's stream checkpoint for plan.
func (e *Engine) loadCheckpoint(ctx context.Context, workflowID int64, stream, plan string) (Checkpoint, error) {
	b, err := e.store.Checkpoints().Get(ctx, workflowID, stream)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return Checkpoint{}, err
	}
	cp, err := decodeCheckpoint(b, plan)
	if err != nil {
		return Checkpoint{}, fmt.Errorf("workflow %d, stream %s: %w", workflowID, stream, err)
	}
	return cp, nil
}

func (e *Engine) saveCheckpoint(ctx context.Context, workflowID int64, stream string, cp Checkpoint) error {
	return e.store.Checkpoints().Save(ctx, workflowID, stream, cp.encode())
}
