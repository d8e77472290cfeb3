package postgres

import (
	"context"
	"database/sql/driver"

	"github.com/jackc/pgx/v5/stdlib"
)

// connector hands database/sql pgx's connections, wrapped so that
// transactions end as the driver needs (see conn).
type connector struct{ driver.Connector }

func (c connector) Connect(ctx context.Context) (driver.Conn, error) {
	dc, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return &conn{Conn: dc.(*stdlib.Conn)}, nil
}

// conn is pgx's connection (every interface database/sql looks for comes
// from it) whose transactions are wrapped: read-only ones commit by rolling
// back; those begun by BeginWrite give the process's write slot back when
// they end.
type conn struct{ *stdlib.Conn }

// slotKey is the context key under which BeginWrite passes the function
// that gives its write slot back.
type slotKey struct{}

func (c *conn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	tx, err := c.Conn.BeginTx(ctx, opts)
	if err != nil {
		return nil, err
	}
	if opts.ReadOnly {
		return readTx{tx}, nil
	}
	if release, ok := ctx.Value(slotKey{}).(func()); ok {
		return writeTx{Tx: tx, release: release}, nil
	}
	return tx, nil
}

// readTx is a read-only transaction. It has nothing to commit, so Commit
// rolls it back: a statement that failed in it (PostgreSQL then refuses
// the rest of the transaction, where SQLite carries on) does not turn its
// end into an error, on both engines alike.
type readTx struct{ driver.Tx }

func (t readTx) Commit() error { return t.Rollback() }

// writeTx is a write transaction holding the process's write slot until it
// ends.
type writeTx struct {
	driver.Tx
	release func()
}

func (t writeTx) Commit() error {
	defer t.release()
	return t.Tx.Commit()
}

func (t writeTx) Rollback() error {
	defer t.release()
	return t.Tx.Rollback()
}
