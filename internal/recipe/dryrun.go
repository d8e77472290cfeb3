package recipe

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/sfbridge/sfbridge/internal/mapping"
	"github.com/sfbridge/sfbridge/internal/salesforce"
	"github.com/sfbridge/sfbridge/internal/sheet"
	"github.com/sfbridge/sfbridge/internal/store"
	"github.com/sfbridge/sfbridge/internal/workflow"
)

// DryRun is what a workflow would do if it ran now. Nothing is written,
// in Salesforce or in the sheet.
type DryRun struct {
	// Inbound is set for a workflow that reads from Salesforce.
	Inbound *InboundDryRun `json:"inbound,omitempty"`
	// Outbound is set for a workflow that writes to Salesforce.
	Outbound *OutboundDryRun `json:"outbound,omitempty"`
	// Summary says it all in one sentence: "120 rows would be created in
	// Salesforce, 3 would fail: LastName missing (3)".
	Summary string `json:"summary"`
}

// InboundDryRun is the Salesforce side of a dry run.
type InboundDryRun struct {
	// Matching is the number of records the workflow's conditions select:
	// the rows its first run would bring into the sheet.
	Matching int `json:"matching"`
	// Query is the SELECT COUNT() query that counted them.
	Query string `json:"query"`
}

// OutboundDryRun is the sheet side of a dry run: each row that is not
// removed, mapped as the workflow would send it.
type OutboundDryRun struct {
	SheetExists bool `json:"sheet_exists"`
	Rows        int  `json:"rows"`      // rows evaluated
	Create      int  `json:"create"`    // rows without a record that would create one
	Update      int  `json:"update"`    // rows with local changes that would update their record
	Unchanged   int  `json:"unchanged"` // rows in step with their record
	Fail        int  `json:"fail"`      // rows that would be refused
	// Reasons are why rows would fail, most frequent first.
	Reasons []Reason `json:"reasons,omitempty"`
	// Failures are the first rows that would fail (at most MaxFailures).
	Failures []RowFailure `json:"failures,omitempty"`
}

// Reason is one reason rows would fail, and how many.
type Reason struct {
	Reason string `json:"reason"`
	Rows   int    `json:"rows"`
}

// RowFailure is one row that would fail, with every reason.
type RowFailure struct {
	Row     int64    `json:"row"`
	Reasons []string `json:"reasons"`
}

// MaxFailures is the most rows a dry run lists one by one.
const MaxFailures = 20

// DryRun says what plan, a workflow compiled against its org, would do if
// it ran now, reading Salesforce through client (one COUNT() query and the
// object's describe, which the client caches) and the sheet from the
// store.
func (r *Recipes) DryRun(ctx context.Context, plan *workflow.Plan, client *salesforce.Client) (DryRun, error) {
	var out DryRun
	if plan.Direction.Has(mapping.Inbound) {
		q := "SELECT COUNT() FROM " + plan.Object
		if plan.Where != "" {
			q += " WHERE " + plan.Where
		}
		n, err := client.Count(ctx, q)
		if err != nil {
			return out, fmt.Errorf("counting the %s records of workflow %q: %w", plan.Object, plan.Workflow, err)
		}
		out.Inbound = &InboundDryRun{Matching: n, Query: q}
	}
	if plan.Direction.Has(mapping.Outbound) && plan.Outbound != nil {
		desc, err := client.Describe(ctx, plan.Object)
		if err != nil {
			return out, fmt.Errorf("describing %s for workflow %q: %w", plan.Object, plan.Workflow, err)
		}
		o, err := r.outbound(ctx, plan, desc)
		if err != nil {
			return out, err
		}
		out.Outbound = o
	}
	out.Summary = out.summary(plan)
	return out, nil
}

