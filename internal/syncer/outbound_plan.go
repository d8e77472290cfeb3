package syncer

import (
	"fmt"

	"github.com/sfbridge/sfbridge/internal/sheet"
	"github.com/sfbridge/sfbridge/internal/store"
)

// Operation is how a workflow's rows reach Salesforce.
type Operation string

// Operations (docs/workflows.md, "writing to Salesforce").
const (
	// OpCreate creates a record for each new row, and updates the linked
	// record afterwards.
	OpCreate Operation = "create"
	// OpUpdate never creates: each row updates its linked record, or the
	// record whose MatchField equals the row's MatchColumn.
	OpUpdate Operation = "update"
	// OpUpsert creates or updates by an External ID field.
	OpUpsert Operation = "upsert"
)

// OutField is one mapped field as the outbound writer uses it.
type OutField struct {
	// Column is the sheet column the field's value comes from; "" for a
	// fixed value, sent with every write.
	Column string
	// Writes are the Salesforce fields Values sets (the parts of an
	// address), to name the column in Salesforce's errors.
	Writes []string
	// CreateOnly fields are sent with new records only.
	CreateOnly bool
	// Values turns a row's cells (by column name, as sheet.LinkValues gives
	// them) into the Salesforce fields to write, by API name.
	Values func(cells map[string]any) (map[string]any, error)
}

// Outbound is what the outbound writer needs of a compiled workflow: the
// object, the operation and its key, the fields that flow to Salesforce,
// and, for a two-way workflow, the conflict policy.
type Outbound struct {
	Object    string
	Operation Operation
	// MatchField and MatchColumn are, for OpUpdate by a key column, the
	// Salesforce field and the column holding its value; empty to match by
	// the row's Salesforce ID.
	MatchField, MatchColumn string
	// ExternalID and ExternalIDColumn are, for OpUpsert, the External ID
	// field and the column its value comes from.
	ExternalID, ExternalIDColumn string
	// Fields are the fields that flow outbound, fixed values included.
	Fields []OutField
	// PropagateDeletes sends a row deleted in the sheet as a delete of its
	// record; otherwise the row is deleted here only.
	PropagateDeletes bool
	// Policy is the conflict policy of a two-way workflow; "" for an
	// outbound-only one.
	Policy store.ConflictPolicy
}

// check reports what makes the plan unusable.
func (o *Outbound) check(sh *sheet.Sheet) error {
	if o.Object == "" {
		return fmt.Errorf("%w: no object", ErrInvalidOutbound)
	}
	switch o.Operation {
	case OpCreate, OpUpdate:
	case OpUpsert:
		if o.ExternalID == "" || o.ExternalIDColumn == "" {
			return fmt.Errorf("%w: upsert without an External ID field and column", ErrInvalidOutbound)
		}
	default:
		return fmt.Errorf("%w: operation %q (create, update or upsert)", ErrInvalidOutbound, o.Operation)
	}
	for _, name := range []string{o.MatchColumn, o.ExternalIDColumn} {
		if name == "" {
			continue
		}
		if _, ok := sh.Column(name); !ok {
			return fmt.Errorf("%w: sheet %q has no column %q", ErrInvalidOutbound, sh.Name, name)
		}
	}
	for _, f := range o.Fields {
		if f.Values == nil {
			return fmt.Errorf("%w: field of column %q has no Values", ErrInvalidOutbound, f.Column)
		}
	}
	return nil
}

// cells returns a row's values by column name, as a link keeps them.
func cells(sh *sheet.Sheet, r *sheet.Row) map[string]any {
	lv := sh.LinkValues(r)
	out := make(map[string]any, len(lv))
	for _, c := range sh.Columns {
		out[c.Name] = lv[c.Ident]
	}
	return out
}
