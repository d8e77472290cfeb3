package syncer

import (
	"context"
	"time"

	"github.com/sfbridge/sfbridge/internal/salesforce"
	"github.com/sfbridge/sfbridge/internal/store"
)

// Removal is what happens to a row whose record left the workflow: deleted
// in Salesforce, or changed so that it no longer meets the conditions.
type Removal int

// Removals.
const (
	// RemoveRow deletes the row from the sheet.
	RemoveRow Removal = iota + 1
	// MarkRow keeps the row, marked removed; it comes back to life if the
	// record comes back.
	MarkRow
	// KeepRow leaves the row as it is.
	KeepRow
)

// Plan is what the inbound engine needs of a compiled workflow: where to
// read, how to tell whether a record belongs, how to turn it into cells, and
// what to do with rows whose record leaves.
type Plan struct {
	Source Source
	// Match reports whether a record meets the workflow's conditions. The
	// initial load leaves the test to Salesforce; incremental reads, which
	// read every changed record, call Match. nil matches every record.
	Match func(*salesforce.Record) (bool, error)
	// Cells maps a record to the cells of its row, by column name, each in
	// a form the sheet's column accepts (see Row.Cells).
	Cells func(*salesforce.Record) (map[string]any, error)
	// FormulaCells maps a record read by the formula refresh (Id and the
	// formula fields only) to the cells those fields feed.
	FormulaCells func(*salesforce.Record) (map[string]any, error)
	// OnLeave applies to rows whose record stops meeting the conditions;
	// OnDelete to rows whose record is deleted in Salesforce. Zero means
	// RemoveRow.
	OnLeave, OnDelete Removal
	// RefreshEvery is how often formula fields are re-read in full; zero
	// never refreshes them.
	RefreshEvery time.Duration
	// Revision identifies the mapping (e.g. the workflow's version). When
	// it or the Source changes, the stream starts over with a full load so
	// that every row takes the new mapping.
	Revision string
}

// fingerprint identifies what rows the plan produces: the same fingerprint
// means the stored checkpoint still applies.
func (p *Plan) fingerprint() string { return p.Source.fingerprint(p.Revision) }

// Row is what the inbound engine writes for one record.
type Row struct {
	// SalesforceID is the record's 18-character Id.
	SalesforceID string
	// Modstamp is the record's SystemModstamp: the version of the record the
	// cells come from. The sheet keeps it so that a record read again
	// unchanged is skipped (Sink.Versions).
	Modstamp time.Time
	// Cells are the mapped values by column name, in a form the sheet's
	// column accepts (package sheet: strings, float64, bool, []string,
	// sheet.Address, nil); for a refresh, only the columns the formula
	// fields feed.
	Cells map[string]any
	// Err, when set, is why the record could not be mapped: the row keeps
	// its cells, and shows the error with a failed sync status.
	Err error
}

// Sink is the sheet a workflow writes, as the inbound engine uses it. Every
// method runs inside the store transaction it is given, the one that also
// saves the checkpoint.
type Sink interface {
	// Versions returns the Modstamp each row was last written with, for
	// the rows among ids that exist (marked removed ones included).
	Versions(ctx context.Context, tx *store.Tx, ids []string) (map[string]time.Time, error)
	// Upsert inserts or updates rows by SalesforceID; a row marked removed
	// comes back. Rows with Err, and rows the sheet refuses, are failures:
	// recorded on the row where the sheet can, and returned. It returns how
	// many rows it inserted and updated. An error aborts the transaction.
	Upsert(ctx context.Context, tx *store.Tx, rows []Row) (inserted, updated int, failed []Failure, err error)
	// Remove deletes or marks the rows of ids, as how says (never KeepRow),
	// and returns how many it changed. Rows that do not exist, or are
	// already marked, are left alone.
	Remove(ctx context.Context, tx *store.Tx, ids []string, how Removal) (int, error)
	// Refresh sets the given cells of existing rows, leaving their other
	// cells and their Modstamp alone, and returns how many rows it changed.
	Refresh(ctx context.Context, tx *store.Tx, rows []Row) (int, error)
}

// Failure is a record that could not be written to its row.
type Failure struct {
	SalesforceID string
	Err          error
}
