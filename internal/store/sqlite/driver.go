package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/sfbridge/sfbridge/internal/store"
)

// FileName is the database file's name in the data directory.
const FileName = "sfbridge.db"

//go:embed migrations/*.sql
var migrations embed.FS

// Options tune the driver. The zero value is the production setting.
type Options struct {
	// BusyTimeout is how long a connection waits for a lock another
	// process holds before failing with store.ErrBusy. Default 5s.
	BusyTimeout time.Duration

	// ReadConns is the size of the read pool. Default: the number of CPUs,
	// at least 4.
	ReadConns int
}

// Driver is the SQLite store driver.
type Driver struct {
	writer *sql.DB
	reader *sql.DB
}

var _ store.Driver = (*Driver)(nil)

// Path returns the database path in a data directory.
func Path(dataDir string) string { return filepath.Join(dataDir, FileName) }

// Open opens (creating it if needed, with its directory) the database file
// at path.
func Open(path string, opts Options) (*Driver, error) {
	if strings.ContainsAny(path, "?#") {
		return nil, fmt.Errorf("sqlite: opening %q: the path contains '?' or '#'; choose a data directory without them", path)
	}
	if opts.BusyTimeout <= 0 {
		opts.BusyTimeout = 5 * time.Second
	}
	if opts.ReadConns <= 0 {
		opts.ReadConns = max(4, runtime.NumCPU())
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("sqlite: creating the data directory: %w", err)
	}
	common := url.Values{}
	common.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", opts.BusyTimeout.Milliseconds()))
	common.Add("_pragma", "foreign_keys(1)")
	common.Add("_pragma", "recursive_triggers(0)") // the dialect's triggers rely on it
	common.Set("_time_format", "sqlite")

	w := cloneValues(common)
	w.Add("_pragma", "journal_mode(WAL)")
	w.Add("_pragma", "synchronous(NORMAL)")
	w.Set("_txlock", "immediate")
	writer, err := sql.Open("sqlite", path+"?"+w.Encode())
	if err != nil {
		return nil, fmt.Errorf("sqlite: opening %s: %w", path, err)
	}
	writer.SetMaxOpenConns(1)
	writer.SetMaxIdleConns(1)
	writer.SetConnMaxLifetime(0)
	writer.SetConnMaxIdleTime(0)
	// The write connection creates the file and switches it to WAL before
	// any reader opens it.
	if err := writer.Ping(); err != nil {
		_ = writer.Close()
		return nil, fmt.Errorf("sqlite: opening %s: %w", path, err)
	}

	r := cloneValues(common)
	r.Add("_pragma", "query_only(1)")
	reader, err := sql.Open("sqlite", path+"?"+r.Encode())
	if err != nil {
		_ = writer.Close()
		return nil, fmt.Errorf("sqlite: opening %s for reading: %w", path, err)
	}
	reader.SetMaxOpenConns(opts.ReadConns)
	reader.SetMaxIdleConns(opts.ReadConns)
	return &Driver{writer: writer, reader: reader}, nil
}

func cloneValues(v url.Values) url.Values {
	c := url.Values{}
	for k, vs := range v {
		c[k] = append([]string(nil), vs...)
	}
	return c
}

// Name returns "sqlite".
func (*Driver) Name() string { return "sqlite" }

// Dialect returns SQLite's dialect.
func (*Driver) Dialect() store.Dialect { return dialect{} }

// BeginWrite begins an IMMEDIATE transaction on the write connection.
func (d *Driver) BeginWrite(ctx context.Context) (*sql.Tx, error) {
	return d.writer.BeginTx(ctx, nil)
}

// BeginRead begins a transaction on a read connection.
func (d *Driver) BeginRead(ctx context.Context) (*sql.Tx, error) {
	return d.reader.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
}

// Migrations returns the embedded migrations.
func (*Driver) Migrations() fs.FS {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil { // impossible: the directory is embedded
		panic(err)
	}
	return sub
}

// Close closes both pools.
func (d *Driver) Close() error {
	return errors.Join(d.reader.Close(), d.writer.Close())
}

// MapError maps SQLite result codes onto the store's sentinels.
func (*Driver) MapError(err error) error {
	if err == nil {
		return nil
	}
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return err
	}
	var sentinel error
	switch code := se.Code(); {
	case code == sqlite3.SQLITE_CONSTRAINT_UNIQUE, code == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
		sentinel = store.ErrConflict
	case code&0xff == sqlite3.SQLITE_CONSTRAINT:
		sentinel = store.ErrConstraint
	case code&0xff == sqlite3.SQLITE_BUSY, code&0xff == sqlite3.SQLITE_LOCKED:
		sentinel = store.ErrBusy
	case code&0xff == sqlite3.SQLITE_READONLY:
		sentinel = store.ErrReadOnly
	default:
		return err
	}
	return fmt.Errorf("%w: %w", sentinel, err)
}
