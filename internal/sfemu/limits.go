package sfemu

import (
	"fmt"
	"sync"
	"time"

	"github.com/sfbridge/sfbridge/internal/sfemu/clock"
)

// DefaultDailyAPIRequests is a Developer Edition org's daily API request limit.
const DefaultDailyAPIRequests = 15000

// The daily allocations of /limits the emulator counts besides
// DailyApiRequests: Bulk API 2.0 spends them.
const (
	allocAPIRequests = "DailyApiRequests"
	allocBulkBatches = "DailyBulkApiBatches"
	allocQueryJobs   = "DailyBulkV2QueryJobs"
)

// usage is the org's daily API request counter, and the counters of the
// other allocations the emulator spends (Bulk API batches and query jobs).
// They reset at midnight (UTC) of the emulator clock; the API request
// counter also when an admin says so.
type usage struct {
	clock *clock.Clock
	mu    sync.Mutex
	max   int
	used  int
	day   time.Time // the UTC date the counters belong to
	other map[string]*allocation
}

// allocation is one counted allocation other than API requests.
type allocation struct{ max, used int }

func newUsage(c *clock.Clock, most int) *usage {
	return &usage{clock: c, max: most, day: dayOf(c.Now()), other: map[string]*allocation{
		allocBulkBatches: {max: staticLimits[allocBulkBatches]},
		allocQueryJobs:   {max: staticLimits[allocQueryJobs]},
	}}
}

func dayOf(t time.Time) time.Time { return t.UTC().Truncate(24 * time.Hour) }

// rollLocked resets the counter when the day has changed. u.mu must be held.
func (u *usage) rollLocked() {
	if d := dayOf(u.clock.Now()); !d.Equal(u.day) {
		u.day, u.used = d, 0
		for _, a := range u.other {
			a.used = 0
		}
	}
}

