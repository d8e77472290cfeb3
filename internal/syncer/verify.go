package syncer

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/sfbridge/sfbridge/internal/salesforce"
	"github.com/sfbridge/sfbridge/internal/sheet"
	"github.com/sfbridge/sfbridge/internal/soql"
	"github.com/sfbridge/sfbridge/internal/store"
)

// DifferenceKind says how a row and its record differ.
type DifferenceKind string

// Kinds of differences.
const (
	// MissingInSalesforce: a row whose record does not exist (or is not
	// visible to the workflow's owner), or a row never created there.
	MissingInSalesforce DifferenceKind = "missing_in_salesforce"
	// MissingInSheet: a record the workflow reads that has no row.
	MissingInSheet DifferenceKind = "missing_in_sheet"
	// FieldMismatch: a column whose value differs from its field's.
	FieldMismatch DifferenceKind = "field_mismatch"
	// NotSynced: a row with changes not yet in Salesforce (pending,
	// failed, or waiting for a conflict to be resolved).
	NotSynced DifferenceKind = "not_synced"
)

// Difference is one way a sheet and Salesforce differ.
type Difference struct {
	Kind   DifferenceKind
	RowID  int64  // 0 for MissingInSheet
	SFID   string // "" for a row never created
	Column string // for FieldMismatch
	// Sheet and Salesforce are the values compared, in the link's JSON
	// form (FieldMismatch), or the row's status and error (NotSynced).
	Sheet, Salesforce any
}

func (d Difference) String() string {
	switch d.Kind {
	case MissingInSalesforce:
		return fmt.Sprintf("row %d: no record in Salesforce (%s)", d.RowID, cmp.Or(d.SFID, "never created"))
	case MissingInSheet:
		return fmt.Sprintf("record %s: no row in the sheet", d.SFID)
	case NotSynced:
		return fmt.Sprintf("row %d (%s): not synced: %v %v", d.RowID, cmp.Or(d.SFID, "no record yet"), d.Sheet, d.Salesforce)
	}
	return fmt.Sprintf("row %d (%s): column %s is %s in the sheet, %s in Salesforce", d.RowID, d.SFID, d.Column, canonical(d.Sheet), canonical(d.Salesforce))
}

// VerifyOptions say what to compare. Client and Sheet are required, and
// at least one of Inbound and Outbound.
type VerifyOptions struct {
	Client *salesforce.Client
	Store  store.Scope
	Sheet  *sheet.Sheet
	// Inbound is the plan of a workflow that reads from Salesforce: every
	// record it selects must have a row, with the cells it maps.
	Inbound *Plan
	// Outbound is the plan of a workflow that writes to Salesforce: every
	// row's record must hold what the row sends.
	Outbound *Outbound
}

// Report is the outcome of Verify.
type Report struct {
	Rows, Records int
	Differences   []Difference
}

// Converged reports whether both sides hold the same.
func (r Report) Converged() bool { return len(r.Differences) == 0 }

// Verify compares a workflow's sheet with Salesforce and reports every
// difference (ADR 0162). It reads each linked record once (by ID, 200 per
// query) and, for a workflow that reads from Salesforce, the IDs of every
// record it selects.
func Verify(ctx context.Context, opts VerifyOptions) (Report, error) {
	if opts.Client == nil || opts.Sheet == nil || opts.Store == nil || (opts.Inbound == nil && opts.Outbound == nil) {
		return Report{}, fmt.Errorf("verifying: %w: a client, a store, a sheet and a plan are needed", ErrInvalidOutbound)
	}
	var (
		rep  Report
		rows []*sheet.Row
	)
	err := opts.Sheet.Rows(ctx, opts.Store, sheet.Query{}, func(r *sheet.Row) error {
		if r.Status != sheet.StatusRemoved {
			rows = append(rows, r)
		}
		return nil
	})
	if err != nil {
		return rep, fmt.Errorf("verifying sheet %q: reading rows: %w", opts.Sheet.Name, err)
	}
	rep.Rows = len(rows)
	object, fields := verifyFields(opts, rows)
	var ids []string
	for _, r := range rows {
		if r.SFID != "" {
			ids = append(ids, r.SFID)
		}
	}
	records, err := readByID(ctx, opts.Client, object, fields, ids)
	if err != nil {
		return rep, err
	}
	rep.Records = len(records)
	for _, r := range rows {
		switch {
		case r.Status == sheet.StatusPending || r.Status == sheet.StatusFailed || r.Status == sheet.StatusConflict:
			rep.Differences = append(rep.Differences, Difference{Kind: NotSynced, RowID: r.ID, SFID: r.SFID, Sheet: r.Status, Salesforce: r.Error})
		case r.SFID == "" || records[r.SFID] == nil:
			rep.Differences = append(rep.Differences, Difference{Kind: MissingInSalesforce, RowID: r.ID, SFID: r.SFID})
		default:
			diffs, err := compareRow(opts, r, records[r.SFID])
			if err != nil {
				return rep, err
			}
			rep.Differences = append(rep.Differences, diffs...)
		}
	}
	if opts.Inbound != nil {
		missing, err := missingRows(ctx, opts, rows)
		if err != nil {
			return rep, err
		}
		rep.Differences = append(rep.Differences, missing...)
	}
	return rep, nil
}

