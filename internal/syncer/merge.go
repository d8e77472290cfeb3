package syncer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"time"

	"github.com/sfbridge/sfbridge/internal/sheet"
	"github.com/sfbridge/sfbridge/internal/store"
)

// Merge is the two-way side of a SheetSink (ADR 0161): it keeps each
// row's link — the values both sides held when last in step — and, when a
// record comes in for a row edited here and not yet sent, merges the two
// field by field instead of overwriting the edit.
type Merge struct {
	WorkflowID int64
	Policy     store.ConflictPolicy
	// Fields maps each two-way column to its Salesforce field, for the
	// conflicts recorded. Columns not listed only flow inbound: Salesforce
	// always wins them.
	Fields map[string]string
}

// Decision is what the merge does with one column of a row changed on
// both sides.
type Decision struct {
	Column     string
	Take       bool // write Salesforce's value to the sheet
	Conflict   bool // both changed, to different values
	Resolution store.Resolution
}

// mergeColumns decides, column by column, between a row edited here
// (ours) and its record as it comes in (theirs), from the values both held
// when last in step (base); every value in the link's JSON form. A column
// only Salesforce changed is taken; one only the sheet changed is kept (the
// outbound side sends it); one both changed to different values is a
// conflict the policy settles — newest_wins by sfTime (the record's
// SystemModstamp) against rowTime (the row's last change) — or, under
// manual, left open: the sheet keeps its value and the row waits.
func mergeColumns(columns []string, twoWay map[string]string, base, ours, theirs map[string]any, policy store.ConflictPolicy, sfTime, rowTime time.Time) []Decision {
	var out []Decision
	for _, c := range columns {
		t, o, b := canonical(theirs[c]), canonical(ours[c]), canonical(base[c])
		_, both := twoWay[c]
		switch {
		case t == o:
			continue
		case !both:
			out = append(out, Decision{Column: c, Take: true}) // inbound only: Salesforce is the master
		case t == b:
			continue // only the sheet changed it
		case o == b:
			out = append(out, Decision{Column: c, Take: true})
		default:
			d := Decision{Column: c, Conflict: true}
			switch policy {
			case store.PolicySheetWins:
				d.Resolution = store.ResolvedSheet
			case store.PolicyNewestWins:
				d.Resolution = store.ResolvedSheet
				if sfTime.After(rowTime) {
					d.Resolution = store.ResolvedSalesforce
				}
			case store.PolicyManual:
				d.Resolution = store.Unresolved
			default:
				d.Resolution = store.ResolvedSalesforce
			}
			d.Take = d.Resolution == store.ResolvedSalesforce
			out = append(out, d)
		}
	}
	return out
}

// jsonCell is a cell in the JSON form links keep.
func jsonCell(v any) any {
	b, err := json.Marshal(v)
	if err != nil {
		return v
	}
	var out any
	if json.Unmarshal(b, &out) != nil {
		return v
	}
	return out
}

// pending reports whether a row holds local changes not yet in Salesforce.
func pending(r *sheet.Row) bool {
	return r.Status == sheet.StatusPending || r.Status == sheet.StatusConflict || r.Status == sheet.StatusDeleted
}

