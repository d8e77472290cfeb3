package syncer

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sfbridge/sfbridge/internal/salesforce"
	"github.com/sfbridge/sfbridge/internal/sfemu"
	"github.com/sfbridge/sfbridge/internal/sheet"
	"github.com/sfbridge/sfbridge/internal/soql"
	"github.com/sfbridge/sfbridge/internal/store"
)

// emulated is the emulator in-process, a client logged in to it, and a
// store with a sheet, for the end-to-end tests.
type emulated struct {
	emu    *sfemu.Emulator
	client *salesforce.Client
	st     *store.Store
	fx     fixture
	sink   *SheetSink
	engine *Engine
	clock  *localClock
}

func newEmulated(t testing.TB) *emulated {
	t.Helper()
	emu, client := startEmulator(t, sfemu.Options{DailyAPILimit: 1_000_000}, salesforce.RetryPolicy{Base: time.Millisecond, Cap: 5 * time.Millisecond})
	st := newStore(t)
	sh, err := sheet.Create(context.Background(), st, "Accounts", []sheet.Column{
		{Name: "Name", Type: sheet.TypeText},
		{Name: "Industry", Type: sheet.TypeText},
		{Name: "Phone", Type: sheet.TypePhone},
		{Name: "Salesforce Modstamp", Type: sheet.TypeDateTime},
	})
	if err != nil {
		t.Fatal(err)
	}
	clock := &localClock{now: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)}
	return &emulated{
		emu: emu, client: client, st: st, fx: newFixture(t, st, "https://login.salesforce.com"),
		sink: &SheetSink{Sheet: sh, VersionColumn: "Salesforce Modstamp"}, clock: clock,
		engine: NewEngine(st, EngineOptions{Lookback: testLookback, Now: clock.Now}),
	}
}

// techAccounts is the plan of the end-to-end tests: Accounts in the
// Technology industry.
func techAccounts() *Plan {
	return &Plan{
		Source: Source{Object: "Account", Fields: []string{"Name", "Industry", "Phone"},
			Where: &soql.Comparison{Left: field("Industry"), Op: soql.OpEqual, Right: &soql.StringLit{Value: "Technology"}}},
		Match: func(rec *salesforce.Record) (bool, error) {
			s, _ := rec.String("Industry")
			return s == "Technology", nil
		},
		Cells: func(rec *salesforce.Record) (map[string]any, error) {
			out := map[string]any{}
			for _, f := range []string{"Name", "Industry", "Phone"} {
				v, _ := rec.String(f)
				out[f] = v
			}
			return out, nil
		},
	}
}

func (e *emulated) job(plan *Plan) Job {
	return Job{WorkflowID: e.fx.wf.ID, Plan: plan, Sink: e.sink, Reader: RESTReader{Client: e.client}}
}

