package cli

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/sfbridge/sfbridge/internal/mapping"
	"github.com/sfbridge/sfbridge/internal/recipe"
	"github.com/sfbridge/sfbridge/internal/salesforce"
	"github.com/sfbridge/sfbridge/internal/sheet"
	"github.com/sfbridge/sfbridge/internal/store"
	"github.com/sfbridge/sfbridge/internal/syncer"
	"github.com/sfbridge/sfbridge/internal/workflow"
)

// binder is the syncer.Binder of stored workflows: it compiles a workflow's
// document against its org, as the owner's client describes it, and opens
// the workflow's sheet, creating it, or the columns it lacks, as the
// workflow's plan says.
type binder struct {
	store *store.Store
	now   func() time.Time
}

var _ syncer.Binder = (*binder)(nil)

func newBinder(a *app) *binder { return &binder{store: a.store, now: time.Now} }

// Bind implements syncer.Binder. A document that no longer compiles (a
// mapped field was deleted in Salesforce ...) fails with the workflow's
// problems; a workflow that does not read from Salesforce gets a nil Plan.
func (b *binder) Bind(ctx context.Context, wf store.Workflow, client *salesforce.Client) (*syncer.Plan, syncer.Sink, error) {
	plan, err := recipe.Compile(ctx, wf, client)
	if err != nil {
		return nil, nil, err
	}
	if !plan.Direction.Has(mapping.Inbound) {
		return nil, nil, nil
	}
	sh, err := b.sheet(ctx, plan)
	if err != nil {
		return nil, nil, err
	}
	p := &syncer.Plan{
		Source: syncer.Source{Object: plan.Object, Fields: plan.Select, Where: plan.Condition, Formulas: plan.FormulaFields},
		Match:  func(r *salesforce.Record) (bool, error) { return plan.Matches(r, b.now()) },
		Cells:  func(r *salesforce.Record) (map[string]any, error) { return plan.Cells(r) },
		FormulaCells: func(r *salesforce.Record) (map[string]any, error) {
			return plan.FormulaCells(r)
		},
		OnLeave:  syncer.MarkRow,
		OnDelete: syncer.RemoveRow,
		Revision: strconv.Itoa(wf.Version),
	}
	if plan.NoLongerMatching == workflow.UnmatchedRemove {
		p.OnLeave = syncer.RemoveRow
	}
	if plan.Deletes.Inbound == workflow.DeleteIgnore {
		p.OnDelete = syncer.KeepRow
	}
	if plan.Schedule != nil {
		p.RefreshEvery = time.Duration(plan.Schedule.RefreshFormulasEvery)
	}
	sink := &syncer.SheetSink{Sheet: sh, VersionColumn: syncer.VersionColumn}
	if plan.Direction.Has(mapping.Inbound | mapping.Outbound) {
		sink.Merge = &syncer.Merge{WorkflowID: wf.ID, Policy: store.ConflictPolicy(plan.Conflicts), Fields: map[string]string{}}
		for _, fp := range plan.Fields {
			if fp.Column != "" && fp.Direction.Has(mapping.Inbound|mapping.Outbound) && len(fp.Source) > 0 {
				sink.Merge.Fields[fp.Column] = fp.Source[0]
			}
		}
	}
	return p, sink, nil
}

var _ syncer.OutboundBinder = (*binder)(nil)

// BindOutbound implements syncer.OutboundBinder: the workflow compiled
// against its org (which checks required fields, writable fields and
// conversions for the operation), its sheet, and its outbound plan; nil
// for a workflow that does not write to Salesforce.
func (b *binder) BindOutbound(ctx context.Context, wf store.Workflow, client *salesforce.Client) (*syncer.Outbound, *sheet.Sheet, error) {
	plan, err := recipe.Compile(ctx, wf, client)
	if err != nil {
		return nil, nil, err
	}
	if !plan.Direction.Has(mapping.Outbound) || plan.Outbound == nil {
		return nil, nil, nil
	}
	sh, err := b.sheet(ctx, plan)
	if err != nil {
		return nil, nil, err
	}
	return outboundPlan(plan), sh, nil
}

