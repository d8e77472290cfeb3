package query

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sfbridge/sfbridge/internal/sfemu/schema"
	"github.com/sfbridge/sfbridge/internal/soql"
)

// page is a decoded query response.
type page struct {
	TotalSize      int              `json:"totalSize"`
	Done           bool             `json:"done"`
	NextRecordsURL string           `json:"nextRecordsUrl"`
	Records        []map[string]any `json:"records"`
}

func query(t *testing.T, e *Engine, who Principal, q string, opt Options) page {
	t.Helper()
	res, err := e.Query(context.Background(), who, q, opt)
	if err != nil {
		t.Fatalf("Query(%q): %v", q, err)
	}
	var p page
	if err := json.Unmarshal(res.AppendPage(nil, 0, 2000, ""), &p); err != nil {
		t.Fatalf("decoding the page: %v", err)
	}
	return p
}

// column returns the values of a member of every record, as strings.
func column(p page, key string) []string {
	out := make([]string, len(p.Records))
	for i, r := range p.Records {
		out[i] = fmt.Sprint(r[key])
	}
	return out
}

func TestPaging(t *testing.T) {
	t.Parallel()
	e, s, who, _ := setup(t)
	for i := range 4500 {
		s.add(t, "Contact", map[string]any{"LastName": fmt.Sprintf("Bulk %04d", i)})
	}
	res, err := e.Query(context.Background(), who, "SELECT LastName FROM Contact WHERE LastName LIKE 'Bulk%' ORDER BY LastName DESC", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.TotalSize() != 4500 {
		t.Fatalf("TotalSize() = %d, want 4500", res.TotalSize())
	}
	var names []string
	for start := 0; start < res.TotalSize(); start += 2000 {
		next := fmt.Sprintf("/services/data/v60.0/query/01g-%d", start+2000)
		var p page
		if err := json.Unmarshal(res.AppendPage(nil, start, 2000, next), &p); err != nil {
			t.Fatal(err)
		}
		wantDone := start+2000 >= 4500
		if p.Done != wantDone || (p.NextRecordsURL == next) == wantDone || p.TotalSize != 4500 {
			t.Errorf("page at %d: done %t next %q total %d", start, p.Done, p.NextRecordsURL, p.TotalSize)
		}
		names = append(names, column(p, "LastName")...)
	}
	if len(names) != 4500 || names[0] != "Bulk 4499" || names[4499] != "Bulk 0000" {
		t.Errorf("pages hold %d records from %q to %q", len(names), names[0], names[len(names)-1])
	}
	if got := string(res.AppendRecords(nil, 4500, 10)); got != "[]" {
		t.Errorf("records past the end = %s", got)
	}
}

func TestQueryAllIncludesDeleted(t *testing.T) {
	t.Parallel()
	e, _, who, _ := setup(t)
	q := "SELECT Name, IsDeleted FROM Account WHERE Name LIKE 'Old%'"
	if p := query(t, e, who, q, Options{}); p.TotalSize != 0 {
		t.Errorf("query returned %d deleted records", p.TotalSize)
	}
	p := query(t, e, who, q, Options{All: true})
	if p.TotalSize != 1 || p.Records[0]["IsDeleted"] != true {
		t.Errorf("queryAll = %+v, want the deleted Old Corp", p)
	}
}

func TestPermissions(t *testing.T) {
	t.Parallel()
	e, _, who, id := setup(t)
	hidden := *who
	hidden.hideField = map[string]bool{"Shipment__c.Secret__c": true}
	hidden.hideObject = map[string]bool{"Lead": true}
	_, err := e.Query(context.Background(), &hidden, "SELECT Name, Secret__c FROM Shipment__c", Options{})
	var se *soql.Error
	if !errors.As(err, &se) || se.Code != soql.CodeInvalidField || !strings.Contains(se.Message, "No such column 'Secret__c'") {
		t.Errorf("unreadable field: %v, want INVALID_FIELD No such column", err)
	}
	p := query(t, e, &hidden, "SELECT FIELDS(CUSTOM) FROM Shipment__c LIMIT 1", Options{})
	if _, ok := p.Records[0]["Secret__c"]; ok {
		t.Error("FIELDS(CUSTOM) returned an unreadable field")
	}
	if _, err := e.Query(context.Background(), &hidden, "SELECT Id FROM Lead", Options{}); !errors.Is(err, soql.ErrInvalidType) {
		t.Errorf("unreadable object: %v, want INVALID_TYPE", err)
	}
	// A TYPEOF branch on an unreadable object simply never matches.
	p = query(t, e, &hidden, "SELECT Subject, TYPEOF Who WHEN Contact THEN LastName ELSE Name END FROM Event ORDER BY Subject", Options{})
	if got := fmt.Sprint(column(p, "Who")); !strings.Contains(got, "Lee") || strings.Contains(got, "Kim") {
		t.Errorf("TYPEOF Who with Lead hidden = %s", got)
	}

	// Sharing: Alice sees only her records; a parent she cannot see is null.
	mine := *who
	mine.visible = func(o *schema.Object, r schema.Record) bool {
		f := o.Field("OwnerId")
		return f == nil || r.Get(f) == id["alice"]
	}
	p = query(t, e, &mine, "SELECT Name FROM Account ORDER BY Name", Options{})
	if got := column(p, "Name"); !slices.Equal(got, []string{"Acme", "Initech"}) {
		t.Errorf("visible accounts = %v", got)
	}
	p = query(t, e, &mine, "SELECT LastName, Account.Name FROM Contact ORDER BY LastName", Options{})
	if got := fmt.Sprint(column(p, "LastName"), column(p, "Account")); got != "[Dee Lee] [<nil> map[Name:Acme attributes:map[type:Account url:/services/data/v60.0/sobjects/Account/"+id["acme"]+"]]]" {
		t.Errorf("visible contacts = %s", got)
	}
	p = query(t, e, &mine, "SELECT Name, (SELECT LastName FROM Contacts) FROM Account WHERE Name = 'Acme'", Options{})
	if got := fmt.Sprint(p.Records[0]["Contacts"]); !strings.Contains(got, "totalSize:1") {
		t.Errorf("visible children = %s", got)
	}
}

func TestUserTimeZone(t *testing.T) {
	t.Parallel()
	e, _, who, _ := setup(t)
	la, err := time.LoadLocation("America/Los_Angeles")
	if err != nil {
		t.Fatal(err)
	}
	// 1 February 05:00 UTC is still 31 January, 21:00, in Los Angeles.
	utc := *who
	utc.now = time.Date(2024, 2, 1, 5, 0, 0, 0, time.UTC)
	west := utc
	west.loc = la
	q := "SELECT Subject FROM Event WHERE ActivityDateTime = TODAY"
	if got := column(query(t, e, &utc, q, Options{}), "Subject"); !slices.Equal(got, []string{"Kickoff"}) {
		t.Errorf("TODAY in UTC = %v, want the kickoff at 16:00 UTC", got)
	}
	if got := column(query(t, e, &west, q, Options{}), "Subject"); !slices.Equal(got, []string{"Discovery call"}) {
		t.Errorf("TODAY in Los Angeles = %v, want the call at 15:30 local", got)
	}
	q = "SELECT HOUR_IN_DAY(convertTimezone(ActivityDateTime)) h, HOUR_IN_DAY(ActivityDateTime) utc FROM Event WHERE Subject = 'Discovery call' GROUP BY HOUR_IN_DAY(convertTimezone(ActivityDateTime)), HOUR_IN_DAY(ActivityDateTime)"
	p := query(t, e, &west, q, Options{})
	if h, u := p.Records[0]["h"], p.Records[0]["utc"]; h != 15.0 || u != 23.0 {
		t.Errorf("hours = %v local, %v UTC, want 15 and 23", h, u)
	}
}

func TestFiscalYear(t *testing.T) {
	t.Parallel()
	e, _, who, _ := setup(t)
	april := *who
	april.fiscal = time.April
	p := query(t, e, &april, "SELECT Name FROM Opportunity WHERE CloseDate = THIS_FISCAL_YEAR ORDER BY Name", Options{})
	// FY from April 2023 to March 2024 holds every opportunity but none.
	if got := column(p, "Name"); !slices.Equal(got, []string{"Acme - Big", "Acme - Renewal", "Globex Deal", "Initech"}) {
		t.Errorf("THIS_FISCAL_YEAR from April = %v", got)
	}
	p = query(t, e, &april, "SELECT FISCAL_YEAR(CloseDate) fy, FISCAL_QUARTER(CloseDate) fq, COUNT(Id) FROM Opportunity GROUP BY FISCAL_YEAR(CloseDate), FISCAL_QUARTER(CloseDate) ORDER BY FISCAL_QUARTER(CloseDate)", Options{})
	if got := fmt.Sprint(column(p, "fy"), column(p, "fq"), column(p, "expr0")); got != "[2024 2024] [3 4] [1 3]" {
		t.Errorf("fiscal groups = %s", got)
	}
}

func TestAccessPaths(t *testing.T) {
	t.Parallel()
	e, s, who, id := setup(t)
	before := s.scanned
	p := query(t, e, who, "SELECT Name FROM Account WHERE Id = '"+id["globex"][:15]+"' AND Name != null", Options{})
	if got := column(p, "Name"); !slices.Equal(got, []string{"Globex"}) || s.scanned != before {
		t.Errorf("Id lookup = %v after scanning %d records, want Globex without a scan", got, s.scanned-before)
	}

	ix := indexedSource{s}
	ie := New(ix)
	q := "SELECT Name FROM Account WHERE SystemModstamp > 2024-01-10T00:00:00Z ORDER BY SystemModstamp, Id LIMIT 2"
	before = s.scanned
	got := column(query(t, ie, who, q, Options{}), "Name")
	if !slices.Equal(got, []string{"Globex", "Acme"}) {
		t.Errorf("sync query = %v", got)
	}
	if n := s.scanned - before; n != 2 {
		t.Errorf("the sync query read %d records, want the 2 it returns", n)
	}
}

// TestIndexAgreesWithScan runs queries that can use an index on an indexed
// and a plain source: the results must be the same.
func TestIndexAgreesWithScan(t *testing.T) {
	t.Parallel()
	e, s, who, _ := setup(t)
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 300 {
		stamp := base.Add(time.Duration(i*7919%1000) * time.Minute)
		s.add(t, "Account", map[string]any{"Name": fmt.Sprintf("N%03d", i), "SystemModstamp": stamp, "CreatedDate": stamp,
			"IsDeleted": i%17 == 0})
	}
	ie := New(indexedSource{s})
	for _, q := range []string{
		"SELECT Name FROM Account WHERE SystemModstamp > 2024-01-01T05:00:00Z ORDER BY SystemModstamp, Id LIMIT 40",
		"SELECT Name FROM Account WHERE SystemModstamp >= 2024-01-01T05:00:00Z ORDER BY SystemModstamp DESC, Id DESC LIMIT 40 OFFSET 3",
		"SELECT Name FROM Account WHERE SystemModstamp < 2024-01-01T02:00:00Z AND Name LIKE 'N%' ORDER BY SystemModstamp",
		"SELECT Name FROM Account WHERE SystemModstamp = LAST_N_DAYS:40 ORDER BY SystemModstamp, Id",
		"SELECT Name FROM Account WHERE SystemModstamp > 2024-01-01T05:00:00Z ORDER BY Name",
		"SELECT Name FROM Account ORDER BY SystemModstamp DESC, Id DESC LIMIT 25",
		"SELECT COUNT() FROM Account WHERE SystemModstamp > 2024-01-01T05:00:00Z",
	} {
		for _, all := range []bool{false, true} {
			a := query(t, e, who, q, Options{All: all})
			b := query(t, ie, who, q, Options{All: all})
			if a.TotalSize != b.TotalSize || !slices.Equal(column(a, "Name"), column(b, "Name")) {
				t.Errorf("%s (all %t): scan gives %d %v, index gives %d %v", q, all, a.TotalSize, column(a, "Name"), b.TotalSize, column(b, "Name"))
			}
		}
	}
}

func TestCancel(t *testing.T) {
	t.Parallel()
	e, s, who, _ := setup(t)
	for i := range 2 * ctxCheckEvery {
		s.add(t, "Contact", map[string]any{"LastName": fmt.Sprint(i)})
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := e.Query(ctx, who, "SELECT Id FROM Contact", Options{}); !errors.Is(err, context.Canceled) {
		t.Errorf("Query with a cancelled context: %v", err)
	}
}

func TestLikeMatcher(t *testing.T) {
	t.Parallel()
	tests := []struct {
		pattern, s string
		want       bool
	}{
		{"acme%", "ACME Corp", true},
		{"%corp", "Acme Corp", true},
		{"%me%co%", "Acme Corp", true},
		{"a_me", "Acme", true},
		{"a_me", "Acmme", false},
		{`100\%`, "100%", true},
		{`100\%`, "1000", false},
		{`a\_b`, "a_b", true},
		{`a\_b`, "axb", false},
		{`c:\\temp%`, `C:\Temp\x`, true},
		{"", "", true},
		{"%", "", true},
		{"_", "", false},
		{"é%", "Éclair", true},
		{"%a%a%a%b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false},
	}
	for _, tt := range tests {
		if got := compileLike(tt.pattern).match(tt.s); got != tt.want {
			t.Errorf("%q LIKE %q = %t, want %t", tt.s, tt.pattern, got, tt.want)
		}
	}
}

func TestEqualValues(t *testing.T) {
	t.Parallel()
	if !equalValues("ACME", "acme") || equalValues(nil, "") || !equalValues(nil, nil) || equalValues(int64(1), true) {
		t.Error("equalValues")
	}
}

func TestFormat(t *testing.T) {
	t.Parallel()
	c := &compiler{loc: time.UTC}
	f := func(typ schema.FieldType, scale int) *schema.Field { return &schema.Field{Type: typ, Scale: scale} }
	tests := []struct {
		field *schema.Field
		v     any
		want  string
	}{
		{f(schema.TypeCurrency, 2), -1234567.5, "-$1,234,567.50"},
		{f(schema.TypeCurrency, 0), 999.0, "$999"},
		{f(schema.TypePercent, 1), 12.34, "12.3%"},
		{f(schema.TypeDouble, 3), 0.5, "0.500"},
		{f(schema.TypeInt, 0), int64(1234), "1,234"},
		{f(schema.TypeDate, 0), mustDate("2024-12-05"), "12/5/2024"},
		{f(schema.TypeDateTime, 0), mustTime("2024-12-05T13:07:00Z"), "12/5/2024, 1:07 PM"},
		{f(schema.TypeBoolean, 0), true, "true"},
	}
	for _, tt := range tests {
		if got := c.format(tt.field, tt.v); got != tt.want {
			t.Errorf("format(%s, %v) = %q, want %q", tt.field.Type, tt.v, got, tt.want)
		}
	}
}
