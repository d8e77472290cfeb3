package postgres_test

import (
	"fmt"
	"path/filepath"
	"testing"

	"github.com/sfbridge/sfbridge/internal/sheet"
	"github.com/sfbridge/sfbridge/internal/store"
	"github.com/sfbridge/sfbridge/internal/store/postgres/pgtest"
	"github.com/sfbridge/sfbridge/internal/store/sqlite"
)

// BenchmarkDrivers compares the two drivers on the same operations: a small
// write transaction, a read transaction, and an inbound batch of 1,000
// rows upserted into a sheet with its capture triggers.
//
//	go test ./internal/store/postgres -run '^$' -bench Drivers -benchtime 2s
func BenchmarkDrivers(b *testing.B) {
	drivers := []struct {
		name string
		open func(b *testing.B) store.Driver
	}{
		{"sqlite", func(b *testing.B) store.Driver {
			d, err := sqlite.Open(filepath.Join(b.TempDir(), sqlite.FileName), sqlite.Options{})
			if err != nil {
				b.Fatal(err)
			}
			return d
		}},
		{"postgres", func(b *testing.B) store.Driver { return pgtest.Driver(b) }},
	}
	for _, d := range drivers {
		b.Run(d.name, func(b *testing.B) {
			st, err := store.Open(b.Context(), d.open(b), store.Options{Keyring: keyring(b)})
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { _ = st.Close() })
			ctx := b.Context()
			u, err := st.Users().Create(ctx, store.User{Login: "ada@example.com"})
			if err != nil {
				b.Fatal(err)
			}

			b.Run("write", func(b *testing.B) {
				for b.Loop() {
					err := st.Write(ctx, func(tx *store.Tx) error {
						_, err := tx.Exec(ctx, `UPDATE users SET display_name = $1, updated_at = $2 WHERE id = $3`, "Ada", tx.Now(), u.ID)
						return err
					})
					if err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("read", func(b *testing.B) {
				for b.Loop() {
					if _, err := st.Users().Get(ctx, u.ID); err != nil {
						b.Fatal(err)
					}
				}
			})
			sheets := 0 // -count runs this again on the same store
			b.Run("upsert1000", func(b *testing.B) {
				sheets++
				sh, err := sheet.Create(ctx, st, fmt.Sprint("Bench ", sheets), columns[:4])
				if err != nil {
					b.Fatal(err)
				}
				batch := sheet.Batch{Columns: names()[:4]}
				for i := range 1000 {
					batch.Rows = append(batch.Rows, sheet.Input{SFID: fmt.Sprintf("001000000000%03dAAA", i), Values: []any{"n", i, 1.5, true}})
				}
				n := 0
				for b.Loop() {
					n++
					for i := range batch.Rows {
						batch.Rows[i].Values[0] = fmt.Sprint("name ", n) // every row changes
					}
					if _, err := sh.Upsert(ctx, st, batch); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(b.N*len(batch.Rows))/b.Elapsed().Seconds(), "rows/s")
			})
		})
	}
}
