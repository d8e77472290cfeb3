package sheet_test

import (
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sfbridge/sfbridge/internal/sheet"
)

// benchColumns are the 15 columns of the benchmark rows, of mixed types.
var benchColumns = []sheet.Column{
	{Name: "Name", Type: sheet.TypeText},
	{Name: "Description", Type: sheet.TypeLongText},
	{Name: "Employees", Type: sheet.TypeNumber},
	{Name: "Revenue", Type: sheet.TypeCurrency, Precision: 18, Scale: 2},
	{Name: "Probability", Type: sheet.TypePercent},
	{Name: "Active", Type: sheet.TypeCheckbox},
	{Name: "Close Date", Type: sheet.TypeDate},
	{Name: "Last Modified", Type: sheet.TypeDateTime},
	{Name: "Stage", Type: sheet.TypePicklist, Values: []string{"Prospecting", "Qualification", "Closed Won", "Closed Lost"}},
	{Name: "Regions", Type: sheet.TypeMultiPicklist, Values: []string{"EMEA", "AMER", "APAC"}},
	{Name: "Email", Type: sheet.TypeEmail},
	{Name: "Phone", Type: sheet.TypePhone},
	{Name: "Website", Type: sheet.TypeURL},
	{Name: "City", Type: sheet.TypeText},
	{Name: "Parent", Type: sheet.TypeReference},
}

// benchBatch fills b with rows start..start+len(b.Rows)-1 as Salesforce
// would send them; version changes the values of the same records.
func benchBatch(b *sheet.Batch, start, version int) {
	stages := []string{"Prospecting", "Qualification", "Closed Won", "Closed Lost"}
	for i := range b.Rows {
		n := start + i
		v := b.Rows[i].Values[:0]
		v = append(v,
			"Account "+strconv.Itoa(n)+" v"+strconv.Itoa(version),
			"A customer since the early days, with a long history of orders and support cases.",
			float64(n%5000),
			float64(n)*10.25+float64(version),
			float64(n%100),
			n%2 == 0,
			"2024-0"+strconv.Itoa(1+n%9)+"-1"+strconv.Itoa(n%9),
			"2024-03-01T09:30:00.000+0000",
			stages[n%4],
			"EMEA;AMER",
			"contact"+strconv.Itoa(n)+"@example.com",
			"+1 555 01"+strconv.Itoa(n%100),
			"https://example.com/"+strconv.Itoa(n),
			"Springfield",
			fmt.Sprintf("001%012d", n/10),
		)
		b.Rows[i] = sheet.Input{SFID: fmt.Sprintf("001%012d", n), Values: v}
	}
}

// BenchmarkUpsert100k writes 100,000 rows of 15 columns in batches, one
// transaction per batch: first as inserts, then the same records changed
// (updates), then unchanged (the lookback window's re-reads).
//
//	go test ./internal/sheet -run '^$' -bench Upsert100k -benchtime 1x
func BenchmarkUpsert100k(b *testing.B) {
	const rows = 100_000
	for _, batchSize := range []int{1000, 5000} {
		for _, phase := range []string{"insert", "update", "unchanged"} {
			b.Run(fmt.Sprintf("batch=%d/%s", batchSize, phase), func(b *testing.B) {
				batch := sheet.Batch{Columns: names(&sheet.Sheet{Columns: benchColumns}), Rows: make([]sheet.Input, batchSize)}
				for i := range batch.Rows {
					batch.Rows[i].Values = make([]any, 0, len(benchColumns))
				}
				write := func(f *fixture, sh *sheet.Sheet, version int) {
					for start := 0; start < rows; start += batchSize {
						b.StopTimer()
						benchBatch(&batch, start, version)
						b.StartTimer()
						if _, err := sh.Upsert(b.Context(), f.st, batch); err != nil {
							b.Fatal(err)
						}
					}
				}
				var peak peakMemory
				for i := 0; i < b.N; i++ {
					b.StopTimer()
					f := setup(b)
					sh, err := sheet.Create(b.Context(), f.st, "Bench", benchColumns)
					if err != nil {
						b.Fatal(err)
					}
					if phase != "insert" {
						write(f, sh, 1)
					}
					runtime.GC()
					peak.start()
					b.StartTimer()
					version := 1
					if phase == "update" {
						version = 2
					}
					write(f, sh, version)
					b.StopTimer()
					peak.stop()
				}
				b.ReportMetric(float64(rows*b.N)/b.Elapsed().Seconds(), "rows/s")
				peak.report(b)
			})
		}
	}
}

// BenchmarkExportCSV100k streams 100,000 rows of 15 columns to CSV.
//
//	go test ./internal/sheet -run '^$' -bench ExportCSV100k -benchtime 3x
func BenchmarkExportCSV100k(b *testing.B) {
	const rows = 100_000
	f := setup(b)
	sh, err := sheet.Create(b.Context(), f.st, "Bench", benchColumns)
	if err != nil {
		b.Fatal(err)
	}
	batch := sheet.Batch{Columns: names(sh), Rows: make([]sheet.Input, 5000)}
	for start := 0; start < rows; start += len(batch.Rows) {
		benchBatch(&batch, start, 1)
		if _, err := sh.Upsert(b.Context(), f.st, batch); err != nil {
			b.Fatal(err)
		}
	}
	batch = sheet.Batch{}
	runtime.GC()
	var peak peakMemory
	peak.start()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		n, err := sh.ExportCSV(b.Context(), f.st, io.Discard, sheet.Query{})
		if err != nil || n != rows {
			b.Fatalf("exported %d rows, %v", n, err)
		}
	}
	b.StopTimer()
	peak.stop()
	b.ReportMetric(float64(rows*b.N)/b.Elapsed().Seconds(), "rows/s")
	peak.report(b)
}

// peakMemory samples the live heap while a benchmark runs, and reads the
// process's peak resident set from /proc (Linux) after resetting it.
type peakMemory struct {
	done     chan struct{}
	wg       sync.WaitGroup
	heapPeak uint64
}

func (p *peakMemory) start() {
	_ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) // resets VmHWM; best effort
	p.done = make(chan struct{})
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	p.wg.Go(func() {
		tick := time.NewTicker(2 * time.Millisecond)
		defer tick.Stop()
		for {
			metrics.Read(sample)
			p.heapPeak = max(p.heapPeak, sample[0].Value.Uint64())
			select {
			case <-p.done:
				return
			case <-tick.C:
			}
		}
	})
}

func (p *peakMemory) stop() {
	close(p.done)
	p.wg.Wait()
}

func (p *peakMemory) report(b *testing.B) {
	b.ReportMetric(float64(p.heapPeak)/(1<<20), "peak-heap-MiB")
	if status, err := os.ReadFile("/proc/self/status"); err == nil {
		for _, line := range strings.Split(string(status), "\n") {
			if kb, ok := strings.CutPrefix(line, "VmHWM:"); ok {
				if n, err := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(kb), "kB"))); err == nil {
					b.ReportMetric(float64(n)/1024, "peak-RSS-MiB")
				}
			}
		}
	}
}
