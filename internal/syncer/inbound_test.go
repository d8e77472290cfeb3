package syncer

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sfbridge/sfbridge/internal/sfemu"
)

// localClock is the engine's clock in tests, moved by hand.
type localClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *localClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *localClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

const testLookback = time.Minute

// bench is one engine, one emulated org and one sheet for a test.
type bench struct {
	t      *testing.T
	org    *testOrg
	sink   *tableSink
	fx     fixture
	clock  *localClock
	engine *Engine
	plan   *Plan
	// progress, when set, is the jobs' progress callback.
	progress func(Progress)
}

func newBench(t *testing.T) *bench {
	t.Helper()
	st := newStore(t)
	b := &bench{
		t:     t,
		org:   newTestOrg(t),
		sink:  newTableSink(t, st),
		fx:    newFixture(t, st, "https://login.salesforce.com"),
		clock: &localClock{now: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)},
		plan:  accountPlan("Technology"),
	}
	b.engine = NewEngine(st, EngineOptions{Lookback: testLookback, Now: b.clock.Now})
	return b
}

func (b *bench) job() Job {
	return Job{WorkflowID: b.fx.wf.ID, Plan: b.plan, Sink: b.sink, Reader: RESTReader{Client: b.org.client, BatchSize: 200},
		Progress: b.progress}
}

// sync runs Sync and fails the test on error.
func (b *bench) sync() Stats {
	b.t.Helper()
	st, err := b.engine.Sync(b.t.Context(), b.job())
	if err != nil {
		b.t.Fatalf("Sync: %v", err)
	}
	return st
}

// load runs Sync and checks that the initial load is done.
func (b *bench) load() {
	b.t.Helper()
	b.sync()
	if cp := b.checkpoint(); cp.Phase != PhaseIncremental {
		b.t.Fatalf("after a complete load the phase is %s", cp.Phase)
	}
}

func (b *bench) checkpoint() Checkpoint {
	b.t.Helper()
	cp, err := b.engine.loadCheckpoint(b.t.Context(), b.fx.wf.ID, streamInbound, b.plan.fingerprint())
	if err != nil {
		b.t.Fatal(err)
	}
	return cp
}

// check compares the sheet with the org.
func (b *bench) check(when string) {
	b.t.Helper()
	if diff := cmp.Diff(want(b.org, "Technology"), b.sink.rows(b.t, b.fx.st)); diff != "" {
		b.t.Fatalf("%s: the sheet differs from the org (-org +sheet):\n%s", when, diff)
	}
}

// calls runs f and returns the API calls it made.
func (b *bench) calls(f func()) int {
	before := b.org.callCount()
	f()
	return b.org.callCount() - before
}

func TestInitialLoad(t *testing.T) {
	t.Parallel()
	b := newBench(t)
	// Pages of 200 cut through runs of equal SystemModstamps, all within
	// one second, which SOQL compares to the second.
	b.org.create(450, "Technology")
	b.org.tick(time.Millisecond)
	b.org.create(300, "Retail")
	b.org.tick(400 * time.Millisecond)
	b.org.create(330, "Technology")

	var progress []Progress
	job := b.job()
	job.Progress = func(p Progress) { progress = append(progress, p) }
	var st Stats
	calls := b.calls(func() {
		var err error
		if st, err = b.engine.Sync(t.Context(), job); err != nil {
			t.Fatal(err)
		}
	})
	b.check("after the load")
	// 780 matching records: 4 pages, and one call for the floor.
	if calls != 1+4 {
		t.Errorf("the load made %d API calls; want 5 (the floor, then ceil(780/200) pages)", calls)
	}
	if st.Inserted != 780 || st.Read != 780 {
		t.Errorf("stats %+v; want 780 read and inserted", st)
	}
	if last := progress[len(progress)-1]; len(progress) != 4 || last != (Progress{Phase: PhaseInitial, Done: 780, Total: 780}) {
		t.Errorf("progress %+v; want 4 reports ending at 780 of 780", progress)
	}

	// Nothing changed. Until the stream settles, polls read the cursor's
	// second again (here, every record, the Retail ones too: a poll sends
	// no conditions) and skip what they read.
	if st = b.sync(); st.Inserted+st.Updated+st.Removed != 0 || st.Skipped != 780 {
		t.Errorf("a poll after the load: %+v; want the 780 rows skipped, no write", st)
	}
	b.clock.advance(2 * testLookback)
	b.sync() // the sweep that settles
	again := b.calls(func() { st = b.sync() })
	if again != 1 || st.Read != 0 {
		t.Errorf("an idle poll once settled: %d calls, %+v; want 1 call, nothing read", again, st)
	}
	b.check("after idle polls")
}

