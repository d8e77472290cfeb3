package syncer

import (
	"cmp"
	"context"
	"fmt"
	"strings"

	"github.com/sfbridge/sfbridge/internal/mapping"
	"github.com/sfbridge/sfbridge/internal/store"
	"github.com/sfbridge/sfbridge/internal/workflow"
)

// SheetUse is what the workflows that name a sheet do with it: who owns
// them, which of its columns reach Salesforce, whether a row deleted here
// deletes its record. The CLI and the API read it to warn about edits that
// stay local and to decide who may see and edit a sheet
// (docs/adr/0310-sheet-access-through-its-workflows.md).
type SheetUse struct {
	// Workflows are the workflows whose document names the sheet, by id. A
	// workflow whose document does not parse at all names no sheet.
	Workflows []store.Workflow
	// Definitions are the parsed documents of Workflows, in the same order.
	Definitions []*workflow.Definition
	// Senders are those of Workflows that write rows to Salesforce
	// (direction outbound or both), by id.
	Senders []store.Workflow
	sent    map[string]bool // lowercased names of the columns some sender sends
	deletes bool            // some sender propagates deletes
}

// Sends reports whether some workflow sends the column (named as in the
// sheet, ignoring case) to Salesforce.
func (u *SheetUse) Sends(column string) bool { return u.sent[strings.ToLower(column)] }

// Unsent returns the columns no workflow sends to Salesforce, in order: an
// edit of them stays in the sheet, until the next change of the record
// overwrites it.
func (u *SheetUse) Unsent(columns []string) []string {
	var out []string
	for _, c := range columns {
		if !u.Sends(c) {
			out = append(out, c)
		}
	}
	return out
}

// PropagatesDeletes reports whether a row deleted in the sheet deletes its
// record: some workflow sending the sheet has deletes.outbound: propagate.
func (u *SheetUse) PropagatesDeletes() bool { return u.deletes }

// SheetUses maps sheet names, lowercased, to their uses; [SheetUses.Of]
// reads it.
type SheetUses map[string]*SheetUse

// Of returns the use of the sheet named name (ignoring case): an empty one
// when no workflow names it.
func (m SheetUses) Of(name string) *SheetUse {
	if u, ok := m[strings.ToLower(name)]; ok {
		return u
	}
	return &SheetUse{}
}

// ReadSheetUses reads every workflow and returns, per sheet, what the
// workflows naming it do with it.
func ReadSheetUses(ctx context.Context, st *store.Store) (SheetUses, error) {
	wfs, err := st.Workflows().List(ctx, store.WorkflowFilter{})
	if err != nil {
		return nil, fmt.Errorf("reading the workflows of the sheets: %w", err)
	}
	uses := SheetUses{}
	for _, wf := range wfs {
		// A document with problems still says what it says; one that does
		// not parse at all names no sheet.
		def, _ := workflow.Parse([]byte(wf.Document))
		if def == nil || def.Sheet == "" {
			continue
		}
		key := strings.ToLower(def.Sheet)
		u := uses[key]
		if u == nil {
			u = &SheetUse{sent: map[string]bool{}}
			uses[key] = u
		}
		u.Workflows = append(u.Workflows, wf)
		u.Definitions = append(u.Definitions, def)
		if !def.Direction.Has(mapping.Outbound) {
			continue
		}
		u.Senders = append(u.Senders, wf)
		for _, f := range def.Fields {
			if f.Column != "" && cmp.Or(f.Direction, def.Direction).Has(mapping.Outbound) {
				u.sent[strings.ToLower(f.Column)] = true
			}
		}
		if def.Deletes != nil && def.Deletes.Outbound == workflow.DeletePropagate {
			u.deletes = true
		}
	}
	return uses, nil
}
