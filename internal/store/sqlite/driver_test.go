package sqlite_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/sfbridge/sfbridge/internal/secret"
	"github.com/sfbridge/sfbridge/internal/store"
	"github.com/sfbridge/sfbridge/internal/store/sqlite"
	"github.com/sfbridge/sfbridge/internal/store/storetest"
)

func newDriver(t *testing.T) store.Driver {
	d, err := sqlite.Open(filepath.Join(t.TempDir(), sqlite.FileName), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestConformance(t *testing.T) {
	storetest.Exercise(t, newDriver)
}

func openStore(t *testing.T, path string, opts sqlite.Options) *store.Store {
	t.Helper()
	d, err := sqlite.Open(path, opts)
	if err != nil {
		t.Fatal(err)
	}
	k, _ := secret.GenerateKey("k1")
	kr, _ := secret.NewKeyring(k)
	st, err := store.Open(context.Background(), d, store.Options{Keyring: kr})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	return st
}

// TestBusyMapsToErrBusy pins the mapping of SQLITE_BUSY: a second process
// (here a second driver on the same file) cannot take the write lock while
// the first holds it.
func TestBusyMapsToErrBusy(t *testing.T) {
	path := filepath.Join(t.TempDir(), sqlite.FileName)
	first := openStore(t, path, sqlite.Options{})
	second := openStore(t, path, sqlite.Options{BusyTimeout: time.Millisecond})
	ctx := t.Context()

	err := first.Write(ctx, func(*store.Tx) error {
		return second.Write(ctx, func(*store.Tx) error { return nil })
	})
	if !errors.Is(err, store.ErrBusy) {
		t.Fatalf("a write while another process writes: error = %v, want ErrBusy", err)
	}
	// Once the first writer is done, the second gets the lock.
	if err := second.Write(ctx, func(*store.Tx) error { return nil }); err != nil {
		t.Fatalf("a write after the lock was released: %v", err)
	}
}

// TestPragmas pins the connection settings the driver documents.
func TestPragmas(t *testing.T) {
	st := openStore(t, filepath.Join(t.TempDir(), sqlite.FileName), sqlite.Options{BusyTimeout: 1234 * time.Millisecond})
	ctx := t.Context()
	read := func(tx *store.Tx, pragma string) string {
		var v string
		if err := tx.QueryRow(ctx, "PRAGMA "+pragma).Scan(&v); err != nil {
			t.Fatalf("PRAGMA %s: %v", pragma, err)
		}
		return v
	}
	_ = st.Write(ctx, func(tx *store.Tx) error {
		for pragma, want := range map[string]string{
			"journal_mode": "wal", "foreign_keys": "1", "busy_timeout": "1234", "synchronous": "1", "query_only": "0", "recursive_triggers": "0",
		} {
			if got := read(tx, pragma); got != want {
				t.Errorf("write connection: %s = %s, want %s", pragma, got, want)
			}
		}
		return nil
	})
	_ = st.Read(ctx, func(tx *store.Tx) error {
		for pragma, want := range map[string]string{"foreign_keys": "1", "busy_timeout": "1234", "query_only": "1"} {
			if got := read(tx, pragma); got != want {
				t.Errorf("read connection: %s = %s, want %s", pragma, got, want)
			}
		}
		return nil
	})
}

func TestOpenRefusesOddPaths(t *testing.T) {
	for _, p := range []string{"/tmp/a?b/db", "/tmp/a#b/db"} {
		if _, err := sqlite.Open(p, sqlite.Options{}); err == nil {
			t.Errorf("Open(%q) succeeded", p)
		}
	}
}

func TestPath(t *testing.T) {
	if got := sqlite.Path("/var/lib/sfbridge"); got != "/var/lib/sfbridge/sfbridge.db" {
		t.Errorf("Path = %q", got)
	}
}