// create inserts n Accounts through the API, 200 per call.
func (e *emulated) create(t testing.TB, n int, industry string) []string {
	t.Helper()
	ids, err := e.insert(n, industry)
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

// createQuietly is create for another goroutine: nil on failure.
func (e *emulated) createQuietly(n int, industry string) []string {
	ids, _ := e.insert(n, industry)
	return ids
}

func (e *emulated) insert(n int, industry string) ([]string, error) {
	var ids []string
	for len(ids) < n {
		batch := make([]*salesforce.Record, min(200, n-len(ids)))
		for i := range batch {
			batch[i] = salesforce.NewRecord("Account").Set("Name", fmt.Sprintf("%s %d", industry, len(ids)+i)).
				Set("Industry", industry).Set("Phone", "+1 415 555 0100")
		}
		res, err := e.client.CreateMany(context.Background(), batch, true)
		if err != nil {
			return nil, err
		}
		for _, r := range res {
			if r.Err != nil {
				return nil, r.Err
			}
			ids = append(ids, r.ID)
		}
	}
	return ids, nil
}

// orgRows reads, through the API, what the sheet should hold.
func (e *emulated) orgRows(t testing.TB) map[string]sheetRow {
	t.Helper()
	out := map[string]sheetRow{}
	for rec, err := range e.client.Query(context.Background(), "SELECT Id, Name, Industry FROM Account WHERE Industry = 'Technology'") {
		if err != nil {
			t.Fatal(err)
		}
		name, _ := rec.String("Name")
		out[rec.ID()] = sheetRow{Name: name, Industry: "Technology", Status: "synced"}
	}
	return out
}

func (e *emulated) sheetRows(t testing.TB) map[string]sheetRow {
	t.Helper()
	out := map[string]sheetRow{}
	err := e.sink.Sheet.Rows(context.Background(), e.st, sheet.Query{}, func(r *sheet.Row) error {
		name, _ := r.Values[0].(string)
		industry, _ := r.Values[1].(string)
		out[r.SFID] = sheetRow{Name: name, Industry: industry, Status: string(r.Status)}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func (e *emulated) check(t testing.TB, when string) {
	t.Helper()
	if diff := cmp.Diff(e.orgRows(t), e.sheetRows(t)); diff != "" {
		t.Fatalf("%s: the sheet differs from the org (-org +sheet):\n%s", when, diff)
	}
}

func TestEmulatorEndToEnd(t *testing.T) {
	t.Parallel()
	e := newEmulated(t)
	ctx := t.Context()
	tech := e.create(t, 2300, "Technology")
	e.create(t, 300, "Retail")

	// The initial load: ceil(2300/2000) query calls and the floor.
	calls := e.client.Calls().API()
	var last Progress
	job := e.job(techAccounts())
	job.Progress = func(p Progress) { last = p }
	if _, err := e.engine.Sync(ctx, job); err != nil {
		t.Fatal(err)
	}
	if got := e.client.Calls().API() - calls; got != 3 {
		t.Errorf("the initial load of 2300 records made %d API calls; want 3 (floor + 2 pages)", got)
	}
	if last != (Progress{Phase: PhaseInitial, Done: 2300, Total: 2300}) {
		t.Errorf("last progress %+v; want 2300 of 2300", last)
	}
	e.check(t, "after the load")

	// An idle poll costs one call.
	calls = e.client.Calls().API()
	st, err := e.engine.Sync(ctx, e.job(techAccounts()))
	if err != nil || e.client.Calls().API()-calls != 1 || st.Inserted+st.Updated+st.Removed != 0 {
		t.Errorf("idle poll: %d calls, %+v, %v; want 1 call, no write", e.client.Calls().API()-calls, st, err)
	}

	// Changes: update, delete, leave the conditions, with faults on the way.
	if err := e.client.Update(ctx, "Account", tech[0], salesforce.NewRecord("").Set("Name", "Renamed")); err != nil {
		t.Fatal(err)
	}
	if err := e.client.Update(ctx, "Account", tech[1], salesforce.NewRecord("").Set("Industry", "Retail")); err != nil {
		t.Fatal(err)
	}
	if _, err := e.client.DeleteMany(ctx, tech[2:4], true); err != nil {
		t.Fatal(err)
	}
	e.create(t, 5, "Technology")
	if err := e.emu.SetFaults(sfemu.FaultPlan{Seed: 1, Faults: []sfemu.Fault{
		{Kind: sfemu.FaultUnavailable, Rate: 1, Path: "/services/data/*/queryAll", Limit: 1},
		{Kind: sfemu.FaultExpireSession, Rate: 1, Path: "/services/data/*/queryAll", Limit: 1},
		{Kind: sfemu.FaultDrop, Rate: 1, Path: "/services/data/*/queryAll", Limit: 1},
	}}); err != nil {
		t.Fatal(err)
	}
	st, err = e.engine.Sync(ctx, e.job(techAccounts()))
	if err != nil {
		t.Fatalf("poll through a 503, an expired session and a dropped connection: %v", err)
	}
	if st.Inserted != 5 || st.Updated != 1 || st.Removed != 3 {
		t.Errorf("stats %+v; want 5 inserted, 1 updated, 3 removed", st)
	}
	e.check(t, "after changes")
}

// TestEmulatorLateCommitOverHTTP creates a record through the API in a
// transaction the emulator keeps in flight (the slowCommit fault): stamped
// when the call starts, visible when the emulator's clock has moved 30s on.
// A poll in between cannot see it, the next plain poll starts after it, and
// the sweep reads it.
func TestEmulatorLateCommitOverHTTP(t *testing.T) {
	t.Parallel()
	e := newEmulated(t)
	ctx := t.Context()
	e.create(t, 3, "Technology")
	if _, err := e.engine.Sync(ctx, e.job(techAccounts())); err != nil {
		t.Fatal(err)
	}
	if err := e.emu.SetFaults(sfemu.FaultPlan{Faults: []sfemu.Fault{{Kind: sfemu.FaultSlowCommit, Rate: 1, Limit: 1,
		Method: "POST", Path: "/services/data/*/composite/sobjects", Latency: sfemu.Duration(30 * time.Second)}}}); err != nil {
		t.Fatal(err)
	}
	late := make(chan []string, 1)
	go func() { late <- e.createQuietly(1, "Technology") }()
	for e.emu.Org().Pending() == 0 {
		select {
		case ids := <-late:
			t.Fatalf("the slow create (%v) answered before its transaction was under way", ids)
		case <-time.After(time.Millisecond):
		}
	}
	e.emu.Clock().Advance(time.Second)
	e.create(t, 1, "Technology")
	if _, err := e.engine.Sync(ctx, e.job(techAccounts())); err != nil {
		t.Fatal(err)
	}
	if n := len(e.sheetRows(t)); n != 4 {
		t.Fatalf("a poll during the slow transaction left %d rows; want 4 (its record unseen)", n)
	}
	e.emu.Clock().Advance(30 * time.Second)
	ids := <-late
	if len(ids) != 1 {
		t.Fatal("the slow create failed")
	}
	e.clock.advance(10 * time.Second)
	if _, err := e.engine.Sync(ctx, e.job(techAccounts())); err != nil {
		t.Fatal(err)
	}
	if _, ok := e.sheetRows(t)[ids[0]]; ok {
		t.Fatal("a plain poll read a record stamped before its cursor")
	}
	e.clock.advance(testLookback)
	if _, err := e.engine.Sync(ctx, e.job(techAccounts())); err != nil {
		t.Fatal(err)
	}
	e.check(t, "after the sweep")
}

// BenchmarkEmulatorInitialLoad loads N Accounts from the emulator, over
// HTTP, into a sheet, and reports records/s, API calls and the peak live
// heap the load adds. 100,000 by default; for 1,000,000:
//
//	SFBRIDGE_BENCH_RECORDS=1000000 go test ./internal/syncer -run XXX -bench EmulatorInitialLoad -benchtime 1x -timeout 30m
func BenchmarkEmulatorInitialLoad(b *testing.B) {
	n := 100_000
	if s := os.Getenv("SFBRIDGE_BENCH_RECORDS"); s != "" {
		var err error
		if n, err = strconv.Atoi(s); err != nil {
			b.Fatalf("SFBRIDGE_BENCH_RECORDS=%q: %v", s, err)
		}
	}
	e := newEmulated(b)
	e.create(b, n, "Technology")
	var peak uint64
	b.ResetTimer()
	for i := range b.N {
		b.StopTimer()
		wf, err := e.st.Workflows().Create(context.Background(), store.Workflow{Name: fmt.Sprintf("bench-%d", i),
			OrgID: e.fx.org.ID, OwnerID: e.fx.user.ID, Enabled: true, Document: "version: 1\n"})
		if err != nil {
			b.Fatal(err)
		}
		job := e.job(techAccounts())
		job.WorkflowID = wf.ID
		base, calls := liveHeap(), e.client.Calls().API()
		job.Progress = func(Progress) {
			b.StopTimer()
			peak = max(peak, liveHeap()-min(base, liveHeap()))
			b.StartTimer()
		}
		b.StartTimer()
		if _, err := e.engine.Sync(context.Background(), job); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		b.ReportMetric(float64(e.client.Calls().API()-calls), "api-calls")
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "records/s")
	b.ReportMetric(float64(peak)/(1<<20), "peak-live-heap-MiB")
}
