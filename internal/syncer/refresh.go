package syncer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/sfbridge/sfbridge/internal/store"
)

// refreshPoint is the checkpoint of a workflow's formula refresh: a pass
// reads Id and the formula fields of every matching record in Id order and
// may stop and resume like a load (ADR 0073).
type refreshPoint struct {
	Plan string `json:"plan"`
	// AfterID is the last record of the current pass; "" before its first
	// page.
	AfterID string `json:"after_id,omitempty"`
	// Running is true while a pass is under way.
	Running bool `json:"running,omitempty"`
	// DoneAt is when the last pass ended (local clock); the next one is due
	// RefreshEvery later.
	DoneAt time.Time `json:"done_at,omitzero"`
}

// Refresh re-reads the formula fields of the workflow's records when a
// refresh is due (Plan.RefreshEvery after the last one), resuming a pass
// that stopped. Formulas change without their record's SystemModstamp
// moving when they read other records, so incremental reads miss them. It
// does nothing while the initial load runs (the load reads fresh values)
// and reports whether a pass ran to its end.
func (e *Engine) Refresh(ctx context.Context, j Job) (Stats, bool, error) {
	var st Stats
	p := j.Plan
	if len(p.Source.Formulas) == 0 || p.RefreshEvery <= 0 || p.FormulaCells == nil {
		return st, false, nil
	}
	inbound, err := e.loadCheckpoint(ctx, j.WorkflowID, streamInbound, p.fingerprint())
	if err != nil || inbound.Phase != PhaseIncremental {
		return st, false, err
	}
	rp, err := e.loadRefreshPoint(ctx, j.WorkflowID, p.fingerprint())
	if err != nil {
		return st, false, err
	}
	now := e.now()
	if !rp.Running {
		if rp.DoneAt.IsZero() {
			// The load that just ended read fresh formulas: count it as a pass.
			rp.DoneAt = now
			return st, false, e.saveRefreshPoint(ctx, j.WorkflowID, rp)
		}
		if now.Before(rp.DoneAt.Add(p.RefreshEvery)) {
			return st, false, nil
		}
		rp.Running, rp.AfterID = true, ""
	}
	for batch, err := range j.Reader.Read(ctx, Read{SOQL: p.Source.refreshQuery(rp.AfterID)}) {
		if err != nil {
			return st, false, fmt.Errorf("reading the formula fields of %s: %w", p.Source.Object, err)
		}
		if len(batch.Records) == 0 {
			continue
		}
		next := rp
		err := e.store.Write(ctx, func(tx *store.Tx) error {
			got, err := e.refreshPage(ctx, tx, j, batch)
			if err != nil {
				return err
			}
			st.add(got)
			next.AfterID = batch.Records[len(batch.Records)-1].ID()
			return tx.Checkpoints().Save(ctx, j.WorkflowID, streamRefresh, mustJSON(next))
		})
		if err != nil {
			return st, false, fmt.Errorf("refreshing %d records of %s: %w", len(batch.Records), p.Source.Object, err)
		}
		rp = next
	}
	rp = refreshPoint{Plan: rp.Plan, DoneAt: e.now()}
	return st, true, e.saveRefreshPoint(ctx, j.WorkflowID, rp)
}

// refreshPage sets the formula cells of the rows that exist among a page
// of refreshed records.
func (e *Engine) refreshPage(ctx context.Context, tx *store.Tx, j Job, batch Batch) (Stats, error) {
	st := Stats{Read: len(batch.Records)}
	ids := make([]string, len(batch.Records))
	for i, rec := range batch.Records {
		ids[i] = rec.ID()
	}
	versions, err := j.Sink.Versions(ctx, tx, ids)
	if err != nil {
		return st, err
	}
	rows := make([]Row, 0, len(versions))
	for i, rec := range batch.Records {
		if _, ok := versions[ids[i]]; !ok {
			continue
		}
		cells, err := j.Plan.FormulaCells(rec)
		if err != nil {
			st.fail([]Failure{{SalesforceID: ids[i], Err: err}})
			continue
		}
		rows = append(rows, Row{SalesforceID: ids[i], Cells: cells})
	}
	if len(rows) == 0 {
		return st, nil
	}
	n, err := j.Sink.Refresh(ctx, tx, rows)
	st.Updated = n
	return st, err
}

func (e *Engine) loadRefreshPoint(ctx context.Context, workflowID int64, plan string) (refreshPoint, error) {
	b, err := e.store.Checkpoints().Get(ctx, workflowID, streamRefresh)
	if errors.Is(err, store.ErrNotFound) || len(b) == 0 {
		return refreshPoint{Plan: plan}, nil
	}
	if err != nil {
		return refreshPoint{}, err
	}
	var rp refreshPoint
	if err := json.Unmarshal(b, &rp); err != nil {
		return refreshPoint{}, fmt.Errorf("decoding the formula refresh checkpoint of workflow %d: %w", workflowID, err)
	}
	if rp.Plan != plan {
		return refreshPoint{Plan: plan}, nil
	}
	return rp, nil
}

func (e *Engine) saveRefreshPoint(ctx context.Context, workflowID int64, rp refreshPoint) error {
	return e.store.Checkpoints().Save(ctx, workflowID, streamRefresh, mustJSON(rp))
}

// mustJSON encodes a checkpoint struct, which cannot fail.
func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("encoding a checkpoint: %v", err))
	}
	return b
}
