package storetest

import (
	"errors"
	"fmt"
	"testing"

	"github.com/sfbridge/sfbridge/internal/store"
)

// testErrorMapping pins how the driver maps each native error the seam
// names. (ErrBusy depends on the engine's locking; each driver pins it in its
// own tests.)
func testErrorMapping(t *testing.T, h *harness) {
	e := h.open(t)
	ctx := t.Context()
	d := e.st.Dialect()
	parent := e.scratch(t, "parent", "code "+d.ColumnType(store.TypeText)+" NOT NULL UNIQUE")
	child := e.scratch(t, "child", fmt.Sprintf("parent_id %s NOT NULL REFERENCES %s (id), qty %s CHECK (qty > 0), amount %s",
		d.ColumnType(store.TypeInteger), parent, d.ColumnType(store.TypeInteger), d.ColumnType(store.TypeDecimal)))
	if err := e.st.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.Exec(ctx, "INSERT INTO "+parent+" (id, code) VALUES (1, 'a')")
		return err
	}); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name string
		sql  string
		want error
	}{
		{"unique", "INSERT INTO " + parent + " (code) VALUES ('a')", store.ErrConflict},
		{"primary key", "INSERT INTO " + parent + " (id, code) VALUES (1, 'b')", store.ErrConflict},
		{"not null", "INSERT INTO " + parent + " (code) VALUES (NULL)", store.ErrConstraint},
		{"check", "INSERT INTO " + child + " (parent_id, qty) VALUES (1, 0)", store.ErrConstraint},
		{"foreign key", "INSERT INTO " + child + " (parent_id, qty) VALUES (42, 1)", store.ErrConstraint},
		{"wrong type", "INSERT INTO " + child + " (parent_id, qty, amount) VALUES (1, 1, 'twelve')", store.ErrConstraint},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := e.st.Write(ctx, func(tx *store.Tx) error {
				_, err := tx.Exec(ctx, tt.sql)
				return err
			})
			if !errors.Is(err, tt.want) {
				t.Fatalf("%s: error = %v, want %v", tt.sql, err, tt.want)
			}
			if err.Error() == tt.want.Error() {
				t.Errorf("the mapped error %q lost the native error's details", err)
			}
		})
	}

	t.Run("no row", func(t *testing.T) {
		err := e.st.Read(ctx, func(tx *store.Tx) error {
			var s string
			return tx.QueryRow(ctx, "SELECT code FROM "+parent+" WHERE id = 99").Scan(&s)
		})
		if !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("QueryRow of no row = %v, want ErrNotFound", err)
		}
	})

	t.Run("write in a read transaction", func(t *testing.T) {
		err := e.st.Read(ctx, func(tx *store.Tx) error {
			_, err := tx.Exec(ctx, "UPDATE "+parent+" SET code = 'z'")
			return err
		})
		if !errors.Is(err, store.ErrReadOnly) {
			t.Fatalf("UPDATE in a read transaction = %v, want ErrReadOnly", err)
		}
	})

	t.Run("other errors pass through", func(t *testing.T) {
		err := e.st.Read(ctx, func(tx *store.Tx) error {
			_, err := tx.Exec(ctx, "SELECT no_such_column FROM "+parent)
			return err
		})
		for _, s := range []error{store.ErrNotFound, store.ErrConflict, store.ErrConstraint, store.ErrBusy, store.ErrReadOnly} {
			if errors.Is(err, s) {
				t.Errorf("a syntax error (%v) was mapped to %v", err, s)
			}
		}
		if err == nil {
			t.Fatal("selecting a missing column succeeded")
		}
	})

	t.Run("MapError(nil) is nil", func(t *testing.T) {
		if err := e.drv.MapError(nil); err != nil {
			t.Fatalf("MapError(nil) = %v", err)
		}
	})
}