func TestIncrementalChanges(t *testing.T) {
	t.Parallel()
	for _, leave := range []Removal{RemoveRow, MarkRow} {
		t.Run(fmt.Sprint(leave), func(t *testing.T) {
			t.Parallel()
			b := newBench(t)
			b.plan.OnLeave = leave
			ids := b.org.create(10, "Technology")
			retail := b.org.create(3, "Retail")
			b.load()

			b.org.tick(time.Second)
			b.org.put(ids[0], map[string]any{"Name": "renamed"})
			b.org.remove(ids[1])
			b.org.put(ids[2], map[string]any{"Industry": "Retail"})        // leaves the conditions
			b.org.put(retail[0], map[string]any{"Industry": "Technology"}) // enters them
			newIDs := b.org.create(2, "Technology")
			st := b.sync()

			wantRows := want(b.org, "Technology")
			if leave == MarkRow {
				wantRows[ids[2]] = sheetRow{Name: "acct-3", Industry: "Technology", Status: "removed"}
			}
			if diff := cmp.Diff(wantRows, b.sink.rows(t, b.fx.st)); diff != "" {
				t.Fatalf("after changes (-want +sheet):\n%s", diff)
			}
			if st.Inserted != 3 || st.Updated != 1 || st.Removed != 2 {
				t.Errorf("stats %+v; want 3 inserted (%v, %v), 1 updated, 2 removed", st, retail[0], newIDs)
			}

			// The record comes back into the conditions, and a deleted one
			// is undeleted.
			b.org.tick(time.Second)
			b.org.put(ids[2], map[string]any{"Industry": "Technology"})
			b.org.undelete(ids[1])
			b.sync()
			b.check("after undelete and re-entry")
		})
	}
}

func TestLateCommitsWithinLookbackAreRead(t *testing.T) {
	t.Parallel()
	b := newBench(t)
	b.org.create(5, "Technology")
	b.load()

	// A long transaction stamps a record, and commits after a later record
	// was read.
	b.org.tick(time.Second)
	tx := b.org.begin()
	late := tx.create("Technology")
	b.org.tick(20 * time.Second)
	b.org.create(1, "Technology")
	b.sync()
	if _, ok := b.sink.rows(t, b.fx.st)[late]; ok {
		t.Fatal("a poll read a record whose transaction has not committed")
	}
	tx.commit()
	b.clock.advance(10 * time.Second)
	b.sync() // a plain poll starts after the cursor: it cannot see the record
	if _, ok := b.sink.rows(t, b.fx.st)[late]; ok {
		t.Fatal("a plain poll read a record stamped before its cursor")
	}
	b.clock.advance(testLookback)
	b.sync() // the sweep, lookback after the load, does
	b.check("after the late commit")
}

func TestIdlePollsCostOneCall(t *testing.T) {
	t.Parallel()
	b := newBench(t)
	b.org.create(3, "Technology")
	b.load()
	// A burst of changes stamped in one second, across 3 pages.
	b.org.tick(time.Minute)
	b.org.create(450, "Technology")
	b.sync()

	poll := func(what string, wantCalls, wantRead int) {
		t.Helper()
		var st Stats
		if calls := b.calls(func() { st = b.sync() }); calls != wantCalls || st.Read != wantRead || st.Inserted+st.Updated+st.Removed != 0 {
			t.Errorf("%s: %d calls, %+v; want %d calls, %d read, no write", what, calls, st, wantCalls, wantRead)
		}
	}
	poll("idle poll right after the burst: the cursor's second again", 3, 450)
	b.clock.advance(testLookback)
	poll("the sweep, lookback after the load", 3, 453)
	b.clock.advance(testLookback)
	poll("the sweep after the burst settled", 3, 453)
	for range 3 {
		b.clock.advance(time.Hour)
		poll("idle poll once settled", 1, 0)
	}
	b.org.tick(time.Second)
	b.org.create(1, "Technology")
	b.sync()
	b.check("after a change once settled")
}

