package budget

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/sfbridge/sfbridge/internal/store"
)

// Options configure a [Watcher]. Store is required.
type Options struct {
	Store *store.Store
	// HTTPClient posts to webhooks. Default: a client that follows no
	// redirects (a redirect could carry the payload elsewhere).
	HTTPClient *http.Client
	// Delivery bounds the webhook posts. Zero fields take the
	// DefaultDelivery's.
	Delivery Delivery
	// Logger receives webhook failures and store errors (warn). Default:
	// discard.
	Logger *slog.Logger
	// Now is the clock; default time.Now.
	Now func() time.Time
}

// Delivery bounds how a notification is posted to a webhook.
type Delivery struct {
	Attempts int           // tries in all
	Backoff  time.Duration // pause before the second try, doubled before each next one
	Timeout  time.Duration // bound on each try
}

// DefaultDelivery: four tries over about a minute at most.
var DefaultDelivery = Delivery{Attempts: 4, Backoff: 2 * time.Second, Timeout: 10 * time.Second}

// Watcher watches the orgs' API usage against their budgets and raises
// notifications. It is safe for concurrent use. Stop waits for the webhook
// deliveries under way.
type Watcher struct {
	st       *store.Store
	hc       *http.Client
	delivery Delivery
	log      *slog.Logger
	now      func() time.Time

	wg      sync.WaitGroup
	stop    chan struct{}
	stopped sync.Once
}

