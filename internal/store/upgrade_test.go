package store_test

import (
	"context"
	"errors"
	"io/fs"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/sfbridge/sfbridge/internal/secret"
	"github.com/sfbridge/sfbridge/internal/store"
	"github.com/sfbridge/sfbridge/internal/store/sqlite"
)

// failUpgrade makes the upgrade this test binary registers fail, after it
// wrote its mark.
var failUpgrade atomic.Bool

func init() {
	store.RegisterUpgrade("store_test", func(ctx context.Context, tx *store.Tx) error {
		_, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS upgrade_marks (n INTEGER)`)
		if err == nil {
			_, err = tx.Exec(ctx, `INSERT INTO upgrade_marks (n) VALUES (1)`)
		}
		if err == nil && failUpgrade.Load() {
			err = errors.New("boom")
		}
		return err
	})
}

func open(t *testing.T, path string) (*store.Store, error) {
	t.Helper()
	d, err := sqlite.Open(path, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	k, _ := secret.GenerateKey("k1")
	kr, _ := secret.NewKeyring(k)
	return store.Open(t.Context(), d, store.Options{Keyring: kr})
}

// TestRegisterUpgrade runs in sequence: it flips the shared failUpgrade.
func TestRegisterUpgrade(t *testing.T) {
	path := filepath.Join(t.TempDir(), sqlite.FileName)

	// A failing upgrade fails Open and rolls the migrations back with it.
	failUpgrade.Store(true)
	_, err := open(t, path)
	failUpgrade.Store(false)
	if err == nil || !strings.Contains(err.Error(), `running upgrade "store_test": boom`) {
		t.Fatalf("Open with a failing upgrade: error = %v", err)
	}
	st, err := open(t, path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx := t.Context()
	var marks int
	if err := st.Read(ctx, func(tx *store.Tx) error {
		return tx.QueryRow(ctx, `SELECT COUNT(*) FROM upgrade_marks`).Scan(&marks)
	}); err != nil || marks != 1 {
		t.Fatalf("after the first successful Open: %d marks, %v; want 1 (the failed Open's rolled back)", marks, err)
	}
	shipped, err := fs.Glob(new(sqlite.Driver).Migrations(), "*.sql")
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := st.SchemaVersion(ctx); v != len(shipped) {
		t.Errorf("schema version %d, want %d (every shipped migration applied)", v, len(shipped))
	}

	// Every Open runs the upgrades again.
	again, err := open(t, path)
	if err != nil {
		t.Fatal(err)
	}
	_ = again.Close()
	if err := st.Read(ctx, func(tx *store.Tx) error {
		return tx.QueryRow(ctx, `SELECT COUNT(*) FROM upgrade_marks`).Scan(&marks)
	}); err != nil || marks != 2 {
		t.Fatalf("after a second Open: %d marks, %v; want 2", marks, err)
	}

	for _, tt := range []struct {
		name string
		fn   func(context.Context, *store.Tx) error
	}{
		{"store_test", func(context.Context, *store.Tx) error { return nil }},
		{" ", func(context.Context, *store.Tx) error { return nil }},
		{"no function", nil},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("RegisterUpgrade(%q) did not panic", tt.name)
				}
			}()
			store.RegisterUpgrade(tt.name, tt.fn)
		}()
	}
}