// TestCrashAnywhereLosesAndDoublesNothing stops runs at every page, in every
// way a run can stop (the sheet write fails, the API call fails, the process
// is cancelled between pages), restarts, and compares the sheet with the
// org.
func TestCrashAnywhereLosesAndDoublesNothing(t *testing.T) {
	t.Parallel()
	type stop struct {
		name string
		arm  func(b *bench, n int) context.Context
	}
	stops := []stop{
		{"sheet write fails", func(b *bench, n int) context.Context {
			b.sink.upserts.Store(0)
			b.sink.failUpsert = int32(n)
			return b.t.Context()
		}},
		{"API call fails", func(b *bench, n int) context.Context {
			// The nth call of the run: the first (the floor, or the first
			// page of changes), or the one after page n-1.
			pages := 0
			b.progress = func(Progress) {
				if pages++; pages == n-1 {
					b.org.failNextCall()
				}
			}
			if n == 1 {
				b.org.failNextCall()
			}
			return b.t.Context()
		}},
		{"killed between pages", func(b *bench, n int) context.Context {
			ctx, cancel := context.WithCancel(b.t.Context())
			pages := 0
			b.progress = func(Progress) {
				if pages++; pages == n {
					cancel()
				}
			}
			return ctx
		}},
	}
	for _, s := range stops {
		for n := 1; n <= 4; n++ {
			t.Run(fmt.Sprintf("%s/page %d", s.name, n), func(t *testing.T) {
				t.Parallel()
				b := newBench(t)
				// Runs of 30 equal SystemModstamps, 300 ms apart: pages of 200
				// end inside runs, and span several seconds.
				var ids []string
				for range 22 {
					ids = append(ids, b.org.create(30, "Technology")...)
					b.org.tick(300 * time.Millisecond)
				}

				// The initial load stops, then resumes.
				b.runStopped(s.arm(b, n))
				b.disarm()
				b.load()
				b.check("after the resumed load")

				// Changes over several pages; the poll stops, then resumes.
				b.org.tick(time.Second)
				for i, id := range ids[:300] {
					switch i % 3 {
					case 0:
						b.org.put(id, map[string]any{"Name": fmt.Sprintf("v2-%d", i)})
					case 1:
						b.org.remove(id)
					default:
						b.org.put(id, map[string]any{"Industry": "Retail"})
					}
				}
				for range 10 {
					b.org.create(25, "Technology")
					b.org.tick(300 * time.Millisecond)
				}
				b.runStopped(s.arm(b, n))
				b.disarm()
				b.sync()
				b.check("after the resumed poll")
			})
		}
	}
}

// runStopped runs Sync with a failure armed; it may fail or not, depending
// on where the failure falls.
func (b *bench) runStopped(ctx context.Context) {
	b.t.Helper()
	if _, err := b.engine.Sync(ctx, b.job()); err != nil && !injected(err) && !errors.Is(err, context.Canceled) {
		b.t.Fatalf("Sync with a failure armed: %v", err)
	}
}

func (b *bench) disarm() {
	b.sink.failUpsert, b.progress = 0, nil
	b.org.failNone()
}

func TestFormulaRefresh(t *testing.T) {
	t.Parallel()
	b := newBench(t)
	// The first five records read their score from a parent of their own.
	var ids, parents []string
	for range 5 {
		parent := b.org.createWith(map[string]any{"Name": "scores", "Industry": "Other", "AccountNumber": "1"})
		fields := b.org.newAccount("Technology")
		fields["ParentId"] = parent
		ids, parents = append(ids, b.org.createWith(fields)), append(parents, parent)
	}
	ids = append(ids, b.org.create(445, "Technology")...)
	b.load()
	if _, ran, err := b.engine.Refresh(t.Context(), b.job()); err != nil || ran {
		t.Fatalf("first Refresh after the load = %v, %v; want no pass (the load read fresh formulas)", ran, err)
	}
	b.org.tick(time.Second)
	for _, p := range parents {
		b.org.put(p, map[string]any{"AccountNumber": "42"})
	}
	if got := b.org.org.Lookup(ids[0]).SystemModstamp(); !got.Before(orgEpoch.Add(time.Second)) {
		t.Fatalf("changing the parent moved the record's SystemModstamp to %v", got)
	}
	b.sync()
	if rows := b.sink.rows(t, b.fx.st); rows[ids[0]].Score != "1" {
		t.Fatalf("a formula change without a SystemModstamp change was read by a poll: %+v", rows[ids[0]])
	}
	if calls := b.calls(func() {
		if _, ran, err := b.engine.Refresh(t.Context(), b.job()); err != nil || ran {
			t.Fatalf("Refresh before it is due = %v, %v; want nothing", ran, err)
		}
	}); calls != 0 {
		t.Errorf("Refresh before it is due made %d calls", calls)
	}

	b.clock.advance(time.Hour)
	// The pass stops after its first page: the next page's call fails.
	b.org.fail(sfemu.Fault{Kind: sfemu.FaultUnavailable, Rate: 1, Limit: 1, Path: "/services/data/*/query/*"})
	if _, _, err := b.engine.Refresh(t.Context(), b.job()); !injected(err) {
		t.Fatalf("Refresh with a failing second page = %v", err)
	}
	b.org.failNone()
	var st Stats
	calls := b.calls(func() {
		var ran bool
		var err error
		if st, ran, err = b.engine.Refresh(t.Context(), b.job()); err != nil || !ran {
			t.Fatalf("resumed Refresh = %v, %v", ran, err)
		}
	})
	b.check("after the refresh")
	if calls != 2 || st.Read != 250 {
		t.Errorf("the resumed refresh made %d calls and read %d records; want 2 calls, 250 records (it resumes after page 1)", calls, st.Read)
	}
}
