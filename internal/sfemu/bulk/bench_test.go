package bulk_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sfbridge/sfbridge/internal/sfemu/org"
)

const benchRecords = 100_000

// discard is a ResponseWriter that keeps the headers and counts the bytes.
type discard struct {
	h http.Header
	n int
}

func (d *discard) Header() http.Header         { return d.h }
func (d *discard) Write(b []byte) (int, error) { d.n += len(b); return len(b), nil }
func (d *discard) WriteHeader(int)             {}

// BenchmarkQueryResults reads every page of a query job over 100,000
// accounts with eight fields (a parent's included), as a client following
// Sforce-Locator does, through the emulator without a network.
func BenchmarkQueryResults(b *testing.B) {
	f := setup(b, -1)
	sys := f.org.System()
	for i := range benchRecords {
		_, err := f.org.CreateValues(t0, sys, "Account", org.Values{
			"Name": fmt.Sprintf("Account %07d", i), "Industry": "Energy", "AnnualRevenue": float64(i) * 1000.5,
			"NumberOfEmployees": i % 5000, "BillingCity": "Paris", "Phone": "+33 1 23 45 67 89",
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	r := f.call(http.MethodPost, v60+"/query", `{"operation":"query","query":"SELECT Id, Name, Industry, AnnualRevenue, NumberOfEmployees, BillingCity, Phone, Owner.Alias, CreatedDate FROM Account"}`)
	id := jobID(b, r)
	for b.Loop() {
		loc, total := "", 0
		for loc != "null" {
			target := v60 + "/query/" + id + "/results?maxRecords=50000"
			if loc != "" {
				target += "&locator=" + loc
			}
			w := &discard{h: http.Header{}}
			req := httptest.NewRequestWithContext(b.Context(), http.MethodGet, target, nil)
			req.Header.Set("Authorization", "Bearer "+f.admin)
			f.e.ServeHTTP(w, req)
			n, err := strconv.Atoi(w.h.Get("Sforce-NumberOfRecords"))
			if err != nil {
				b.Fatalf("page: %v", w.h)
			}
			total += n
			loc = w.h.Get("Sforce-Locator")
		}
		if total != benchRecords {
			b.Fatalf("%d records", total)
		}
	}
	b.ReportMetric(float64(benchRecords*b.N)/b.Elapsed().Seconds(), "records/s")
}

// BenchmarkIngestInsert processes an insert job of 10,000 contacts.
func BenchmarkIngestInsert(b *testing.B) {
	const rows = 10_000
	f := setup(b, -1)
	var csv strings.Builder
	csv.WriteString("FirstName,LastName,Email,Birthdate,Description\n")
	for i := range rows {
		fmt.Fprintf(&csv, "First%d,Last%d,p%d@example.com,1990-01-%02d,\"note, %d\"\n", i, i, i, i%28+1, i)
	}
	data := csv.String()
	for b.Loop() {
		id := jobID(b, f.call(http.MethodPost, v60+"/ingest", `{"object":"Contact","operation":"insert"}`))
		f.call(http.MethodPut, v60+"/ingest/"+id+"/batches", data)
		f.call(http.MethodPatch, v60+"/ingest/"+id, `{"state":"UploadComplete"}`)
		f.tick(time.Second)
		if r := f.call(http.MethodGet, v60+"/ingest/"+id, ""); !strings.Contains(r.body, `"numberRecordsProcessed":10000`) {
			b.Fatal(r.body)
		}
	}
	b.ReportMetric(float64(rows*b.N)/b.Elapsed().Seconds(), "records/s")
}
