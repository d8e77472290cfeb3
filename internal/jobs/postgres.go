package jobs

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
)

// OpenPostgres opens a pgx pool on the PostgreSQL database named by dsn, for
// River's job tables. On PostgreSQL they live in the store's own database:
// River's native driver needs pgx's pool (the store reaches the same
// database through database/sql), the jobs of several sfbridge workers share
// one queue, and LISTEN/NOTIFY wakes them (ADR 0071, 0280). redact gives the
// DSN as messages may show it. The caller closes the pool after Stop.
func OpenPostgres(ctx context.Context, dsn string, redact func(string) string) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("parsing the job database's connection string %s: %w", redact(dsn), err)
	}
	cfg.ConnConfig.RuntimeParams["application_name"] = "sfbridge jobs"
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("opening the job database %s: %w", redact(dsn), err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("connecting to the job database %s: %w", redact(dsn), err)
	}
	return pool, nil
}

// NewPostgres builds a River Scheduler on a pool opened with OpenPostgres,
// creating or upgrading the job tables.
func NewPostgres(ctx context.Context, pool *pgxpool.Pool, handlers Handlers, cfg Config) (*River[pgx.Tx], error) {
	return NewRiver(ctx, riverpgxv5.New(pool), handlers, cfg)
}
