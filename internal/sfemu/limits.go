package sfemu

import (
	"fmt"
	"sync"
	"time"

	"github.com/sfbridge/sfbridge/internal/sfemu/clock"
)

// DefaultDailyAPIRequests is a Developer Edition org's daily API request limit.
const DefaultDailyAPIRequests = 15000

// usage is the org's daily API request counter. It resets at midnight
// (UTC) of the emulator clock, or when an admin says so.
type usage struct {
	clock *clock.Clock
	mu    sync.Mutex
	max   int
	used  int
	day   time.Time // the UTC date the counter belongs to
}

func newUsage(c *clock.Clock, most int) *usage {
	return &usage{clock: c, max: most, day: dayOf(c.Now())}
}

func dayOf(t time.Time) time.Time { return t.UTC().Truncate(24 * time.Hour) }

// rollLocked resets the counter when the day has changed. u.mu must be held.
func (u *usage) rollLocked() {
	if d := dayOf(u.clock.Now()); !d.Equal(u.day) {
		u.day, u.used = d, 0
	}
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

// staticLimits are the other /limits keys, at a Developer Edition's values
// (nothing in the emulator spends them yet).
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

// limitsBody renders GET /limits: the static limits plus DailyApiRequests
// in step with the counter, and DataStorageMB spent at Salesforce's 2 KB a
// record.
func (u *usage) limitsBody(records int) map[string]limit {
	used, most := u.snapshot()
	out := make(map[string]limit, len(staticLimits)+1)
	for k, v := range staticLimits {
		out[k] = limit{Max: v, Remaining: v}
	}
	out["DailyApiRequests"] = limit{Max: most, Remaining: most - used}
	storage := out["DataStorageMB"]
	storage.Remaining = max(0, storage.Max-(records*2+1023)/1024)
	out["DataStorageMB"] = storage
	return out
}