// outboundPlan is the writer's view of a compiled workflow.
func outboundPlan(plan *workflow.Plan) *syncer.Outbound {
	out := &syncer.Outbound{Object: plan.Object, Operation: syncer.Operation(plan.Outbound.Operation),
		ExternalID: plan.Outbound.ExternalID, ExternalIDColumn: plan.Outbound.ExternalIDColumn,
		PropagateDeletes: plan.Deletes.Outbound == workflow.DeletePropagate}
	if plan.Outbound.MatchBy != "" && plan.Outbound.MatchBy != "id" {
		out.MatchField, out.MatchColumn = plan.Outbound.MatchField, plan.Outbound.MatchBy
	}
	if plan.Direction.Has(mapping.Inbound | mapping.Outbound) {
		out.Policy = store.ConflictPolicy(plan.Conflicts)
	}
	for _, fp := range plan.Fields {
		if !fp.Direction.Has(mapping.Outbound) {
			continue
		}
		out.Fields = append(out.Fields, syncer.OutField{Column: fp.Column, Writes: fp.Writes, CreateOnly: fp.CreateOnly,
			Values: outboundValues(plan, fp)})
	}
	return out
}

// outboundValues converts a row's cells into the fields one mapped field
// writes: its column's cell through the field's outbound chain, with the
// row's country when a phone step reads one; a fixed value as it is.
func outboundValues(plan *workflow.Plan, fp *workflow.FieldPlan) func(map[string]any) (map[string]any, error) {
	cell := func(cells map[string]any, column string) (mapping.Value, error) {
		col := plan.Column(column)
		if col == nil {
			return mapping.Null(), fmt.Errorf("column %s is not in workflow %q", column, plan.Workflow)
		}
		v, err := mapping.CellValue(col.Type, cells[column])
		if err != nil {
			return mapping.Null(), fmt.Errorf("column %s: %w", column, err)
		}
		return v, nil
	}
	return func(cells map[string]any) (map[string]any, error) {
		if fp.Column == "" {
			return fp.Mapping.Outbound(mapping.Null())
		}
		v, err := cell(cells, fp.Column)
		if err != nil {
			return nil, err
		}
		if fp.CountryColumn == "" {
			return fp.Mapping.Outbound(v)
		}
		country, err := cell(cells, fp.CountryColumn)
		if err != nil {
			return nil, err
		}
		return fp.Mapping.OutboundRow(map[string]mapping.Value{fp.Column: v, fp.CountryColumn: country})
	}
}

// sheet opens the plan's sheet, creating it or adding the columns it lacks
// (a new version of the workflow may map more fields). A column that exists
// with another type is an error: rows already hold values of that type.
func (b *binder) sheet(ctx context.Context, plan *workflow.Plan) (*sheet.Sheet, error) {
	var want []sheet.Column
	for _, c := range plan.Columns {
		t, err := sheet.ParseType(string(c.Type))
		if err != nil {
			return nil, fmt.Errorf("column %q of workflow %q: %w", c.Name, plan.Workflow, err)
		}
		want = append(want, sheet.Column{Name: c.Name, Type: t, Values: c.Options})
	}
	want = append(want, sheet.Column{Name: syncer.VersionColumn, Type: sheet.TypeDateTime})
	var sh *sheet.Sheet
	err := b.store.Write(ctx, func(tx *store.Tx) error {
		var err error
		sh, err = sheet.Open(ctx, tx, plan.Sheet)
		if errors.Is(err, store.ErrNotFound) {
			sh, err = sheet.Create(ctx, tx, plan.Sheet, want)
			return err
		}
		if err != nil {
			return err
		}
		var missing []sheet.Column
		for _, c := range want {
			have, ok := sh.Column(c.Name)
			switch {
			case !ok:
				missing = append(missing, c)
			case have.Type != c.Type:
				return fmt.Errorf("sheet %q has a %s column %q where workflow %q writes %s values: rename the workflow's column, or the sheet's",
					sh.Name, have.Type, have.Name, plan.Workflow, c.Type)
			}
		}
		if len(missing) > 0 {
			sh, err = sh.AddColumns(ctx, tx, missing...)
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("preparing sheet %q of workflow %q: %w", plan.Sheet, plan.Workflow, err)
	}
	return sh, nil
}
