package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/sfbridge/sfbridge/internal/access"
	"github.com/sfbridge/sfbridge/internal/secret"
	"github.com/sfbridge/sfbridge/internal/store"
)

// BudgetStore keeps the orgs' API budgets and usage history
// (docs/adr/0330-api-budget-and-notifications.md). [NewStore]'s store is
// one; without one the budget and usage routes answer feature.unavailable.
type BudgetStore interface {
	// Budget returns the org's budget (the defaults until set), or
	// ErrNotFound for an unknown org.
	Budget(ctx context.Context, orgID int64) (store.Budget, error)
	// SetBudget saves the org's budget with its audit entry (before and
	// after, the webhook URL never in them), in one transaction.
	// store.ErrInvalid comes back for values it cannot keep.
	SetBudget(ctx context.Context, b store.Budget, audit AuditEntry) (store.Budget, error)
	// Usage returns the org's hourly usage samples since a time, oldest
	// first, with the org's usage as last seen.
	Usage(ctx context.Context, orgID int64, since time.Time) (store.Org, []store.UsageSample, error)
}

// BudgetSettings is an org's API budget as the API shows it. The webhook URL
// is never shown back (it may carry a token): only whether one is set, and
// its scheme and host.
type BudgetSettings struct {
	OrgID int64 `json:"org_id"`
	// SharePct is the share of the org's daily API limit sfbridge may use
	// (1-100); at it, the org's workflows pause until usage falls back.
	SharePct int `json:"share_pct"`
	// Thresholds are percentages of the budget at which admins are warned,
	// once per threshold per day.
	Thresholds []int `json:"thresholds"`
	// WebhookSet says whether notifications are also POSTed to a webhook.
	WebhookSet bool `json:"webhook_set"`
	// WebhookHost is the webhook's scheme and host, to recognise it.
	WebhookHost string    `json:"webhook_host,omitempty"`
	UpdatedAt   time.Time `json:"updated_at,omitzero"`
}

// BudgetRequest changes an org's API budget. Every field is optional; what
// is left out keeps its value.
type BudgetRequest struct {
	SharePct   *int  `json:"share_pct,omitempty"`
	Thresholds []int `json:"thresholds,omitempty"`
	// WebhookURL is where each notification about the org is POSTed: https,
	// or http on a loopback host only. "" removes the webhook.
	WebhookURL *string `json:"webhook_url,omitempty"`
}

// UsageSeries is an org's API usage over time: one sample per hour, with
// the budget to draw against it.
type UsageSeries struct {
	OrgID   int64  `json:"org_id"`
	OrgName string `json:"org_name"`
	// State is the org's state (connected, needs_reauth, paused_limit);
	// StateReason says why it is not connected.
	State       string `json:"state"`
	StateReason string `json:"state_reason,omitempty"`
	// Used and Limit are the org's daily API usage as last seen, Allowance
	// the requests its budget lets sfbridge use of Limit.
	Used      int64          `json:"used"`
	Limit     int64          `json:"limit"`
	Allowance int64          `json:"allowance"`
	SeenAt    time.Time      `json:"seen_at,omitzero"`
	Budget    BudgetSettings `json:"budget"`
	Samples   []UsagePoint   `json:"samples"`
}

// UsagePoint is the usage of one hour.
type UsagePoint struct {
	Hour  time.Time `json:"hour"`  // the hour's start, UTC
	Used  int64     `json:"used"`  // daily requests used, as last reported in the hour
	Limit int64     `json:"limit"` // the daily limit, as last reported in the hour
	Calls int64     `json:"calls"` // API calls sfbridge made in the hour
}

// Usage history windows: the default and the longest, in days.
const (
	defaultUsageDays = 7
	maxUsageDays     = 30
)

// budgetRoutes are the budget and usage routes of an org.
func (s *Server) budgetRoutes(v1 string) []route {
	return []route{
		guarded(http.MethodGet, v1+"/orgs/{id}/budget", access.OrgView, "An org's API budget: its share of the daily limit, warning thresholds, webhook (never its URL)", s.getBudget).
			body(nil, BudgetSettings{}),
		guarded(http.MethodPut, v1+"/orgs/{id}/budget", access.OrgConfigure, "Change an org's API budget, warning thresholds or webhook URL (audited)", s.setBudget).
			body(BudgetRequest{}, BudgetSettings{}),
		guarded(http.MethodGet, v1+"/orgs/{id}/usage", access.OrgView, "An org's API usage per hour, with its budget", s.getUsage).
			body(nil, UsageSeries{}).params("days", fmt.Sprintf("how many days back (1 to %d, default %d)", maxUsageDays, defaultUsageDays)),
	}
}

// budgets returns the budget store, or an error saying the server runs
// without one.
func (s *Server) budgets() (BudgetStore, error) {
	if bs, ok := s.opts.Store.(BudgetStore); ok {
		return bs, nil
	}
	return nil, errorf(CodeUnavailable, "This server keeps no API budgets.")
}

func (s *Server) getBudget(c *call) (any, error) {
	bs, id, err := s.budgetCall(c)
	if err != nil {
		return nil, err
	}
	b, err := bs.Budget(c.r.Context(), id)
	if err != nil {
		return nil, orgError(id, err)
	}
	return budgetSettings(b), nil
}

