package org

import (
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/sfbridge/sfbridge/internal/sfemu/query"
	"github.com/sfbridge/sfbridge/internal/sfemu/schema"
)

func ids(seq func(func(schema.Record) bool)) []string {
	var out []string
	for r := range seq {
		out = append(out, r.(*Record).ID())
	}
	return out
}

func TestSourceScans(t *testing.T) {
	t.Parallel()
	f := setup(t)
	src := f.o.QuerySource()
	acct := f.o.Registry().Object("Account")
	var made []string
	for range 600 { // more than two chunks
		made = append(made, f.create(t, f.admin, "Account", `{"Name":"A"}`))
	}
	if err := f.o.Delete(f.ctx, f.admin, made[3]); err != nil {
		t.Fatal(err)
	}
	if err := f.update(t, f.admin, made[0], `{"Phone":"1"}`); err != nil {
		t.Fatal(err)
	}
	live := ids(src.Scan(acct, false))
	if len(live) != 599 || slices.Contains(live, made[3]) || live[0] != made[0] || !slices.IsSorted(live) {
		t.Errorf("Scan(live): %d records, first %s", len(live), live[0])
	}
	if all := ids(src.Scan(acct, true)); len(all) != 600 || !slices.Equal(all, made) {
		t.Errorf("Scan(deleted): %d records", len(all))
	}
	if src.Lookup(made[3], false) != nil || src.Lookup(made[3], true) == nil || src.Lookup(made[1], false) == nil {
		t.Error("Lookup of a deleted or live record")
	}
	// SystemModstamp order: made[0] was updated last, made[3] deleted.
	stamp := acct.Field("SystemModstamp")
	seq, ok := src.ScanRange(stamp, query.Range{}, false, false)
	if !ok {
		t.Fatal("no SystemModstamp index")
	}
	byStamp := ids(seq)
	if len(byStamp) != 599 || byStamp[598] != made[0] || byStamp[0] != made[1] {
		t.Errorf("ScanRange asc: %d records, first %s last %s", len(byStamp), byStamp[0], byStamp[598])
	}
	seq, _ = src.ScanRange(stamp, query.Range{}, true, true)
	desc := ids(seq)
	if len(desc) != 600 || desc[0] != made[0] || desc[1] != made[3] {
		t.Errorf("ScanRange desc with deleted: %d, first %v", len(desc), desc[:2])
	}
	low := f.o.Lookup(made[100]).SystemModstamp()
	high := f.o.Lookup(made[110]).SystemModstamp()
	seq, _ = src.ScanRange(stamp, query.Range{Low: low, High: high, LowIncl: false, HighIncl: true}, false, false)
	if got := ids(seq); !slices.Equal(got, made[101:111]) {
		t.Errorf("ScanRange (low, high] = %d records, want made[101:111]", len(got))
	}
	seq, _ = src.ScanRange(stamp, query.Range{Low: low, High: high, LowIncl: true, HighIncl: false}, true, false)
	if got := ids(seq); len(got) != 10 || got[0] != made[109] || got[9] != made[100] {
		t.Errorf("ScanRange [low, high) desc = %v", got)
	}
	if _, ok := src.ScanRange(acct.Field("CreatedDate"), query.Range{}, false, false); ok {
		t.Error("CreatedDate claims an index")
	}
	contact := f.create(t, f.admin, "Contact", `{"LastName":"C","AccountId":"`+made[5]+`"}`)
	if got := ids(src.Children(f.o.Registry().Object("Contact").Field("AccountId"), made[5], false)); !slices.Equal(got, []string{contact}) {
		t.Errorf("Children = %v", got)
	}
}

func TestQueryEngineOverOrg(t *testing.T) {
	t.Parallel()
	f := setup(t)
	engine := query.New(f.o.QuerySource())
	acct := f.create(t, f.admin, "Account", `{"Name":"Acme","AnnualRevenue":3500000}`)
	f.create(t, f.admin, "Contact", `{"FirstName":"Ada","LastName":"Lovelace","AccountId":"`+acct+`"}`)
	f.create(t, f.admin, "Opportunity", `{"Name":"Admin deal","StageName":"Prospecting","CloseDate":"2026-06-30"}`)
	f.create(t, f.user, "Opportunity", `{"Name":"My deal","StageName":"Closed Won","CloseDate":"2026-03-01","Amount":100}`)
	gone := f.create(t, f.admin, "Account", `{"Name":"Gone"}`)
	if err := f.o.Delete(f.ctx, f.admin, gone); err != nil {
		t.Fatal(err)
	}
	run := func(as *Principal, soql string, all bool) map[string]any {
		t.Helper()
		res, err := engine.Query(f.ctx, as, soql, query.Options{All: all})
		if err != nil {
			t.Fatalf("%s: %v", soql, err)
		}
		var page map[string]any
		if err := json.Unmarshal(res.AppendPage(nil, 0, 2000, ""), &page); err != nil {
			t.Fatal(err)
		}
		return page
	}
	names := func(page map[string]any, field string) []string {
		var out []string
		for _, r := range page["records"].([]any) {
			out = append(out, r.(map[string]any)[field].(string))
		}
		return out
	}
	if got := names(run(f.user, "SELECT Name FROM Opportunity ORDER BY Name", false), "Name"); !slices.Equal(got, []string{"My deal"}) {
		t.Errorf("the standard user's opportunities = %v", got)
	}
	if got := names(run(f.admin, "SELECT Name FROM Opportunity ORDER BY Name", false), "Name"); len(got) != 2 {
		t.Errorf("the admin's opportunities = %v", got)
	}
	page := run(f.admin, "SELECT Name, (SELECT Name FROM Contacts) FROM Account WHERE Name = 'Acme'", false)
	rec := page["records"].([]any)[0].(map[string]any)
	contacts := rec["Contacts"].(map[string]any)["records"].([]any)
	if contacts[0].(map[string]any)["Name"] != "Ada Lovelace" {
		t.Errorf("child subquery = %v", rec["Contacts"])
	}
	if got := names(run(f.admin, "SELECT Name FROM Account WHERE IsDeleted = true", true), "Name"); !slices.Equal(got, []string{"Gone"}) {
		t.Errorf("queryAll deleted accounts = %v", got)
	}
	// SOQL compares datetimes to the second, as Salesforce does.
	since := f.o.Lookup(acct).SystemModstamp().Add(-time.Second).Format("2006-01-02T15:04:05Z")
	page = run(f.admin, "SELECT Id FROM Account WHERE SystemModstamp > "+since+" ORDER BY SystemModstamp, Id LIMIT 1", false)
	if page["totalSize"].(float64) != 1 || page["records"].([]any)[0].(map[string]any)["Id"] != acct {
		t.Errorf("sync query = %v", page)
	}
	if _, err := engine.Query(f.ctx, f.user, "SELECT AnnualRevenue FROM Account", query.Options{}); err == nil {
		t.Error("the standard user read AnnualRevenue through a query")
	}
}