// New returns a Watcher over opts.
func New(opts Options) *Watcher {
	w := &Watcher{st: opts.Store, hc: opts.HTTPClient, delivery: opts.Delivery, log: opts.Logger, now: opts.Now, stop: make(chan struct{})}
	if w.hc == nil {
		w.hc = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	if w.delivery.Attempts <= 0 {
		w.delivery.Attempts = DefaultDelivery.Attempts
	}
	if w.delivery.Backoff <= 0 {
		w.delivery.Backoff = DefaultDelivery.Backoff
	}
	if w.delivery.Timeout <= 0 {
		w.delivery.Timeout = DefaultDelivery.Timeout
	}
	if w.log == nil {
		w.log = slog.New(slog.DiscardHandler)
	}
	if w.now == nil {
		w.now = time.Now
	}
	return w
}

// Wait waits for the webhook deliveries under way, retries included.
func (w *Watcher) Wait() { w.wg.Wait() }

// Stop ends the pauses between webhook attempts (the notification keeps
// the last failure) and waits for the deliveries under way. It is
// idempotent.
func (w *Watcher) Stop() {
	w.stopped.Do(func() { close(w.stop) })
	w.wg.Wait()
}

// Usage records the org's usage — used and limit as Salesforce last
// reported them, calls made since the last report — raises a notification
// for each warning threshold crossed today, and returns a *SpentError
// (matching ErrSpent) when usage reached the budget. A limit of 0 (never reported)
// only records the calls.
func (w *Watcher) Usage(ctx context.Context, org store.Org, used, limit, calls int64) error {
	if err := w.st.Usage().Record(ctx, org.ID, used, limit, calls); err != nil {
		w.log.Warn("recording API usage", "org", org.Name, "err", err)
	}
	if limit <= 0 {
		return nil
	}
	b, err := w.st.Budgets().Get(ctx, org.ID)
	if err != nil {
		w.log.Warn("reading the API budget", "org", org.Name, "err", err)
		return nil
	}
	allowance := b.Allowance(limit)
	day := w.now().UTC().Format(time.DateOnly)
	for _, t := range b.Thresholds {
		if used*100 < allowance*int64(t) {
			continue
		}
		data := figures{Org: org.Name, Used: used, Limit: limit, SharePct: b.SharePct, Allowance: allowance, Threshold: t}
		w.raise(ctx, org, store.Notification{
			Admins: true, Kind: store.NotifyThreshold, Dedup: "threshold:" + strconv.Itoa(t) + ":" + day,
			Message: fmt.Sprintf("Org %q used %d%% of its API budget: %d of the %d daily requests sfbridge may use (%d%% of the limit of %d). Check the usage on /orgs/%d/usage; raise the budget there if this is expected.",
				org.Name, t, used, allowance, b.SharePct, limit, org.ID),
			Link: usagePage(org.ID),
		}, data)
	}
	if used >= allowance {
		return &SpentError{Org: org.Name, Used: used, Allowance: allowance, SharePct: b.SharePct, Limit: limit}
	}
	return nil
}

// Allows reports whether the org's budget, set below its daily limit,
// allows more requests than used: the budget, not Salesforce, holds the
// org back, and it was raised since the org paused. A paused org may then
// be probed at once rather than at its next probe time.
func (w *Watcher) Allows(ctx context.Context, org store.Org, used, limit int64) bool {
	b, err := w.st.Budgets().Get(ctx, org.ID)
	if err != nil {
		w.log.Warn("reading the API budget", "org", org.Name, "err", err)
		return false
	}
	allowance := b.Allowance(limit)
	return limit > 0 && allowance < limit && used < allowance
}

// Paused raises the notification that the org's workflows paused at its
// API budget or limit, saying why (reason, which tells when they resume)
// and when the next check is.
func (w *Watcher) Paused(ctx context.Context, org store.Org, reason string, nextCheck time.Time) {
	reason = strings.TrimPrefix(reason, "paused: ")
	w.raise(ctx, org, store.Notification{
		Admins: true, Kind: store.NotifyPaused,
		Message: fmt.Sprintf("The workflows of org %q are paused: %s.", org.Name, reason),
		Link:    usagePage(org.ID),
	}, figures{Org: org.Name, Reason: reason, NextCheck: nextCheck.UTC().Format(time.RFC3339)})
}

// Resumed raises the notification that an org paused at its API budget
// resumed.
func (w *Watcher) Resumed(ctx context.Context, org store.Org) {
	w.raise(ctx, org, store.Notification{
		Admins: true, Kind: store.NotifyResumed,
		Message: fmt.Sprintf("The workflows of org %q resumed: its API usage is back below the budget. Nothing to do.", org.Name),
		Link:    usagePage(org.ID),
	}, figures{Org: org.Name})
}

// NeedsReauth tells the connection's owner and the admins that the
// owner's connection to org was revoked or expired, and where to reconnect.
func (w *Watcher) NeedsReauth(ctx context.Context, org store.Org, ownerID int64, cause string) {
	w.raise(ctx, org, store.Notification{
		UserID: ownerID, Admins: true, Kind: store.NotifyNeedsReauth,
		Message: fmt.Sprintf("A Salesforce connection to org %q was revoked or expired (%s), so the org's workflows are paused. Reconnect on /orgs/%d.",
			org.Name, cause, org.ID),
		Link: fmt.Sprintf("/orgs/%d", org.ID),
	}, figures{Org: org.Name, Reason: cause})
}

// figures are the facts behind a notification, kept as its data for the
// webhook and for the console to word it in each language.
type figures struct {
	Org       string `json:"org"`
	Used      int64  `json:"used,omitempty"`
	Limit     int64  `json:"limit,omitempty"`
	SharePct  int    `json:"share_pct,omitempty"`
	Allowance int64  `json:"allowance,omitempty"`
	Threshold int    `json:"threshold,omitempty"`
	Reason    string `json:"reason,omitempty"`
	NextCheck string `json:"next_check,omitempty"`
}

func usagePage(orgID int64) string { return fmt.Sprintf("/orgs/%d/usage", orgID) }

// raise stores n about org and, when it is new and the org has a webhook,
// posts it there in the background.
func (w *Watcher) raise(ctx context.Context, org store.Org, n store.Notification, data figures) {
	n.OrgID = org.ID
	raw, err := json.Marshal(data)
	if err != nil { // figures always encode
		panic(fmt.Sprintf("budget: encoding figures: %v", err))
	}
	n.Data = raw
	b, err := w.st.Budgets().Get(ctx, org.ID)
	if err != nil {
		w.log.Warn("reading the webhook of an org", "org", org.Name, "err", err)
	}
	hook := b.Webhook.Reveal()
	if hook != "" {
		n.WebhookStatus = store.WebhookPending
	}
	n, added, err := w.st.Notifications().Add(ctx, n)
	if err != nil {
		w.log.Warn("raising a notification", "org", org.Name, "kind", n.Kind, "err", err)
		return
	}
	if !added || hook == "" {
		return
	}
	w.wg.Add(1)
	go func() {
		defer w.wg.Done()
		w.deliver(context.WithoutCancel(ctx), hook, org, n)
	}()
}
