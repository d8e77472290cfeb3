package sheet_test

import (
	"testing"
	"time"

	"github.com/sfbridge/sfbridge/internal/sheet"
	"github.com/sfbridge/sfbridge/internal/store"
)

// BenchmarkCaptureCost measures what the change-capture triggers add to the
// sync engine's upsert: 50,000 rows of 15 columns in batches of 1,000, one
// transaction each, into two sheets on two databases — one with its
// triggers, as every sheet has them, one with them dropped — batch by batch
// in turn (alternating which goes first), so that both see the same load.
// The sync engine's writes are not captured: the cost is the triggers'
// conditions, evaluated for each row.
//
//	go test ./internal/sheet -run '^$' -bench CaptureCost -benchtime 1x -count 3
func BenchmarkCaptureCost(b *testing.B) {
	const rows, batchSize = 50_000, 1000
	for _, phase := range []string{"insert", "update"} {
		b.Run(phase, func(b *testing.B) {
			batch := sheet.Batch{Columns: names(&sheet.Sheet{Columns: benchColumns}), Rows: make([]sheet.Input, batchSize)}
			var spent [2]time.Duration // with, without the triggers
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				var (
					fs  [2]*fixture
					shs [2]*sheet.Sheet
				)
				for k := range fs {
					fs[k] = setup(b)
					sh, err := sheet.Create(b.Context(), fs[k].st, "Bench", benchColumns)
					if err != nil {
						b.Fatal(err)
					}
					shs[k] = sh
				}
				if err := sheet.DropCapture(b.Context(), fs[1].st, shs[1]); err != nil {
					b.Fatal(err)
				}
				write := func(k, start, version int) time.Duration {
					benchBatch(&batch, start, version)
					began := time.Now()
					if _, err := shs[k].Upsert(b.Context(), fs[k].st, batch); err != nil {
						b.Fatal(err)
					}
					return time.Since(began)
				}
				version := 1
				if phase == "update" {
					for start := 0; start < rows; start += batchSize {
						write(0, start, 1)
						write(1, start, 1)
					}
					version = 2
				}
				b.StartTimer()
				for start := 0; start < rows; start += batchSize {
					first := (start / batchSize) % 2
					spent[first] += write(first, start, version)
					spent[1-first] += write(1-first, start, version)
				}
			}
			with := float64(rows*b.N) / spent[0].Seconds()
			without := float64(rows*b.N) / spent[1].Seconds()
			b.ReportMetric(with, "rows/s-with")
			b.ReportMetric(without, "rows/s-without")
			b.ReportMetric(100*(spent[0].Seconds()/spent[1].Seconds()-1), "%-added")
		})
	}
}

// BenchmarkOutbox10k drains 10,000 outbox entries — one edit of each of
// 10,000 rows, made with one direct UPDATE — in claims of 200 (one sObject
// Collections call): "store" claims and completes the entries alone,
// "sheet" claims the changes with their rows and records each as synced
// (row status, link with the values in step), as the outbound writer will.
// One transaction per claim and one per batch of results.
//
//	go test ./internal/sheet -run '^$' -bench Outbox10k -benchtime 1x -count 3
func BenchmarkOutbox10k(b *testing.B) {
	const rows, claimSize = 10_000, 200
	for _, level := range []string{"store", "sheet"} {
		b.Run(level, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				f := setup(b)
				ctx := b.Context()
				sh, err := sheet.Create(ctx, f.st, "Bench", benchColumns)
				if err != nil {
					b.Fatal(err)
				}
				batch := sheet.Batch{Columns: names(sh), Rows: make([]sheet.Input, 1000)}
				for start := 0; start < rows; start += len(batch.Rows) {
					benchBatch(&batch, start, 1)
					if _, err := sh.Upsert(ctx, f.st, batch); err != nil {
						b.Fatal(err)
					}
				}
				wf := workflow(b, f)
				if err := f.st.Write(ctx, func(tx *store.Tx) error {
					_, err := tx.Exec(ctx, `UPDATE sheet_bench SET phone = '+33 1 00 00 00 00'`)
					return err
				}); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				drained := 0
				for {
					var n int
					if level == "store" {
						chs, err := f.st.Outbox().Claim(ctx, store.ClaimOptions{SheetID: sh.ID, Limit: claimSize, Lease: time.Minute})
						if err != nil {
							b.Fatal(err)
						}
						err = f.st.Write(ctx, func(tx *store.Tx) error {
							for _, c := range chs {
								if err := tx.Outbox().Complete(ctx, c); err != nil {
									return err
								}
							}
							return nil
						})
						if err != nil {
							b.Fatal(err)
						}
						n = len(chs)
					} else {
						chs, err := sh.Claim(ctx, f.st, claimSize, time.Minute)
						if err != nil {
							b.Fatal(err)
						}
						err = f.st.Write(ctx, func(tx *store.Tx) error {
							for _, c := range chs {
								if err := sh.Synced(ctx, tx, wf, c, sheet.Sent{Record: map[string]any{"Phone": "+33 1 00 00 00 00"}}); err != nil {
									return err
								}
							}
							return nil
						})
						if err != nil {
							b.Fatal(err)
						}
						n = len(chs)
					}
					if n == 0 {
						break
					}
					drained += n
				}
				if drained != rows {
					b.Fatalf("drained %d changes, want %d", drained, rows)
				}
			}
			b.ReportMetric(float64(rows*b.N)/b.Elapsed().Seconds(), "entries/s")
		})
	}
}
