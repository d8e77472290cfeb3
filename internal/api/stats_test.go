package api

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/sfbridge/sfbridge/internal/store"
)

// BenchmarkStoreStats measures one /metrics scrape's call to the store's
// StatsSource with 50 workflows in 5 orgs and 2,000 runs in their history,
// of which 50 ended since the previous scrape.
func BenchmarkStoreStats(b *testing.B) {
	db := testDB(b)
	ctx := b.Context()
	owner, err := db.Users().Create(ctx, store.User{Login: "ana"})
	if err != nil {
		b.Fatal(err)
	}
	var wfs []store.Workflow
	for o := range 5 {
		org, err := db.Orgs().Create(ctx, store.Org{Name: fmt.Sprintf("org%d", o), LoginURL: "https://login.salesforce.com", ClientID: "x"})
		if err != nil {
			b.Fatal(err)
		}
		for i := range 10 {
			name := fmt.Sprintf("wf%d_%d", o, i)
			doc := strings.NewReplacer("NAME", name).Replace("version: 1\nname: NAME\norg: x\nowner: ana\nobject: Lead\nsheet: NAME\ndirection: both\nfields:\n  - { salesforce: LastName, column: last_name }\n")
			wf, err := db.Workflows().Create(ctx, store.Workflow{Name: name, OrgID: org.ID, OwnerID: owner.ID, Enabled: true, Document: doc})
			if err != nil {
				b.Fatal(err)
			}
			wfs = append(wfs, wf)
		}
	}
	finish := func(n int) {
		for i := range n {
			wf := wfs[i%len(wfs)]
			run, err := db.Runs().Start(ctx, wf.ID, store.Inbound)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := db.Runs().Finish(ctx, run.ID, store.RunCounts{Inserted: 3, APICalls: 1}, nil); err != nil {
				b.Fatal(err)
			}
		}
	}
	start := time.Now().Add(-time.Hour)
	stats := NewStats(db, func() time.Time { return start })
	finish(2000)
	if _, err := stats.Stats(ctx); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		b.StopTimer()
		finish(50)
		b.StartTimer()
		st, err := stats.Stats(ctx)
		if err != nil || len(st.Workflows) != 50 {
			b.Fatalf("%d workflows, %v", len(st.Workflows), err)
		}
	}
}
