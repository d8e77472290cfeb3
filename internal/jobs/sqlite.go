package jobs

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"

	"github.com/riverqueue/river/riverdriver/riversqlite"
	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver
)

// OpenSQLite opens (creating it if needed) the SQLite database that holds the
// job tables. It is a file of its own, apart from the store's: River polls it
// every second, and keeping those writes off the store's single write
// connection keeps them out of the sync transactions' way (ADR 0071). The pool
// has one connection, as River's SQLite driver requires.
func OpenSQLite(path string) (*sql.DB, error) {
	q := url.Values{}
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Set("_txlock", "immediate")
	db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("opening job database %s: %w", path, err)
	}
	db.SetMaxOpenConns(1)
	return db, nil
}

// NewSQLite builds a River Scheduler on a database opened with OpenSQLite,
// creating or upgrading the job tables. The caller closes db after Stop.
func NewSQLite(ctx context.Context, db *sql.DB, handlers Handlers, cfg Config) (*River[*sql.Tx], error) {
	return NewRiver(ctx, riversqlite.New(db), handlers, cfg)
}
