// Package pgtest gives tests a fresh PostgreSQL database on the server named
// by $SFBRIDGE_TEST_POSTGRES (a DSN whose user may create databases, such as
// the one .ci/postgres prints), dropped when the test ends. Without the
// variable the test is skipped, except in CI (CI set), where it fails: the
// Postgres tests must never be skipped silently there. Only test files
// import this package.
package pgtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"os"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/sfbridge/sfbridge/internal/store"
	"github.com/sfbridge/sfbridge/internal/store/postgres"
	"github.com/sfbridge/sfbridge/internal/store/storetest"
)

// EnvVar names the variable holding the test server's DSN.
const EnvVar = "SFBRIDGE_TEST_POSTGRES"

// ServerDSN returns $SFBRIDGE_TEST_POSTGRES, skipping t (failing it in CI)
// when it is empty.
func ServerDSN(t testing.TB) string {
	t.Helper()
	dsn := os.Getenv(EnvVar)
	if dsn != "" {
		return dsn
	}
	const how = EnvVar + " is not set; start a server with `export " + EnvVar + "=$(.ci/postgres)` (as root) or point it at one where the user may create databases"
	if os.Getenv("CI") != "" {
		t.Fatal(how)
	}
	t.Skip(how)
	return ""
}

// NewDatabase creates an empty database on the test server and returns its
// DSN; the database is dropped (closing whatever is still connected to it)
// when t ends.
func NewDatabase(t testing.TB) string {
	t.Helper()
	server := ServerDSN(t)
	cfg, err := pgx.ParseConfig(server)
	if err != nil {
		t.Fatalf("parsing %s: %v", EnvVar, err)
	}
	admin := stdlib.OpenDB(*cfg)
	defer admin.Close()
	var raw [6]byte
	_, _ = rand.Read(raw[:])
	name := "sfbridge_test_" + hex.EncodeToString(raw[:])
	ctx := context.Background()
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("creating the test database on %s: %v", postgres.RedactDSN(server), err)
	}
	t.Cleanup(func() {
		admin := stdlib.OpenDB(*cfg)
		defer admin.Close()
		if _, err := admin.ExecContext(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("dropping the test database %s: %v", name, err)
		}
	})
	return withDatabase(server, name)
}

// withDatabase returns dsn naming database name instead of its own.
func withDatabase(dsn, name string) string {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		scheme, rest, _ := strings.Cut(dsn, "://")
		hostPart, query, hasQuery := strings.Cut(rest, "?")
		if i := strings.Index(hostPart, "/"); i >= 0 {
			hostPart = hostPart[:i]
		}
		out := scheme + "://" + hostPart + "/" + name
		if hasQuery {
			out += "?" + query
		}
		return out
	}
	return dsn + " dbname=" + name // the last keyword wins
}

// Driver returns a driver on a new database, closed when t ends.
func Driver(t testing.TB) *postgres.Driver {
	t.Helper()
	d, err := postgres.Open(NewDatabase(t), postgres.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = d.Close() })
	return d
}

// Open returns a store on a new database, migrated, with a fresh keyring,
// closed when t ends; and the driver under it, for direct SQL
// (Driver.DB).
func Open(t testing.TB) (*store.Store, *postgres.Driver) {
	t.Helper()
	drv, err := postgres.Open(NewDatabase(t), postgres.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return storetest.OpenStore(t, drv), drv
}

// DB opens a plain pgx connection pool (database/sql) on dsn, as a person's
// SQL client would, closed when t ends.
func DB(t testing.TB, dsn string) *sql.DB {
	t.Helper()
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		t.Fatal(err)
	}
	db := stdlib.OpenDB(*cfg)
	t.Cleanup(func() { _ = db.Close() })
	return db
}
