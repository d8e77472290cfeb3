package cli

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/sfbridge/sfbridge/internal/mapping"
	"github.com/sfbridge/sfbridge/internal/salesforce"
	"github.com/sfbridge/sfbridge/internal/sheet"
	"github.com/sfbridge/sfbridge/internal/store"
	"github.com/sfbridge/sfbridge/internal/syncer"
	"github.com/sfbridge/sfbridge/internal/workflow"
)

// versionColumn is the sheet column where the inbound sync keeps each
// row's SystemModstamp (syncer.SheetSink, ADR 0070).
const versionColumn = "Salesforce Modstamp"

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
	def, err := workflow.Parse([]byte(wf.Document))
	if err != nil {
		return nil, nil, fmt.Errorf("reading workflow %q version %d: %w", wf.Name, wf.Version, err)
	}
	plan, err := workflow.Compile(ctx, def, workflow.Env{Describe: describer(client)})
	if err != nil {
		return nil, nil, fmt.Errorf("checking workflow %q version %d against its org: %w", wf.Name, wf.Version, err)
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
	return p, &syncer.SheetSink{Sheet: sh, VersionColumn: versionColumn}, nil
}

// describer adapts a client's Describe to what workflow.Compile expects.
func describer(client *salesforce.Client) workflow.DescribeFunc {
	return func(ctx context.Context, object string) (*salesforce.SObjectDescribe, error) {
		d, err := client.Describe(ctx, object)
		if errors.Is(err, salesforce.ErrNotFound) {
			return nil, fmt.Errorf("%w: %w", workflow.ErrObjectNotFound, err)
		}
		return d, err
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
	want = append(want, sheet.Column{Name: versionColumn, Type: sheet.TypeDateTime})
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
