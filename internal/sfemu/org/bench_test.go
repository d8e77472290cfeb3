package org

import (
	"bytes"
	"context"
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/sfbridge/sfbridge/internal/sfemu/clock"
	"github.com/sfbridge/sfbridge/internal/sfemu/schema"
)

// accountInput is a typical account: a name, a few picklists, an address,
// numbers.
func accountInput(tb testing.TB, o *Org, i int) *schema.Input {
	in, err := o.Input("Account", Values{
		"Name": fmt.Sprintf("Account %07d", i), "Industry": "Technology", "Type": "Customer - Direct",
		"Rating": "Warm", "Phone": "(415) 555-0100", "BillingCity": "San Francisco", "BillingState": "CA",
		"BillingCountry": "United States", "AnnualRevenue": float64(1000 * i), "NumberOfEmployees": i % 5000,
		"Website": "https://example.com",
	})
	if err != nil {
		tb.Fatal(err)
	}
	return in
}

// fill creates n accounts as the system.
func fill(tb testing.TB, o *Org, n int) {
	sys := o.System()
	ctx := context.Background()
	for i := range n {
		if _, err := o.Create(ctx, sys, "Account", accountInput(tb, o, i)); err != nil {
			tb.Fatal(err)
		}
	}
}

func benchOrg(tb testing.TB) *Org {
	clk := clock.New()
	clk.Set(epoch)
	o, err := New(Options{Clock: clk})
	if err != nil {
		tb.Fatal(err)
	}
	return o
}

// BenchmarkCreate measures the insert rate of accounts through the full
// validation path.
func BenchmarkCreate(b *testing.B) {
	o := benchOrg(b)
	sys := o.System()
	ctx := context.Background()
	ins := make([]*schema.Input, 1024)
	for i := range ins {
		ins[i] = accountInput(b, o, i)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		if _, err := o.Create(ctx, sys, "Account", ins[i%len(ins)]); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
}

// BenchmarkMemoryPerRecord reports the heap each stored account takes, its
// indexes included (go test -bench MemoryPerRecord -benchtime 1x).
func BenchmarkMemoryPerRecord(b *testing.B) {
	const n = 200_000
	for range b.N {
		o := benchOrg(b)
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		fill(b, o, n)
		runtime.GC()
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/n, "bytes/record")
		runtime.KeepAlive(o)
	}
}

// BenchmarkSaveLoad1M saves and loads an org of 1,000,000 accounts
// (go test -bench SaveLoad1M -benchtime 1x; it needs about 2 GB).
func BenchmarkSaveLoad1M(b *testing.B) {
	const n = 1_000_000
	o := benchOrg(b)
	fill(b, o, n)
	var buf bytes.Buffer
	b.ResetTimer()
	for range b.N {
		buf.Reset()
		start := time.Now()
		if err := o.Save(&buf); err != nil {
			b.Fatal(err)
		}
		saved := time.Since(start)
		start = time.Now()
		loaded, err := Load(bytes.NewReader(buf.Bytes()), nil)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(saved.Seconds(), "save-s")
		b.ReportMetric(time.Since(start).Seconds(), "load-s")
		b.ReportMetric(float64(buf.Len())/n, "bytes/record-on-disk")
		if loaded.RecordCounts()["Account"] != n {
			b.Fatal("lost records")
		}
	}
}

// BenchmarkSyncScan reads the 2,000 records after a SystemModstamp cursor,
// as an incremental sync does, in an org of 100,000 accounts.
func BenchmarkSyncScan(b *testing.B) {
	o := benchOrg(b)
	fill(b, o, 100_000)
	src := o.QuerySource()
	acct := o.Registry().Object("Account")
	var cursor []int64
	for r := range src.Scan(acct, false) {
		cursor = append(cursor, r.(*Record).modstamp)
	}
	b.ResetTimer()
	for i := range b.N {
		lo := cursor[(i*7919)%(len(cursor)-2000)]
		n := 0
		for range src.scanStamps(acct, lo+1, 1<<62, false, false) {
			if n++; n == 2000 {
				break
			}
		}
	}
}
