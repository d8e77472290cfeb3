package postgres_test

import (
	"io/fs"
	"slices"
	"testing"

	"github.com/sfbridge/sfbridge/internal/store/postgres"
	"github.com/sfbridge/sfbridge/internal/store/sqlite"
)

// TestMigrationsMatchSQLite pins that every SQLite migration has its port
// here, under the same name, and nothing more: both engines must hold the
// same schema at the same version.
func TestMigrationsMatchSQLite(t *testing.T) {
	names := func(fsys fs.FS) []string {
		entries, err := fs.ReadDir(fsys, ".")
		if err != nil {
			t.Fatal(err)
		}
		var ns []string
		for _, e := range entries {
			ns = append(ns, e.Name())
		}
		return ns
	}
	lite, pg := names((*sqlite.Driver)(nil).Migrations()), names((*postgres.Driver)(nil).Migrations())
	for _, n := range lite {
		if !slices.Contains(pg, n) {
			t.Errorf("SQLite migration %s has no PostgreSQL port: write internal/store/postgres/migrations/%[1]s with the same tables and constraints", n)
		}
	}
	for _, n := range pg {
		if !slices.Contains(lite, n) {
			t.Errorf("PostgreSQL migration %s has no SQLite counterpart", n)
		}
	}
}
