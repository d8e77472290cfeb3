package salesforce

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
)

// pagedOrg serves a query of total records in pages of size, recording the
// batch size asked for.
func pagedOrg(t *testing.T, resource string, total, size int) (*org, *atomic.Value) {
	o := newOrg(t)
	var batch atomic.Value
	batch.Store("")
	page := func(w http.ResponseWriter, r *http.Request, start int) {
		batch.Store(r.Header.Get("Sforce-Query-Options"))
		end := min(start+size, total)
		recs := make([]string, 0, end-start)
		for i := start; i < end; i++ {
			recs = append(recs, fmt.Sprintf(`{"attributes":{"type":"Contact","url":"%s/sobjects/Contact/003%015d"},"Id":"003%015d","N":%d}`, restPath, i, i, i))
		}
		next := ""
		if end < total {
			next = fmt.Sprintf(`,"nextRecordsUrl":"%s/%s/01gRO0000016PIAYA2-%d"`, restPath, resource, end)
		}
		writeJSON(w, 200, fmt.Sprintf(`{"totalSize":%d,"done":%t%s,"records":[%s]}`, total, end == total, next, strings.Join(recs, ",")))
	}
	o.HandleFunc("GET "+restPath+"/"+resource, func(w http.ResponseWriter, r *http.Request) {
		if q := r.URL.Query().Get("q"); !strings.HasPrefix(q, "SELECT Id") {
			t.Errorf("q = %q", q)
		}
		page(w, r, 0)
	})
	o.HandleFunc("GET "+restPath+"/"+resource+"/{locator}", func(w http.ResponseWriter, r *http.Request) {
		var start int
		if _, err := fmt.Sscanf(r.PathValue("locator"), "01gRO0000016PIAYA2-%d", &start); err != nil {
			t.Errorf("locator %q: %v", r.PathValue("locator"), err)
		}
		page(w, r, start)
	})
	return o, &batch
}

func TestQueryStreamsPages(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		all       bool
		total     int
		size      int
		stopAfter int // 0: read everything
		wantCalls int64
	}{
		{"one page", false, 3, 2000, 0, 1},
		{"three pages", false, 450, 200, 0, 3},
		{"exact pages", false, 400, 200, 0, 2},
		{"empty", false, 0, 200, 0, 1},
		{"queryAll", true, 250, 200, 0, 2},
		{"stop early", false, 1000, 200, 201, 2}, // the 201st record is on page 2; page 3 is never asked for
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			resource := "query"
			if tt.all {
				resource = "queryAll"
			}
			o, batch := pagedOrg(t, resource, tt.total, tt.size)
			c := o.client(t, o.config(), nil)
			seq := c.Query(t.Context(), "SELECT Id, N FROM Contact", BatchSize(tt.size))
			if tt.all {
				seq = c.QueryAll(t.Context(), "SELECT Id, N FROM Contact", BatchSize(tt.size))
			}
			n := 0
			for rec, err := range seq {
				if err != nil {
					t.Fatal(err)
				}
				if got, _ := rec.Int64("N"); got != int64(n) {
					t.Fatalf("record %d has N=%d: out of order", n, got)
				}
				n++
				if n == tt.stopAfter {
					break
				}
			}
			want := tt.total
			if tt.stopAfter > 0 {
				want = tt.stopAfter
			}
			if n != want {
				t.Errorf("got %d records, want %d", n, want)
			}
			if got := c.Calls().API(); got != tt.wantCalls {
				t.Errorf("API calls = %d, want %d", got, tt.wantCalls)
			}
			if got := batch.Load(); got != fmt.Sprintf("batchSize=%d", tt.size) {
				t.Errorf("Sforce-Query-Options = %q on every page", got)
			}
		})
	}
}

func TestQueryPagesAndCount(t *testing.T) {
	t.Parallel()
	o, _ := pagedOrg(t, "query", 450, 200)
	c := o.client(t, o.config(), nil)
	var sizes []int
	for page, err := range c.QueryPages(t.Context(), "SELECT Id FROM Contact") {
		if err != nil {
			t.Fatal(err)
		}
		if page.TotalSize != 450 {
			t.Errorf("TotalSize = %d", page.TotalSize)
		}
		sizes = append(sizes, len(page.Records))
	}
	if fmt.Sprint(sizes) != "[200 200 50]" {
		t.Errorf("page sizes = %v", sizes)
	}
	n, err := c.Count(t.Context(), "SELECT Id FROM Contact")
	if err != nil || n != 450 {
		t.Errorf("Count = %d, %v", n, err)
	}
}

