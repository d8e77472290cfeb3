// Package sqlitetest gives tests a real store: SQLite in a temporary
// directory, migrated, with a fresh keyring, closed when the test ends. Tests
// run on the database the server uses, never on a double of it. Only test
// files import this package.
package sqlitetest

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/sfbridge/sfbridge/internal/secret"
	"github.com/sfbridge/sfbridge/internal/store"
	"github.com/sfbridge/sfbridge/internal/store/sqlite"
)

// Open returns a store on a new SQLite database in t's temporary directory.
func Open(t testing.TB) *store.Store {
	t.Helper()
	drv, err := sqlite.Open(filepath.Join(t.TempDir(), sqlite.FileName), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	key, err := secret.GenerateKey("test")
	if err != nil {
		t.Fatal(err)
	}
	keys, err := secret.NewKeyring(key)
	if err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(context.Background(), drv, store.Options{Keyring: keys})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Errorf("closing the test database: %v", err)
		}
	})
	return db
}
