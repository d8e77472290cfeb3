package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"regexp"
	"sort"
	"strconv"
	"time"
)

// migration is one schema migration file of a driver.
type migration struct {
	version  int
	name     string // the file name
	sql      string
	checksum string // hex SHA-256 of the file
}

var migrationName = regexp.MustCompile(`^(\d{4})_[a-z0-9_]+\.sql$`)

// parseMigrations reads the migrations at the root of fsys. Every file there
// must be named NNNN_slug.sql, and the versions must run 1, 2, 3 ... without
// gaps.
func parseMigrations(fsys fs.FS) ([]migration, error) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, fmt.Errorf("reading migrations: %w", err)
	}
	var ms []migration
	for _, e := range entries {
		m := migrationName.FindStringSubmatch(e.Name())
		if m == nil || e.IsDir() {
			return nil, fmt.Errorf("reading migrations: %q is not named NNNN_slug.sql (four digits, lowercase slug); rename or remove it", e.Name())
		}
		b, err := fs.ReadFile(fsys, e.Name())
		if err != nil {
			return nil, fmt.Errorf("reading migration %s: %w", e.Name(), err)
		}
		v, _ := strconv.Atoi(m[1])
		sum := sha256.Sum256(b)
		ms = append(ms, migration{version: v, name: e.Name(), sql: string(b), checksum: hex.EncodeToString(sum[:])})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	for i, m := range ms {
		if m.version != i+1 {
			return nil, fmt.Errorf("reading migrations: %s has version %d where %d was expected; versions start at 0001 and have no gaps or repeats", m.name, m.version, i+1)
		}
	}
	return ms, nil
}

// migrate brings the schema to the newest version the driver ships, in one
// write transaction: either every pending migration is applied, or none.
// Applied migrations are checked against the shipped files. The registered
// upgrades run last, in the same transaction.
func migrate(ctx context.Context, s *Store) error {
	ms, err := parseMigrations(s.drv.Migrations())
	if err != nil {
		return err
	}
	d := s.drv.Dialect()
	return s.Write(ctx, func(tx *Tx) error {
		if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
	version `+d.ColumnType(TypeInteger)+` PRIMARY KEY,
	name `+d.ColumnType(TypeText)+` NOT NULL,
	checksum `+d.ColumnType(TypeText)+` NOT NULL,
	applied_at `+d.ColumnType(TypeText)+` NOT NULL
)`); err != nil {
			return fmt.Errorf("creating the migrations table: %w", err)
		}
		applied, err := appliedMigrations(ctx, tx)
		if err != nil {
			return err
		}
		if len(applied) > len(ms) {
			return fmt.Errorf("%w: the database is at version %d, this sfbridge knows versions up to %d; run a newer sfbridge", ErrSchemaTooNew, len(applied), len(ms))
		}
		for i, m := range ms {
			if i < len(applied) {
				if a := applied[i]; a.version != m.version || a.checksum != m.checksum {
					return fmt.Errorf("%w: version %d was applied from %s (checksum %.12s), this sfbridge ships %s (checksum %.12s); migrations must never be edited once released, add a new one instead",
						ErrMigrationChanged, m.version, a.name, a.checksum, m.name, m.checksum)
				}
				continue
			}
			if _, err := tx.Exec(ctx, m.sql); err != nil {
				return fmt.Errorf("applying migration %s: %w", m.name, err)
			}
			if _, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES ($1, $2, $3, $4)`,
				m.version, m.name, m.checksum, tx.Now().Format(time.RFC3339Nano)); err != nil {
				return fmt.Errorf("recording migration %s: %w", m.name, err)
			}
		}
		return runUpgrades(ctx, tx)
	})
}

// appliedMigrations returns the rows of schema_migrations in version order.
func appliedMigrations(ctx context.Context, tx *Tx) ([]migration, error) {
	rows, err := tx.Query(ctx, `SELECT version, name, checksum FROM schema_migrations ORDER BY version`)
	if err != nil {
		return nil, fmt.Errorf("reading applied migrations: %w", err)
	}
	defer rows.Close()
	var ms []migration
	for rows.Next() {
		var m migration
		if err := rows.Scan(&m.version, &m.name, &m.checksum); err != nil {
			return nil, fmt.Errorf("reading applied migrations: %w", err)
		}
		ms = append(ms, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reading applied migrations: %w", err)
	}
	return ms, nil
}

// SchemaVersion returns the version of the newest migration applied.
func (s *Store) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	err := s.Read(ctx, func(tx *Tx) error {
		return tx.QueryRow(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&v)
	})
	if err != nil {
		return 0, fmt.Errorf("reading the schema version: %w", err)
	}
	return v, nil
}