// spendOn counts n units of an allocation by its /limits name; it refuses
// (and counts nothing) when that would go over the limit. Allocations the
// emulator does not count are never refused.
func (u *usage) spendOn(name string, n int) bool {
	if name == allocAPIRequests {
		return u.spend(n)
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	u.rollLocked()
	a, ok := u.other[name]
	if !ok {
		return true
	}
	if a.used+n > a.max {
		return false
	}
	a.used += n
	return true
}

// allocation returns today's use and the limit of an allocation by its
// /limits name; ok is false for allocations the emulator does not count.
func (u *usage) allocation(name string) (used, most int, ok bool) {
	if name == allocAPIRequests {
		used, most = u.snapshot()
		return used, most, true
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	u.rollLocked()
	a, ok := u.other[name]
	if !ok {
		return 0, 0, false
	}
	return a.used, a.max, true
}

// resetOther sets the counts of the allocations other than API requests
// back to zero.
func (u *usage) resetOther() {
	u.mu.Lock()
	defer u.mu.Unlock()
	for _, a := range u.other {
		a.used = 0
	}
}

// setLimit changes the limit of an allocation by its /limits name.
func (u *usage) setLimit(name string, most int) error {
	if most < 0 {
		return fmt.Errorf("%w: %s limit %d must be 0 or more", ErrInvalidLimit, name, most)
	}
	if name == allocAPIRequests {
		return u.set(&most, nil)
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	a, ok := u.other[name]
	if !ok {
		return fmt.Errorf("%w: the emulator counts %s, %s and %s, not %q", ErrInvalidLimit,
			allocAPIRequests, allocBulkBatches, allocQueryJobs, name)
	}
	a.max = most
	return nil
}

// spend counts n API requests; it refuses (and counts nothing) when that
// would go over the limit.
func (u *usage) spend(n int) bool {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.rollLocked()
	if u.used+n > u.max {
		return false
	}
	u.used += n
	return true
}

// snapshot returns the requests used today and the limit.
func (u *usage) snapshot() (used, most int) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.rollLocked()
	return u.used, u.max
}

// set changes the limit and/or the count (nil leaves one unchanged).
func (u *usage) set(most, used *int) error {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.rollLocked()
	if most != nil {
		if *most < 0 {
			return fmt.Errorf("dailyApiRequests %d must be 0 or more", *most)
		}
		u.max = *most
	}
	if used != nil {
		if *used < 0 {
			return fmt.Errorf("used %d must be 0 or more", *used)
		}
		u.used = *used
	}
	return nil
}

// header is the Sforce-Limit-Info value, "api-usage=18/15000".
func (u *usage) header() string {
	used, most := u.snapshot()
	return fmt.Sprintf("api-usage=%d/%d", used, most)
}

// limit is one entry of /limits.
type limit struct {
	Max       int `json:"Max"`
	Remaining int `json:"Remaining"`
}

// staticLimits are the other /limits keys, at a Developer Edition's values;
// nothing in the emulator spends them, except the Bulk API's (usage.other).
var staticLimits = map[string]int{
	"ActiveScratchOrgs":                           3,
	"AnalyticsExternalDataSizeMB":                 40960,
	"ConcurrentAsyncGetReportInstances":           200,
	"ConcurrentEinsteinDataInsightsStoryCreation": 5,
	"ConcurrentEinsteinDiscoveryStoryCreation":    2,
	"ConcurrentSyncReportRuns":                    20,
	"DailyAnalyticsDataflowJobExecutions":         60,
	"DailyAnalyticsUploadedFilesSizeMB":           51200,
	"DailyAsyncApexExecutions":                    250000,
	"DailyAsyncApexTests":                         500,
	"DailyBulkApiBatches":                         15000,
	"DailyBulkV2QueryFileStorageMB":               976562,
	"DailyBulkV2QueryJobs":                        10000,
	"DailyDeliveredPlatformEvents":                10000,
	"DailyDurableGenericStreamingApiEvents":       10000,
	"DailyDurableStreamingApiEvents":              10000,
	"DailyEinsteinDataInsightsStoryCreation":      1000,
	"DailyEinsteinDiscoveryPredictAPICalls":       50000,
	"DailyEinsteinDiscoveryPredictionsByCDC":      500000,
	"DailyEinsteinDiscoveryStoryCreation":         100,
	"DailyFunctionsApiCallLimit":                  235000,
	"DailyGenericStreamingApiEvents":              10000,
	"DailyScratchOrgs":                            6,
	"DailyStandardVolumePlatformEvents":           10000,
	"DailyStreamingApiEvents":                     10000,
	"DailyWorkflowEmails":                         390,
	"DataStorageMB":                               5,
	"DurableStreamingApiConcurrentClients":        20,
	"FileStorageMB":                               20,
	"HourlyAsyncReportRuns":                       1200,
	"HourlyDashboardRefreshes":                    200,
	"HourlyDashboardResults":                      5000,
	"HourlyDashboardStatuses":                     999999999,
	"HourlyLongTermIdMapping":                     100000,
	"HourlyManagedContentPublicRequests":          50000,
	"HourlyODataCallout":                          10000,
	"HourlyPublishedPlatformEvents":               50000,
	"HourlyPublishedStandardVolumePlatformEvents": 1000,
	"HourlyShortTermIdMapping":                    100000,
	"HourlySyncReportRuns":                        500,
	"HourlyTimeBasedWorkflow":                     50,
	"MassEmail":                                   10,
	"MonthlyEinsteinDiscoveryStoryCreation":       500,
	"MonthlyPlatformEventsUsageEntitlement":       0,
	"Package2VersionCreates":                      6,
	"Package2VersionCreatesWithoutValidation":     500,
	"PermissionSets":                              1500,
	"PrivateConnectOutboundCalloutHourlyLimitMB":  0,
	"SingleEmail":                                 15,
	"StreamingApiConcurrentClients":               20,
}

// limitsBody renders GET /limits: the static limits plus the counted
// allocations (DailyApiRequests, the Bulk API's) in step with their
// counters, and DataStorageMB spent at Salesforce's 2 KB a record.
func (u *usage) limitsBody(records int) map[string]limit {
	used, most := u.snapshot()
	out := make(map[string]limit, len(staticLimits)+1)
	for k, v := range staticLimits {
		out[k] = limit{Max: v, Remaining: v}
	}
	out[allocAPIRequests] = limit{Max: most, Remaining: most - used}
	u.mu.Lock()
	for k, a := range u.other {
		out[k] = limit{Max: a.max, Remaining: max(0, a.max-a.used)}
	}
	u.mu.Unlock()
	storage := out["DataStorageMB"]
	storage.Remaining = max(0, storage.Max-(records*2+1023)/1024)
	out["DataStorageMB"] = storage
	return out
}
