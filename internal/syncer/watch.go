package syncer

import (
	"context"
	"time"

	"github.com/sfbridge/sfbridge/internal/store"
)

// Watcher hears what happens to an org's API usage and connections, to keep
// the org within its API budget and to tell people (package budget's
// Watcher is the one sfbridge runs; docs/adr/0330-api-budget-and-notifications.md).
type Watcher interface {
	// Usage is told the org's daily API usage as Salesforce last reported
	// it, and the API calls made since the last report, after every run and
	// every probe of a paused org. A non-nil error means the org's budget
	// is spent: its workflows pause (paused_limit), the error and the time
	// of the next probe as the reason, until a probe finds Usage returning
	// nil again.
	Usage(ctx context.Context, org store.Org, used, limit, calls int64) error
	// Allows reports whether the org's budget, below its daily limit, now
	// allows more than used (an admin raised it): a paused org is then
	// probed at once rather than at its next probe time.
	Allows(ctx context.Context, org store.Org, used, limit int64) bool
	// Paused is told that the org's workflows paused at its API budget or
	// limit, why, and when the next probe may resume them.
	Paused(ctx context.Context, org store.Org, reason string, nextCheck time.Time)
	// Resumed is told that an org paused at its API budget or limit resumed.
	Resumed(ctx context.Context, org store.Org)
	// NeedsReauth is told that the owner's connection to the org was
	// refused (revoked, expired), which paused the org.
	NeedsReauth(ctx context.Context, org store.Org, ownerID int64, cause string)
}

// noWatcher is the Watcher of a Service given none: no budget, no one told.
type noWatcher struct{}

func (noWatcher) Usage(context.Context, store.Org, int64, int64, int64) error { return nil }
func (noWatcher) Allows(context.Context, store.Org, int64, int64) bool        { return false }
func (noWatcher) Paused(context.Context, store.Org, string, time.Time)        {}
func (noWatcher) Resumed(context.Context, store.Org)                          {}
func (noWatcher) NeedsReauth(context.Context, store.Org, int64, string)       {}
