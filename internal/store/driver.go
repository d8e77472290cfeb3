package store

import (
	"context"
	"database/sql"
	"io/fs"
	"strings"
)

// Driver is the seam between sfbridge and a database engine. A driver owns
// its connections, its schema migrations and the translation of its native
// errors; everything above it (the repositories of this package, sheets, the
// sync engine) is written once, in the portable SQL described in the package
// documentation, plus the fragments the driver's [Dialect] builds.
//
// Every driver runs the conformance suite in package storetest.
type Driver interface {
	// Name identifies the engine in messages: "sqlite", "postgres".
	Name() string

	// Dialect returns the driver's SQL fragment builders and capabilities.
	Dialect() Dialect

	// BeginWrite starts a transaction that may write. It waits for the
	// database's write lock up front (SQLite: BEGIN IMMEDIATE), so a
	// transaction that started never fails later for lack of it.
	BeginWrite(ctx context.Context) (*sql.Tx, error)

	// BeginRead starts a read-only transaction that sees one snapshot of
	// the database from its first read to its end.
	BeginRead(ctx context.Context) (*sql.Tx, error)

	// MapError returns err wrapped with the sentinel of this package it
	// corresponds to (ErrConflict, ErrConstraint, ErrBusy, ErrReadOnly), or
	// err unchanged. MapError(nil) is nil. (sql.ErrNoRows becomes
	// ErrNotFound above the driver.)
	MapError(err error) error

	// Migrations returns the driver's schema migrations: files named
	// NNNN_slug.sql at the root, applied in order of NNNN.
	Migrations() fs.FS

	// Close closes every connection.
	Close() error
}

// Type is a storage type: what a column holds, independent of the engine.
// A [Dialect] renders it as a column type and a check on its values.
type Type int

// Storage types. Text-like values are stored as text in every engine;
// temporal values of sheets as the canonical strings of package sheet on
// engines without native types.
const (
	TypeText     Type = iota + 1 // a string
	TypeInteger                  // a 64-bit integer
	TypeDecimal                  // a number with a fractional part
	TypeBool                     // true or false
	TypeDate                     // a calendar date, "2006-01-02"
	TypeDateTime                 // an instant in UTC, "2006-01-02T15:04:05.000Z"
	TypeTime                     // a time of day, "15:04:05.000"
	TypeJSON                     // a JSON document
)

// Dialect builds the SQL that differs between engines. Callers never test
// which engine they talk to; they ask the dialect for the fragment.
type Dialect interface {
	// ColumnType returns the column type that holds values of t.
	ColumnType(t Type) string

	// ColumnCheck returns a boolean SQL expression that is true or NULL
	// when the column named by the quoted identifier column holds a valid
	// value of t, for a CHECK constraint; "" when the column type already
	// guarantees it.
	ColumnCheck(t Type, column string) string

	// TableOptions returns what follows the closing parenthesis of CREATE
	// TABLE for tables users edit directly (SQLite: " STRICT").
	TableOptions() string

	// RowIDColumn returns the type and constraints of an integer primary
	// key that the database assigns, increasing, never reused after a
	// delete.
	RowIDColumn() string

	// Now returns an SQL expression for the current instant as a
	// TypeDateTime value, for column defaults and triggers.
	Now() string

	// ContainsFold returns a boolean SQL expression that is true when the
	// text of expr contains the text bound to the placeholder param,
	// ignoring case (at least for ASCII letters). The bound text must be
	// escaped with [EscapeLike].
	ContainsFold(expr, param string) string

	// CreateTrigger returns the statements that create the row-level
	// trigger t, in the order they must run.
	CreateTrigger(t Trigger) []string

	// DropTrigger returns the statements that drop the trigger named name
	// on table (both unquoted), and whatever CreateTrigger made for it; they
	// succeed when there is no such trigger.
	DropTrigger(name, table string) []string
}

// TriggerEvent is the kind of statement a trigger fires on.
type TriggerEvent string

// Trigger events.
const (
	OnInsert TriggerEvent = "INSERT"
	OnUpdate TriggerEvent = "UPDATE"
	OnDelete TriggerEvent = "DELETE"
)

// Trigger is a row-level trigger in portable parts, rendered by
// [Dialect.CreateTrigger]: SQLite makes it a trigger with a body,
// PostgreSQL a trigger function and its trigger. Expressions and statements
// use the portable SQL of the package documentation, and refer to the row
// as NEW (insert, update) and OLD (update, delete).
//
// What the trigger does runs in the transaction of the statement that fired
// it, for each row the statement writes:
//
//   - insert: Do runs after the row is inserted;
//   - update: the row written gets the values of Set, then Do runs;
//   - delete without Set: Do runs after the row is deleted;
//   - delete with Set: the row is not deleted but updated with Set (which
//     fires the table's update triggers), then Do runs.
//
// A trigger's own changes to its table never fire it again.
type Trigger struct {
	Name  string // unquoted, unique in the database
	Table string // unquoted
	Key   string // the table's primary key column, unquoted; needed with Set
	Event TriggerEvent
	// When is a condition over NEW and OLD: the trigger does nothing for a
	// row where it is not true. Empty: every row.
	When string
	// Set assigns values (SQL expressions over NEW and OLD) to columns of
	// the row; see above. Insert triggers take no Set.
	Set []Assignment
	// Do are statements run for each row, after Set.
	Do []string
}

// Assignment gives a column (unquoted) the value of an SQL expression.
type Assignment struct {
	Column string
	Value  string
}

// QuoteIdent quotes an SQL identifier (a table or column name) the standard
// way, which every supported engine accepts: in double quotes, with inner
// double quotes doubled.
func QuoteIdent(name string) string {
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}

// EscapeLike escapes the LIKE wildcards of s ('%', '_') and the escape
// character itself ('\'), for [Dialect.ContainsFold].
func EscapeLike(s string) string {
	if !strings.ContainsAny(s, `%_\`) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if r == '%' || r == '_' || r == '\\' {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}