// split takes the incoming rows that meet a row edited here out of the
// batch, and merges each into its row; it returns the rows to write as
// usual. A record whose row was deleted here is left out: the delete goes
// out.
func (m *Merge) split(ctx context.Context, tx *store.Tx, sh *sheet.Sheet, version string, rows []Row) ([]Row, error) {
	open, err := tx.Journal().ListOpen(ctx, m.WorkflowID)
	if err != nil {
		return nil, err
	}
	out := rows[:0:0]
	for _, r := range rows {
		if r.Err != nil {
			out = append(out, r)
			continue
		}
		row, err := sh.BySFID(ctx, tx, r.SalesforceID)
		if errors.Is(err, store.ErrNotFound) {
			if open, err = m.adopt(ctx, tx, sh, open, r); err != nil {
				return nil, err
			}
			out = append(out, r)
			continue
		}
		if err != nil {
			return nil, err
		}
		if !pending(row) {
			out = append(out, r)
			continue
		}
		if row.Status == sheet.StatusDeleted {
			continue
		}
		if err := m.mergeRow(ctx, tx, sh, version, row, r); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// adopt links a record that has no row to the row whose create is open in
// the journal with the same values, when there is one: the record is what
// that create made, its answer lost (ADR 0160). Without this, the record
// would get a row of its own, and the open create, finding its record
// taken, would make a second one. It returns the entries still open.
func (m *Merge) adopt(ctx context.Context, tx *store.Tx, sh *sheet.Sheet, open []store.JournalEntry, in Row) ([]store.JournalEntry, error) {
	for i, e := range open {
		row, err := sh.Get(ctx, tx, e.RowID)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return open, err
		}
		if !m.sameTwoWay(cells(sh, row), in.Cells) {
			continue
		}
		if err := sh.Reconcile(ctx, tx, e, in.SalesforceID); err != nil {
			return open, err
		}
		return append(open[:i:i], open[i+1:]...), nil
	}
	return open, nil
}

// sameTwoWay reports whether a row holds a record's values in every
// two-way column the record maps (at least one).
func (m *Merge) sameTwoWay(row, record map[string]any) bool {
	n := 0
	for col := range m.Fields {
		v, ok := record[col]
		if !ok {
			continue
		}
		if canonical(jsonCell(v)) != canonical(row[col]) {
			return false
		}
		n++
	}
	return n > 0
}

// mergeRow merges an incoming record into a row edited here: the columns
// decided for Salesforce are written, every conflict recorded, and the
// link's base moves for the columns now in step. The version column takes
// the record's SystemModstamp, so that the record is not merged again.
func (m *Merge) mergeRow(ctx context.Context, tx *store.Tx, sh *sheet.Sheet, version string, row *sheet.Row, in Row) error {
	link, err := tx.Links().Get(ctx, m.WorkflowID, row.ID)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	ours, base := cells(sh, row), byName(sh, link.Row)
	theirs := map[string]any{}
	var columns []string
	for _, c := range sh.Columns {
		if v, ok := in.Cells[c.Name]; ok {
			theirs[c.Name] = jsonCell(v)
			columns = append(columns, c.Name)
		}
	}
	decisions := mergeColumns(columns, m.Fields, base, ours, theirs, m.Policy, in.Modstamp, row.UpdatedAt)
	take := map[string]any{}
	open := 0
	for _, d := range decisions {
		if d.Take {
			take[d.Column] = in.Cells[d.Column]
		}
		if !d.Conflict {
			continue
		}
		kept := ours[d.Column]
		if d.Take {
			kept = theirs[d.Column]
		}
		c := store.Conflict{WorkflowID: m.WorkflowID, SheetID: sh.ID, RowID: row.ID, SFID: row.SFID, Field: m.Fields[d.Column],
			Column: d.Column, SheetValue: ours[d.Column], SalesforceValue: theirs[d.Column], BaseValue: base[d.Column],
			Policy: m.Policy, Resolution: d.Resolution}
		if d.Resolution != store.Unresolved {
			c.ResolvedValue, c.ResolvedBy = kept, "policy"
		} else {
			open++
		}
		if _, err := tx.Conflicts().Record(ctx, c); err != nil {
			return err
		}
	}
	b := sheet.Batch{Origin: sheet.OriginSync, Columns: []string{version}}
	vals := []any{in.Modstamp.UTC().Format(time.RFC3339Nano)}
	for _, c := range sh.Columns {
		if v, ok := take[c.Name]; ok {
			b.Columns, vals = append(b.Columns, c.Name), append(vals, v)
		}
	}
	b.Rows = []sheet.Input{{ID: row.ID, SFID: row.SFID, Values: vals}}
	if _, err := sh.Update(ctx, tx, b); err != nil {
		return fmt.Errorf("merging record %s into row %d: %w", in.SalesforceID, row.ID, err)
	}
	if open > 0 {
		msg := fmt.Sprintf("%d field(s) changed both here and in Salesforce: choose with sfbridge conflict list, then sfbridge conflict resolve", open)
		if _, err := sh.SetStatus(ctx, tx, []sheet.StatusUpdate{{ID: row.ID, Status: sheet.StatusConflict, Error: msg}}); err != nil {
			return err
		}
	}
	// The base moves where both sides now agree: the columns taken, and
	// those both changed to the same value.
	newBase := maps.Clone(link.Row)
	if newBase == nil {
		newBase = map[string]any{}
	}
	for _, c := range sh.Columns {
		if _, ok := take[c.Name]; ok || canonical(theirs[c.Name]) == canonical(ours[c.Name]) {
			if _, in := theirs[c.Name]; in {
				newBase[c.Ident] = theirs[c.Name]
			}
		}
	}
	return tx.Links().Save(ctx, store.Link{WorkflowID: m.WorkflowID, RowID: row.ID, SheetID: sh.ID, SFID: row.SFID,
		Record: link.Record, Modstamp: in.Modstamp, Row: newBase})
}

// link saves the links of rows the inbound side wrote as they came: both
// sides are in step.
func (m *Merge) link(ctx context.Context, tx *store.Tx, sh *sheet.Sheet, rows []Row) error {
	for _, r := range rows {
		if r.Err != nil {
			continue
		}
		row, err := sh.BySFID(ctx, tx, r.SalesforceID)
		if errors.Is(err, store.ErrNotFound) {
			continue // refused by the sheet
		}
		if err != nil {
			return err
		}
		if pending(row) {
			continue
		}
		prev, err := tx.Links().Get(ctx, m.WorkflowID, row.ID)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		if err := tx.Links().Save(ctx, store.Link{WorkflowID: m.WorkflowID, RowID: row.ID, SheetID: sh.ID, SFID: row.SFID,
			Record: prev.Record, Modstamp: r.Modstamp, Row: sh.LinkValues(row)}); err != nil {
			return err
		}
	}
	return nil
}

// byName turns a link's row values (by column identifier) into values by
// column name.
func byName(sh *sheet.Sheet, byIdent map[string]any) map[string]any {
	out := make(map[string]any, len(byIdent))
	for _, c := range sh.Columns {
		if v, ok := byIdent[c.Ident]; ok {
			out[c.Name] = v
		}
	}
	return out
}

// ResolveConflict settles an open conflict for by (who decided): how says
// which value is kept — the sheet's, Salesforce's, or value. In one
// transaction the kept value is written to the row, and the row is asked to
// be sent again as a whole, so that the value reaches Salesforce with the
// changes that waited for the decision (the writer holds a row while any
// of its conflicts is open). Given a transaction, it joins it, so a caller
// may record the decision (an audit entry) with it.
func ResolveConflict(ctx context.Context, sc store.Scope, sh *sheet.Sheet, id int64, how store.Resolution, value any, by string) error {
	err := sc.Write(ctx, func(tx *store.Tx) error {
		c, err := tx.Conflicts().Get(ctx, id)
		if err != nil {
			return err
		}
		if c.SheetID != sh.ID {
			return fmt.Errorf("the conflict is on another sheet: %w", store.ErrNotFound)
		}
		kept := value
		switch how {
		case store.ResolvedSheet:
			kept = c.SheetValue
		case store.ResolvedSalesforce:
			kept = c.SalesforceValue
		}
		if _, err := tx.Conflicts().Resolve(ctx, id, how, kept, by); err != nil {
			return err
		}
		if _, err := sh.Get(ctx, tx, c.RowID); errors.Is(err, store.ErrNotFound) {
			return nil // the row is gone: nothing to send
		}
		if _, err := sh.Update(ctx, tx, sheet.Batch{Columns: []string{c.Column}, Origin: sheet.OriginSync,
			Rows: []sheet.Input{{ID: c.RowID, Values: []any{kept}}}}); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, "UPDATE "+store.QuoteIdent(sh.Table)+" SET "+store.QuoteIdent("_status")+" = 'pending' WHERE "+
			store.QuoteIdent("_id")+" = $1", c.RowID)
		return err
	})
	if err != nil {
		return fmt.Errorf("resolving conflict %d of sheet %q: %w", id, sh.Name, err)
	}
	return nil
}
