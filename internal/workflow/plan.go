package workflow

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/sfbridge/sfbridge/internal/mapping"
	"github.com/sfbridge/sfbridge/internal/soql"
)

// Plan is a workflow compiled against its org: what the sync engine runs.
// Every default is filled in. It marshals to JSON for the API.
type Plan struct {
	Workflow  string            `json:"workflow"`
	Org       string            `json:"org"`
	Owner     string            `json:"owner"`
	Enabled   bool              `json:"enabled"`
	Object    string            `json:"object"`
	Sheet     string            `json:"sheet"`
	Direction mapping.Direction `json:"direction"`

	// Select is the query's field list, deduplicated: Id, the mapped fields
	// (relationship paths included, compound fields as their parts), the
	// fields the conditions read, the country fields of phone steps, and
	// the system fields the sync engine
	// needs (SystemModstamp; LastModifiedDate and LastModifiedById on
	// two-way workflows). One query brings everything: never a request per
	// record.
	Select []string `json:"select"`
	// Where is the conditions as the text of a SOQL WHERE clause (without
	// the keyword); empty when every record matches.
	Where string `json:"where,omitempty"`
	// Condition is the same conditions as a SOQL AST, for the sync engine
	// to combine with its own (its cursor); nil when every record matches.
	Condition soql.Cond `json:"-"`

	// Columns is the sheet's column set, in the order the fields list them.
	Columns []Column `json:"columns"`
	// Fields is the per-field plan, in file order (fixed values included).
	Fields []*FieldPlan `json:"fields"`

	// NoLongerMatching is what happens to a row whose record stops
	// matching; empty for outbound workflows.
	NoLongerMatching Unmatched     `json:"no_longer_matching,omitempty"`
	Deletes          Deletes       `json:"deletes"`
	Outbound         *OutboundPlan `json:"outbound,omitempty"`
	// Conflicts is the conflict policy of a two-way workflow; empty otherwise.
	Conflicts Conflict `json:"conflicts,omitempty"`
	// Schedule is the workflow's own timing; nil means the org's.
	Schedule *Schedule `json:"schedule,omitempty"`
	// FormulaFields are the mapped fields Salesforce computes (formulas and
	// roll-ups): they change without the record's stamp moving, so the
	// sync engine re-reads them on Schedule.RefreshFormulasEvery.
	FormulaFields []string `json:"formula_fields,omitempty"`

	Timezone  string    `json:"timezone"`
	Country   string    `json:"country,omitempty"`
	WeekStart WeekStart `json:"week_start"`

	filter filter
	loc    *time.Location
}

// Column is one sheet column.
type Column struct {
	Name string             `json:"name"`
	Type mapping.ColumnType `json:"type"`
	// Direction is the way the column's values flow.
	Direction mapping.Direction `json:"direction"`
	// Source is the Salesforce field path(s) the column maps to.
	Source []string `json:"source"`
	// Options are the choices of a picklist column fed by a picklist field
	// (its active values, after the transforms).
	Options []string `json:"options,omitempty"`
}

// FieldPlan is one mapped field, compiled.
type FieldPlan struct {
	Column    string            `json:"column,omitempty"`
	Source    []string          `json:"source"`
	Direction mapping.Direction `json:"direction"`
	// Inbound and Outbound are the transform chains each way, as text.
	Inbound  string `json:"inbound,omitempty"`
	Outbound string `json:"outbound,omitempty"`
	// Writes are the Salesforce fields an outbound write sets (the parts
	// of a compound address).
	Writes []string `json:"writes,omitempty"`
	// CreateOnly is set when the fields can be set on create but not
	// updated: the engine sends them with new records only.
	CreateOnly bool `json:"create_only,omitempty"`
	// Value is the fixed value of a field without a column.
	Value any `json:"value,omitempty"`
	// Formula is set when every source is a formula field (see
	// Plan.FormulaFields).
	Formula bool `json:"formula,omitempty"`
	// CountryField is the field a phone step reads each record's country
	// from (country_field; selected by the query), and CountryColumn, on
	// a field flowing outbound, the column holding it: Plan.OutboundValues
	// reads both cells.
	CountryField  string `json:"country_field,omitempty"`
	CountryColumn string `json:"country_column,omitempty"`

	// Mapping reads records into cell values and cell values into fields.
	Mapping *mapping.Field `json:"-"`
}

