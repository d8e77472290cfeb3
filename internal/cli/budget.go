package cli

import (
	"net/http"
	"time"

	"github.com/sfbridge/sfbridge/internal/budget"
	"github.com/sfbridge/sfbridge/internal/web"
)

// usageChartDays is how many days the home page's chart of API calls shows.
const usageChartDays = 14

// watcher returns the Watcher that keeps the orgs within their API budgets
// and raises notifications (docs/adr/0330-api-budget-and-notifications.md),
// made on first use and stopped by close.
func (a *app) watcher() *budget.Watcher {
	if a.watch == nil {
		a.watch = budget.New(budget.Options{Store: a.store, Logger: a.log})
	}
	return a.watch
}

// dailyUsage feeds the home page's chart: the API calls sfbridge made per
// day, across every org, over the last usageChartDays days (days without
// calls show as empty bars).
func (a *app) dailyUsage(r *http.Request) ([]web.DailyUsage, error) {
	today := time.Now().UTC().Truncate(24 * time.Hour)
	first := today.AddDate(0, 0, 1-usageChartDays)
	days, err := a.store.Usage().DailyCalls(r.Context(), first)
	if err != nil {
		return nil, err
	}
	calls := make(map[time.Time]int64, len(days))
	for _, d := range days {
		calls[d.Day] = d.Calls
	}
	out := make([]web.DailyUsage, usageChartDays)
	for i := range out {
		day := first.AddDate(0, 0, i)
		out[i] = web.DailyUsage{Day: day, Calls: calls[day]}
	}
	return out, nil
}
