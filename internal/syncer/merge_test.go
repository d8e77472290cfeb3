package syncer

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/sfbridge/sfbridge/internal/salesforce"
	"github.com/sfbridge/sfbridge/internal/sheet"
	"github.com/sfbridge/sfbridge/internal/store"
)

func TestMergeColumns(t *testing.T) {
	t0 := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	both := map[string]string{"A": "A__c", "B": "B__c"}
	base := map[string]any{"A": "a", "B": "b", "C": "c"}
	cases := []struct {
		name         string
		ours, theirs map[string]any
		policy       store.ConflictPolicy
		sfTime       time.Time
		want         []Decision
	}{
		{"echo: both hold the same", map[string]any{"A": "x", "B": "b", "C": "c"}, map[string]any{"A": "x", "B": "b", "C": "c"}, store.PolicyManual, t0, nil},
		{"only Salesforce changed", map[string]any{"A": "a", "B": "b", "C": "c"}, map[string]any{"A": "x", "B": "b", "C": "c"}, store.PolicyManual, t0,
			[]Decision{{Column: "A", Take: true}}},
		{"only the sheet changed", map[string]any{"A": "x", "B": "b", "C": "c"}, map[string]any{"A": "a", "B": "b", "C": "c"}, store.PolicyManual, t0, nil},
		{"different fields merge", map[string]any{"A": "x", "B": "b", "C": "c"}, map[string]any{"A": "a", "B": "y", "C": "c"}, store.PolicySheetWins, t0,
			[]Decision{{Column: "B", Take: true}}},
		{"inbound-only column: Salesforce wins", map[string]any{"A": "a", "B": "b", "C": "mine"}, map[string]any{"A": "a", "B": "b", "C": "theirs"}, store.PolicySheetWins, t0,
			[]Decision{{Column: "C", Take: true}}},
		{"conflict, salesforce_wins", map[string]any{"A": "x"}, map[string]any{"A": "y"}, store.PolicySalesforceWins, t0,
			[]Decision{{Column: "A", Take: true, Conflict: true, Resolution: store.ResolvedSalesforce}}},
		{"conflict, sheet_wins", map[string]any{"A": "x"}, map[string]any{"A": "y"}, store.PolicySheetWins, t0,
			[]Decision{{Column: "A", Conflict: true, Resolution: store.ResolvedSheet}}},
		{"conflict, newest_wins, Salesforce newer", map[string]any{"A": "x"}, map[string]any{"A": "y"}, store.PolicyNewestWins, t0.Add(time.Second),
			[]Decision{{Column: "A", Take: true, Conflict: true, Resolution: store.ResolvedSalesforce}}},
		{"conflict, newest_wins, sheet newer", map[string]any{"A": "x"}, map[string]any{"A": "y"}, store.PolicyNewestWins, t0.Add(-time.Second),
			[]Decision{{Column: "A", Conflict: true, Resolution: store.ResolvedSheet}}},
		{"conflict, manual", map[string]any{"A": "x"}, map[string]any{"A": "y"}, store.PolicyManual, t0,
			[]Decision{{Column: "A", Conflict: true, Resolution: store.Unresolved}}},
		{"numbers compare by value", map[string]any{"A": float64(2)}, map[string]any{"A": 2}, store.PolicyManual, t0, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cols := []string{}
			for _, k := range []string{"A", "B", "C"} {
				if _, ok := c.theirs[k]; ok {
					cols = append(cols, k)
				}
			}
			got := mergeColumns(cols, both, base, c.ours, c.theirs, c.policy, c.sfTime, t0)
			if len(got) != len(c.want) {
				t.Fatalf("got %+v, want %+v", got, c.want)
			}
			for i := range got {
				if got[i] != c.want[i] {
					t.Errorf("decision %d: %+v, want %+v", i, got[i], c.want[i])
				}
			}
		})
	}
}

// twoWay is the emulator with a two-way Accounts workflow: the inbound
// engine with a merging sink, and a writer.
type twoWay struct {
	*emulated
	w *Writer
}

