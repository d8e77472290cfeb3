package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/sfbridge/sfbridge/internal/secret"
)

// Budget is an org's API budget: the share of its daily API limit sfbridge
// may use, the percentages of that share at which admins are warned, and
// where notifications about the org are also sent
// (docs/adr/0330-api-budget-and-notifications.md).
type Budget struct {
	OrgID int64
	// SharePct is the share of the org's daily API limit sfbridge may use,
	// 1 to 100. When usage reaches it, the org's workflows pause until the
	// usage falls back below it.
	SharePct int
	// Thresholds are percentages of the share (1 to 100, ascending, no
	// repeats) at which a warning is raised, once per threshold per day.
	Thresholds []int
	// Webhook is the URL each notification about the org is POSTed to as
	// JSON; empty: none. It is sealed at rest, since it may carry a token.
	Webhook secret.Value
	// UpdatedAt is when the settings were last saved; zero for the
	// defaults.
	UpdatedAt time.Time
}

// Budget defaults: an org nobody configured may use its whole daily limit,
// and admins are warned at 75 and 90 % of it.
const DefaultSharePct = 100

// DefaultThresholds are the warning thresholds of an org nobody configured.
var DefaultThresholds = []int{75, 90}

// DefaultBudget returns the budget of an org nobody configured.
func DefaultBudget(orgID int64) Budget {
	return Budget{OrgID: orgID, SharePct: DefaultSharePct, Thresholds: slices.Clone(DefaultThresholds)}
}

// Allowance is the number of daily API requests the budget lets sfbridge
// use out of an org's limit.
func (b Budget) Allowance(limit int64) int64 { return limit * int64(b.SharePct) / 100 }

// Check normalises b (thresholds sorted) and reports what makes it
// unstorable, naming the field and the accepted values.
func (b *Budget) Check() error {
	if b.SharePct < 1 || b.SharePct > 100 {
		return fmt.Errorf("%w: share_pct is %d; give the percentage of the daily API limit sfbridge may use, 1 to 100", ErrInvalid, b.SharePct)
	}
	b.Thresholds = slices.Sorted(slices.Values(b.Thresholds))
	for i, t := range b.Thresholds {
		if t < 1 || t > 100 {
			return fmt.Errorf("%w: thresholds holds %d; each threshold is a percentage of the budget, 1 to 100", ErrInvalid, t)
		}
		if i > 0 && b.Thresholds[i-1] == t {
			return fmt.Errorf("%w: thresholds holds %d twice; list each percentage once", ErrInvalid, t)
		}
	}
	if b.Thresholds == nil {
		b.Thresholds = []int{}
	}
	if raw := b.Webhook.Reveal(); raw != "" && !validWebhookURL(raw) {
		// The URL is not echoed: it may carry a token.
		return fmt.Errorf("%w: webhook_url is not an https URL (plain http is accepted only on a loopback host); give a URL such as https://hooks.example.com/sfbridge", ErrInvalid)
	}
	return nil
}

// validWebhookURL accepts what validLoginURL accepts (https, or http on a
// loopback host), without user information: a secret for the receiver goes
// in the URL's path or query, not in a password sent with every post.
func validWebhookURL(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && u.User == nil && validLoginURL(raw)
}

// Budgets is the repository of the orgs' API budgets, bound to a Scope.
type Budgets struct{ sc Scope }

// Budgets returns the budgets repository, each call in its own transaction.
func (s *Store) Budgets() Budgets { return Budgets{s} }

// Budgets returns the budgets repository inside tx.
func (tx *Tx) Budgets() Budgets { return Budgets{tx} }

// Get returns the org's budget, or DefaultBudget when nobody set one. An
// org that does not exist fails with ErrNotFound.
func (r Budgets) Get(ctx context.Context, orgID int64) (Budget, error) {
	b := DefaultBudget(orgID)
	err := r.sc.Read(ctx, func(tx *Tx) error {
		var exists int
		if err := tx.QueryRow(ctx, `SELECT 1 FROM orgs WHERE id = $1`, orgID).Scan(&exists); err != nil {
			return err
		}
		var (
			thresholds string
			sealed     []byte
		)
		err := tx.QueryRow(ctx, `SELECT share_pct, thresholds, webhook_url, updated_at FROM org_budgets WHERE org_id = $1`, orgID).
			Scan(&b.SharePct, &thresholds, &sealed, &b.UpdatedAt)
		if errors.Is(err, ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		b.UpdatedAt = b.UpdatedAt.UTC()
		if err := json.Unmarshal([]byte(thresholds), &b.Thresholds); err != nil {
			return fmt.Errorf("decoding the thresholds: %w", err)
		}
		b.Webhook, err = tx.open(sealed, sealBudgetWebhook)
		return err
	})
	if err != nil {
		return Budget{}, fmt.Errorf("reading the API budget of org %d: %w", orgID, err)
	}
	return b, nil
}

// Set saves the org's budget with its audit entry, Before and After filled
// in (the webhook shown only as set or not), in one transaction, and
// returns it as stored.
func (r Budgets) Set(ctx context.Context, b Budget, audit AuditEntry) (Budget, error) {
	if err := b.Check(); err != nil {
		return Budget{}, fmt.Errorf("saving the API budget of org %d: %w", b.OrgID, err)
	}
	err := r.sc.Write(ctx, func(tx *Tx) error {
		before, err := tx.Budgets().Get(ctx, b.OrgID)
		if err != nil {
			return err
		}
		sealed, err := tx.seal(b.Webhook, sealBudgetWebhook)
		if err != nil {
			return err
		}
		b.UpdatedAt = tx.Now()
		if _, err := tx.Exec(ctx, `INSERT INTO org_budgets (org_id, share_pct, thresholds, webhook_url, updated_at)
			VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (org_id) DO UPDATE SET share_pct = excluded.share_pct, thresholds = excluded.thresholds,
				webhook_url = excluded.webhook_url, updated_at = excluded.updated_at`,
			b.OrgID, b.SharePct, string(mustJSON(b.Thresholds)), sealed, b.UpdatedAt); err != nil {
			return err
		}
		audit.Before, audit.After = mustJSON(budgetState(before)), mustJSON(budgetState(b))
		_, err = tx.Audit().Append(ctx, audit)
		return err
	})
	if err != nil {
		return Budget{}, fmt.Errorf("saving the API budget of org %d: %w", b.OrgID, err)
	}
	return b, nil
}

// budgetState is a budget as the audit log records it: never the webhook
// URL itself, which may carry a token.
func budgetState(b Budget) any {
	return struct {
		SharePct   int    `json:"share_pct"`
		Thresholds []int  `json:"thresholds"`
		Webhook    string `json:"webhook"`
	}{b.SharePct, b.Thresholds, webhookState(b.Webhook)}
}

// webhookState says whether a webhook is set, and where to, without its
// path or query (which may carry a token).
func webhookState(w secret.Value) string {
	raw := w.Reveal()
	if raw == "" {
		return "none"
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "set"
	}
	return strings.ToLower(u.Scheme) + "://" + u.Host + "/…"
}
