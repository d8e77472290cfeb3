package search

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
)

// benchWords are spread over the generated records; each names 1 in 10 records of each object.
var benchWords = []string{"alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliett"}

// loadRecords adds n records: 40% accounts, 30% contacts, 30% leads.
func loadRecords(b *testing.B, f *fixture, n int) {
	b.Helper()
	ctx := context.Background()
	batch := map[string][]json.RawMessage{}
	for i := range n {
		word := benchWords[(i/10)%len(benchWords)]
		var object string
		var rec map[string]any
		switch i % 10 {
		case 0, 1, 2, 3:
			object, rec = "Account", map[string]any{"Name": fmt.Sprintf("%s Holdings %06d", word, i), "Type": "Prospect"}
		case 4, 5, 6:
			object, rec = "Contact", map[string]any{"FirstName": word, "LastName": fmt.Sprintf("Person%06d", i)}
		default:
			object, rec = "Lead", map[string]any{"LastName": fmt.Sprintf("Lead%06d", i), "Company": word + " Labs", "Status": "Open - Not Contacted"}
		}
		raw, err := json.Marshal(rec)
		if err != nil {
			b.Fatal(err)
		}
		batch[object] = append(batch[object], raw)
		if len(batch[object]) == 5000 || i == n-1 {
			for o, recs := range batch {
				if _, err := f.Emu.Insert(ctx, o, recs); err != nil {
					b.Fatalf("inserting %s: %v", o, err)
				}
				delete(batch, o)
			}
		}
	}
}

// BenchmarkSearch measures one uncached search across the default objects,
// as the admin, in an org holding 100,000 more records than the demo seed.
//
//	go test -run '^$' -bench Search -benchtime 20x ./internal/search
func BenchmarkSearch(b *testing.B) {
	f := setup(b)
	loadRecords(b, f, 100_000)
	svc := newService(b, Config{TTL: -1})
	ctx := context.Background()
	for _, term := range []string{"golf", "Holdings 004242", "zzzz"} {
		b.Run(term, func(b *testing.B) {
			hits := 0
			for b.Loop() {
				res, err := svc.Search(ctx, f.admin, term)
				if err != nil {
					b.Fatal(err)
				}
				hits = 0
				for _, g := range res.Groups {
					hits += len(g.Hits)
				}
			}
			b.ReportMetric(float64(hits), "hits")
		})
	}
}
