package salesforce

import (
	"sync"
	"testing"
	"time"
)

func TestParseLimitInfo(t *testing.T) {
	t.Parallel()
	tests := []struct {
		header  string
		want    Usage
		wantErr bool
	}{
		{header: "api-usage=18/5000", want: Usage{Used: 18, Max: 5000}},
		{header: "api-usage=25/5000; per-app-api-usage=17/250(appName=sample-connected-app)",
			want: Usage{Used: 25, Max: 5000, AppUsed: 17, AppMax: 250, AppName: "sample-connected-app"}},
		{header: "per-app-api-usage=3/100, api-usage=99/100", want: Usage{Used: 99, Max: 100, AppUsed: 3, AppMax: 100}},
		{header: " api-usage = 1/2 ", wantErr: true}, // spaces around '=' are not Salesforce's format
		{header: "api-usage=0/15000", want: Usage{Used: 0, Max: 15000}},
		{header: "api-usage=15001/15000", want: Usage{Used: 15001, Max: 15000}},
		{header: "", wantErr: true},
		{header: "per-app-api-usage=17/250(appName=x)", wantErr: true},
		{header: "api-usage=18", wantErr: true},
		{header: "api-usage=a/5000", wantErr: true},
		{header: "api-usage=-1/5000", wantErr: true},
		{header: "api-usage=18/5000; per-app-api-usage=x/250(appName=y)", wantErr: true},
		{header: "something-else", wantErr: true},
	}
	for _, tt := range tests {
		got, err := ParseLimitInfo(tt.header)
		if (err != nil) != tt.wantErr {
			t.Errorf("ParseLimitInfo(%q) error = %v, want error %t", tt.header, err, tt.wantErr)
			continue
		}
		if got != tt.want {
			t.Errorf("ParseLimitInfo(%q) = %+v, want %+v", tt.header, got, tt.want)
		}
	}
}

func TestBudget(t *testing.T) {
	t.Parallel()
	var b Budget
	if b.Remaining() != 0 || !b.LastSeen().IsZero() {
		t.Fatalf("zero Budget = %+v", b.Snapshot())
	}
	var seen []BudgetSnapshot
	b.Observe(func(s BudgetSnapshot) { seen = append(seen, s) })
	t0 := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	b.Update(Usage{Used: 10, Max: 100}, t0)
	b.Update(Usage{Used: 5, Max: 100}, t0.Add(-time.Second)) // older report arriving late: ignored
	b.Update(Usage{Used: 120, Max: 100}, t0.Add(time.Second))
	if got := b.Snapshot(); got.Used != 120 || got.Max != 100 || !got.Seen.Equal(t0.Add(time.Second)) {
		t.Errorf("snapshot = %+v", got)
	}
	if b.Remaining() != 0 {
		t.Errorf("Remaining = %d, want 0 when over the limit", b.Remaining())
	}
	if len(seen) != 2 || seen[0].Used != 10 || seen[1].Used != 120 {
		t.Errorf("observer saw %+v, want the two accepted updates", seen)
	}
}

func TestBudgetConcurrent(t *testing.T) {
	t.Parallel()
	var b Budget
	var mu sync.Mutex
	calls := 0
	b.Observe(func(BudgetSnapshot) { mu.Lock(); calls++; mu.Unlock() })
	t0 := time.Now()
	var wg sync.WaitGroup
	for i := range 50 {
		wg.Go(func() {
			b.Update(Usage{Used: i, Max: 1000}, t0.Add(time.Duration(i)))
			_ = b.Remaining()
		})
	}
	wg.Wait()
	if got := b.Used(); got != 49 {
		t.Errorf("Used = %d, want 49 (the latest report)", got)
	}
	if b.Max() != 1000 {
		t.Errorf("Max = %d", b.Max())
	}
	if calls == 0 || calls > 50 {
		t.Errorf("observer called %d times", calls)
	}
}