// OutboundPlan says how rows reach Salesforce.
type OutboundPlan struct {
	Operation Operation `json:"operation"`
	// MatchBy is, for update, "id" or the key column.
	MatchBy string `json:"match_by,omitempty"`
	// MatchField is the Salesforce field of the key column.
	MatchField string `json:"match_field,omitempty"`
	// ExternalID and ExternalIDColumn are, for upsert, the External ID
	// field and the column its value comes from.
	ExternalID       string `json:"external_id,omitempty"`
	ExternalIDColumn string `json:"external_id_column,omitempty"`
}

// SOQL returns the query that reads the workflow's records, without the
// incremental part (the sync engine adds its SystemModstamp window to the
// WHERE clause and its ORDER BY).
func (p *Plan) SOQL() string {
	q := &soql.Query{From: p.Object, Where: p.Condition}
	for _, path := range p.Select {
		q.Select = append(q.Select, &soql.SelectExpr{Expr: &soql.Field{Path: strings.Split(path, ".")}})
	}
	return q.String()
}

// Matches reports whether a record, as the query selecting Select returns
// it, matches the workflow's conditions at time now, with SOQL's semantics
// (relative dates are evaluated in the workflow's time zone). A record
// whose values cannot be read gives an error naming the field.
func (p *Plan) Matches(record mapping.Record, now time.Time) (bool, error) {
	if p.filter == nil {
		return true, nil
	}
	week := time.Sunday
	if p.WeekStart == Monday {
		week = time.Monday
	}
	return p.filter.eval(&evalContext{record: record, now: now, loc: p.loc, week: week})
}

// Cells maps a record to the cells of its row, by column, in the form the
// sheet store takes (mapping.Value.Cell), for every field that flows
// inbound. Values that cannot be mapped are left out and reported together
// in the error, each naming its field, column and value.
func (p *Plan) Cells(record mapping.Record) (map[string]any, error) {
	return p.cells(record, false)
}

// FormulaCells is Cells restricted to the columns fed by formula fields
// only: what a formula refresh (reading Id and FormulaFields) updates.
func (p *Plan) FormulaCells(record mapping.Record) (map[string]any, error) {
	return p.cells(record, true)
}

func (p *Plan) cells(record mapping.Record, formulas bool) (map[string]any, error) {
	out := make(map[string]any, len(p.Columns))
	var errs []error
	for _, fp := range p.Fields {
		if fp.Column == "" || !fp.Direction.Has(mapping.Inbound) || (formulas && !fp.Formula) {
			continue
		}
		v, err := fp.Mapping.Inbound(record)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		out[fp.Column] = v.Cell()
	}
	return out, errors.Join(errs...)
}

// OutboundValues returns the Salesforce fields to write, by API name, for
// one field flowing outbound, from a row's cells by column (as the sheet
// store holds them, see mapping.CellValue): the field's own cell, and the
// row's country for phone steps with a country_field (its CountryColumn).
// A fixed value needs no cell.
func (p *Plan) OutboundValues(fp *FieldPlan, cells map[string]any) (map[string]any, error) {
	row := make(map[string]mapping.Value, 2)
	for _, name := range []string{fp.Column, fp.CountryColumn} {
		col := p.Column(name)
		if name == "" || col == nil {
			continue
		}
		v, err := mapping.CellValue(col.Type, cells[name])
		if err != nil {
			return nil, fmt.Errorf("column %s: %w", name, err)
		}
		row[name] = v
	}
	return fp.Mapping.OutboundRow(row)
}

// Column returns the column of that name, or nil.
func (p *Plan) Column(name string) *Column {
	for i := range p.Columns {
		if p.Columns[i].Name == name {
			return &p.Columns[i]
		}
	}
	return nil
}
