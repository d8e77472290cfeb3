package syncer

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/sfbridge/sfbridge/internal/sheet"
	"github.com/sfbridge/sfbridge/internal/store"
)

// VersionColumn is the sheet column where the inbound sync of a stored
// workflow keeps each row's SystemModstamp (ADR 0070): the SheetSink's
// VersionColumn for every workflow the server binds.
const VersionColumn = "Salesforce Modstamp"

// SheetSink writes a workflow's rows into a sheet.
//
// Each row's SystemModstamp is kept in VersionColumn, a datetime column of
// the sheet, so that a record read again unchanged is skipped (ADR 0070).
// Until package sheet keeps a version per row itself, the binder adds that
// column to the sheets of inbound workflows.
type SheetSink struct {
	Sheet         *sheet.Sheet
	VersionColumn string
	// Merge, on a two-way workflow, keeps the rows' links and merges
	// records into rows edited here instead of overwriting them (ADR
	// 0161). nil on an inbound-only workflow: Salesforce is the master.
	Merge *Merge
}

var _ Sink = (*SheetSink)(nil)

// Versions implements Sink.
func (s *SheetSink) Versions(ctx context.Context, tx *store.Tx, ids []string) (map[string]time.Time, error) {
	col := slices.IndexFunc(s.Sheet.Columns, func(c sheet.Column) bool { return strings.EqualFold(c.Name, s.VersionColumn) })
	if col < 0 {
		return nil, fmt.Errorf("sheet %q has no version column %q", s.Sheet.Name, s.VersionColumn)
	}
	out := make(map[string]time.Time, len(ids))
	for _, id := range ids {
		row, err := s.Sheet.BySFID(ctx, tx, id)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		v, _ := row.Values[col].(string)
		t, err := time.Parse(time.RFC3339Nano, v)
		if err != nil {
			t = time.Time{} // no version: the row is rewritten
		}
		out[row.SFID] = t
	}
	return out, nil
}

// Upsert implements Sink. Rows the sheet refuses (a value that does not fit
// its column) are left out and reported as failures; the others are
// written.
func (s *SheetSink) Upsert(ctx context.Context, tx *store.Tx, rows []Row) (int, int, []Failure, error) {
	if s.Merge != nil {
		var err error
		if rows, err = s.Merge.split(ctx, tx, s.Sheet, s.VersionColumn, rows); err != nil {
			return 0, 0, nil, err
		}
	}
	var failed []Failure
	good := make([]Row, 0, len(rows))
	for _, r := range rows {
		if r.Err != nil {
			failed = append(failed, Failure{SalesforceID: r.SalesforceID, Err: r.Err})
			continue
		}
		good = append(good, r)
	}
	res, err := s.Sheet.Upsert(ctx, tx, s.batch(good, true))
	if errors.Is(err, sheet.ErrInvalidValue) {
		// Find the refused rows one by one, inside the same transaction.
		res, err = sheet.Result{}, nil
		for _, r := range good {
			one, err1 := s.Sheet.Upsert(ctx, tx, s.batch([]Row{r}, true))
			if errors.Is(err1, sheet.ErrInvalidValue) {
				failed = append(failed, Failure{SalesforceID: r.SalesforceID, Err: err1})
				continue
			}
			if err1 != nil {
				return 0, 0, nil, err1
			}
			res.Inserted, res.Updated = res.Inserted+one.Inserted, res.Updated+one.Updated+one.Unchanged
		}
	}
	if err != nil {
		return 0, 0, nil, err
	}
	if s.Merge != nil {
		if err := s.Merge.link(ctx, tx, s.Sheet, good); err != nil {
			return 0, 0, nil, err
		}
	}
	return res.Inserted, res.Updated + res.Unchanged, failed, nil
}

// Remove implements Sink.
func (s *SheetSink) Remove(ctx context.Context, tx *store.Tx, ids []string, how Removal) (int, error) {
	if how == MarkRow {
		return s.Sheet.MarkRemoved(ctx, tx, ids)
	}
	rowIDs := make([]int64, 0, len(ids))
	for _, id := range ids {
		row, err := s.Sheet.BySFID(ctx, tx, id)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return 0, err
		}
		rowIDs = append(rowIDs, row.ID)
	}
	return s.Sheet.Delete(ctx, tx, rowIDs)
}

// Refresh implements Sink: the given cells only, on rows that exist.
func (s *SheetSink) Refresh(ctx context.Context, tx *store.Tx, rows []Row) (int, error) {
	res, err := s.Sheet.Upsert(ctx, tx, s.batch(rows, false))
	return res.Updated, err
}

// batch turns rows into a sheet batch over the union of their columns (and
// the version column when withVersion is set).
func (s *SheetSink) batch(rows []Row, withVersion bool) sheet.Batch {
	cols := map[string]bool{}
	for _, r := range rows {
		for c := range r.Cells {
			cols[c] = true
		}
	}
	b := sheet.Batch{Columns: slices.Sorted(maps.Keys(cols)), Origin: sheet.OriginSync}
	if withVersion {
		b.Columns = append(b.Columns, s.VersionColumn)
	}
	b.Rows = make([]sheet.Input, len(rows))
	for i, r := range rows {
		vals := make([]any, len(b.Columns))
		for j, c := range b.Columns {
			vals[j] = r.Cells[c]
		}
		if withVersion {
			vals[len(vals)-1] = r.Modstamp.UTC().Format(time.RFC3339Nano)
		}
		b.Rows[i] = sheet.Input{SFID: r.SalesforceID, Values: vals}
	}
	return b
}