func TestQueryErrors(t *testing.T) {
	t.Parallel()
	o := newOrg(t)
	o.HandleFunc("GET "+restPath+"/query", func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Query().Get("q") {
		case "SELECT Foo FROM Account":
			writeJSON(w, 400, `[{"message":"No such column 'Foo' on entity 'Account'.","errorCode":"INVALID_FIELD"}]`)
		case "SELECT Id FROM Evil":
			writeJSON(w, 200, `{"totalSize":2,"done":false,"nextRecordsUrl":"https://evil.example/steal","records":[{"attributes":{"type":"Account"},"Id":"001"}]}`)
		case "SELECT Id FROM Expired":
			writeJSON(w, 200, `{"totalSize":2,"done":false,"nextRecordsUrl":"`+restPath+`/query/01gX-1","records":[{"attributes":{"type":"Account"},"Id":"001"}]}`)
		default:
			writeJSON(w, 200, `{"totalSize":1,"done":true,"records":["not a record"]}`)
		}
	})
	o.HandleFunc("GET "+restPath+"/query/01gX-1", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 400, `[{"message":"invalid query locator","errorCode":"INVALID_QUERY_LOCATOR"}]`)
	})
	c := o.client(t, o.config(), nil)
	tests := []struct {
		soql    string
		opts    []QueryOption
		records int
		want    string
	}{
		{"SELECT Foo FROM Account", nil, 0, "INVALID_FIELD"},
		{"SELECT Id FROM Evil", nil, 1, "where a /services/data/ path was expected"},
		{"SELECT Id FROM Expired", nil, 1, "INVALID_QUERY_LOCATOR"},
		{"SELECT Id FROM Broken", nil, 0, "not a JSON object"},
		{"SELECT Id FROM Account", []QueryOption{BatchSize(100)}, 0, "batch size 100 is out of range"},
	}
	for _, tt := range tests {
		n, errs := 0, 0
		var last error
		for rec, err := range c.Query(t.Context(), tt.soql, tt.opts...) {
			if err != nil {
				errs++
				last = err
				continue
			}
			if rec == nil {
				t.Errorf("%s: nil record without error", tt.soql)
			}
			n++
		}
		if n != tt.records || errs != 1 || !strings.Contains(fmt.Sprint(last), tt.want) {
			t.Errorf("%s: %d records, %d errors, last %v; want %d records then one error containing %q", tt.soql, n, errs, last, tt.records, tt.want)
		}
	}
}

func TestLongQueryGoesThroughComposite(t *testing.T) {
	t.Parallel()
	o := newOrg(t)
	ids := make([]string, 700)
	for i := range ids {
		ids[i] = fmt.Sprintf("'003%015d'", i)
	}
	soql := "SELECT Id FROM Contact WHERE Id IN (" + strings.Join(ids, ",") + ")"
	o.HandleFunc("POST "+restPath+"/composite", func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			AllOrNone        bool
			CompositeRequest []struct {
				Method, URL, ReferenceID string
				HTTPHeaders              map[string]string
			}
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			t.Fatal(err)
		}
		sub := req.CompositeRequest[0]
		if len(req.CompositeRequest) != 1 || sub.Method != "GET" || !strings.HasPrefix(sub.URL, restPath+"/query?q=SELECT") {
			t.Errorf("composite request = %+v", req)
		}
		if sub.HTTPHeaders["Sforce-Query-Options"] != "batchSize=500" {
			t.Errorf("subrequest headers = %v", sub.HTTPHeaders)
		}
		writeJSON(w, 200, `{"compositeResponse":[{"body":{"totalSize":2,"done":false,"nextRecordsUrl":"`+restPath+`/query/01g-1",
		  "records":[{"attributes":{"type":"Contact"},"Id":"003000000000000000"}]},"httpHeaders":{},"httpStatusCode":200,"referenceId":"`+sub.ReferenceID+`"}]}`)
	})
	o.HandleFunc("GET "+restPath+"/query/01g-1", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Sforce-Query-Options") != "batchSize=500" {
			t.Errorf("next page batch size = %q", r.Header.Get("Sforce-Query-Options"))
		}
		writeJSON(w, 200, `{"totalSize":2,"done":true,"records":[{"attributes":{"type":"Contact"},"Id":"003000000000000001"}]}`)
	})
	o.HandleFunc("GET "+restPath+"/query", func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("a %d-byte URI was sent as a GET", len(r.RequestURI))
	})
	c := o.client(t, o.config(), nil)
	var got []string
	for rec, err := range c.Query(t.Context(), soql, BatchSize(500)) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, rec.ID())
	}
	if fmt.Sprint(got) != "[003000000000000000 003000000000000001]" {
		t.Errorf("records = %v", got)
	}

	// The same error path as a GET: a failing subrequest is an *APIError.
	o2 := newOrg(t)
	o2.HandleFunc("POST "+restPath+"/composite", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, `{"compositeResponse":[{"body":[{"errorCode":"MALFORMED_QUERY","message":"unexpected token"}],"httpHeaders":{},"httpStatusCode":400,"referenceId":"query"}]}`)
	})
	c2 := o2.client(t, o2.config(), nil)
	_, err := c2.Count(t.Context(), soql)
	if !IsCode(err, "MALFORMED_QUERY") || strings.Contains(err.Error(), "'003000000000000699'") {
		t.Errorf("Count = %v; want MALFORMED_QUERY without the whole SOQL in the message", err)
	}
}

func TestChildrenFetchesMore(t *testing.T) {
	t.Parallel()
	o := newOrg(t)
	o.HandleFunc("GET "+restPath+"/query/01gChild-1", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, `{"totalSize":2,"done":true,"records":[{"attributes":{"type":"Contact"},"Id":"b"}]}`)
	})
	c := o.client(t, o.config(), nil)
	var rec Record
	if err := json.Unmarshal([]byte(`{"attributes":{"type":"Account"},"Contacts":{"totalSize":2,"done":false,"nextRecordsUrl":"`+restPath+`/query/01gChild-1","records":[{"attributes":{"type":"Contact"},"Id":"a"}]}}`), &rec); err != nil {
		t.Fatal(err)
	}
	ch, ok := rec.Children("Contacts")
	if !ok {
		t.Fatal("no children")
	}
	var ids []string
	for r, err := range c.Children(t.Context(), ch) {
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, r.ID())
	}
	if fmt.Sprint(ids) != "[a b]" || c.Calls().API() != 1 {
		t.Errorf("children = %v after %d calls", ids, c.Calls().API())
	}
}