func (s *Server) setBudget(c *call) (any, error) {
	bs, id, err := s.budgetCall(c)
	if err != nil {
		return nil, err
	}
	var in BudgetRequest
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	b, err := bs.Budget(c.r.Context(), id)
	if err != nil {
		return nil, orgError(id, err)
	}
	if in.SharePct != nil {
		b.SharePct = *in.SharePct
	}
	if in.Thresholds != nil {
		b.Thresholds = in.Thresholds
	}
	if in.WebhookURL != nil {
		b.Webhook = secret.New(strings.TrimSpace(*in.WebhookURL))
	}
	detail := fmt.Sprintf("API budget %d%% of the daily limit, warnings at %v %%", b.SharePct, b.Thresholds)
	saved, err := bs.SetBudget(c.r.Context(), b, c.audit(string(access.OrgConfigure), "org "+strconv.FormatInt(id, 10), detail))
	if errors.Is(err, store.ErrInvalid) {
		return nil, invalid(budgetField(err))
	}
	if err != nil {
		return nil, orgError(id, err)
	}
	return budgetSettings(saved), nil
}

func (s *Server) getUsage(c *call) (any, error) {
	bs, id, err := s.budgetCall(c)
	if err != nil {
		return nil, err
	}
	days := defaultUsageDays
	if v := c.r.URL.Query().Get("days"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxUsageDays {
			return nil, invalid(FieldError{Field: "days", Message: fmt.Sprintf("is %q; give a whole number of days from 1 to %d", v, maxUsageDays)})
		}
		days = n
	}
	org, samples, err := bs.Usage(c.r.Context(), id, s.now().Add(-time.Duration(days)*24*time.Hour))
	if err != nil {
		return nil, orgError(id, err)
	}
	b, err := bs.Budget(c.r.Context(), id)
	if err != nil {
		return nil, orgError(id, err)
	}
	out := UsageSeries{OrgID: id, OrgName: org.Name, State: string(org.State), StateReason: org.StateReason, Used: org.APIUsage.Used, Limit: org.APIUsage.Limit, Allowance: b.Allowance(org.APIUsage.Limit),
		SeenAt: org.APIUsage.SeenAt, Budget: budgetSettings(b), Samples: make([]UsagePoint, len(samples))}
	for i, p := range samples {
		out.Samples[i] = UsagePoint{Hour: p.Hour, Used: p.Used, Limit: p.Limit, Calls: p.Calls}
	}
	return out, nil
}

// budgetCall returns the budget store and the org id of the path.
func (s *Server) budgetCall(c *call) (BudgetStore, int64, error) {
	bs, err := s.budgets()
	if err != nil {
		return nil, 0, err
	}
	id, err := c.pathID()
	return bs, id, err
}

// orgError words a store error about an org for the API.
func orgError(id int64, err error) error {
	if errors.Is(err, ErrNotFound) || errors.Is(err, store.ErrNotFound) {
		return errorf(CodeNotFound, fmt.Sprintf("There is no org %d; GET /api/v1/orgs lists them.", id))
	}
	return err
}

// budgetField turns the store's refusal of a budget into the field it
// names: the store's messages start with the field's JSON name.
func budgetField(err error) FieldError {
	_, msg, _ := strings.Cut(err.Error(), store.ErrInvalid.Error()+": ")
	for _, f := range []string{"share_pct", "thresholds", "webhook_url"} {
		if rest, ok := strings.CutPrefix(msg, f+" "); ok {
			return FieldError{Field: f, Message: rest}
		}
	}
	return FieldError{Field: "body", Message: msg}
}

func budgetSettings(b store.Budget) BudgetSettings {
	out := BudgetSettings{OrgID: b.OrgID, SharePct: b.SharePct, Thresholds: b.Thresholds, UpdatedAt: b.UpdatedAt}
	if out.Thresholds == nil {
		out.Thresholds = []int{}
	}
	if raw := b.Webhook.Reveal(); raw != "" {
		out.WebhookSet = true
		if u, err := url.Parse(raw); err == nil { // the store keeps only URLs that parse
			out.WebhookHost = u.Scheme + "://" + u.Host
		}
	}
	return out
}

var _ BudgetStore = dbStore{}

func (d dbStore) Budget(ctx context.Context, orgID int64) (store.Budget, error) {
	b, err := d.st.Budgets().Get(ctx, orgID)
	return b, apiError(err, "")
}

func (d dbStore) SetBudget(ctx context.Context, b store.Budget, audit AuditEntry) (store.Budget, error) {
	out, err := d.st.Budgets().Set(ctx, b, storeAudit(audit))
	return out, apiError(err, "")
}

func (d dbStore) Usage(ctx context.Context, orgID int64, since time.Time) (store.Org, []store.UsageSample, error) {
	org, err := d.st.Orgs().Get(ctx, orgID)
	if err != nil {
		return store.Org{}, nil, apiError(err, "")
	}
	samples, err := d.st.Usage().Since(ctx, orgID, since)
	return org, samples, err
}
