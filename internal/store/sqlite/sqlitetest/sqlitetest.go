// Package sqlitetest gives tests a real store: SQLite in a temporary
// directory, migrated, with a fresh keyring, closed when the test ends. Tests
// run on the database the server uses, never on a double of it. Only test
// files import this package.
package sqlitetest

import (
	"path/filepath"
	"testing"

	"github.com/sfbridge/sfbridge/internal/store"
	"github.com/sfbridge/sfbridge/internal/store/sqlite"
	"github.com/sfbridge/sfbridge/internal/store/storetest"
)

// Open returns a store on a new SQLite database in t's temporary directory.
func Open(t testing.TB) *store.Store {
	t.Helper()
	drv, err := sqlite.Open(filepath.Join(t.TempDir(), sqlite.FileName), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return storetest.OpenStore(t, drv)
}
