package api

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/sfbridge/sfbridge/internal/mapping"
	"github.com/sfbridge/sfbridge/internal/store"
	"github.com/sfbridge/sfbridge/internal/workflow"
)

// NewStats returns the [StatsSource] over the store
// (docs/adr/0301-sync-metrics-from-the-store.md). Gauges come from what the
// store holds now: each workflow's lag, each sheet's outbox depth, each
// org's API usage as Salesforce last reported it. Counters count from the
// moment NewStats is called (the process start): the rows, errors and API
// calls of the runs that ended since, read incrementally (each scrape reads
// only the runs that ended after the previous one, through an index), and
// the conflicts met since. A scrape costs a handful of indexed queries,
// whatever the history's size.
func NewStats(st *store.Store, now func() time.Time) StatsSource {
	if now == nil {
		now = time.Now
	}
	since := now().UTC()
	return &storeStats{st: st, since: since, mark: since, atMark: map[int64]bool{},
		totals: map[int64]*runTotals{}, orgCalls: map[int64]uint64{}, sheets: map[int64]sheetOf{}, now: now}
}

type storeStats struct {
	st    *store.Store
	since time.Time
	now   func() time.Time

	mu sync.Mutex
	// mark is the end time of the latest run counted, and atMark the runs
	// that ended exactly then: the next scrape reads from mark on and
	// skips those.
	mark     time.Time
	atMark   map[int64]bool
	totals   map[int64]*runTotals // by workflow ID
	orgCalls map[int64]uint64     // API calls of the runs, by org ID
	sheets   map[int64]sheetOf    // by workflow ID: its documents' sheet, parsed once per version
}

// runTotals are one workflow's counters.
type runTotals struct {
	rowsIn, rowsOut, errors uint64
}

// sheetOf is what a workflow's document says, for one version.
type sheetOf struct {
	version int
	sheet   string // lower case
	inbound bool
}

func (s *storeStats) Stats(ctx context.Context) (Stats, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	wfs, err := s.st.Workflows().List(ctx, store.WorkflowFilter{})
	if err != nil {
		return Stats{}, err
	}
	orgs, err := s.st.Orgs().List(ctx)
	if err != nil {
		return Stats{}, err
	}
	if err := s.countRuns(ctx, wfs); err != nil {
		return Stats{}, err
	}
	conflicts, err := s.st.Conflicts().CountSince(ctx, s.since)
	if err != nil {
		return Stats{}, err
	}
	depths, err := s.st.Outbox().Depths(ctx)
	if err != nil {
		return Stats{}, err
	}
	orgName := map[int64]string{}
	out := Stats{Orgs: make([]OrgStats, 0, len(orgs)), Workflows: make([]WorkflowStats, 0, len(wfs))}
	for _, o := range orgs {
		orgName[o.ID] = o.Name
		out.Orgs = append(out.Orgs, OrgStats{Org: o.Name, APICalls: s.orgCalls[o.ID], APIUsed: o.APIUsage.Used, APILimit: o.APIUsage.Limit})
	}
	now := s.now()
	for _, wf := range wfs {
		doc := s.sheetOf(wf)
		ws := WorkflowStats{Workflow: wf.Name, Org: orgName[wf.OrgID], Conflicts: uint64(conflicts[wf.ID]), OutboxDepth: depths[doc.sheet]}
		if lag, ok := wf.State.Lag(now); ok && doc.inbound {
			ws.Lag = lag
		}
		if t := s.totals[wf.ID]; t != nil {
			ws.RowsIn, ws.RowsOut, ws.Errors = t.rowsIn, t.rowsOut, t.errors
		}
		out.Workflows = append(out.Workflows, ws)
	}
	return out, nil
}

// countRuns adds the runs that ended since the last scrape to the
// counters.
func (s *storeStats) countRuns(ctx context.Context, wfs []store.Workflow) error {
	runs, err := s.st.Runs().EndedSince(ctx, s.mark)
	if err != nil {
		return err
	}
	orgOf := make(map[int64]int64, len(wfs))
	for _, wf := range wfs {
		orgOf[wf.ID] = wf.OrgID
	}
	for _, r := range runs {
		if s.atMark[r.ID] {
			continue
		}
		if r.EndedAt.After(s.mark) {
			s.mark, s.atMark = r.EndedAt, map[int64]bool{}
		}
		s.atMark[r.ID] = true
		t := s.totals[r.WorkflowID]
		if t == nil {
			t = &runTotals{}
			s.totals[r.WorkflowID] = t
		}
		rows := uint64(r.Counts.Inserted + r.Counts.Updated + r.Counts.Removed)
		if r.Direction == store.Inbound {
			t.rowsIn += rows
		} else {
			t.rowsOut += rows
		}
		t.errors += uint64(r.Counts.Failed)
		if r.Status == store.RunFailed {
			t.errors++
		}
		s.orgCalls[orgOf[r.WorkflowID]] += uint64(r.Counts.APICalls)
	}
	return nil
}

// sheetOf returns the sheet and direction of wf's document, parsed once per
// version.
func (s *storeStats) sheetOf(wf store.Workflow) sheetOf {
	if d, ok := s.sheets[wf.ID]; ok && d.version == wf.Version {
		return d
	}
	d := sheetOf{version: wf.Version}
	if def, _ := workflow.Parse([]byte(wf.Document)); def != nil {
		d.sheet, d.inbound = strings.ToLower(def.Sheet), def.Direction.Has(mapping.Inbound)
	}
	s.sheets[wf.ID] = d
	return d
}
