package query

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// benchOrg holds n accounts with eight populated fields, modified one
// second apart, and two users who own them.
func benchOrg(b *testing.B, n int) (*memSource, *testUser) {
	b.Helper()
	s := newMemSource(b, registry(b))
	alice := s.add(b, "User", map[string]any{"LastName": "Admin", "Alias": "alice"})
	bob := s.add(b, "User", map[string]any{"LastName": "Builder", "Alias": "bob"})
	industries := []string{"Technology", "Energy", "Banking", "Retail", "Media"}
	base := time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range n {
		owner := alice
		if i%3 == 0 {
			owner = bob
		}
		stamp := base.Add(time.Duration(i) * time.Second)
		s.add(b, "Account", map[string]any{
			"Name": fmt.Sprintf("Account %07d", i), "Industry": industries[i%len(industries)],
			"AnnualRevenue": float64(i%1000) * 1000.5, "BillingCity": "Paris", "Phone": "+33 1 23 45 67 89",
			"OwnerId": owner, "CreatedDate": stamp, "SystemModstamp": stamp,
		})
	}
	return s, &testUser{id: alice, loc: time.UTC, now: base.Add(time.Duration(n) * time.Second)}
}

const benchRecords = 100_000

// BenchmarkQueryPages runs a query over every account and renders all its
// pages of 2,000 records, as a client paging with nextRecordsUrl does.
func BenchmarkQueryPages(b *testing.B) {
	s, who := benchOrg(b, benchRecords)
	e := New(s)
	q := "SELECT Id, Name, Industry, AnnualRevenue, BillingCity, Phone, CreatedDate, SystemModstamp FROM Account"
	var buf []byte
	for b.Loop() {
		res, err := e.Query(context.Background(), who, q, Options{})
		if err != nil {
			b.Fatal(err)
		}
		for start := 0; start < res.TotalSize(); start += 2000 {
			buf = res.AppendPage(buf[:0], start, 2000, "/services/data/v60.0/query/01g-x")
		}
	}
	b.ReportMetric(float64(benchRecords*b.N)/b.Elapsed().Seconds(), "records/s")
}

// BenchmarkQueryFilterSortParent filters, sorts and reads a parent field
// for every record of the result.
func BenchmarkQueryFilterSortParent(b *testing.B) {
	s, who := benchOrg(b, benchRecords)
	e := New(s)
	q := "SELECT Id, Name, Owner.Alias FROM Account WHERE Industry IN ('Technology', 'Energy') AND Name LIKE 'Account%' ORDER BY AnnualRevenue DESC, Name"
	var buf []byte
	n := 0
	for b.Loop() {
		res, err := e.Query(context.Background(), who, q, Options{})
		if err != nil {
			b.Fatal(err)
		}
		n = res.TotalSize()
		for start := 0; start < n; start += 2000 {
			buf = res.AppendPage(buf[:0], start, 2000, "/next")
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "records/s")
}

// BenchmarkSyncQuery is the inbound sync's query, half-way through the
// object, on a source without and with an index on SystemModstamp.
func BenchmarkSyncQuery(b *testing.B) {
	s, who := benchOrg(b, benchRecords)
	cursor := time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC).Add(benchRecords / 2 * time.Second).Format(time.RFC3339)
	q := "SELECT Id, Name, SystemModstamp FROM Account WHERE SystemModstamp > " + cursor + " ORDER BY SystemModstamp, Id LIMIT 2000"
	for _, bc := range []struct {
		name string
		e    *Engine
	}{{"scan", New(s)}, {"index", New(indexedSource{s})}} {
		b.Run(bc.name, func(b *testing.B) {
			var buf []byte
			for b.Loop() {
				res, err := bc.e.Query(context.Background(), who, q, Options{})
				if err != nil {
					b.Fatal(err)
				}
				buf = res.AppendPage(buf[:0], 0, 2000, "")
			}
		})
	}
}
