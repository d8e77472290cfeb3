package org

import (
	"strings"
	"testing"

	"github.com/sfbridge/sfbridge/internal/sfemu/clock"
	"github.com/sfbridge/sfbridge/internal/sfemu/schema"
)

func newSeeded(t *testing.T, seed string) *Org {
	t.Helper()
	clk := clock.New()
	clk.Set(epoch)
	o, err := New(Options{Clock: clk, Seed: seed})
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func TestEmptySeed(t *testing.T) {
	t.Parallel()
	o := newSeeded(t, "empty")
	want := map[string]int{"Organization": 1, "Profile": 2, "User": 2}
	if got := o.RecordCounts(); !equalCounts(got, want) {
		t.Errorf("empty seed counts = %v, want %v", got, want)
	}
	if problems := o.Check(); len(problems) > 0 {
		t.Errorf("empty seed: %v", problems)
	}
	if _, err := New(Options{Seed: "huge"}); err == nil || !strings.Contains(err.Error(), "unknown seed") {
		t.Errorf("unknown seed: %v", err)
	}
}

func TestDemoSeed(t *testing.T) {
	t.Parallel()
	o := newSeeded(t, "demo")
	if problems := o.Check(); len(problems) > 0 {
		for _, p := range problems[:min(len(problems), 20)] {
			t.Error(p)
		}
		t.Fatalf("%d records of the demo seed fail validation", len(problems))
	}
	counts := o.RecordCounts()
	for object, least := range map[string]int{"Account": 300, "Contact": 600, "Lead": 400, "Opportunity": 300,
		"Case": 300, "Campaign": 10, "CampaignMember": 400, "Task": 1500, "Event": 800, "ContentVersion": 8,
		"ContentDocument": 8, "Report": 10, "Dashboard": 5, "ListView": 20, "User": 6, "Order": 80} {
		if counts[object] < least {
			t.Errorf("%d %s records, want at least %d", counts[object], object, least)
		}
	}
	// Every picklist value is one the field defines, restricted or not.
	reg := o.Registry()
	for _, obj := range reg.Objects() {
		for r := range o.QuerySource().Scan(obj, false) {
			for _, f := range obj.Fields {
				if f.Type != schema.TypePicklist || len(f.Picklist) == 0 {
					continue
				}
				if v, ok := r.Get(f).(string); ok {
					if canon, known := f.MatchPicklist(v); !known || canon != v {
						t.Errorf("%s.%s = %q is not a picklist value", obj.Name, f.Name, v)
					}
				}
			}
		}
	}
	// The standard user owns records, and sees only their opportunities.
	user, _ := o.UserByUsername(StandardUsername)
	as, err := o.As(user.ID)
	if err != nil {
		t.Fatal(err)
	}
	opp := reg.Object("Opportunity")
	mine, visible, all := 0, 0, 0
	for r := range o.QuerySource().Scan(opp, false) {
		all++
		if as.CanSee(opp, r) {
			visible++
		}
		if r.Get(opp.Field("OwnerId")) == user.ID {
			mine++
		}
	}
	if mine == 0 || visible != mine || all <= mine {
		t.Errorf("opportunities: %d, the standard user's %d, visible to them %d", all, mine, visible)
	}
	// List views carry their filters.
	lvs := 0
	for r := range o.QuerySource().Scan(reg.Object("ListView"), false) {
		lvs++
		if soql, ok := o.ListViewQuery(r.(*Record).ID()); !ok || !strings.HasPrefix(soql, "SELECT ") {
			t.Errorf("list view %s has no query", r.(*Record).ID())
		}
	}
	if lvs != len(listViews) {
		t.Errorf("%d list views, want %d", lvs, len(listViews))
	}
}

// TestDemoSeedIsDeterministic builds the demo twice in the same hour.
func TestDemoSeedIsDeterministic(t *testing.T) {
	t.Parallel()
	a, b := dumpStable(newSeeded(t, "demo")), dumpStable(newSeeded(t, "demo"))
	if a != b {
		t.Error("two demo orgs differ")
	}
}

// dumpStable is dump without what follows the wall clock: SystemModstamp,
// LastModifiedDate of records updated while seeding, and the records every
// org starts with (Organization, Profile, the two development users).
func dumpStable(o *Org) string {
	var out []string
	skip := false
	for _, line := range strings.Split(dump(o), "\n") {
		if head := strings.Fields(line); len(head) > 1 && !strings.HasPrefix(line, " ") {
			skip = head[0] == "Organization" || head[0] == "Profile" || recordNumber(head[1]) <= 5
		}
		if !skip && !strings.HasPrefix(line, "  SystemModstamp=") && !strings.HasPrefix(line, "  LastModifiedDate=") {
			out = append(out, line)
		}
	}
	return strings.Join(out, "\n")
}
