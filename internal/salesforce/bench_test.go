package salesforce

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
)

// pageJSON returns a query page of n Contact records with a parent
// relationship, shaped like the recorded fixtures.
func pageJSON(n int, next string) []byte {
	var b strings.Builder
	done := next == ""
	fmt.Fprintf(&b, `{"totalSize":%d,"done":%t,`, n, done)
	if !done {
		fmt.Fprintf(&b, `"nextRecordsUrl":%q,`, next)
	}
	b.WriteString(`"records":[`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"attributes":{"type":"Contact","url":"/services/data/v62.0/sobjects/Contact/003%015d"},`+
			`"Id":"003%015d","FirstName":"Ada","LastName":"Lovelace %d","Email":"ada%d@example.com","Phone":null,`+
			`"Amount__c":1234.5,"IsActive__c":true,"SystemModstamp":"2024-11-07T07:00:00.000+0000",`+
			`"Account":{"attributes":{"type":"Account","url":"/services/data/v62.0/sobjects/Account/001000000000000AAA"},"Name":"Acme"}}`,
			i, i, i, i)
	}
	b.WriteString(`]}`)
	return []byte(b.String())
}

// BenchmarkDecodePage decodes one full page (2,000 records).
func BenchmarkDecodePage(b *testing.B) {
	raw := pageJSON(MaxBatchSize, "")
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := decodePage(bytes.NewReader(raw)); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*MaxBatchSize), "ns/record")
}

// BenchmarkQueryStream streams a 20-page (40,000-record) query from a local
// server and reports the live heap on the last page, which stays at about
// one page whatever the number of pages (the whole result decoded would be
// twenty times that).
func BenchmarkQueryStream(b *testing.B) {
	const pages = 20
	// Pages are generated per request so that the server holds none of them.
	page := func(i int) []byte {
		next := ""
		if i < pages-1 {
			next = fmt.Sprintf("%s/query/01gX-%d", restPath, i+1)
		}
		return pageJSON(MaxBatchSize, next)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+restPath+"/query", func(w http.ResponseWriter, r *http.Request) { w.Write(page(0)) })
	mux.HandleFunc("GET "+restPath+"/query/{loc}", func(w http.ResponseWriter, r *http.Request) {
		var i int
		fmt.Sscanf(r.PathValue("loc"), "01gX-%d", &i)
		w.Write(page(i))
	})
	srv := httptest.NewServer(mux)
	b.Cleanup(srv.Close)
	cfg := Config{LoginURL: srv.URL, ClientID: "x", HTTPClient: srv.Client()}
	c, err := New(cfg, &Token{AccessToken: "t", InstanceURL: srv.URL}, nil)
	if err != nil {
		b.Fatal(err)
	}
	var heap uint64
	b.ReportAllocs()
	for b.Loop() {
		n := 0
		for _, err := range c.Query(b.Context(), "SELECT Id FROM Contact") {
			if err != nil {
				b.Fatal(err)
			}
			n++
			if n == (pages-1)*MaxBatchSize+1 { // first record of the last page
				runtime.GC()
				var ms runtime.MemStats
				runtime.ReadMemStats(&ms)
				heap = max(heap, ms.HeapAlloc)
			}
		}
		if n != pages*MaxBatchSize {
			b.Fatalf("%d records", n)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*pages*MaxBatchSize), "ns/record")
	b.ReportMetric(float64(heap)/(1<<20), "heap-MiB")
}
