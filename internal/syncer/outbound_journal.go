package syncer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"time"

	"github.com/sfbridge/sfbridge/internal/salesforce"
	"github.com/sfbridge/sfbridge/internal/sheet"
	"github.com/sfbridge/sfbridge/internal/soql"
	"github.com/sfbridge/sfbridge/internal/store"
)

// reconcile settles the creates the journal holds open — sent, but whose
// answer never reached the sheet (a crash, a dropped connection) — and
// returns how many it settled. One query reads the records of the object
// created since the oldest entry was opened (less ReconcileWindow, for
// clocks that differ); each entry takes the oldest of them that no row is
// linked to and whose fields equal what the row sends on create (ADR 0160).
// An entry nothing matches made no record: its row is created again.
func (w *Writer) reconcile(ctx context.Context) (int, error) {
	open, err := w.opts.Store.Journal().ListOpen(ctx, w.opts.WorkflowID)
	if err != nil || len(open) == 0 {
		return 0, err
	}
	want := make([]map[string]any, len(open))
	names := map[string]bool{}
	since := open[0].OpenedAt
	for i, e := range open {
		since = minTime(since, e.OpenedAt)
		row, err := w.sh.Get(ctx, w.opts.Store, e.RowID)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return 0, err
		}
		fields, err := w.fields(sheet.Change{Row: row}, true)
		if err != nil {
			continue // it cannot have been sent as it is
		}
		want[i] = fields
		for name := range fields {
			names[name] = true
		}
	}
	candidates, err := w.recentCreates(ctx, since.Add(-w.opts.ReconcileWindow), slices.Sorted(maps.Keys(names)))
	if err != nil {
		return 0, err
	}
	taken := map[string]bool{}
	for i, e := range open {
		id := ""
		for _, rec := range candidates {
			if want[i] == nil || taken[rec.ID()] || !sameFields(rec, want[i]) {
				continue
			}
			if _, err := w.sh.BySFID(ctx, w.opts.Store, rec.ID()); err == nil {
				taken[rec.ID()] = true // another row has it
				continue
			}
			id = rec.ID()
			break
		}
		taken[id] = id != ""
		if err := w.sh.Reconcile(ctx, w.opts.Store, e, id); err != nil {
			return i, err
		}
		w.opts.Logger.Info("create reconciled", "sheet", w.sh.Name, "row", e.RowID, "record", id)
	}
	return len(open), nil
}

// recentCreates reads the object's records created since a time, oldest
// first, with the given fields.
func (w *Writer) recentCreates(ctx context.Context, since time.Time, fields []string) ([]*salesforce.Record, error) {
	q := &soql.Query{From: w.plan.Object, Select: selectItems(withID(fields)),
		Where:   &soql.Comparison{Left: field("CreatedDate"), Op: soql.OpGreaterEqual, Right: &soql.DateTimeLit{Time: since.UTC()}},
		OrderBy: []soql.OrderItem{{Expr: field("CreatedDate")}, {Expr: field("Id")}}}
	var out []*salesforce.Record
	call, cancel := w.call(ctx)
	defer cancel()
	for rec, err := range w.opts.Client.Query(call, q.String()) {
		if err != nil {
			return nil, fmt.Errorf("looking for records created by an unfinished create of sheet %q: %w", w.sh.Name, err)
		}
		out = append(out, rec)
	}
	return out, nil
}

// sameFields reports whether a record holds the values a create sent.
func sameFields(rec *salesforce.Record, fields map[string]any) bool {
	for name, want := range fields {
		got, _ := rec.Get(name)
		if canonical(got) != canonical(want) {
			return false
		}
	}
	return true
}

// canonical is a value's comparable text: numbers in one form whatever
// their Go type, datetimes in UTC, empty text as null, the rest as JSON.
func canonical(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case json.Number:
		if f, err := x.Float64(); err == nil {
			return strconv.FormatFloat(f, 'g', -1, 64)
		}
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	case int:
		return strconv.Itoa(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case string:
		if x == "" {
			return "null"
		}
		// Salesforce writes datetimes with +0000, sheets with Z.
		if len(x) >= 20 && x[10] == 'T' {
			if t, err := salesforce.ParseTime(x); err == nil {
				return t.UTC().Format(time.RFC3339Nano)
			}
		}
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}