func newTwoWay(t *testing.T, policy store.ConflictPolicy) *twoWay {
	t.Helper()
	e := newEmulated(t)
	e.sink.Merge = &Merge{WorkflowID: e.fx.wf.ID, Policy: policy, Fields: map[string]string{"Name": "Name", "Phone": "Phone"}}
	// Name and Phone flow both ways; Industry only inbound.
	plan := &Outbound{Object: "Account", Operation: OpCreate, PropagateDeletes: true, Policy: policy,
		Fields: []OutField{textField("Name", "Name"), textField("Phone", "Phone")}}
	w, err := NewWriter(WriterOptions{Store: e.st, Sheet: e.sink.Sheet, WorkflowID: e.fx.wf.ID, Client: e.client, Plan: plan,
		RetryBase: time.Millisecond, RetryCap: 2 * time.Millisecond, Lease: 50 * time.Millisecond, CallTimeout: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	return &twoWay{emulated: e, w: w}
}

func (tw *twoWay) poll(t *testing.T) {
	t.Helper()
	tw.clock.advance(time.Minute)
	if _, err := tw.engine.Sync(context.Background(), tw.job(techAccounts())); err != nil {
		t.Fatal(err)
	}
}

func (tw *twoWay) drain(t *testing.T) OutStats {
	t.Helper()
	st, err := tw.w.Drain(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func (tw *twoWay) edit(t *testing.T, sfid, column string, v any) {
	t.Helper()
	row, err := tw.sink.Sheet.BySFID(context.Background(), tw.st, sfid)
	if err != nil {
		t.Fatal(err)
	}
	_, err = tw.sink.Sheet.Update(context.Background(), tw.st, sheet.Batch{Columns: []string{column}, Origin: sheet.OriginUser,
		Rows: []sheet.Input{{ID: row.ID, Values: []any{v}}}})
	if err != nil {
		t.Fatal(err)
	}
}

func (tw *twoWay) cell(t *testing.T, sfid, column string) any {
	t.Helper()
	row, err := tw.sink.Sheet.BySFID(context.Background(), tw.st, sfid)
	if err != nil {
		t.Fatal(err)
	}
	return cells(tw.sink.Sheet, row)[column]
}

func (tw *twoWay) field(t *testing.T, id, name string) string {
	t.Helper()
	rec, err := tw.client.Retrieve(context.Background(), "Account", id, name)
	if err != nil {
		t.Fatal(err)
	}
	s, _ := rec.String(name)
	return s
}

// TestTwoWayPolicies edits Phone on both sides before either is synced,
// and Name in Salesforce only: Name always merges in; Phone goes the
// policy's way, and the conflict is recorded.
func TestTwoWayPolicies(t *testing.T) {
	for _, c := range []struct {
		policy    store.ConflictPolicy
		wantPhone string
		open      bool
	}{
		{store.PolicySalesforceWins, "+1 415 555 0300", false},
		{store.PolicySheetWins, "+1 415 555 0200", false},
		{store.PolicyNewestWins, "+1 415 555 0300", false}, // Salesforce's edit is the later one
		{store.PolicyManual, "+1 415 555 0200", true},
	} {
		t.Run(string(c.policy), func(t *testing.T) {
			tw := newTwoWay(t, c.policy)
			ctx := context.Background()
			id := tw.create(t, 1, "Technology")[0]
			tw.poll(t)
			tw.edit(t, id, "Phone", "+1 415 555 0200")
			time.Sleep(5 * time.Millisecond) // Salesforce's edit is later than the sheet's
			if err := tw.client.Update(ctx, "Account", id, salesforce.NewRecord("").Set("Phone", "+1 415 555 0300").Set("Name", "Renamed")); err != nil {
				t.Fatal(err)
			}
			tw.poll(t)
			if got := tw.cell(t, id, "Name"); got != "Renamed" {
				t.Errorf("Name in the sheet = %v: the Salesforce-only change did not merge in", got)
			}
			tw.drain(t)
			tw.poll(t)
			if got := tw.cell(t, id, "Phone"); got != c.wantPhone {
				t.Errorf("Phone in the sheet = %v, want %s", got, c.wantPhone)
			}
			cs, err := tw.st.Conflicts().List(ctx, store.ConflictFilter{WorkflowID: tw.fx.wf.ID}, 0, 10)
			if err != nil || len(cs) != 1 || cs[0].Column != "Phone" || cs[0].Open() != c.open {
				t.Fatalf("conflicts %+v, %v: want one on Phone, open %v", cs, err, c.open)
			}
			if c.open {
				row, _ := tw.sink.Sheet.BySFID(ctx, tw.st, id)
				if row.Status != sheet.StatusConflict {
					t.Errorf("row status %s, want conflict", row.Status)
				}
				if got := tw.field(t, id, "Phone"); got != "+1 415 555 0300" {
					t.Errorf("Salesforce's Phone = %q: a held row was sent", got)
				}
				if err := ResolveConflict(ctx, tw.st, tw.sink.Sheet, cs[0].ID, store.ResolvedSheet, nil, "ada"); err != nil {
					t.Fatal(err)
				}
				tw.drain(t)
			}
			if got := tw.field(t, id, "Phone"); got != c.wantPhone {
				t.Errorf("Salesforce's Phone = %q, want %s", got, c.wantPhone)
			}
			if got := tw.field(t, id, "Name"); got != "Renamed" {
				t.Errorf("Salesforce's Name = %q: the merge wrote it back wrong", got)
			}
		})
	}
}

// TestTwoWayEchoAndDirection: our own write read back changes nothing; a
// column that flows inbound only is never sent.
func TestTwoWayEchoAndDirection(t *testing.T) {
	tw := newTwoWay(t, store.PolicyManual)
	ctx := context.Background()
	id := tw.create(t, 1, "Technology")[0]
	tw.poll(t)
	tw.edit(t, id, "Phone", "+1 415 555 0999")
	tw.edit(t, id, "Industry", "Technology Edited Here")
	if st := tw.drain(t); st.Updated != 1 {
		t.Fatalf("drain %+v", st)
	}
	if got := tw.field(t, id, "Industry"); got != "Technology" {
		t.Errorf("Industry sent to Salesforce (%q) although it flows inbound only", got)
	}
	tw.poll(t) // reads our own write back
	stats, err := tw.st.Outbox().Stats(ctx, tw.sink.Sheet.ID)
	if err != nil || stats.Due+stats.Waiting != 0 {
		t.Errorf("the echo went back out: %+v, %v", stats, err)
	}
	cs, _ := tw.st.Conflicts().List(ctx, store.ConflictFilter{WorkflowID: tw.fx.wf.ID}, 0, 10)
	if len(cs) != 0 {
		t.Errorf("the echo made conflicts: %+v", cs)
	}
	if got := tw.cell(t, id, "Phone"); got != "+1 415 555 0999" {
		t.Errorf("Phone after the echo = %v", got)
	}
}

// TestTwoWayDeletes: a record deleted in Salesforce while its row has an
// edit pending is not brought back by the stale update; undeleting it
// brings the row back.
func TestTwoWayDeletes(t *testing.T) {
	tw := newTwoWay(t, store.PolicySalesforceWins)
	ctx := context.Background()
	ids := tw.create(t, 2, "Technology")
	tw.poll(t)
	tw.edit(t, ids[0], "Phone", "+1 415 555 0111")
	if err := tw.client.Delete(ctx, "Account", ids[0]); err != nil {
		t.Fatal(err)
	}
	st := tw.drain(t)
	if st.Deleted != 1 || st.Created != 0 {
		t.Errorf("drain %+v: want the row deleted, nothing created", st)
	}
	if _, err := tw.sink.Sheet.BySFID(ctx, tw.st, ids[0]); err == nil {
		t.Error("the row of the deleted record is still there")
	}
	n := 0
	for _, err := range tw.client.Query(ctx, "SELECT Id FROM Account") {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n != 1 {
		t.Errorf("%d accounts, want 1: a stale write brought the record back", n)
	}
	// A row deleted here deletes its record.
	row, _ := tw.sink.Sheet.BySFID(ctx, tw.st, ids[1])
	if _, err := tw.sink.Sheet.DeleteAsUser(ctx, tw.st, "ada", []int64{row.ID}); err != nil {
		t.Fatal(err)
	}
	tw.poll(t) // the record, unchanged, must not resurrect the row
	if st := tw.drain(t); st.Deleted != 1 {
		t.Errorf("drain %+v: want 1 deleted", st)
	}
	if _, err := tw.client.Retrieve(ctx, "Account", ids[1], "Id"); err == nil {
		t.Error("the record of the row deleted here is still in Salesforce")
	}
}

// TestTwoWayCrashThenInbound: a create whose answer was lost is read back
// by the inbound side before the writer reconciles it; the record is
// adopted by its row, and nothing is created twice.
func TestTwoWayCrashThenInbound(t *testing.T) {
	tw := newTwoWay(t, store.PolicySalesforceWins)
	ctx := context.Background()
	tw.w.plan.Fields = append(tw.w.plan.Fields, textField("Industry", "Industry"))
	tw.sink.Merge.Fields["Industry"] = "Industry"
	ids, _, err := tw.sink.Sheet.Insert(ctx, tw.st, sheet.Batch{Columns: []string{"Name", "Industry", "Phone"}, Origin: sheet.OriginUser,
		Rows: []sheet.Input{{Values: []any{"Lost answer", "Technology", "+1 415 555 0100"}}}})
	if err != nil {
		t.Fatal(err)
	}
	tw.w.beforeSettle = func() error { return errCrash }
	if _, err := tw.w.Drain(ctx); !errors.Is(err, errCrash) {
		t.Fatalf("drain: %v, want the crash", err)
	}
	tw.w.beforeSettle = nil
	tw.poll(t)
	n, err := tw.sink.Sheet.Count(ctx, tw.st, sheet.Query{})
	if err != nil || n != 1 {
		t.Fatalf("%d rows, %v: the record of the lost create got a row of its own", n, err)
	}
	row, err := tw.sink.Sheet.Get(ctx, tw.st, ids[0])
	if err != nil || row.SFID == "" {
		t.Fatalf("row %+v, %v: not linked to its record", row, err)
	}
	time.Sleep(60 * time.Millisecond) // the crashed claim's lease (Lease in newTwoWay)
	if _, err := tw.w.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	recs := 0
	for _, err := range tw.client.Query(ctx, "SELECT Id FROM Account") {
		if err != nil {
			t.Fatal(err)
		}
		recs++
	}
	if recs != 1 {
		t.Errorf("%d accounts, want 1", recs)
	}
	open, _ := tw.st.Journal().ListOpen(ctx, tw.fx.wf.ID)
	if len(open) != 0 {
		t.Errorf("creates still open: %+v", open)
	}
}