// verifyFields is the object and the fields to read: those the plans map,
// and the parents' keys of the lookups the rows set through them.
func verifyFields(opts VerifyOptions, rows []*sheet.Row) (string, []string) {
	set := map[string]bool{"Id": true}
	object := ""
	if opts.Inbound != nil {
		object = opts.Inbound.Source.Object
		for _, f := range opts.Inbound.Source.Fields {
			set[f] = true
		}
	}
	if opts.Outbound != nil {
		object = opts.Outbound.Object
		for _, f := range opts.Outbound.Fields {
			for _, w := range f.Writes {
				set[w] = true
			}
			if f.Column == "" || f.CreateOnly {
				continue
			}
			for _, r := range rows {
				sent, err := f.Values(cells(opts.Sheet, r))
				if err != nil {
					continue // compareRow reports it
				}
				for name, v := range sent {
					if path, _, ok := parentKey(name, v); ok {
						set[path] = true
					}
				}
			}
		}
	}
	return object, slices.Sorted(maps.Keys(set))
}

// parentKey recognises a lookup set through the parent's key (ADR 0240):
// field is the relationship and v the reference to the parent,
// {"attributes": {"type": "Account"}, "Ext_Id__c": "ACME-1"}. It returns
// the path of that key on the record ("Account.Ext_Id__c") and the key.
func parentKey(field string, v any) (path string, key any, ok bool) {
	ref, isMap := v.(map[string]any)
	if _, typed := ref["attributes"]; !isMap || !typed || len(ref) != 2 {
		return "", nil, false
	}
	for name, key := range ref {
		if name != "attributes" {
			return field + "." + name, key, true
		}
	}
	return "", nil, false
}

// readByID reads records by ID with a query per 200 IDs; records not
// found are absent from the result.
func readByID(ctx context.Context, c *salesforce.Client, object string, fields, ids []string) (map[string]*salesforce.Record, error) {
	out := make(map[string]*salesforce.Record, len(ids))
	for chunk := range slices.Chunk(ids, salesforce.MaxCollectionSize) {
		in := make([]soql.Expr, len(chunk))
		for i, id := range chunk {
			in[i] = &soql.StringLit{Value: id}
		}
		q := &soql.Query{From: object, Select: selectItems(fields),
			Where: &soql.Comparison{Left: field("Id"), Op: soql.OpIn, Right: &soql.ListLit{Values: in}}}
		for rec, err := range c.Query(ctx, q.String()) {
			if err != nil {
				return nil, fmt.Errorf("verifying: reading %s records: %w", object, err)
			}
			out[rec.ID()] = rec
		}
	}
	return out, nil
}

// compareRow compares a synced row with its record: the cells the inbound
// mapping gives, and for fields that flow outbound only, what the row sends
// — for a lookup set through the parent's key, that key with the one of
// the parent the record points to.
func compareRow(opts VerifyOptions, r *sheet.Row, rec *salesforce.Record) ([]Difference, error) {
	var out []Difference
	cs := cells(opts.Sheet, r)
	seen := map[string]bool{}
	if opts.Inbound != nil && opts.Inbound.Cells != nil {
		want, err := opts.Inbound.Cells(rec)
		if err != nil {
			return nil, fmt.Errorf("verifying row %d: mapping record %s: %w", r.ID, rec.ID(), err)
		}
		for _, name := range slices.Sorted(maps.Keys(want)) {
			seen[name] = true
			got := jsonCell(want[name])
			if canonical(got) != canonical(cs[name]) {
				out = append(out, Difference{Kind: FieldMismatch, RowID: r.ID, SFID: r.SFID, Column: name, Sheet: cs[name], Salesforce: got})
			}
		}
	}
	if opts.Outbound != nil {
		for _, f := range opts.Outbound.Fields {
			if f.Column == "" || seen[f.Column] || f.CreateOnly {
				continue
			}
			sent, err := f.Values(cs)
			if err != nil {
				out = append(out, Difference{Kind: FieldMismatch, RowID: r.ID, SFID: r.SFID, Column: f.Column, Sheet: cs[f.Column], Salesforce: err.Error()})
				continue
			}
			for _, name := range slices.Sorted(maps.Keys(sent)) {
				path, want := name, sent[name]
				if p, key, ok := parentKey(name, want); ok {
					path, want = p, key // the key of the parent the record points to
				}
				got, _ := rec.Get(path)
				if canonical(want) != canonical(got) {
					out = append(out, Difference{Kind: FieldMismatch, RowID: r.ID, SFID: r.SFID, Column: f.Column, Sheet: want, Salesforce: got})
				}
			}
		}
	}
	return out, nil
}

// missingRows lists the records the inbound plan selects that have no row.
func missingRows(ctx context.Context, opts VerifyOptions, rows []*sheet.Row) ([]Difference, error) {
	have := make(map[string]bool, len(rows))
	for _, r := range rows {
		have[r.SFID] = true
	}
	src := opts.Inbound.Source
	q := &soql.Query{From: src.Object, Select: selectItems(withID(src.Fields)), Where: src.Where}
	var out []Difference
	for rec, err := range opts.Client.Query(ctx, q.String()) {
		if err != nil {
			return nil, fmt.Errorf("verifying: listing %s records: %w", src.Object, err)
		}
		if opts.Inbound.Match != nil {
			ok, err := opts.Inbound.Match(rec)
			if err != nil || !ok {
				continue
			}
		}
		if !have[rec.ID()] {
			out = append(out, Difference{Kind: MissingInSheet, SFID: rec.ID()})
		}
	}
	return out, nil
}

// withID is fields with Id first, once.
func withID(fields []string) []string {
	out := []string{"Id"}
	for _, f := range fields {
		if !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	return out
}
