package storetest

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/sfbridge/sfbridge/internal/store"
)

func testMigrations(t *testing.T, h *harness) {
	e := h.open(t)
	ctx := t.Context()
	shipped := shippedMigrations(t, e.drv)

	v, err := e.st.SchemaVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if v != len(shipped) {
		t.Fatalf("schema version after Open = %d, want %d (one per shipped migration)", v, len(shipped))
	}

	t.Run("reopening applies nothing", func(t *testing.T) {
		st := e.reopen(t, e.keys)
		if v, err := st.SchemaVersion(ctx); err != nil || v != len(shipped) {
			t.Fatalf("schema version after a second Open = %d, %v; want %d", v, err, len(shipped))
		}
	})

	t.Run("a failing migration applies nothing", func(t *testing.T) {
		fsys := clone(shipped)
		next := fmt.Sprintf("%04d_storetest.sql", len(shipped)+1)
		fsys[next] = &fstest.MapFile{Data: []byte(`CREATE TABLE storetest_half (x INTEGER);
CREATE TABLE storetest_half (x INTEGER);`)}
		_, err := store.Open(ctx, borrowed{Driver: e.drv, migrations: fsys}, store.Options{Keyring: e.keys})
		if err == nil {
			t.Fatal("Open applied a migration that creates the same table twice")
		}
		if v, _ := e.st.SchemaVersion(ctx); v != len(shipped) {
			t.Errorf("schema version after a failed migration = %d, want %d", v, len(shipped))
		}
		err = e.st.Read(ctx, func(tx *store.Tx) error {
			_, err := tx.Exec(ctx, `SELECT x FROM storetest_half`)
			return err
		})
		if err == nil {
			t.Error("the first statement of the failed migration was kept")
		}

		fsys[next] = &fstest.MapFile{Data: []byte(`CREATE TABLE storetest_whole (x INTEGER);`)}
		st, err := store.Open(ctx, borrowed{Driver: e.drv, migrations: fsys}, store.Options{Keyring: e.keys})
		if err != nil {
			t.Fatalf("Open with a valid new migration: %v", err)
		}
		if v, _ := st.SchemaVersion(ctx); v != len(shipped)+1 {
			t.Errorf("schema version = %d, want %d", v, len(shipped)+1)
		}

		// The database is now newer than what the driver ships.
		_, err = store.Open(ctx, borrowed{Driver: e.drv}, store.Options{Keyring: e.keys})
		if !errors.Is(err, store.ErrSchemaTooNew) {
			t.Errorf("Open of a newer database: error = %v, want ErrSchemaTooNew", err)
		}
	})

	t.Run("an edited migration is refused", func(t *testing.T) {
		e := h.open(t)
		fsys := clone(shippedMigrations(t, e.drv))
		for name, f := range fsys {
			if strings.HasPrefix(name, "0001_") {
				f.Data = append(f.Data, "\n-- edited\n"...)
			}
		}
		_, err := store.Open(ctx, borrowed{Driver: e.drv, migrations: fsys}, store.Options{Keyring: e.keys})
		if !errors.Is(err, store.ErrMigrationChanged) {
			t.Fatalf("Open with an edited migration: error = %v, want ErrMigrationChanged", err)
		}
	})

	t.Run("badly named migrations are refused", func(t *testing.T) {
		e := h.open(t)
		for name, want := range map[string]string{
			"2_short.sql":       "is not named NNNN_slug.sql",
			"0002-dash.sql":     "is not named NNNN_slug.sql",
			"0002_Upper.sql":    "is not named NNNN_slug.sql",
			"0002_two.sql.bak":  "is not named NNNN_slug.sql",
			"0009_gap.sql":      "where 2 was expected",
			"0001_repeated.sql": "where 2 was expected",
		} {
			fsys := fstest.MapFS{"0001_first.sql": {Data: []byte("SELECT 1;")}, name: {Data: []byte("SELECT 1;")}}
			_, err := store.Open(ctx, borrowed{Driver: e.drv, migrations: fsys}, store.Options{Keyring: e.keys})
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("migration %q: error = %v, want one saying %q", name, err, want)
			}
		}
	})

	t.Run("a keyring is required", func(t *testing.T) {
		if _, err := store.Open(ctx, borrowed{Driver: e.drv}, store.Options{}); err == nil {
			t.Fatal("Open without a keyring succeeded")
		}
	})
}

// shippedMigrations returns a copy of the driver's migrations.
func shippedMigrations(t *testing.T, drv store.Driver) fstest.MapFS {
	t.Helper()
	out := fstest.MapFS{}
	err := fs.WalkDir(drv.Migrations(), ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(drv.Migrations(), path)
		out[path] = &fstest.MapFile{Data: b}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out) == 0 {
		t.Fatal("the driver ships no migration")
	}
	return out
}

// clone returns a deep copy of fsys.
func clone(fsys fstest.MapFS) fstest.MapFS {
	out := fstest.MapFS{}
	for k, v := range fsys {
		out[k] = &fstest.MapFile{Data: append([]byte(nil), v.Data...)}
	}
	return out
}
