package syncer

import (
	"context"
	"maps"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sfbridge/sfbridge/internal/sheet"
	"github.com/sfbridge/sfbridge/internal/store"
)

// newSheet creates the sheet of the tests' account plan, with its version
// column.
func newSheet(t testing.TB, st *store.Store) *SheetSink {
	t.Helper()
	sh, err := sheet.Create(context.Background(), st, "Accounts", []sheet.Column{
		{Name: "Name", Type: sheet.TypeText},
		{Name: "Industry", Type: sheet.TypePicklist},
		{Name: "Score", Type: sheet.TypeText, Length: 3},
		{Name: "Salesforce Modstamp", Type: sheet.TypeDateTime},
	})
	if err != nil {
		t.Fatal(err)
	}
	return &SheetSink{Sheet: sh, VersionColumn: "Salesforce Modstamp"}
}

// sheetRows reads a sheet as the tests compare it.
func sheetRows(t testing.TB, st *store.Store, s *SheetSink) map[string]sheetRow {
	t.Helper()
	out := map[string]sheetRow{}
	err := s.Sheet.Rows(context.Background(), st, sheet.Query{}, func(r *sheet.Row) error {
		str := func(i int) string { v, _ := r.Values[i].(string); return v }
		out[r.SFID] = sheetRow{Name: str(0), Industry: str(1), Score: str(2), Status: string(r.Status)}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// failingSink makes the nth Upsert fail after writing, like tableSink.
type failingSink struct {
	Sink
	n, fail int
}

func (f *failingSink) Upsert(ctx context.Context, tx *store.Tx, rows []Row) (int, int, []Failure, error) {
	ins, upd, failed, err := f.Sink.Upsert(ctx, tx, rows)
	if f.n++; err == nil && f.n == f.fail {
		err = errInjected
	}
	return ins, upd, failed, err
}

func TestSheetSink(t *testing.T) {
	t.Parallel()
	st := newStore(t)
	fx := newFixture(t, st, "https://login.salesforce.com")
	sink := newSheet(t, st)
	org := newTestOrg(t)
	clock := &localClock{now: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)}
	engine := NewEngine(st, EngineOptions{Lookback: testLookback, Now: clock.Now})
	plan := accountPlan("Technology")
	plan.OnLeave = MarkRow
	reader := RESTReader{Client: org.client, BatchSize: 200}
	run := func(s Sink) (Stats, error) {
		return engine.Sync(t.Context(), Job{WorkflowID: fx.wf.ID, Plan: plan, Sink: s, Reader: reader})
	}
	check := func(when string, extra map[string]sheetRow) {
		t.Helper()
		w := want(org, "Technology")
		maps.Copy(w, extra)
		if diff := cmp.Diff(w, sheetRows(t, st, sink)); diff != "" {
			t.Fatalf("%s (-org +sheet):\n%s", when, diff)
		}
	}

	var ids []string
	for range 10 {
		ids = append(ids, org.create(50, "Technology")...)
		org.create(5, "Retail")
		org.tick(300 * time.Millisecond)
	}
	if _, err := run(&failingSink{Sink: sink, fail: 2}); err == nil {
		t.Fatal("the load with a failing second page succeeded")
	}
	if _, err := run(sink); err != nil {
		t.Fatal(err)
	}
	check("after the resumed load", nil)

	org.tick(time.Second)
	long := org.createWith(map[string]any{"Name": "long score", "Industry": "Other", "AccountNumber": "toolong"})
	org.put(ids[0], map[string]any{"Name": "renamed"})
	org.put(ids[1], map[string]any{"Industry": "Retail"})
	org.remove(ids[2])
	org.put(ids[3], map[string]any{"ParentId": long}) // its score no longer fits the sheet
	st2, err := run(sink)
	if err != nil {
		t.Fatal(err)
	}
	if st2.Failed != 1 || len(st2.Failures) != 1 || st2.Failures[0].SalesforceID != ids[3] {
		t.Errorf("failures %d %+v; want the record whose Score is too long", st2.Failed, st2.Failures)
	}
	check("after changes", map[string]sheetRow{
		ids[1]: {Name: "acct-2", Industry: "Technology", Status: "removed"},
		ids[3]: {Name: "acct-4", Industry: "Technology", Status: "synced"}, // the old version stays
	})

	// Read again unchanged by the sweep: nothing is written.
	clock.advance(testLookback)
	st3, err := run(sink)
	if err != nil || st3.Inserted+st3.Updated+st3.Removed != 0 || st3.Skipped == 0 {
		t.Errorf("sweep over unchanged records: %+v, %v; want only skips", st3, err)
	}
}
