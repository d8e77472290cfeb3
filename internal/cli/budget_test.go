package cli

import (
	"context"
	"io"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/sfbridge/sfbridge/internal/config"
	"github.com/sfbridge/sfbridge/internal/store"
)

// TestDailyUsage checks what feeds the home page's chart: one bar per day
// of the last two weeks, today's holding the calls recorded across orgs.
func TestDailyUsage(t *testing.T) {
	ctx := context.Background()
	cfg := config.Default()
	cfg.DataDir = t.TempDir()
	a, err := openApp(ctx, cfg, io.Discard, true)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.close)
	for _, name := range []string{"a", "b"} {
		o, err := a.store.Orgs().Create(ctx, store.Org{Name: name, LoginURL: "https://login.salesforce.com", ClientID: "app"})
		if err != nil {
			t.Fatal(err)
		}
		if err := a.store.Usage().Record(ctx, o.ID, 10, 15000, 7); err != nil {
			t.Fatal(err)
		}
	}
	days, err := a.dailyUsage(httptest.NewRequest("GET", "/", nil))
	if err != nil {
		t.Fatal(err)
	}
	today := time.Now().UTC().Truncate(24 * time.Hour)
	if len(days) != usageChartDays || !days[len(days)-1].Day.Equal(today) || days[len(days)-1].Calls != 14 || days[0].Calls != 0 {
		t.Errorf("daily usage = %+v; want %d days ending today with 14 calls", days, usageChartDays)
	}
	if a.watcher() != a.watcher() {
		t.Error("watcher is not made once")
	}
}