// outbound evaluates the rows of the plan's sheet.
func (r *Recipes) outbound(ctx context.Context, plan *workflow.Plan, desc *salesforce.SObjectDescribe) (*OutboundDryRun, error) {
	out := &OutboundDryRun{}
	sh, err := sheet.Open(ctx, r.Store, plan.Sheet)
	if errors.Is(err, store.ErrNotFound) {
		return out, nil // no rows yet: nothing would be sent
	}
	if err != nil {
		return nil, fmt.Errorf("opening sheet %q of workflow %q: %w", plan.Sheet, plan.Workflow, err)
	}
	out.SheetExists = true
	reasons := map[string]int{}
	q := sheet.Query{Status: []sheet.Status{sheet.StatusPending, sheet.StatusSynced, sheet.StatusFailed, sheet.StatusConflict}}
	err = sh.Rows(ctx, r.Store, q, func(row *sheet.Row) error {
		out.Rows++
		create := row.SFID == ""
		if !create && row.Status == sheet.StatusSynced {
			out.Unchanged++
			return nil
		}
		problems := rowProblems(plan, desc, sh, row, create)
		switch {
		case len(problems) > 0:
			out.Fail++
			for _, p := range problems {
				reasons[p]++
			}
			if len(out.Failures) < MaxFailures {
				out.Failures = append(out.Failures, RowFailure{Row: row.ID, Reasons: problems})
			}
		case create:
			out.Create++
		default:
			out.Update++
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading sheet %q of workflow %q: %w", plan.Sheet, plan.Workflow, err)
	}
	for reason, n := range reasons {
		out.Reasons = append(out.Reasons, Reason{Reason: reason, Rows: n})
	}
	slices.SortFunc(out.Reasons, func(a, b Reason) int { return cmp.Or(b.Rows-a.Rows, strings.Compare(a.Reason, b.Reason)) })
	return out, nil
}

// rowProblems maps one row as the workflow would send it and returns why
// Salesforce would refuse it: a cell that does not convert, a required
// field left empty on create, a field that cannot be emptied on update,
// an update without a record to update.
func rowProblems(plan *workflow.Plan, desc *salesforce.SObjectDescribe, sh *sheet.Sheet, row *sheet.Row, create bool) []string {
	cells := make(map[string]any, len(sh.Columns))
	for i, c := range sh.Columns {
		if i < len(row.Values) {
			cells[c.Name] = row.Values[i]
		}
	}
	var problems []string
	if create && plan.Outbound.Operation == workflow.OpUpdate && plan.Outbound.MatchBy == workflow.MatchByID {
		return []string{"no linked " + desc.Name + " record to update"}
	}
	written := map[string]any{}
	refused := map[string]bool{} // fields whose cell was refused: reported once
	for _, fp := range plan.Fields {
		if !fp.Direction.Has(mapping.Outbound) || (fp.CreateOnly && !create) {
			continue
		}
		var (
			vals map[string]any
			err  error
		)
		if fp.Column == "" {
			vals, err = fp.Mapping.Outbound(mapping.Null())
		} else {
			vals, err = plan.OutboundValues(fp, cells)
		}
		if err != nil {
			problems = append(problems, reason(fp, err))
			for _, f := range slices.Concat(fp.Source, fp.Writes) {
				refused[f] = true
			}
			continue
		}
		for k, v := range vals {
			written[k] = v
		}
	}
	for _, f := range desc.Fields {
		if refused[f.Name] {
			continue
		}
		v, ok := written[f.Name]
		empty := !ok || v == nil || v == ""
		switch {
		case create && RequiredOnCreate(f) && empty && plan.Outbound.Operation != workflow.OpUpdate:
			problems = append(problems, f.Name+" missing")
		case !create && ok && empty && !f.Nillable && f.Type != "boolean":
			problems = append(problems, f.Name+" cannot be emptied")
		}
	}
	return problems
}

// reason says why a field's cell would be refused, without the value, so
// that rows failing for the same reason are counted together.
func reason(fp *workflow.FieldPlan, err error) string {
	where := "column " + fp.Column
	if fp.Column == "" {
		where = strings.Join(fp.Source, ", ")
	}
	if ve, ok := errors.AsType[*mapping.ValueError](err); ok {
		return where + ": " + ve.Reason
	}
	return where + ": " + err.Error()
}

// RequiredOnCreate reports whether Salesforce requires f on create: not
// nillable, createable, and given no default by Salesforce (a checkbox
// always has one).
func RequiredOnCreate(f salesforce.Field) bool {
	return f.Createable && !f.Nillable && !f.DefaultedOnCreate && f.Type != "boolean"
}

// summary says what the dry run found in one sentence.
func (d DryRun) summary(plan *workflow.Plan) string {
	var parts []string
	if in := d.Inbound; in != nil {
		parts = append(parts, fmt.Sprintf("%s %s would be synced into sheet %q",
			count(in.Matching, plan.Object+" record"), wouldBe(in.Matching), plan.Sheet))
	}
	if o := d.Outbound; o != nil {
		s := fmt.Sprintf("%s would be created in Salesforce, %s updated", count(o.Create, "row"), count(o.Update, "row"))
		if o.Fail > 0 {
			rs := make([]string, len(o.Reasons))
			for i, r := range o.Reasons {
				rs[i] = fmt.Sprintf("%s (%d)", r.Reason, r.Rows)
			}
			s += fmt.Sprintf(", %s would fail: %s", count(o.Fail, "row"), strings.Join(rs, "; "))
		}
		if !o.SheetExists {
			s += fmt.Sprintf(" (sheet %q does not exist yet: rows added to it will be sent)", plan.Sheet)
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, "; ")
}

func wouldBe(n int) string {
	if n == 1 {
		return "matches and"
	}
	return "match and"
}

// count writes n with the noun, in the plural unless n is 1.
func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
