package sfemu

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/sfbridge/sfbridge/internal/sfemu/bulk"
	"github.com/sfbridge/sfbridge/internal/sfemu/org"
	"github.com/sfbridge/sfbridge/internal/sfemu/query"
	"github.com/sfbridge/sfbridge/internal/sfemu/schema"
)

// maxJobBodyBytes bounds a Bulk API 2.0 request body. The handler refuses
// uploads over Salesforce's 150 MB base64-encoded (112.5 MB of CSV) itself,
// with Salesforce's error; this only stops a runaway client first.
const maxJobBodyBytes = 150 << 20

// isJobsPath tells whether the segments after the version are a Bulk API
// 2.0 resource (jobs/ingest/..., jobs/query/...).
func isJobsPath(segs []string) bool {
	return len(segs) > 0 && strings.EqualFold(segs[0], "jobs")
}

// newBulk builds the Bulk API 2.0 handler of an org.
func (e *Emulator) newBulk(o *org.Org, engine *query.Engine) (*bulk.Handler, error) {
	h, err := bulk.New(bulk.Config{
		Clock: e.clock, Schema: o, Query: engine, Usage: bulkUsage{e.usage},
		ProcessingDelay: e.opts.BulkProcessingDelay, Logger: e.log,
	})
	if err != nil {
		return nil, fmt.Errorf("starting the Bulk API: %w", err)
	}
	return h, nil
}

// serveBulk serves a call under /services/data/vXX.X/jobs/ once the session
// is checked and the faults drawn. The handler spends the API requests
// itself (one per call) and answers Sforce-Limit-Info.
func (e *Emulator) serveBulk(c *call, h *bulk.Handler) {
	who, err := c.org.As(c.sess.UserID)
	if err != nil { // the user is gone since the session was made
		c.fail(errInvalidSession)
		return
	}
	ctx := bulk.WithCaller(c.r.Context(), &bulkCaller{Principal: who, org: c.org})
	h.ServeHTTP(c.w, c.r.WithContext(ctx))
	switch d := e.opts.BulkSettleDelay; {
	case d == 0:
		e.settler.after(max(e.opts.BulkProcessingDelay, 0) + 10*time.Millisecond)
	case d > 0:
		e.settler.after(d)
	}
}

// bulkCaller is the caller of a Bulk API 2.0 request: the session's user,
// writing records through the org as themselves.
type bulkCaller struct {
	*org.Principal
	org *org.Org
}

var _ bulk.Caller = (*bulkCaller)(nil)

func (c *bulkCaller) Create(ctx context.Context, object string, in *schema.Input) (string, error) {
	return c.org.Create(ctx, c.Principal, object, in)
}

func (c *bulkCaller) Update(ctx context.Context, object, id string, in *schema.Input) error {
	return c.org.Update(ctx, c.Principal, object, id, in)
}

// Upsert reports an external ID that matches several records as
// Salesforce's DUPLICATE_EXTERNAL_ID.
func (c *bulkCaller) Upsert(ctx context.Context, object, field, value string, in *schema.Input) (string, bool, error) {
	id, created, err := c.org.Upsert(ctx, c.Principal, object, field, value, in)
	var mm *org.MultipleMatchesError
	if errors.As(err, &mm) {
		return "", false, schema.NewError("DUPLICATE_EXTERNAL_ID",
			fmt.Sprintf("%s: more than one record found for external id field: %v", mm.Field, mm.IDs), mm.Field)
	}
	return id, created, err
}

func (c *bulkCaller) Delete(ctx context.Context, id string) error {
	return c.org.Delete(ctx, c.Principal, id)
}

// HardDelete moves the record to the recycle bin: the org has no hard
// delete yet (ADR 0130), so queryAll still sees the record.
func (c *bulkCaller) HardDelete(ctx context.Context, id string) error {
	return c.org.Delete(ctx, c.Principal, id)
}

// bulkUsage spends the Bulk API's allocations from the org's counters, so
// that /limits and Sforce-Limit-Info show them.
type bulkUsage struct{ u *usage }

var _ bulk.Usage = bulkUsage{}

func (b bulkUsage) Spend(allocation string, n int) bool { return b.u.spendOn(allocation, n) }

func (b bulkUsage) LimitInfo() string { return b.u.header() }

// settler runs a function (the Bulk handler's Settle) once, shortly after
// the last Bulk call: jobs move only when something looks at them, and
// this looks at them when nobody else does. No goroutine or timer is left
// when the emulator is idle.
type settler struct {
	mu    sync.Mutex
	run   func()
	timer *time.Timer
	due   time.Time // real time the pending run is for
}

// after makes sure run happens d from now or later.
func (s *settler) after(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if due := time.Now().Add(d); due.After(s.due) {
		s.due = due
	}
	if s.timer == nil {
		s.timer = time.AfterFunc(time.Until(s.due), s.fire)
	}
}

// fire runs the function, and re-arms the timer when a call made since it
// was set wants a later run: one timer at most, firing at least once per
// delay while Bulk calls keep coming.
func (s *settler) fire() {
	s.mu.Lock()
	if wait := time.Until(s.due); wait > 0 {
		s.timer.Reset(wait)
	} else {
		s.timer = nil
	}
	s.mu.Unlock()
	s.run()
}

// SetDailyLimit sets the limit of a daily allocation by its /limits name:
// DailyApiRequests, DailyBulkApiBatches or DailyBulkV2QueryJobs (the ones
// the emulator counts); other names are ErrInvalidLimit.
func (e *Emulator) SetDailyLimit(allocation string, limit int) error {
	return e.usage.setLimit(allocation, limit)
}

// DailyUsage returns how much of a daily allocation (by its /limits name)
// was spent today, and its limit; ok is false for allocations the emulator
// does not count.
func (e *Emulator) DailyUsage(allocation string) (used, limit int, ok bool) {
	return e.usage.allocation(allocation)
}

// SettleBulk processes the Bulk API 2.0 jobs whose processing time has
// come, as if each were polled. The emulator does it by itself shortly
// after each Bulk call and when the admin API moves the clock; tests that
// move Clock() directly call it.
func (e *Emulator) SettleBulk(ctx context.Context) {
	e.world().bulk.Settle(ctx)
}
