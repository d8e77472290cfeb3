package sfemu

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/sfbridge/sfbridge/internal/sfemu/sfemutest/golden"
)

type queryPage struct {
	TotalSize      int              `json:"totalSize"`
	Done           bool             `json:"done"`
	NextRecordsURL string           `json:"nextRecordsUrl"`
	Records        []map[string]any `json:"records"`
}

func withAccounts(n int) setupOption {
	return func(c *testConfig) { c.accounts = n }
}

func TestQueryPaging(t *testing.T) {
	t.Parallel()
	f := setup(t, withAccounts(4500))
	q := "/services/data/v60.0/query?q=" + url.QueryEscape("SELECT Id, Name FROM Account ORDER BY Name")
	tests := []struct {
		name   string
		header string
		sizes  []int
	}{
		{"default batch", "", []int{2000, 2000, 500}},
		{"batchSize=1500", "batchSize=1500", []int{1500, 1500, 1500}},
		{"below the minimum", "batchSize=50", nil}, // 200 a page: 23 pages
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var sizes []int
			path := q
			for path != "" {
				r := f.do(t, http.MethodGet, path, nil, "Sforce-Query-Options", tt.header)
				if r.status != http.StatusOK {
					t.Fatalf("%s: %d %s", path, r.status, r.body)
				}
				var p queryPage
				r.decode(t, &p)
				if p.TotalSize != 4500 || p.Done != (p.NextRecordsURL == "") {
					t.Fatalf("page: totalSize %d done %v next %q", p.TotalSize, p.Done, p.NextRecordsURL)
				}
				sizes = append(sizes, len(p.Records))
				path = p.NextRecordsURL
				if path != "" && !strings.HasPrefix(path, "/services/data/v60.0/query/01g") {
					t.Fatalf("nextRecordsUrl %q", path)
				}
			}
			if tt.sizes == nil {
				if len(sizes) != 23 || sizes[0] != 200 {
					t.Errorf("page sizes %v", sizes)
				}
				return
			}
			if len(sizes) != len(tt.sizes) || sizes[0] != tt.sizes[0] || sizes[len(sizes)-1] != tt.sizes[len(tt.sizes)-1] {
				t.Errorf("page sizes %v, want %v", sizes, tt.sizes)
			}
		})
	}

	t.Run("expired locator", func(t *testing.T) {
		r := f.do(t, http.MethodGet, q, nil)
		var p queryPage
		r.decode(t, &p)
		f.e.Clock().Advance(cursorIdle + time.Minute)
		r = f.do(t, http.MethodGet, p.NextRecordsURL, nil)
		if r.status != http.StatusBadRequest {
			t.Errorf("status %d", r.status)
		}
		golden.Check(t, "testdata/golden/error-invalid-locator.json", append(r.body, '\n'))
	})

	t.Run("queryAll pages under queryAll", func(t *testing.T) {
		r := f.do(t, http.MethodGet, strings.Replace(q, "/query?", "/queryAll?", 1), nil)
		var p queryPage
		r.decode(t, &p)
		if !strings.HasPrefix(p.NextRecordsURL, "/services/data/v60.0/queryAll/01g") {
			t.Errorf("nextRecordsUrl %q", p.NextRecordsURL)
		}
	})
}

func TestQueryErrors(t *testing.T) {
	t.Parallel()
	f := setup(t, withAccounts(3))
	tests := []struct {
		name, path, code string
	}{
		{"no q", "/services/data/v60.0/query", "MALFORMED_QUERY"},
		{"blank q", "/services/data/v60.0/query?q=+", "MALFORMED_QUERY"},
		{"malformed", "/services/data/v60.0/query?q=" + url.QueryEscape("SELECT Id FRM Account"), "MALFORMED_QUERY"},
		{"unknown field", "/services/data/v60.0/query?q=" + url.QueryEscape("SELECT Foo FROM Account"), "INVALID_FIELD"},
		{"unknown object", "/services/data/v60.0/query?q=" + url.QueryEscape("SELECT Id FROM Nope"), "INVALID_TYPE"},
		{"bad locator", "/services/data/v60.0/query/01g000000000000AAA-2000", "INVALID_QUERY_LOCATOR"},
		{"search without braces", "/services/data/v60.0/search?q=" + url.QueryEscape("FIND Acme"), "MALFORMED_SEARCH"},
	}
	for _, tt := range tests {
		r := f.do(t, http.MethodGet, tt.path, nil)
		var errs []restError
		r.decode(t, &errs)
		if r.status != http.StatusBadRequest || len(errs) != 1 || errs[0].ErrorCode != tt.code || errs[0].Fields != nil {
			t.Errorf("%s: %d %s, want 400 %s", tt.name, r.status, r.body, tt.code)
		}
	}
	r := f.do(t, http.MethodGet, "/services/data/v60.0/query?q="+url.QueryEscape("SELECT Id FRM Account"), nil)
	golden.Check(t, "testdata/golden/error-malformed-query.json", append(r.body, '\n'))
}

func TestQueryShapes(t *testing.T) {
	t.Parallel()
	f := setup(t, withAccounts(2))
	r := f.do(t, http.MethodGet, "/services/data/v60.0/query?q="+url.QueryEscape("SELECT Id, Name FROM Account ORDER BY Name"), nil)
	f.goldenJSON(t, "query-accounts.json", r.body)
	r = f.do(t, http.MethodGet, "/services/data/v60.0/query?q="+url.QueryEscape("SELECT COUNT() FROM Account"), nil)
	if string(r.body) != `{"totalSize":2,"done":true,"records":[]}` {
		t.Errorf("COUNT(): %s", r.body)
	}
}

func TestSearch(t *testing.T) {
	t.Parallel()
	f := setup(t, withAccounts(12))
	sosl := "/services/data/v60.0/search?q=" + url.QueryEscape("FIND {Account 0011} IN NAME FIELDS RETURNING Account(Id, Name)")
	r := f.do(t, http.MethodGet, sosl, nil)
	if r.status != http.StatusOK || !strings.HasPrefix(string(r.body), `{"searchRecords":[`) || !strings.Contains(string(r.body), "Account 0011") {
		t.Errorf("search: %d %s", r.status, r.body)
	}
	r = f.do(t, http.MethodGet, strings.Replace(sosl, "v60.0", "v35.0", 1), nil)
	if !strings.HasPrefix(string(r.body), `[{"attributes"`) {
		t.Errorf("v35.0 search must answer a bare array: %s", r.body)
	}
	get := f.do(t, http.MethodGet, "/services/data/v60.0/parameterizedSearch?q=0011&sobject=Account&Account.fields=Id,Name", nil)
	post := f.do(t, http.MethodPost, "/services/data/v60.0/parameterizedSearch", `{"q":"0011","sobjects":[{"name":"Account","fields":["Id","Name"]}]}`)
	if get.status != http.StatusOK || string(get.body) != string(post.body) || !strings.Contains(string(get.body), "Account 0011") {
		t.Errorf("parameterizedSearch GET %d %s\nPOST %d %s", get.status, get.body, post.status, post.body)
	}
}
