package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/sfbridge/sfbridge/internal/secret"
)

// Scope runs functions in a transaction. *Store opens a new transaction for
// each call; *Tx runs the function inside itself, so code written against a
// Scope joins its caller's transaction when it is given one, and gets its own
// otherwise.
type Scope interface {
	// Write runs fn in a transaction that may write, committed when fn
	// returns nil and rolled back otherwise.
	Write(ctx context.Context, fn func(*Tx) error) error
	// Read runs fn in a transaction that sees one snapshot.
	Read(ctx context.Context, fn func(*Tx) error) error
}

var (
	_ Scope = (*Store)(nil)
	_ Scope = (*Tx)(nil)
)

// Tx is a transaction. Queries use the portable SQL described in the package
// documentation; errors come back mapped onto this package's sentinels. A Tx
// must not be used after the function it was given to returns.
type Tx struct {
	tx       *sql.Tx
	drv      Driver
	keys     *secret.Keyring
	writable bool
	now      time.Time
	outboxed bool // appended to the outbox: fire the store's signal after commit
	cached   map[string]*Stmt
}

// Dialect returns the dialect of the transaction's driver.
func (tx *Tx) Dialect() Dialect { return tx.drv.Dialect() }

// Now returns the time the transaction started, in UTC, to the microsecond.
// Every timestamp a transaction writes is this one, so rows written together
// carry the same time.
func (tx *Tx) Now() time.Time { return tx.now }

// Writable reports whether the transaction may write.
func (tx *Tx) Writable() bool { return tx.writable }

// SignalOutbox records that the transaction appended to the outbox (a sheet's
// triggers did, for a write made through sfbridge), so that
// [Store.OutboxSignal] fires once it commits. A rollback fires nothing.
func (tx *Tx) SignalOutbox() { tx.outboxed = true }

// Write runs fn inside tx, or fails with ErrReadOnly when tx is a read
// transaction.
func (tx *Tx) Write(_ context.Context, fn func(*Tx) error) error {
	if !tx.writable {
		return ErrReadOnly
	}
	return fn(tx)
}

// Read runs fn inside tx.
func (tx *Tx) Read(_ context.Context, fn func(*Tx) error) error { return fn(tx) }

// Exec runs a statement that returns no rows.
func (tx *Tx) Exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	res, err := tx.tx.ExecContext(ctx, query, args...)
	return res, tx.drv.MapError(err)
}

// Query runs a statement that returns rows.
func (tx *Tx) Query(ctx context.Context, query string, args ...any) (*Rows, error) {
	rows, err := tx.tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, tx.drv.MapError(err)
	}
	return &Rows{rows: rows, drv: tx.drv}, nil
}

// QueryRow runs a statement expected to return at most one row. Scan of the
// returned Row reports ErrNotFound when there was none.
func (tx *Tx) QueryRow(ctx context.Context, query string, args ...any) *Row {
	return &Row{row: tx.tx.QueryRowContext(ctx, query, args...), drv: tx.drv}
}

// Prepare prepares a statement for repeated use within the transaction; it
// is closed when the transaction ends, or by Stmt.Close.
func (tx *Tx) Prepare(ctx context.Context, query string) (*Stmt, error) {
	st, err := tx.tx.PrepareContext(ctx, query)
	if err != nil {
		return nil, tx.drv.MapError(err)
	}
	return &Stmt{stmt: st, drv: tx.drv}, nil
}

// Cached returns a prepared statement for query — one statement — prepared
// on its first use in the transaction and kept until the transaction ends:
// for code called once per row, which would otherwise prepare the same
// statement each time (on SQLite, preparing a write to a table compiles
// its triggers too). Do not close it.
func (tx *Tx) Cached(ctx context.Context, query string) (*Stmt, error) {
	if st, ok := tx.cached[query]; ok {
		return st, nil
	}
	st, err := tx.Prepare(ctx, query)
	if err != nil {
		return nil, err
	}
	if tx.cached == nil {
		tx.cached = map[string]*Stmt{}
	}
	tx.cached[query] = st
	return st, nil
}

// Stmt is a prepared statement.
type Stmt struct {
	stmt *sql.Stmt
	drv  Driver
}

// Exec runs the statement with args.
func (s *Stmt) Exec(ctx context.Context, args ...any) (sql.Result, error) {
	res, err := s.stmt.ExecContext(ctx, args...)
	return res, s.drv.MapError(err)
}

// Query runs the statement with args and returns its rows.
func (s *Stmt) Query(ctx context.Context, args ...any) (*Rows, error) {
	rows, err := s.stmt.QueryContext(ctx, args...)
	if err != nil {
		return nil, s.drv.MapError(err)
	}
	return &Rows{rows: rows, drv: s.drv}, nil
}

// QueryRow runs the statement with args, for at most one row.
func (s *Stmt) QueryRow(ctx context.Context, args ...any) *Row {
	return &Row{row: s.stmt.QueryRowContext(ctx, args...), drv: s.drv}
}

// Close releases the statement.
func (s *Stmt) Close() error { return s.drv.MapError(s.stmt.Close()) }

// Rows is the result of a query; see [sql.Rows]. Its errors are mapped.
type Rows struct {
	rows *sql.Rows
	drv  Driver
}

// Next prepares the next row for Scan, reporting whether there is one.
func (r *Rows) Next() bool { return r.rows.Next() }

// Scan copies the current row's columns into dest.
func (r *Rows) Scan(dest ...any) error { return r.drv.MapError(r.rows.Scan(dest...)) }

// Columns returns the column names.
func (r *Rows) Columns() ([]string, error) {
	cols, err := r.rows.Columns()
	return cols, r.drv.MapError(err)
}

// Err returns the error that ended iteration, if any.
func (r *Rows) Err() error { return r.drv.MapError(r.rows.Err()) }

// Close closes the rows; it is safe to call more than once.
func (r *Rows) Close() error { return r.drv.MapError(r.rows.Close()) }

// Row is the result of QueryRow.
type Row struct {
	row *sql.Row
	drv Driver
}

// Scan copies the row's columns into dest; it returns an error wrapping
// ErrNotFound when the query returned no row.
func (r *Row) Scan(dest ...any) error {
	err := r.row.Scan(dest...)
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	return r.drv.MapError(err)
}
