package storetest

import (
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/sfbridge/sfbridge/internal/store"
)

func testDialect(t *testing.T, h *harness) {
	e := h.open(t)
	ctx := t.Context()
	d := e.st.Dialect()

	// One column per storage type, with its check, in a table users edit.
	types := []struct {
		col string
		typ store.Type
	}{
		{"t_text", store.TypeText}, {"t_int", store.TypeInteger}, {"t_dec", store.TypeDecimal},
		{"t_bool", store.TypeBool}, {"t_date", store.TypeDate}, {"t_dt", store.TypeDateTime},
		{"t_time", store.TypeTime}, {"t_json", store.TypeJSON},
	}
	cols := ""
	for i, c := range types {
		if i > 0 {
			cols += ", "
		}
		q := store.QuoteIdent(c.col)
		cols += q + " " + d.ColumnType(c.typ)
		if check := d.ColumnCheck(c.typ, q); check != "" {
			cols += " CHECK (" + check + ")"
		}
	}
	table := e.scratch(t, "types", cols)

	t.Run("canonical values are stored", func(t *testing.T) {
		err := e.st.Write(ctx, func(tx *store.Tx) error {
			_, err := tx.Exec(ctx, "INSERT INTO "+table+` (t_text, t_int, t_dec, t_bool, t_date, t_dt, t_time, t_json)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
				"Acme ☃", int64(1)<<53, 1234.5, true, "2024-02-29", "2024-02-29T23:59:58.123Z", "13:45:00.250", `{"a":[1,2]}`)
			if err != nil {
				return err
			}
			_, err = tx.Exec(ctx, "INSERT INTO "+table+" (t_text) VALUES (NULL)")
			return err
		})
		if err != nil {
			t.Fatalf("inserting canonical values: %v", err)
		}
		var (
			text string
			i    int64
			dec  float64
			b    bool
		)
		err = e.st.Read(ctx, func(tx *store.Tx) error {
			return tx.QueryRow(ctx, "SELECT t_text, t_int, t_dec, t_bool FROM "+table+" WHERE t_int IS NOT NULL").Scan(&text, &i, &dec, &b)
		})
		if err != nil {
			t.Fatal(err)
		}
		if text != "Acme ☃" || i != 1<<53 || dec != 1234.5 || !b {
			t.Errorf("read back %q %d %v %v", text, i, dec, b)
		}
	})

	// Invalid values are written as SQL literals, so the database (not
	// the client library) rejects them, as it would a user's direct SQL.
	for _, bad := range []struct{ col, literal string }{
		{"t_int", "'many'"},
		{"t_dec", "'twelve'"},
		{"t_bool", "'maybe'"},
		{"t_date", "'2024-02-30'"},
		{"t_date", "'29/02/2024'"},
		{"t_dt", "'not a time'"},
		{"t_dt", "'2024-02-29T25:00:00.000Z'"},
		{"t_time", "'25:61:00.000'"},
		{"t_json", "'{\"a\":'"},
	} {
		t.Run("rejects "+bad.col+" "+bad.literal, func(t *testing.T) {
			err := e.st.Write(ctx, func(tx *store.Tx) error {
				_, err := tx.Exec(ctx, fmt.Sprintf("INSERT INTO %s (%s) VALUES (%s)", table, bad.col, bad.literal))
				return err
			})
			if !errors.Is(err, store.ErrConstraint) {
				t.Fatalf("error = %v, want ErrConstraint", err)
			}
		})
	}

	t.Run("row ids increase and are never reused", func(t *testing.T) {
		ids := e.scratch(t, "ids", "v "+d.ColumnType(store.TypeText))
		var got []int64
		err := e.st.Write(ctx, func(tx *store.Tx) error {
			for _, step := range []string{"insert", "insert", "insert", "delete", "insert"} {
				if step == "delete" {
					if _, err := tx.Exec(ctx, "DELETE FROM "+ids+" WHERE id = $1", got[len(got)-1]); err != nil {
						return err
					}
					continue
				}
				var id int64
				if err := tx.QueryRow(ctx, "INSERT INTO "+ids+" (v) VALUES ('x') RETURNING id").Scan(&id); err != nil {
					return err
				}
				got = append(got, id)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if got[3] <= got[2] || !slices.IsSorted(got) {
			t.Fatalf("row ids %v: the id after deleting the newest row must be new", got)
		}
	})

	t.Run("ContainsFold", func(t *testing.T) {
		names := e.scratch(t, "names", "name "+d.ColumnType(store.TypeText))
		rows := []string{"Acme Corp", "ACME_inc", "acmeXinc", "100% cotton", `back\slash`, "Globex"}
		err := e.st.Write(ctx, func(tx *store.Tx) error {
			for _, r := range rows {
				if _, err := tx.Exec(ctx, "INSERT INTO "+names+" (name) VALUES ($1)", r); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, tt := range []struct {
			needle string
			want   []string
		}{
			{"acme", []string{"Acme Corp", "ACME_inc", "acmeXinc"}},
			{"ME_I", []string{"ACME_inc"}},
			{"%", []string{"100% cotton"}},
			{`\`, []string{`back\slash`}},
			{"cme c", []string{"Acme Corp"}},
			{"zzz", nil},
		} {
			var got []string
			err := e.st.Read(ctx, func(tx *store.Tx) error {
				rows, err := tx.Query(ctx, "SELECT name FROM "+names+" WHERE "+d.ContainsFold("name", "$1")+" ORDER BY id", store.EscapeLike(tt.needle))
				if err != nil {
					return err
				}
				defer rows.Close()
				for rows.Next() {
					var s string
					if err := rows.Scan(&s); err != nil {
						return err
					}
					got = append(got, s)
				}
				return rows.Err()
			})
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("contains %q = %q, want %q", tt.needle, got, tt.want)
			}
		}
	})

	t.Run("Now is a valid datetime", func(t *testing.T) {
		dt := store.QuoteIdent("t_dt")
		err := e.st.Write(ctx, func(tx *store.Tx) error {
			_, err := tx.Exec(ctx, "INSERT INTO "+table+" ("+dt+") VALUES ("+d.Now()+")")
			return err
		})
		if err != nil {
			t.Fatalf("inserting Now() into a datetime column: %v", err)
		}
	})

	t.Run("QuoteIdent", func(t *testing.T) {
		odd := store.QuoteIdent(`we"ird name`)
		tbl := e.scratch(t, "quoted", odd+" "+d.ColumnType(store.TypeText))
		err := e.st.Write(ctx, func(tx *store.Tx) error {
			_, err := tx.Exec(ctx, "INSERT INTO "+tbl+" ("+odd+") VALUES ('ok')")
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}
