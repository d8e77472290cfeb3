package postgres

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"strconv"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/sfbridge/sfbridge/internal/store"
)

//go:embed migrations/*.sql
var migrations embed.FS

// WriteLockKey is the key of the transaction-scoped advisory lock every
// write transaction takes first (pg_advisory_xact_lock): "sfbridge" in
// ASCII. Direct SQL that must not interleave with sfbridge's writes may take
// it too.
const WriteLockKey int64 = 0x7366627269646765

// Options tune the driver. The zero value is the production setting.
type Options struct {
	// LockTimeout is how long a statement waits for a lock — the write
	// lock that BeginWrite takes, or a row another session holds — before
	// failing with store.ErrBusy. Default 30s.
	LockTimeout time.Duration

	// MaxConns is the size of the connection pool. Default 10.
	MaxConns int
}

// Driver is the PostgreSQL store driver.
type Driver struct {
	db *sql.DB
	// writer is the process's write slot: write transactions of the
	// process wait for it (as long as their context allows) before they
	// take a connection, so that writers queued behind the database's
	// write lock do not hold the pool's connections.
	writer chan struct{}
}

var _ store.Driver = (*Driver)(nil)

// Open connects to the database named by dsn, a libpq connection string
// or URL ("postgres://user:password@host:5432/dbname?sslmode=disable"). The
// database must exist; Open checks that it answers.
func Open(dsn string, opts Options) (*Driver, error) {
	if opts.LockTimeout <= 0 {
		opts.LockTimeout = 30 * time.Second
	}
	if opts.MaxConns <= 0 {
		opts.MaxConns = 10
	}
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("postgres: parsing the connection string %s: %w", RedactDSN(dsn), redactErr(err, dsn))
	}
	// Every session in UTC, so that text renderings of instants (and
	// date_trunc) do not depend on the server's setting.
	cfg.RuntimeParams["timezone"] = "UTC"
	cfg.RuntimeParams["lock_timeout"] = strconv.FormatInt(opts.LockTimeout.Milliseconds(), 10)
	if cfg.RuntimeParams["application_name"] == "" {
		cfg.RuntimeParams["application_name"] = "sfbridge"
	}
	db := sql.OpenDB(connector{stdlib.GetConnector(*cfg, stdlib.OptionAfterConnect(func(_ context.Context, c *pgx.Conn) error {
		configureTypes(c.TypeMap())
		return nil
	}))})
	db.SetMaxOpenConns(opts.MaxConns)
	db.SetMaxIdleConns(opts.MaxConns)
	db.SetConnMaxIdleTime(5 * time.Minute)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := db.PingContext(ctx); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("postgres: connecting to %s: %w", RedactDSN(dsn), redactErr(err, dsn))
	}
	return &Driver{db: db, writer: make(chan struct{}, 1)}, nil
}

// configureTypes adapts pgx's conversions to the store's portable SQL:
// instants are read back in UTC, and a Go bool bound to an integer
// parameter is 1 or 0, as SQLite stores it (the system tables keep their
// flags as integers checked IN (0, 1), so the same SQL runs on both).
func configureTypes(m *pgtype.Map) {
	m.RegisterType(&pgtype.Type{Name: "timestamptz", OID: pgtype.TimestamptzOID, Codec: &pgtype.TimestamptzCodec{ScanLocation: time.UTC}})
	m.TryWrapEncodePlanFuncs = append(m.TryWrapEncodePlanFuncs, tryWrapBoolAsInt)
}

// tryWrapBoolAsInt offers a bool as an int64; pgx tries it only when the
// parameter's type does not take a bool itself.
func tryWrapBoolAsInt(value any) (pgtype.WrappedEncodePlanNextSetter, any, bool) {
	b, ok := value.(bool)
	if !ok {
		return nil, nil, false
	}
	return &boolAsInt{}, boolInt(b), true
}

func boolInt(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// boolAsInt encodes a bool through the plan of an int64.
type boolAsInt struct{ next pgtype.EncodePlan }

func (p *boolAsInt) SetNext(next pgtype.EncodePlan) { p.next = next }

func (p *boolAsInt) Encode(value any, buf []byte) ([]byte, error) {
	return p.next.Encode(boolInt(value.(bool)), buf)
}

// Name returns "postgres".
func (*Driver) Name() string { return "postgres" }

// Dialect returns PostgreSQL's dialect.
func (*Driver) Dialect() store.Dialect { return dialect{} }

// DB returns the driver's pool, for what the seam does not cover (River's
// jobs on the same database, tests writing direct SQL).
func (d *Driver) DB() *sql.DB { return d.db }

// BeginWrite begins a READ COMMITTED transaction and takes the write lock
// (a transaction-scoped advisory lock on WriteLockKey) before anything else,
// so write transactions run one at a time across every process on the
// database, as on SQLite; see docs/adr/0280-postgres-driver.md. Within the
// process, writers queue for the write slot as long as ctx allows; the lock
// held by another process is waited for up to Options.LockTimeout.
func (d *Driver) BeginWrite(ctx context.Context) (*sql.Tx, error) {
	select {
	case d.writer <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	var once sync.Once
	release := func() { once.Do(func() { <-d.writer }) }
	tx, err := d.db.BeginTx(context.WithValue(ctx, slotKey{}, release), nil)
	if err != nil {
		release()
		return nil, err
	}
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, WriteLockKey); err != nil {
		_ = tx.Rollback()
		release() // in case the rollback never reached the connection
		return nil, fmt.Errorf("taking the write lock: %w", err)
	}
	return tx, nil
}

// BeginRead begins a REPEATABLE READ, READ ONLY transaction: it sees the
// snapshot taken at its first statement until it ends.
func (d *Driver) BeginRead(ctx context.Context) (*sql.Tx, error) {
	return d.db.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
}

// Migrations returns the embedded migrations.
func (*Driver) Migrations() fs.FS {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil { // impossible: the directory is embedded
		panic(err)
	}
	return sub
}

// Close closes the pool.
func (d *Driver) Close() error { return d.db.Close() }

// MapError maps SQLSTATE codes onto the store's sentinels: unique violations
// to ErrConflict; the other integrity violations (class 23) and data
// exceptions (class 22: a value the column's type refuses) to
// ErrConstraint; lock timeouts, serialization failures and deadlocks to
// ErrBusy; a write in a read-only transaction to ErrReadOnly.
func (*Driver) MapError(err error) error {
	if err == nil {
		return nil
	}
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		return err
	}
	var sentinel error
	switch code := pe.Code; {
	case code == "23505": // unique_violation
		sentinel = store.ErrConflict
	case len(code) == 5 && (code[:2] == "23" || code[:2] == "22"):
		sentinel = store.ErrConstraint
	case code == "55P03", code == "40001", code == "40P01": // lock_not_available, serialization_failure, deadlock_detected
		sentinel = store.ErrBusy
	case code == "25006": // read_only_sql_transaction
		sentinel = store.ErrReadOnly
	default:
		return err
	}
	return fmt.Errorf("%w: %w", sentinel, err)
}

// Migrated reports whether sfbridge's tables are in the database already
// (a migration was applied), for callers that must tell a new database from
// one holding data before opening the store.
func (d *Driver) Migrated(ctx context.Context) (bool, error) {
	var ok bool
	if err := d.db.QueryRowContext(ctx, `SELECT to_regclass('schema_migrations') IS NOT NULL`).Scan(&ok); err != nil {
		return false, fmt.Errorf("postgres: looking for sfbridge's tables: %w", err)
	}
	return ok, nil
}
