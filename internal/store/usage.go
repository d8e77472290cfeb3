package store

import (
	"context"
	"fmt"
	"time"
)

// UsageSample is an org's API usage over one hour: the last figures
// Salesforce reported in it (Sforce-Limit-Info) and the API calls sfbridge
// made in it.
type UsageSample struct {
	Hour   time.Time // the hour's start, UTC
	Used   int64     // the org's daily API requests used, as last reported in the hour
	Limit  int64     // the org's daily API limit, as last reported in the hour
	Calls  int64     // API calls sfbridge made in the hour
	SeenAt time.Time // when Used and Limit were reported
}

// UsageRetention is how long usage samples are kept.
const UsageRetention = 30 * 24 * time.Hour

// Usage is the repository of the orgs' API usage history, bound to a Scope:
// one row per org per hour, kept UsageRetention.
type Usage struct{ sc Scope }

// Usage returns the usage history, each call in its own transaction.
func (s *Store) Usage() Usage { return Usage{s} }

// Usage returns the usage history inside tx.
func (tx *Tx) Usage() Usage { return Usage{tx} }

// Record adds what was seen at the transaction's time to the org's sample
// of the current hour: used and limit replace the hour's figures, calls add
// to its count. Samples older than UsageRetention are deleted in the same
// transaction, so the history stays bounded.
func (r Usage) Record(ctx context.Context, orgID, used, limit, calls int64) error {
	if used < 0 || limit < 0 || calls < 0 {
		return fmt.Errorf("recording the API usage of org %d: %w: used %d, limit %d and calls %d cannot be negative", orgID, ErrInvalid, used, limit, calls)
	}
	err := r.sc.Write(ctx, func(tx *Tx) error {
		now := tx.Now()
		hour := now.Truncate(time.Hour)
		if _, err := tx.Exec(ctx, `INSERT INTO api_usage_samples (org_id, hour, used, api_limit, calls, seen_at)
			VALUES ($1, $2, $3, $4, $5, $6)
			ON CONFLICT (org_id, hour) DO UPDATE SET used = excluded.used, api_limit = excluded.api_limit,
				calls = api_usage_samples.calls + excluded.calls, seen_at = excluded.seen_at`,
			orgID, hour, used, limit, calls, now); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `DELETE FROM api_usage_samples WHERE org_id = $1 AND hour < $2`, orgID, hour.Add(-UsageRetention))
		return err
	})
	if err != nil {
		return fmt.Errorf("recording the API usage of org %d: %w", orgID, err)
	}
	return nil
}

// Since returns the org's samples from the hour holding since on, oldest
// first.
func (r Usage) Since(ctx context.Context, orgID int64, since time.Time) ([]UsageSample, error) {
	var out []UsageSample
	err := r.sc.Read(ctx, func(tx *Tx) error {
		rows, err := tx.Query(ctx, `SELECT hour, used, api_limit, calls, seen_at FROM api_usage_samples
			WHERE org_id = $1 AND hour >= $2 ORDER BY hour`, orgID, since.UTC().Truncate(time.Hour))
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var s UsageSample
			if err := rows.Scan(&s.Hour, &s.Used, &s.Limit, &s.Calls, &s.SeenAt); err != nil {
				return err
			}
			s.Hour, s.SeenAt = s.Hour.UTC(), s.SeenAt.UTC()
			out = append(out, s)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("reading the API usage of org %d: %w", orgID, err)
	}
	return out, nil
}

// DailyCalls returns, per UTC day from the day holding since on, the API
// calls sfbridge made across every org, oldest first; days without calls
// are left out.
func (r Usage) DailyCalls(ctx context.Context, since time.Time) ([]DayCalls, error) {
	samples := map[time.Time]int64{}
	var days []time.Time
	err := r.sc.Read(ctx, func(tx *Tx) error {
		rows, err := tx.Query(ctx, `SELECT hour, calls FROM api_usage_samples WHERE hour >= $1 ORDER BY hour`,
			since.UTC().Truncate(24*time.Hour))
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var (
				hour  time.Time
				calls int64
			)
			if err := rows.Scan(&hour, &calls); err != nil {
				return err
			}
			day := hour.UTC().Truncate(24 * time.Hour)
			if _, ok := samples[day]; !ok {
				days = append(days, day)
			}
			samples[day] += calls
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("reading the daily API calls: %w", err)
	}
	out := make([]DayCalls, len(days))
	for i, d := range days {
		out[i] = DayCalls{Day: d, Calls: samples[d]}
	}
	return out, nil
}

// DayCalls is the API calls sfbridge made on one UTC day.
type DayCalls struct {
	Day   time.Time
	Calls int64
}
